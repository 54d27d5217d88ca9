import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The system's OpenSSL library (libssl 3, or 1.1), loaded at run time with dlopen: TLS to a remote engine uses the
/// real OpenSSL, no crypto of our own, and nothing to link at build time (no package or system-library target).
/// FoundationNetworking cannot do this job on Linux: it has no client certificates and no per-session CA.
///
/// Only the few calls a TLS client needs are bound; their C signatures are stable across OpenSSL 1.1 and 3.
final class LibSSL: @unchecked Sendable {
    typealias Pointer = OpaquePointer

    let TLS_client_method: @convention(c) () -> Pointer?
    let SSL_CTX_new: @convention(c) (Pointer?) -> Pointer?
    let SSL_CTX_free: @convention(c) (Pointer?) -> Void
    let SSL_CTX_ctrl: @convention(c) (Pointer?, Int32, Int, UnsafeMutableRawPointer?) -> Int
    let SSL_CTX_load_verify_locations: @convention(c) (Pointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32
    let SSL_CTX_use_certificate_chain_file: @convention(c) (Pointer?, UnsafePointer<CChar>?) -> Int32
    let SSL_CTX_use_PrivateKey_file: @convention(c) (Pointer?, UnsafePointer<CChar>?, Int32) -> Int32
    let SSL_CTX_check_private_key: @convention(c) (Pointer?) -> Int32
    let SSL_CTX_set_verify: @convention(c) (Pointer?, Int32, UnsafeMutableRawPointer?) -> Void
    let SSL_new: @convention(c) (Pointer?) -> Pointer?
    let SSL_free: @convention(c) (Pointer?) -> Void
    let SSL_set_fd: @convention(c) (Pointer?, Int32) -> Int32
    let SSL_ctrl: @convention(c) (Pointer?, Int32, Int, UnsafeMutableRawPointer?) -> Int
    let SSL_get0_param: @convention(c) (Pointer?) -> Pointer?
    let X509_VERIFY_PARAM_set1_host: @convention(c) (Pointer?, UnsafePointer<CChar>?, Int) -> Int32
    let X509_VERIFY_PARAM_set1_ip_asc: @convention(c) (Pointer?, UnsafePointer<CChar>?) -> Int32
    let SSL_connect: @convention(c) (Pointer?) -> Int32
    let SSL_read: @convention(c) (Pointer?, UnsafeMutableRawPointer?, Int32) -> Int32
    let SSL_write: @convention(c) (Pointer?, UnsafeRawPointer?, Int32) -> Int32
    let SSL_get_error: @convention(c) (Pointer?, Int32) -> Int32
    let SSL_shutdown: @convention(c) (Pointer?) -> Int32
    let SSL_get_verify_result: @convention(c) (Pointer?) -> Int
    let X509_verify_cert_error_string: @convention(c) (Int) -> UnsafePointer<CChar>?
    let ERR_get_error: @convention(c) () -> UInt
    let ERR_error_string_n: @convention(c) (UInt, UnsafeMutablePointer<CChar>?, Int) -> Void
    let ERR_clear_error: @convention(c) () -> Void

    // Constants from ssl.h / x509_vfy.h (the same in 1.1 and 3).
    static let SSL_FILETYPE_PEM: Int32 = 1
    static let SSL_VERIFY_NONE: Int32 = 0
    static let SSL_VERIFY_PEER: Int32 = 1
    static let SSL_CTRL_SET_TLSEXT_HOSTNAME: Int32 = 55
    static let SSL_CTRL_SET_MIN_PROTO_VERSION: Int32 = 123
    static let TLSEXT_NAMETYPE_host_name = 0
    static let TLS1_2_VERSION = 0x0303
    static let SSL_ERROR_SSL: Int32 = 1
    static let SSL_ERROR_WANT_READ: Int32 = 2
    static let SSL_ERROR_WANT_WRITE: Int32 = 3
    static let SSL_ERROR_SYSCALL: Int32 = 5
    static let SSL_ERROR_ZERO_RETURN: Int32 = 6
    static let X509_V_OK = 0

    static let installHint = "apt-get install libssl3 (Debian/Ubuntu; the OpenSSL library TLS to a remote engine uses)"

    /// Loaded once per process; the error says what to install.
    static let shared: Result<LibSSL, DockerError> = {
        // A peer that closes mid-write must be an error, not a signal: OpenSSL writes with plain send(2).
        signal(SIGPIPE, SIG_IGN)
        for name in ["libssl.so.3", "libssl.so.1.1", "libssl.so"] {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { continue }
            do { return .success(try LibSSL(handle, name)) } catch let error as DockerError {
                return .failure(error)
            } catch {
                return .failure(.tlsSetup("\(name): \(error)"))
            }
        }
        return .failure(.tlsSetup("the OpenSSL library (libssl.so.3 or libssl.so.1.1) is not installed: \(installHint)"))
    }()

    private init(_ handle: UnsafeMutableRawPointer, _ name: String) throws {
        func bind<T>(_ symbol: String) throws -> T {
            // dlsym on libssl's handle also finds libcrypto's symbols (a dependency of libssl).
            guard let address = dlsym(handle, symbol) else {
                throw DockerError.tlsSetup("\(name) has no \(symbol): OpenSSL 1.1 or newer is needed (\(Self.installHint))")
            }
            return unsafeBitCast(address, to: T.self)
        }
        TLS_client_method = try bind("TLS_client_method")
        SSL_CTX_new = try bind("SSL_CTX_new")
        SSL_CTX_free = try bind("SSL_CTX_free")
        SSL_CTX_ctrl = try bind("SSL_CTX_ctrl")
        SSL_CTX_load_verify_locations = try bind("SSL_CTX_load_verify_locations")
        SSL_CTX_use_certificate_chain_file = try bind("SSL_CTX_use_certificate_chain_file")
        SSL_CTX_use_PrivateKey_file = try bind("SSL_CTX_use_PrivateKey_file")
        SSL_CTX_check_private_key = try bind("SSL_CTX_check_private_key")
        SSL_CTX_set_verify = try bind("SSL_CTX_set_verify")
        SSL_new = try bind("SSL_new")
        SSL_free = try bind("SSL_free")
        SSL_set_fd = try bind("SSL_set_fd")
        SSL_ctrl = try bind("SSL_ctrl")
        SSL_get0_param = try bind("SSL_get0_param")
        X509_VERIFY_PARAM_set1_host = try bind("X509_VERIFY_PARAM_set1_host")
        X509_VERIFY_PARAM_set1_ip_asc = try bind("X509_VERIFY_PARAM_set1_ip_asc")
        SSL_connect = try bind("SSL_connect")
        SSL_read = try bind("SSL_read")
        SSL_write = try bind("SSL_write")
        SSL_get_error = try bind("SSL_get_error")
        SSL_shutdown = try bind("SSL_shutdown")
        SSL_get_verify_result = try bind("SSL_get_verify_result")
        X509_verify_cert_error_string = try bind("X509_verify_cert_error_string")
        ERR_get_error = try bind("ERR_get_error")
        ERR_error_string_n = try bind("ERR_error_string_n")
        ERR_clear_error = try bind("ERR_clear_error")
    }

    /// OpenSSL's queued errors on this thread, oldest first, as its one-line strings; the queue is emptied.
    func drainErrors() -> [String] {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            let bytes = text.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }
            messages.append(Self.readable(String(decoding: bytes, as: UTF8.self)))
        }
        return messages
    }

    /// "error:0A000086:SSL routines::certificate verify failed" → "certificate verify failed".
    static func readable(_ line: String) -> String {
        let parts = line.split(separator: ":", omittingEmptySubsequences: false)
        guard let last = parts.last, !last.isEmpty else { return line }
        return String(last)
    }
}
