import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A docker-registry the test starts itself (deletes disabled, a short-lived certificate, token auth...), on a free
/// loopback port, stopped by the test.
public enum ThrowawayRegistry {
    /// `127.0.0.1:PORT` with a port that was free a moment ago.
    public static func freeLoopbackAddress() throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FixtureError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw FixtureError("bind: \(String(cString: strerror(errno)))") }
        return "127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
    }

    /// Starts `docker-registry serve` with the configuration `config(address)` written in `folder`, and waits (up to
    /// 5 s) until it accepts connections.
    public static func start(in folder: String, config: (String) -> String) throws -> (BackgroundProcess, String) {
        let address = try freeLoopbackAddress()
        try Data(config(address).utf8).write(to: URL(fileURLWithPath: folder + "/config.yml"))
        let process = try BackgroundProcess("docker-registry", ["serve", folder + "/config.yml"])
        for _ in 0..<50 where !RegistryTestEnvironment.canConnect(address) { usleep(100_000) }
        return (process, address)
    }
}
