import Foundation
import ContainerKit
import CryptoTools
#if canImport(Glibc)
import Glibc
#endif

/// A second, throwaway dockerd listening on 127.0.0.1 with `--tlsverify`, for tests of remote engines over TCP+TLS.
///
/// It has its own data-root, exec-root (so its own containerd), pidfile, unix socket and an empty config file, and
/// the networking settings of the test engine (`--bridge=none --iptables=false --ip-forward=false --ip-masq=false`),
/// so it neither touches the main daemon nor reaches beyond this machine. Certificates are made with the real
/// openssl through CryptoTools: a CA, a server certificate for IP 127.0.0.1 and a client certificate.
public final class TLSDockerd: @unchecked Sendable {
    /// Everything of this daemon lives here (mode 0700); removed by `stop()`.
    public let directory: String
    public let port: Int
    /// The folder a client points DOCKER_CERT_PATH at: ca.pem, cert.pem, key.pem (0600).
    public let clientCertPath: String
    /// A second CA that did not sign the daemon's certificate (for "wrong CA" tests): ca.pem only.
    public let strangerCAPath: String
    private let process: Process
    /// PATH plus the sbin folders, where dockerd lives and a non-login PATH may not look.
    private static let sbinRunner = ToolRunner(path: (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/usr/local/sbin:/sbin")

    /// `DOCKER_HOST`, `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH` as a docker CLI user would set them.
    public var environment: [String: String] {
        ["DOCKER_HOST": "tcp://127.0.0.1:\(port)", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": clientCertPath]
    }

    /// Why a second daemon cannot run here, or nil: tests skip (outside CI) with this reason.
    public static var unavailableReason: String? {
        if geteuid() != 0 { return "a second dockerd needs root" }
        for tool in ["dockerd", "openssl"] where (try? sbinRunner.resolve(tool, installHint: "")) == nil {
            return "\(tool) is not installed (scripts/test-env.sh installs docker.io and openssl)"
        }
        return nil
    }

    /// Starts the daemon and waits until it answers over TLS (at most `timeout` seconds).
    public static func start(timeout: Double = 60) async throws -> TLSDockerd {
        let directory = try makePrivateDirectory()
        do {
            let port = try freeLoopbackPort()
            try await makeCertificates(in: directory)
            try Data("{}".utf8).write(to: URL(fileURLWithPath: directory + "/daemon.json"))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try sbinRunner.resolve("dockerd", installHint: "apt-get install docker.io"))
            process.arguments = [
                "--config-file", directory + "/daemon.json",
                "--data-root", directory + "/data", "--exec-root", directory + "/exec",
                "--pidfile", directory + "/dockerd.pid",
                "-H", "unix://\(directory)/docker.sock", "-H", "tcp://127.0.0.1:\(port)",
                "--tlsverify", "--tlscacert", directory + "/server/ca.pem",
                "--tlscert", directory + "/server/cert.pem", "--tlskey", directory + "/server/key.pem",
                "--bridge=none", "--iptables=false", "--ip-forward=false", "--ip-masq=false",
            ]
            _ = FileManager.default.createFile(atPath: directory + "/dockerd.log", contents: nil)
            let log = FileHandle(forWritingAtPath: directory + "/dockerd.log")
            process.standardOutput = log
            process.standardError = log
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let daemon = TLSDockerd(directory: directory, port: port, process: process)
            do {
                try await daemon.waitUntilReady(timeout: timeout)
            } catch {
                await daemon.stop()
                throw error
            }
            return daemon
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    private init(directory: String, port: Int, process: Process) {
        self.directory = directory
        self.port = port
        self.process = process
        clientCertPath = directory + "/client"
        strangerCAPath = directory + "/stranger"
    }

    /// Runs `body` with a fresh daemon and stops it afterwards, whatever happens.
    public static func with<T>(_ body: (TLSDockerd) async throws -> T) async throws -> T {
        let daemon = try await start()
        do {
            let result = try await body(daemon)
            await daemon.stop()
            return result
        } catch {
            await daemon.stop()
            throw error
        }
    }

    /// The end of the daemon's log, for failure messages.
    public var logTail: String {
        let text = (try? String(contentsOfFile: directory + "/dockerd.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(15).joined(separator: "\n")
    }

    private func waitUntilReady(timeout: Double) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        let client = try DockerClient(environment: environment, requestTimeout: 5)
        var last: Error?
        while Date() < deadline {
            guard process.isRunning else { throw SetupError("the test dockerd exited: \(logTail)") }
            do {
                if try await client.ping() { return }
            } catch { last = error }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        throw SetupError("the test dockerd did not answer over TLS within \(Int(timeout)) s (\(last.map { "\($0)" } ?? "")): \(logTail)")
    }

    /// SIGTERM (dockerd then stops its containerd and containers), SIGKILL after 20 s; then the directory goes,
    /// unmounting whatever the daemon left mounted below it first.
    public func stop() async {
        if process.isRunning {
            process.terminate()
            for _ in 0..<200 where process.isRunning { try? await Task.sleep(nanoseconds: 100_000_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        for mount in Self.mountPoints(under: directory).sorted(by: >) { _ = umount2(mount, Int32(MNT_DETACH)) }
        try? FileManager.default.removeItem(atPath: directory)
        if FileManager.default.fileExists(atPath: directory) {
            FileHandle.standardError.write(Data("warning: the test dockerd left \(directory) behind\n".utf8))
        }
    }

    // MARK: - Set-up helpers

    /// CA, server certificate (IP 127.0.0.1, serverAuth), client certificate (clientAuth), all ECDSA P-256, 1 day;
    /// and an unrelated CA.
    private static func makeCertificates(in directory: String) async throws {
        let openssl = try OpenSSL()
        let issuer = CertificateIssuer(openssl: openssl)
        for folder in ["ca", "server", "client", "stranger"] { try makeFolder(directory + "/" + folder) }
        let caKey = try await KeyPairGenerator.ecdsaP256(openssl, passphrase: nil)
        try write(caKey.privateKeyPEM, to: directory + "/ca/key.pem", mode: 0o600)
        let ca = try await issuer.createAuthority(commonName: "contsec-test TLS dockerd CA", validityDays: 1, key: caKey.privateKeyPEM)
        try write(ca, to: directory + "/ca/ca.pem", mode: 0o644)
        for (folder, profile) in [
            ("server", CertificateProfile(commonName: "contsec-test-dockerd", ipAddresses: ["127.0.0.1"], usages: [.serverAuth], validityDays: 1)),
            ("client", CertificateProfile(commonName: "contsec-test-client", usages: [.clientAuth], validityDays: 1)),
        ] {
            let key = try await KeyPairGenerator.ecdsaP256(openssl, passphrase: nil)
            let cert = try await issuer.issue(profile, key: key.privateKeyPEM, caCertificatePath: directory + "/ca/ca.pem",
                                              caKeyPath: directory + "/ca/key.pem")
            try write(key.privateKeyPEM, to: "\(directory)/\(folder)/key.pem", mode: 0o600)
            try write(cert, to: "\(directory)/\(folder)/cert.pem", mode: 0o644)
            try write(ca, to: "\(directory)/\(folder)/ca.pem", mode: 0o644)
        }
        let strangerKey = try await KeyPairGenerator.ecdsaP256(openssl, passphrase: nil)
        let stranger = try await issuer.createAuthority(commonName: "contsec-test stranger CA", validityDays: 1, key: strangerKey.privateKeyPEM)
        try write(stranger, to: directory + "/stranger/ca.pem", mode: 0o644)
    }

    private static func makePrivateDirectory() throws -> String {
        let base = NSTemporaryDirectory().hasSuffix("/") ? String(NSTemporaryDirectory().dropLast()) : NSTemporaryDirectory()
        var template = Array((base + "/contsec-test-tlsd-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SetupError("cannot create a temporary directory: \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }

    private static func makeFolder(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
    }

    private static func write(_ data: Data, to path: String, mode: Int) throws {
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: mode]) else {
            throw SetupError("cannot write \(path)")
        }
    }

    /// A port nothing listens on now: bind port 0 on loopback, read it, close.
    private static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SetupError("socket(): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { ptr -> Int32 in
                guard bind(fd, ptr, length) == 0 else { return -1 }
                return getsockname(fd, ptr, &length)
            }
        }
        guard bound == 0 else { throw SetupError("cannot find a free port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Mount points at or below `directory` (overlay layers, shm, netns of the daemon's containers).
    private static func mountPoints(under directory: String) -> [String] {
        guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            let point = String(fields[4])
            return point == directory || point.hasPrefix(directory + "/") ? point : nil
        }
    }

    public struct SetupError: Error, CustomStringConvertible {
        public let description: String
        init(_ text: String) { description = text }
    }
}
