import Foundation
import Testing
@testable import RegistryClient
import RegistryTestSupport

/// The token dance against a real docker-registry configured for token auth: it verifies the JWTs (ES256, x5c chain
/// to its rootcertbundle) issued by a small token service this test runs (Debian ships no token server). The service
/// grants what is asked to user `tok` with password `tok-pass`, nothing to anyone else.
@Suite("Registry client: Bearer token auth", .enabled(if: RegistryTestEnvironment.shouldRun, Comment(rawValue: RegistryTestEnvironment.skipReason)))
struct TokenAuthTests {
    static let tokenService = #"""
import base64, hashlib, json, os, sys, time, http.server, urllib.parse
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
folder, issuer, service = sys.argv[1:4]
key = serialization.load_pem_private_key(open(folder + "/token.key", "rb").read(), None)
cert = x509.load_pem_x509_certificate(open(folder + "/token.pem", "rb").read())
der = cert.public_bytes(serialization.Encoding.DER)
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        auth = self.headers.get("Authorization", "")
        user = None
        if auth.startswith("Basic "):
            u, _, p = base64.b64decode(auth[6:]).decode().partition(":")
            if (u, p) != ("tok", "tok-pass"):
                self.send_response(401); self.end_headers(); return
            user = u
        access = []
        for scope in q.get("scope", []):
            kind, name, actions = scope.split(":")
            if user:
                access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        header = {"typ": "JWT", "alg": "ES256", "x5c": [base64.b64encode(der).decode()]}
        claims = {"iss": issuer, "sub": user or "", "aud": service, "exp": now + 300, "nbf": now - 10, "iat": now,
                  "jti": os.urandom(8).hex(), "access": access}
        signing_input = (b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())).encode()
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        token = signing_input.decode() + "." + b64(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
        body = json.dumps({"token": token, "expires_in": 300}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
"""#

    @Test("a token for each scope from the realm, with the docker config's credentials; none without them")
    func tokenDance() async throws {
        let folder = try RegistryTestEnvironment.temporaryFolder("token")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let made = try runCommand("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                                              "-subj", "/CN=contsec test token issuer", "-keyout", folder + "/token.key", "-out", folder + "/token.pem"])
        #expect(made.status == 0)
        let tokens = try BackgroundProcess("python3", ["-c", Self.tokenService, folder, "contsec-test-issuer", "contsec-test-registry"])
        defer { tokens.stop() }
        let realm = "http://127.0.0.1:\(tokens.firstLine())/token"
        let (registry, address) = try ThrowawayRegistry.start(in: folder) { address in
            """
            version: 0.1
            log: {level: error}
            storage: {filesystem: {rootdirectory: \(folder)/data}, delete: {enabled: true}}
            http: {addr: \(address)}
            auth: {token: {realm: "\(realm)", service: contsec-test-registry, issuer: contsec-test-issuer, rootcertbundle: \(folder)/token.pem}}
            """
        }
        defer { registry.stop() }
        let anonymous = RegistryClient(registry: address)
        var answered = false
        for _ in 0..<50 where !answered {
            do { _ = try await anonymous.ping(); answered = true } catch RegistryError.authenticationRequired { answered = true } catch {
                try await Task.sleep(nanoseconds: 100_000_000)
            }
        }
        #expect(answered)
        await #expect(throws: RegistryError.authenticationRequired(registry: address)) {
            try await anonymous.tags("team/app")
        }

        let auth = Data("tok:tok-pass".utf8).base64EncodedString()
        let config = try RegistryTestEnvironment.dockerConfig(content: #"{"auths":{"\#(address)":{"auth":"\#(auth)"}}}"#)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let client = RegistryClient(registry: address, credentials: try DockerCredentials.load(environment: ["DOCKER_CONFIG": config]))
        #expect(try await client.ping().authScheme == "bearer")
        let fixture = OCIFixture(created: "2024-08-08T08:08:08Z", marker: folder)
        _ = try await client.uploadBlob("team/app", data: fixture.config)
        _ = try await client.uploadBlob("team/app", data: fixture.layer)
        try await client.putManifest("team/app", reference: "v1", data: fixture.manifest, mediaType: MediaType.ociManifest)
        #expect(try await client.tags("team/app") == ["v1"])
        #expect(try await client.manifest("team/app", reference: "v1").digest.description == fixture.digest)
        try await client.deleteManifest("team/app", digest: Digest(fixture.digest)!)
        #expect(try await client.tags("team/app").isEmpty)

        let wrong = try RegistryTestEnvironment.dockerConfig(content: #"{"auths":{"\#(address)":{"auth":"\#(Data("tok:nope".utf8).base64EncodedString())"}}}"#)
        defer { try? FileManager.default.removeItem(atPath: wrong) }
        let refused = RegistryClient(registry: address, credentials: try DockerCredentials.load(environment: ["DOCKER_CONFIG": wrong]))
        do {
            _ = try await refused.tags("team/app")
            Issue.record("wrong credentials got a token")
        } catch let error as RegistryError {
            guard case .authenticationFailed = error else { Issue.record("unexpected \(error)"); return }
        }
    }
}
