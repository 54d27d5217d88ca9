/// Maps `items` with at most `limit` operations in flight, results in input order (so plans and tables do not
/// depend on which answer came first). The registry is read this way: a few requests in flight over reused
/// connections hide each request's round trip without flooding the registry.
public func boundedMap<T: Sendable, R: Sendable>(_ items: [T], limit: Int,
                                                 progress: @Sendable (Int) -> Void = { _ in },
                                                 _ transform: @escaping @Sendable (T) async throws -> R) async throws -> [R] {
    var results = [R?](repeating: nil, count: items.count)
    try await withThrowingTaskGroup(of: (Int, R).self) { group in
        var next = 0, done = 0
        func launch() {
            let index = next
            next += 1
            group.addTask { (index, try await transform(items[index])) }
        }
        while next < min(max(1, limit), items.count) { launch() }
        while let (index, result) = try await group.next() {
            results[index] = result
            done += 1
            progress(done)
            if next < items.count { launch() }
        }
    }
    return results.map { $0! }
}
