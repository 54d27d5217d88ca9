import Foundation

/// Cuts a streamed body into elements as bytes arrive.
protocol StreamFramer: Sendable {
    associatedtype Element: Sendable
    mutating func feed(_ bytes: [UInt8]) throws -> [Element]
    /// Called at end of stream; leftover bytes are an error or a last element.
    mutating func finish() throws -> [Element]
}

/// Passes bytes through unchanged.
struct RawFramer: StreamFramer {
    mutating func feed(_ bytes: [UInt8]) throws -> [Data] { [Data(bytes)] }
    mutating func finish() throws -> [Data] { [] }
}

/// Newline-delimited JSON objects (stats, events, pull/import progress).
struct JSONLinesFramer<T: Decodable & Sendable>: StreamFramer {
    private var pending: [UInt8] = []

    mutating func feed(_ bytes: [UInt8]) throws -> [T] {
        pending += bytes
        var out: [T] = []
        while let newline = pending.firstIndex(of: 0x0A) {
            let line = pending[..<newline]
            pending.removeSubrange(...newline)
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { continue }
            out.append(try DockerClient.decode(T.self, from: Data(line)))
        }
        return out
    }

    mutating func finish() throws -> [T] {
        defer { pending = [] }
        if pending.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x0A }) { return [] }
        return [try DockerClient.decode(T.self, from: Data(pending))]
    }
}

/// Which output a piece of container output came from.
public enum OutputChannel: Int, Sendable, Equatable {
    case stdin = 0, stdout = 1, stderr = 2
}

/// One frame of container output.
public struct OutputChunk: Sendable, Equatable {
    public var stream: OutputChannel
    public var data: Data
    public var text: String { String(decoding: data, as: UTF8.self) }
}

/// Docker's multiplexed stream: 8-byte header (stream type, 3 zero bytes, big-endian UInt32 length) then payload.
/// Used for logs and exec output of containers created without a TTY.
struct MultiplexFramer: StreamFramer {
    private var pending: [UInt8] = []
    /// When set, a stream whose first bytes are not a frame header is taken as raw TTY output.
    private var detect: Bool
    private var raw = false

    init(detectTTY: Bool = false) { detect = detectTTY }

    mutating func feed(_ bytes: [UInt8]) throws -> [OutputChunk] {
        if raw { return bytes.isEmpty ? [] : [OutputChunk(stream: .stdout, data: Data(bytes))] }
        pending += bytes
        if detect {
            // A header starts with 0, 1 or 2 followed by three zero bytes; TTY text practically never does.
            let looksFramed = pending.prefix(4).enumerated().allSatisfy { index, byte in index == 0 ? byte <= 2 : byte == 0 }
            if !looksFramed {
                raw = true
                defer { pending = [] }
                return [OutputChunk(stream: .stdout, data: Data(pending))]
            }
            if pending.count >= 4 { detect = false }
        }
        var out: [OutputChunk] = []
        var offset = 0
        while pending.count - offset >= 8 {
            let type = pending[offset]
            let length = Int(pending[offset + 4]) << 24 | Int(pending[offset + 5]) << 16 | Int(pending[offset + 6]) << 8 | Int(pending[offset + 7])
            guard type <= 2 else { throw DockerError.badResponse("bad multiplexed stream header (type \(type))") }
            guard pending.count - offset - 8 >= length else { break }
            let payload = Data(pending[(offset + 8)..<(offset + 8 + length)])
            out.append(OutputChunk(stream: OutputChannel(rawValue: Int(type)) ?? .stdout, data: payload))
            offset += 8 + length
        }
        pending.removeFirst(offset)
        return out
    }

    mutating func finish() throws -> [OutputChunk] {
        if raw || pending.isEmpty { return [] }
        if detect { return [OutputChunk(stream: .stdout, data: Data(pending))] } // under 4 bytes of TTY output
        throw DockerError.badResponse("multiplexed stream ended inside a frame")
    }
}

/// Unframed output (containers with a TTY): everything is stdout.
struct TTYFramer: StreamFramer {
    mutating func feed(_ bytes: [UInt8]) throws -> [OutputChunk] { [OutputChunk(stream: .stdout, data: Data(bytes))] }
    mutating func finish() throws -> [OutputChunk] { [] }
}

/// Lets the consumer's cancellation wake the reading thread.
private final class StreamSocketBox: @unchecked Sendable {
    private let lock = NSLock()
    private var socket: EngineConnection?
    private var cancelled = false

    /// Returns false if the stream was already cancelled (the caller then closes the socket itself).
    func set(_ socket: EngineConnection) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if cancelled { return false }
        self.socket = socket
        return true
    }

    func cancel() {
        lock.lock()
        cancelled = true
        let socket = self.socket
        lock.unlock()
        socket?.shutdownBoth()
    }

    var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return cancelled }
}

extension DockerClient {
    /// Streams a response body through `framer` on a dedicated thread; ending the consumer's loop closes the connection.
    func makeStream<F: StreamFramer>(_ framer: F, _ method: String, _ path: String, query: [(String, String?)],
                                     body: DockerRequestBody? = nil,
                                     notFound: (DockerResourceKind, String)?) -> AsyncThrowingStream<F.Element, Error> {
        let query = QueryItems(query)
        return AsyncThrowingStream { continuation in
            let box = StreamSocketBox()
            continuation.onTermination = { _ in box.cancel() }
            let thread = Thread { [self] in
                // Foundation does not name the OS thread on Linux; named, open streams show in `top -H` and /proc.
                FileHandle(forWritingAtPath: "/proc/thread-self/comm")?.write(Data("docker-stream".utf8))
                var framer = framer
                do {
                    let (socket, reader) = try self.openStream(method, path, query: query, body: body, notFound: notFound)
                    defer { socket.close() }
                    guard box.set(socket) else { continuation.finish(); return }
                    while let piece = try reader.next() {
                        for element in try framer.feed(piece) { continuation.yield(element) }
                    }
                    for element in try framer.finish() { continuation.yield(element) }
                    continuation.finish()
                } catch {
                    // A read failing because the consumer went away is a normal end, not an error.
                    continuation.finish(throwing: box.isCancelled ? nil : error)
                }
            }
            thread.name = "docker-stream"
            thread.start()
        }
    }

    /// Reads a body to its end on a dispatch thread, handing each piece to `onChunk` (image save, export).
    func streamBlocking(_ method: String, _ path: String, query: [(String, String?)], notFound: (DockerResourceKind, String)?,
                        onChunk: @escaping @Sendable (Data) throws -> Void) async throws -> Int {
        let query = QueryItems(query)
        return try await onDispatch { [self] in
            let (socket, reader) = try self.openStream(method, path, query: query, body: nil, notFound: notFound)
            defer { socket.close() }
            var total = 0
            while let piece = try reader.next() {
                total += piece.count
                try onChunk(Data(piece))
            }
            return total
        }
    }
}
