import Foundation
import ContsecProtocol

/// The manifest media types the client asks for and understands.
public enum MediaType {
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"

    /// The Accept header value for manifest requests.
    static let acceptManifests = [ociIndex, ociManifest, dockerManifestList, dockerManifest].joined(separator: ", ")
    static let indexTypes: Set<String> = [ociIndex, dockerManifestList]
}

/// A content descriptor (a manifest's config, layer or child manifest).
public struct Descriptor: Sendable, Hashable {
    public let mediaType: String
    public let digest: Digest
    public let size: Int
    public let annotations: [String: String]

    public init(mediaType: String, digest: Digest, size: Int, annotations: [String: String] = [:]) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
    }

    init(json: JSONValue, field: String) throws {
        guard let mediaType = json["mediaType"]?.stringValue, let digestText = json["digest"]?.stringValue,
              let size = json["size"]?.intValue else {
            throw ManifestParseError("\(field) lacks mediaType, digest or size")
        }
        guard let digest = Digest(digestText) else { throw ManifestParseError("\(field) has an unusable digest '\(digestText)'") }
        guard size >= 0 else { throw ManifestParseError("\(field) has a negative size") }
        var annotations: [String: String] = [:]
        for (key, value) in json["annotations"]?.objectValue ?? [:] { annotations[key] = value.stringValue }
        self.init(mediaType: mediaType, digest: digest, size: size, annotations: annotations)
    }

    var json: JSONValue {
        var object: [String: JSONValue] = ["mediaType": .string(mediaType), "digest": .string(digest.description), "size": .int(size)]
        if !annotations.isEmpty { object["annotations"] = .object(annotations.mapValues { .string($0) }) }
        return .object(object)
    }
}

struct ManifestParseError: Error { let reason: String; init(_ reason: String) { self.reason = reason } }

/// A manifest as received: its exact bytes (whose SHA-256 is its digest) and what it references.
/// Docker v2 schema 2 and OCI image manifests have a config and layers; Docker manifest lists and OCI indexes
/// have child manifests.
public struct Manifest: Sendable {
    public let data: Data
    public let digest: Digest
    public let mediaType: String
    public let config: Descriptor?
    public let layers: [Descriptor]
    public let manifests: [Descriptor]

    public var isIndex: Bool { MediaType.indexTypes.contains(mediaType) }

    /// Parses `data`; `contentType` is used when the document does not name its own media type.
    public init(data: Data, contentType: String?) throws {
        let json: JSONValue
        do { json = try JSONParser.parse(Array(data)) } catch {
            throw ManifestParseError("not JSON (\(error))")
        }
        guard json.objectValue != nil else { throw ManifestParseError("not a JSON object") }
        let declared = json["mediaType"]?.stringValue
        let header = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let mediaType = declared ?? header else { throw ManifestParseError("no media type") }
        guard json["schemaVersion"]?.intValue == 2 else {
            throw ManifestParseError("schemaVersion is not 2 (Docker schema 1 manifests are not supported)")
        }
        self.data = data
        digest = Digest(of: data)
        self.mediaType = mediaType
        if MediaType.indexTypes.contains(mediaType) || (declared == nil && json["manifests"] != nil) {
            manifests = try (json["manifests"]?.arrayValue ?? []).enumerated().map { try Descriptor(json: $1, field: "manifests[\($0)]") }
            config = nil
            layers = []
        } else {
            guard let configJSON = json["config"] else { throw ManifestParseError("an image manifest without a config") }
            config = try Descriptor(json: configJSON, field: "config")
            layers = try (json["layers"]?.arrayValue ?? []).enumerated().map { try Descriptor(json: $1, field: "layers[\($0)]") }
            manifests = []
        }
    }

    /// Builds an OCI image manifest's bytes (keys sorted, compact) for the given config and layers.
    public static func ociImageManifest(config: Descriptor, layers: [Descriptor]) -> Data {
        let json: JSONValue = .object([
            "schemaVersion": 2,
            "mediaType": .string(MediaType.ociManifest),
            "config": config.json,
            "layers": .array(layers.map(\.json)),
        ])
        return Data(JSONWriter.bytes(json))
    }
}
