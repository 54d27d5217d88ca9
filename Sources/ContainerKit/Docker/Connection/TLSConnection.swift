import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One OpenSSL client context per engine: the CA to trust, the client certificate and key, TLS 1.2 or newer.
/// Made once (files read and checked up front, so a wrong path fails before any request) and shared by every
/// connection of a client.
final class TLSContext: @unchecked Sendable {
    let ssl: LibSSL
    let context: OpaquePointer
    let settings: DockerTLSSettings

    init(_ settings: DockerTLSSettings) throws {
        ssl = try LibSSL.shared.get()
        self.settings = settings
        ssl.ERR_clear_error()
        guard let method = ssl.TLS_client_method(), let context = ssl.SSL_CTX_new(method) else {
            throw DockerError.tlsSetup("OpenSSL could not create a TLS context: \(ssl.drainErrors().joined(separator: "; "))")
        }
        self.context = context
        _ = ssl.SSL_CTX_ctrl(context, LibSSL.SSL_CTRL_SET_MIN_PROTO_VERSION, LibSSL.TLS1_2_VERSION, nil)
        if settings.verify {
            guard let ca = settings.caFile else {
                throw DockerError.tlsSetup("TLS verification needs the CA certificate (ca.pem in DOCKER_CERT_PATH)")
            }
            guard ssl.SSL_CTX_load_verify_locations(context, ca, nil) == 1 else {
                throw DockerError.tlsSetup("cannot read the CA certificate \(ca): \(reason()). Put the CA that signed the daemon's certificate there as PEM")
            }
        }
        ssl.SSL_CTX_set_verify(context, settings.verify ? LibSSL.SSL_VERIFY_PEER : LibSSL.SSL_VERIFY_NONE, nil)
        if let cert = settings.certFile, let key = settings.keyFile {
            guard ssl.SSL_CTX_use_certificate_chain_file(context, cert) == 1 else {
                throw DockerError.tlsSetup("cannot read the client certificate \(cert): \(reason())")
            }
            guard ssl.SSL_CTX_use_PrivateKey_file(context, key, LibSSL.SSL_FILETYPE_PEM) == 1 else {
                throw DockerError.tlsSetup("cannot read the client key \(key): \(reason()) (an unencrypted PEM key is needed, as for the docker CLI)")
            }
            guard ssl.SSL_CTX_check_private_key(context) == 1 else {
                throw DockerError.tlsSetup("the client key \(key) does not belong to the certificate \(cert)")
            }
        }
    }

    deinit { ssl.SSL_CTX_free(context) }

    private func reason() -> String {
        let errors = ssl.drainErrors()
        return errors.isEmpty ? "unknown OpenSSL error" : errors.joined(separator: "; ")
    }
}

/// A TLS session over a connected TCP socket: the handshake checks the daemon's certificate against the CA and the
/// host name (or IP address) in DOCKER_HOST, as the docker CLI does, and presents the client certificate.
final class TLSConnection: EngineConnection, @unchecked Sendable {
    private let ssl: LibSSL
    private let session: OpaquePointer
    /// SSL_shutdown only after a handshake and before any fatal error (OpenSSL forbids it after one).
    private var mayShutDownCleanly = false

    /// Performs the handshake on `fd` (taken over: closed on failure too).
    init(fd: Int32, path: String, context: TLSContext, serverName: String, handshakeTimeout: Double) throws {
        let ssl = context.ssl
        ssl.ERR_clear_error()
        guard let session = ssl.SSL_new(context.context) else {
            Glibc.close(fd)
            throw DockerError.tlsSetup("OpenSSL could not create a TLS session: \(ssl.drainErrors().joined(separator: "; "))")
        }
        self.ssl = ssl
        self.session = session
        super.init(fd: fd, path: path)
        _ = ssl.SSL_set_fd(session, fd)
        let isIP = Self.isIPAddress(serverName)
        if !isIP {
            // SNI carries names only (RFC 6066); an IP is checked against the certificate's IP SANs instead.
            _ = serverName.withCString { ssl.SSL_ctrl(session, LibSSL.SSL_CTRL_SET_TLSEXT_HOSTNAME, LibSSL.TLSEXT_NAMETYPE_host_name, UnsafeMutableRawPointer(mutating: $0)) }
        }
        if context.settings.verify, let param = ssl.SSL_get0_param(session) {
            let set = isIP ? ssl.X509_VERIFY_PARAM_set1_ip_asc(param, serverName)
                : ssl.X509_VERIFY_PARAM_set1_host(param, serverName, 0)
            guard set == 1 else {
                close()
                throw DockerError.tlsSetup("cannot check the daemon's certificate against '\(serverName)'")
            }
        }
        setReadTimeout(handshakeTimeout)
        let result = ssl.SSL_connect(session)
        if result != 1 {
            let failure = handshakeFailure(result, serverName: serverName)
            close()
            throw failure
        }
        mayShutDownCleanly = true
    }

