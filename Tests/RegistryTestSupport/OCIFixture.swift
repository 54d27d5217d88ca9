import Foundation
import ContsecProtocol

/// Images built from bytes the test chooses (a config with a chosen `created` date over one small layer), written as
/// an OCI layout and pushed with skopeo — an uploader independent of the code under test. `--preserve-digests`
/// keeps the manifest bytes, so the expected digest is the SHA-256 of the manifest the test wrote.
public struct OCIFixture {
    public let manifest: Data
    public let config: Data
    public let layer: Data
    public var digest: String { "sha256:" + SHA256.hex(manifest) }
    public var configDigest: String { "sha256:" + SHA256.hex(config) }

    /// - Parameters:
    ///   - created: the config's `created` (RFC 3339), what retention reads.
    ///   - marker: makes the layer (and so the image) unique.
    public init(created: String, marker: String) {
        layer = Self.tar(name: "marker", content: Data(marker.utf8))
        let layerDigest = "sha256:" + SHA256.hex(layer)
        config = Data(#"{"architecture":"amd64","config":{},"created":"\#(created)","os":"linux","rootfs":{"diff_ids":["\#(layerDigest)"],"type":"layers"}}"#.utf8)
        manifest = Data(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:\#(SHA256.hex(config))","size":\#(config.count)},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"\#(layerDigest)","size":\#(layer.count)}]}"#.utf8)
    }

    /// Pushes the image under each of `tags` to `registry/repository` with skopeo.
    public func push(registry: String, repository: String, tags: [String], tlsVerify: Bool = false,
                     credentials: String? = nil) throws {
        let folder = try RegistryTestEnvironment.temporaryFolder("oci")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/blobs/sha256", withIntermediateDirectories: true)
        for blob in [manifest, config, layer] {
            try blob.write(to: URL(fileURLWithPath: folder + "/blobs/sha256/" + SHA256.hex(blob)))
        }
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: folder + "/oci-layout"))
        let index = #"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(digest)","size":\#(manifest.count),"annotations":{"org.opencontainers.image.ref.name":"fixture"}}]}"#
        try Data(index.utf8).write(to: URL(fileURLWithPath: folder + "/index.json"))
        for tag in tags {
            var arguments = ["copy", "--quiet", "--preserve-digests", "--dest-tls-verify=\(tlsVerify)"]
            if let credentials { arguments += ["--dest-creds", credentials] }
            arguments += ["oci:\(folder):fixture", "docker://\(registry)/\(repository):\(tag)"]
            let result = try runCommand("skopeo", arguments)
            guard result.status == 0 else { throw FixtureError("skopeo copy failed: \(result.stderr)") }
        }
    }

    /// A one-file ustar archive.
    static func tar(name: String, content: Data) -> Data {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) { for (i, byte) in text.utf8.enumerated() { header[offset + i] = byte } }
        put(name, at: 0)
        put("0000644\0", at: 100)
        put("0000000\0", at: 108)
        put("0000000\0", at: 116)
        put(String(format: "%011o\0", content.count), at: 124)
        put("00000000000\0", at: 136)
        put("        ", at: 148)
        header[156] = UInt8(ascii: "0")
        put("ustar\0", at: 257)
        put("00", at: 263)
        let checksum = header.reduce(0) { $0 + Int($1) }
        put(String(format: "%06o\0 ", checksum), at: 148)
        var data = Data(header) + content
        data += Data(count: (512 - content.count % 512) % 512)
        data += Data(count: 1024)
        return data
    }
}

public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// What skopeo (an independent client) sees in a registry.
public enum Skopeo {
    public static func tags(_ registry: String, _ repository: String, tlsVerify: Bool = false) throws -> [String] {
        let result = try runCommand("skopeo", ["list-tags", "--tls-verify=\(tlsVerify)", "docker://\(registry)/\(repository)"])
        guard result.status == 0 else {
            if result.stderr.contains("NAME_UNKNOWN") || result.stderr.contains("404") { return [] }
            throw FixtureError("skopeo list-tags failed: \(result.stderr)")
        }
        guard let json = try? JSONParser.parse(result.stdout) else { throw FixtureError("skopeo list-tags: not JSON") }
        return (json["Tags"]?.arrayValue ?? []).compactMap(\.stringValue).sorted()
    }

    /// The digest of the raw manifest skopeo fetches for `reference`, or nil when there is none.
    public static func digest(_ reference: String, tlsVerify: Bool = false, credentials: String? = nil) throws -> String? {
        var arguments = ["inspect", "--raw", "--tls-verify=\(tlsVerify)"]
        if let credentials { arguments += ["--creds", credentials] }
        let result = try runCommand("skopeo", arguments + ["docker://\(reference)"])
        guard result.status == 0 else { return nil }
        return "sha256:" + SHA256.hex(Data(result.stdout.utf8))
    }
}

extension Skopeo {
    /// Deletes every manifest in a repository the test made (each tag's manifest; a digest shared by tags goes once).
    public static func removeRepository(_ registry: String, _ repository: String, tlsVerify: Bool = false, credentials: String? = nil) {
        var listing = ["list-tags", "--tls-verify=\(tlsVerify)"]
        if let credentials { listing += ["--creds", credentials] }
        guard let result = try? runCommand("skopeo", listing + ["docker://\(registry)/\(repository)"]), result.status == 0,
              let json = try? JSONParser.parse(result.stdout) else { return }
        for tag in (json["Tags"]?.arrayValue ?? []).compactMap(\.stringValue) {
            var arguments = ["delete", "--tls-verify=\(tlsVerify)"]
            if let credentials { arguments += ["--creds", credentials] }
            _ = try? runCommand("skopeo", arguments + ["docker://\(registry)/\(repository):\(tag)"])
        }
    }
}
