import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP exchange's answer. Header names are lower-cased.
public struct HTTPResponse: Sendable {
    public let status: Int
    public let headers: [String: String]
    public let body: Data
    /// The URL that answered (after redirects).
    public let url: URL

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Why an exchange produced no HTTP answer.
enum TransportFailure: Error, Sendable {
    /// TCP refused, host not found, timed out, connection dropped.
    case unreachable(String)
    /// The TLS handshake failed because the peer does not speak TLS (a plain-HTTP server).
    case notTLS(String)
    /// The peer speaks TLS but its certificate is not trusted.
    case untrustedCertificate(String)
    /// The answer ended before its announced length.
    case truncated(String)
    /// The answer was bigger than the caller allows.
    case tooLarge(limit: Int)
}

/// HTTP and HTTPS through FoundationNetworking (libcurl underneath): one session, so connections to a registry are
/// reused; every answer is read into memory up to a cap, and a bigger one is cut off, not buffered.
/// TLS trusts the system store only (FoundationNetworking on Linux has no per-session trust setting).
final class HTTPTransport: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private var session: URLSession!
    private let lock = NSLock()
    private var pending: [Int: Exchange] = [:]

    private final class Exchange {
        let limit: Int
        let continuation: CheckedContinuation<HTTPResponse, Error>
        var body = Data()
        var response: HTTPURLResponse?
        var overLimit = false
        init(limit: Int, continuation: CheckedContinuation<HTTPResponse, Error>) {
            self.limit = limit
            self.continuation = continuation
        }
    }

    init(timeout: Double, maxConnectionsPerHost: Int = 8) {
        super.init()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = max(timeout, 600)
        configuration.httpMaximumConnectionsPerHost = maxConnectionsPerHost
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        session = URLSession(configuration: configuration, delegate: self, delegateQueue: queue)
    }

    /// Ends the session; pending exchanges fail.
    func close() { session.invalidateAndCancel() }

    func send(_ method: String, _ url: URL, headers: [String: String] = [:], body: Data? = nil,
              maxBytes: Int) async throws -> HTTPResponse {
        var request = URLRequest(url: url)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body {
            request.httpBody = body
        }
        let task = session.dataTask(with: request)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                lock.lock()
                pending[task.taskIdentifier] = Exchange(limit: maxBytes, continuation: continuation)
                lock.unlock()
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
    }

    // MARK: URLSessionDataDelegate

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        let exchange = self.exchange(dataTask.taskIdentifier)
        exchange?.response = response as? HTTPURLResponse
        // FoundationNetworking never completes a task answered 401 with a Basic challenge (its credential handling
        // stalls, with or without a delegate). The challenge is all a 401 needs to say: answer now, end the task.
        if let exchange, let http = response as? HTTPURLResponse, http.statusCode == 401 {
            lock.lock()
            pending.removeValue(forKey: dataTask.taskIdentifier)
            lock.unlock()
            exchange.continuation.resume(returning: Self.response(http, body: Data(), fallbackURL: dataTask.originalRequest?.url))
            dataTask.cancel()
            completionHandler(.cancel)
            return
        }
        if let exchange, response.expectedContentLength > Int64(exchange.limit) {
            exchange.overLimit = true
            completionHandler(.cancel)
            return
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let exchange = exchange(dataTask.taskIdentifier) else { return }
        if exchange.body.count + data.count > exchange.limit {
            exchange.overLimit = true
            dataTask.cancel()
            return
        }
        exchange.body.append(data)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        lock.lock()
        let exchange = pending.removeValue(forKey: task.taskIdentifier)
        lock.unlock()
        guard let exchange else { return }
        if exchange.overLimit {
            exchange.continuation.resume(throwing: TransportFailure.tooLarge(limit: exchange.limit))
            return
        }
        if let error {
            exchange.continuation.resume(throwing: Self.classify(error))
            return
        }
        guard let response = exchange.response ?? task.response as? HTTPURLResponse else {
            exchange.continuation.resume(throwing: TransportFailure.unreachable("no HTTP response"))
            return
        }
        exchange.continuation.resume(returning: Self.response(response, body: exchange.body, fallbackURL: task.originalRequest?.url))
    }

    static func response(_ response: HTTPURLResponse, body: Data, fallbackURL: URL?) -> HTTPResponse {
        var headers: [String: String] = [:]
        for (key, value) in response.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
        }
        return HTTPResponse(status: response.statusCode, headers: headers, body: body,
                            url: response.url ?? fallbackURL ?? URL(string: "http://invalid")!)
    }

    private func exchange(_ id: Int) -> Exchange? {
        lock.lock(); defer { lock.unlock() }
        return pending[id]
    }

    /// libcurl's message is the only detail FoundationNetworking keeps for TLS failures (their code is "unknown").
    static func classify(_ error: Error) -> TransportFailure {
        let message = (error as NSError).localizedDescription
        let lower = message.lowercased()
        if lower.contains("certificate") || lower.contains("issuer") { return .untrustedCertificate(message) }
        if lower.contains("ssl") || lower.contains("tls") || lower.contains("wrong version number") { return .notTLS(message) }
        if lower.contains("bytes remaining") || lower.contains("transfer closed") || lower.contains("partial") {
            return .truncated(message)
        }
        return .unreachable(message.isEmpty ? "\(error)" : message)
    }
}
