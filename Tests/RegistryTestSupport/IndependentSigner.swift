import Foundation

/// A cosign-format signer that shares no code with contsec, the other half of ``IndependentVerifier``: what cosign 2.x
/// writes for `cosign sign --key k --tlog-upload=false` (cosign itself cannot be installed here), by Python's
/// `cryptography` and plain HTTP calls to the registry:
/// - the payload is cosign's simple-signing JSON as Go's `json.Marshal` prints it (compact, struct field order,
///   `"optional":null` without `-a` annotations);
/// - the signature is ECDSA P-256 over SHA-256, ASN.1 DER, standard base64, in the layer annotation
///   `dev.cosignproject.cosign/signature`;
/// - the signature image is an OCI manifest under `sha256-<hex>.sig` whose config is an empty-image config with the
///   payload digests as its rootfs, as go-containerregistry's `mutate.AppendLayers` on `empty.Image` produces;
///   an existing signature manifest there gets the new layer appended, as cosign does.
/// The key pair is made fresh; its public key is written as PKIX PEM (the format of `cosign.pub`).
public enum IndependentSigner {
    static let script = #"""
import base64, hashlib, json, sys, urllib.error, urllib.request
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
registry, repo, tag, pub_path = sys.argv[1:5]
base = "http://%s/v2/%s/" % (registry, repo)
manifest_types = ["application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
                  "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.docker.distribution.manifest.v2+json"]
def request(method, path, data=None, headers={}):
    req = urllib.request.Request(path if path.startswith("http") else base + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req) as r:
        return r.status, r.headers, r.read()
def upload(data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    _, headers, _ = request("POST", "blobs/uploads/")
    location = headers["Location"]
    if not location.startswith("http"):
        location = "http://%s%s" % (registry, location)
    location += ("&" if "?" in location else "?") + "digest=" + digest
    request("PUT", location, data, {"Content-Type": "application/octet-stream"})
    return digest
_, _, image_manifest = request("GET", "manifests/" + tag, headers={"Accept": ", ".join(manifest_types)})
digest = "sha256:" + hashlib.sha256(image_manifest).hexdigest()
payload = json.dumps({"critical": {"identity": {"docker-reference": registry + "/" + repo},
                                   "image": {"docker-manifest-digest": digest},
                                   "type": "cosign container image signature"},
                      "optional": None}, separators=(",", ":")).encode()
key = ec.generate_private_key(ec.SECP256R1())
signature = base64.b64encode(key.sign(payload, ec.ECDSA(hashes.SHA256()))).decode()
open(pub_path, "wb").write(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
sig_tag = digest.replace(":", "-") + ".sig"
layers = []
try:
    _, _, existing = request("GET", "manifests/" + sig_tag, headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
    layers = json.loads(existing)["layers"]
except urllib.error.HTTPError as e:
    if e.code != 404:
        raise
layers.append({"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", "size": len(payload),
               "digest": upload(payload), "annotations": {"dev.cosignproject.cosign/signature": signature}})
config = json.dumps({"architecture": "", "created": "0001-01-01T00:00:00Z", "history": [{"created": "0001-01-01T00:00:00Z"}],
                     "os": "", "rootfs": {"type": "layers", "diff_ids": [l["digest"] for l in layers]}, "config": {}},
                    separators=(",", ":")).encode()
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": len(config), "digest": upload(config)},
                       "layers": layers}, separators=(",", ":")).encode()
request("PUT", "manifests/" + sig_tag, manifest, {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
print(json.dumps({"digest": digest, "signatureTag": sig_tag, "layers": len(layers)}))
"""#

    /// Signs `registry/repository:tag` with a new key and writes its public key to `publicKeyPath`.
    /// Returns the signed digest, the signature tag and how many signatures that tag now holds.
    public static func sign(registry: String, repository: String, tag: String, publicKeyPath: String) throws -> [String: Any] {
        let result = try runCommand("python3", ["-c", script, registry, repository, tag, publicKeyPath])
        guard result.status == 0, let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw FixtureError("independent signer failed: \(result.stderr)")
        }
        return object
    }
}
