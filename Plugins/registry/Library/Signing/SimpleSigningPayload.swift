import Foundation
import ContsecProtocol
import RegistryClient

/// cosign's payload: the "simple signing" JSON of containers/image with cosign's type string. Signed as bytes, so the
/// exact serialization is whatever the signer uploaded; contsec writes compact JSON with sorted keys, which is the
/// layout cosign's Go structs produce (critical{identity, image, type}, optional).
/// See sigstore/cosign specs/SIGNATURE_SPEC.md and sigstore/sigstore pkg/signature/payload.
public struct SimpleSigningPayload: Sendable, Equatable {
    public static let mediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
    public static let signatureAnnotation = "dev.cosignproject.cosign/signature"
    public static let cosignType = "cosign container image signature"
    /// contsec's optional claim naming the tag that was signed, so verify can tell "the tag moved after signing"
    /// from "never signed". cosign ignores optional claims it does not ask for.
    public static let tagClaim = "dev.contsec/tag"

    /// `registry/repository`, as cosign writes it (go-containerregistry's `Repository.Name()`).
    public let dockerReference: String
    public let manifestDigest: Digest
    /// cosign's `-a key=value` annotations; nil is written as `null`, as cosign does without annotations.
    public let optional: [String: String]?

    public init(dockerReference: String, manifestDigest: Digest, optional: [String: String]?) {
        self.dockerReference = dockerReference
        self.manifestDigest = manifestDigest
        self.optional = optional
    }

    /// The docker-reference cosign writes for an image: Docker Hub images under `index.docker.io`.
    public static func dockerReference(for image: ImageReference) -> String {
        (ImageReference.isDockerHub(image.registry) ? "index.docker.io" : image.registry) + "/" + image.repository
    }

    public var bytes: Data {
        let json: JSONValue = .object([
            "critical": .object([
                "identity": .object(["docker-reference": .string(dockerReference)]),
                "image": .object(["docker-manifest-digest": .string(manifestDigest.description)]),
                "type": .string(Self.cosignType),
            ]),
            "optional": optional.map { .object($0.mapValues { .string($0) }) } ?? .null,
        ])
        return Data(JSONWriter.bytes(json))
    }

    /// Reads a payload someone signed (cosign or contsec). Fails for anything that is not a cosign signature payload.
    public init(parsing data: Data) throws {
        guard let json = try? JSONParser.parse(Array(data)), json.objectValue != nil else {
            throw PayloadError("the signed payload is not a JSON object")
        }
        guard let critical = json["critical"], critical["type"]?.stringValue == Self.cosignType else {
            throw PayloadError("the signed payload's critical.type is not '\(Self.cosignType)'")
        }
        guard let text = critical["image"]?["docker-manifest-digest"]?.stringValue, let digest = Digest(text) else {
            throw PayloadError("the signed payload has no usable critical.image.docker-manifest-digest")
        }
        dockerReference = critical["identity"]?["docker-reference"]?.stringValue ?? ""
        manifestDigest = digest
        optional = json["optional"]?.objectValue?.compactMapValues(\.stringValue)
    }
}

public struct PayloadError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