    /// Says why a handshake failed in words a user can act on.
    private func handshakeFailure(_ result: Int32, serverName: String) -> DockerError {
        let code = ssl.SSL_get_error(session, result)
        let savedErrno = errno
        let errors = ssl.drainErrors()
        let verify = ssl.SSL_get_verify_result(session)
        if verify != LibSSL.X509_V_OK, let text = ssl.X509_verify_cert_error_string(verify) {
            let why = String(cString: text)
            let advice = why.contains("mismatch")
                ? "the daemon's certificate is not valid for '\(serverName)': use the name or address it was issued for in DOCKER_HOST"
                : "check that ca.pem in DOCKER_CERT_PATH is the CA that signed the daemon's certificate"
            return .tlsHandshake(endpoint: path, reason: "the daemon's certificate was rejected: \(why); \(advice)")
        }
        let joined = errors.joined(separator: "; ")
        if let explained = Self.explain(errors, endpoint: path) { return explained }
        if code == LibSSL.SSL_ERROR_WANT_READ || code == LibSSL.SSL_ERROR_WANT_WRITE {
            return .timedOut(path: path, seconds: 0)
        }
        if code == LibSSL.SSL_ERROR_SYSCALL && joined.isEmpty {
            let reason = savedErrno == 0 ? "the daemon closed the connection during the TLS handshake (does it want a client certificate? cert.pem and key.pem in DOCKER_CERT_PATH)"
                : String(cString: strerror(savedErrno))
            return .tlsHandshake(endpoint: path, reason: reason)
        }
        return .tlsHandshake(endpoint: path, reason: joined.isEmpty ? "OpenSSL error \(code)" : joined)
    }

    override func transmit(_ bytes: UnsafeRawBufferPointer) throws -> Int {
        guard !bytes.isEmpty else { return 0 }
        ssl.ERR_clear_error()
        let n = ssl.SSL_write(session, bytes.baseAddress, Int32(min(bytes.count, Int(Int32.max))))
        if n > 0 { return Int(n) }
        mayShutDownCleanly = false
        throw failure(n, "write")
    }

    override func receive(_ chunk: UnsafeMutableRawBufferPointer) throws -> Int {
        ssl.ERR_clear_error()
        let n = ssl.SSL_read(session, chunk.baseAddress, Int32(min(chunk.count, Int(Int32.max))))
        if n > 0 { return Int(n) }
        let code = ssl.SSL_get_error(session, n)
        switch code {
        case LibSSL.SSL_ERROR_ZERO_RETURN:
            return 0  // close_notify: a clean end
        case LibSSL.SSL_ERROR_SYSCALL where n == 0 && ssl.ERR_get_error() == 0:
            return 0  // the peer closed without close_notify: an end like a plain socket's
        case LibSSL.SSL_ERROR_WANT_READ, LibSSL.SSL_ERROR_WANT_WRITE:
            throw DockerError.timedOut(path: path, seconds: 0)  // SO_RCVTIMEO expired under SSL_read
        default:
            mayShutDownCleanly = false
            let errors = ssl.drainErrors()
            // OpenSSL 3 reports a peer that closes without close_notify as an error; for HTTP it is an end.
            if errors.contains(where: { $0.contains("unexpected eof") }) { return 0 }
            throw failure(n, "read", errors: errors)
        }
    }

    /// OpenSSL's words for the failures a user can fix, turned into what to do. With TLS 1.3 the daemon judges the
    /// client certificate after the client's handshake is done, so its refusal arrives as an alert on the first read.
    static func explain(_ errors: [String], endpoint: String) -> DockerError? {
        let joined = errors.joined(separator: "; ")
        let lower = joined.lowercased()
        if lower.contains("wrong version number") || lower.contains("packet length too long") || lower.contains("record layer failure") {
            return .tlsHandshake(endpoint: endpoint, reason: "the daemon does not speak TLS there (\(joined)); unset DOCKER_TLS_VERIFY and DOCKER_TLS for a plain tcp:// engine, or use its TLS port")
        }
        if lower.contains("alert") && (lower.contains("certificate") || lower.contains("unknown ca") || lower.contains("handshake")) {
            return .tlsHandshake(endpoint: endpoint, reason: "the daemon refused this client (\(joined)): it wants a client certificate signed by its CA (cert.pem and key.pem in DOCKER_CERT_PATH)")
        }
        return nil
    }

    private func failure(_ result: Int32, _ what: String, errors: [String]? = nil) -> DockerError {
        let saved = errno
        let errors = errors ?? ssl.drainErrors()
        if let explained = Self.explain(errors, endpoint: path) { return explained }
        if !errors.isEmpty { return .connectionFailed(path: path, reason: "TLS \(what): \(errors.joined(separator: "; "))") }
        return .connectionFailed(path: path, reason: "TLS \(what): \(saved == 0 ? "connection closed" : String(cString: strerror(saved)))")
    }

    override func releaseResources() {
        if mayShutDownCleanly { _ = ssl.SSL_shutdown(session) }
        ssl.SSL_free(session)
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
