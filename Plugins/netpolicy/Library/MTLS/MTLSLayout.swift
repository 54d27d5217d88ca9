/// Where generate-mtls keeps its files, relative to the workspace:
/// `<dir>/ca/ca.key` (0600) and `ca.crt`; `<dir>/<service>/<service>.key` (0600), `<service>.crt` and a copy of
/// `ca.crt` to verify peers with.
public struct MTLSLayout: Sendable {
    public var dir: String
    public init(dir: String = "security/mtls") { self.dir = dir }

    public var caKey: String { "\(dir)/ca/ca.key" }
    public var caCert: String { "\(dir)/ca/ca.crt" }
    public func key(_ service: String) -> String { "\(dir)/\(service)/\(service).key" }
    public func cert(_ service: String) -> String { "\(dir)/\(service)/\(service).crt" }
    public func caCopy(_ service: String) -> String { "\(dir)/\(service)/ca.crt" }
}
