import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// POSTs a JSON body to a webhook with bounded retries: `retries` more attempts after the first, waiting
/// `backoff`, 2×, 4×… (capped at 30 s) between them. Any 2xx answer is delivery; anything else is retried.
public struct WebhookSender: Sendable {
    public struct Attempt: Sendable, Equatable {
        public var status: Int?
        public var error: String?
    }

    public enum Failure: Error, CustomStringConvertible, Sendable {
        case badURL(String)
        case gaveUp(attempts: [Attempt])

        public var description: String {
            switch self {
            case .badURL(let u): return "webhook URL '\(u)' is not an http:// or https:// URL"
            case .gaveUp(let attempts):
                let last = attempts.last.map { $0.status.map { "HTTP \($0)" } ?? ($0.error ?? "?") } ?? "?"
                return "webhook delivery failed after \(attempts.count) attempts (last: \(last))"
            }
        }
    }

    public var url: URL
    public var retries: Int
    public var backoff: Double
    public var timeout: Double

    public init(url text: String, retries: Int = 3, backoff: Double = 1, timeout: Double = 10) throws {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw Failure.badURL(text)
        }
        self.url = url
        self.retries = max(0, retries)
        self.backoff = backoff
        self.timeout = timeout
    }

    /// Delivers `body`; returns every attempt made. Throws `.gaveUp` with them when none succeeded.
    @discardableResult
    public func send(_ body: [UInt8], isCancelled: @Sendable () -> Bool = { false }) async throws -> [Attempt] {
        var attempts: [Attempt] = []
        var wait = backoff
        for i in 0...retries {
            if i > 0 {
                if isCancelled() { break }
                try? await Task.sleep(nanoseconds: UInt64(wait * 1e9))
                wait = min(wait * 2, 30)
            }
            let a = await post(body)
            attempts.append(a)
            if let s = a.status, (200..<300).contains(s) { return attempts }
        }
        throw Failure.gaveUp(attempts: attempts)
    }

    private func post(_ body: [UInt8]) async -> Attempt {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("contsec-observability", forHTTPHeaderField: "User-Agent")
        request.httpBody = Data(body)
        return await withCheckedContinuation { cont in
            URLSession.shared.dataTask(with: request) { _, response, error in
                if let error { cont.resume(returning: Attempt(status: nil, error: error.localizedDescription)); return }
                cont.resume(returning: Attempt(status: (response as? HTTPURLResponse)?.statusCode, error: nil))
            }.resume()
        }
    }
}
