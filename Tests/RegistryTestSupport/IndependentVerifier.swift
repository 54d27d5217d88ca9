import Foundation

/// A cosign-format verifier that shares no code with contsec: Python's urllib reads the registry over plain HTTP,
/// Python's `cryptography` checks ECDSA P-256/SHA-256 signatures. Returns its JSON verdict
/// (`{"digest", "signatures", "valid", "payloadDigests"}`) or throws with its stderr.
public enum IndependentVerifier {
    static let script = #"""
import base64, hashlib, json, sys, urllib.request
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
registry, repo, tag, keyfile = sys.argv[1:5]
accept = ", ".join(["application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
                    "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.docker.distribution.manifest.v2+json"])
def get(path, headers={}):
    req = urllib.request.Request("http://%s/v2/%s/%s" % (registry, repo, path), headers=headers)
    with urllib.request.urlopen(req) as r:
        return r.read()
manifest = get("manifests/" + tag, {"Accept": accept})
digest = "sha256:" + hashlib.sha256(manifest).hexdigest()
sig_manifest = json.loads(get("manifests/" + digest.replace(":", "-") + ".sig", {"Accept": accept}))
assert sig_manifest["mediaType"] == "application/vnd.oci.image.manifest.v1+json", sig_manifest.get("mediaType")
key = serialization.load_pem_public_key(open(keyfile, "rb").read())
valid, payload_digests = 0, []
for layer in sig_manifest["layers"]:
    if layer["mediaType"] != "application/vnd.dev.cosign.simplesigning.v1+json":
        continue
    payload = get("blobs/" + layer["digest"])
    assert "sha256:" + hashlib.sha256(payload).hexdigest() == layer["digest"], "payload digest"
    signature = base64.b64decode(layer["annotations"]["dev.cosignproject.cosign/signature"])
    doc = json.loads(payload)
    payload_digests.append(doc["critical"]["image"]["docker-manifest-digest"])
    try:
        key.verify(signature, payload, ec.ECDSA(hashes.SHA256()))
    except Exception:
        continue
    if doc["critical"]["type"] == "cosign container image signature" and doc["critical"]["image"]["docker-manifest-digest"] == digest \
            and doc["critical"]["identity"]["docker-reference"] == registry + "/" + repo:
        valid += 1
print(json.dumps({"digest": digest, "signatures": len(payload_digests), "valid": valid, "payloadDigests": payload_digests}))
"""#

    public static func verify(registry: String, repository: String, tag: String, publicKey: String) throws -> [String: Any] {
        let result = try runCommand("python3", ["-c", script, registry, repository, tag, publicKey])
        guard result.status == 0, let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw FixtureError("independent verifier failed: \(result.stderr)")
        }
        return object
    }
}
