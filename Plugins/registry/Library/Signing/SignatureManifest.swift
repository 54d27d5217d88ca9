import Foundation
import ContsecProtocol
import RegistryClient

/// The OCI image manifest cosign keeps under `sha256-<hex>.sig`: one layer per signature, each layer the payload blob
/// with the base64 signature in the `dev.cosignproject.cosign/signature` annotation; the config lists the layers'
/// digests as diff_ids. Several signers share one manifest: a new signature is appended, never replacing another's.
public enum SignatureManifest {
    /// The signature layers of an existing signature manifest (layers of other media types are kept but not returned).
    public static func signatureLayers(_ manifest: Manifest) -> [Descriptor] {
        manifest.layers.filter { $0.mediaType == SimpleSigningPayload.mediaType }
    }

    /// The config blob for a signature manifest with these layers (the shape go-containerregistry gives cosign's).
    public static func config(layers: [Descriptor]) -> Data {
        let json: JSONValue = .object([
            "architecture": "",
            "created": "0001-01-01T00:00:00Z",
            "history": .array(layers.map { _ in .object(["created": "0001-01-01T00:00:00Z"]) }),
            "os": "",
            "rootfs": .object(["type": "layers", "diff_ids": .array(layers.map { .string($0.digest.description) })]),
            "config": .object([:]),
        ])
        return Data(JSONWriter.bytes(json))
    }

    /// A layer descriptor for a payload blob and its signature.
    public static func layer(payload: Data, signature: Data) -> Descriptor {
        Descriptor(mediaType: SimpleSigningPayload.mediaType, digest: Digest(of: payload), size: payload.count,
                   annotations: [SimpleSigningPayload.signatureAnnotation: signature.base64EncodedString()])
    }
}
