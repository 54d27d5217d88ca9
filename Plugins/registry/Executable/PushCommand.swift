import Foundation
import ContainerKit
import ContsecPluginKit
import ContsecProtocol
import CryptoTools
import RegistryClient
import RegistryPlugin
import struct TrivyScanner.TrivyOptions
import struct TrivyScanner.ScanGate
import enum TrivyScanner.SeverityList
import enum TrivyScanner.TrivyScannerError

/// `contsec run registry push --registry … --repo R --tag v1.0 [--block-critical] [--max-vulns N]
/// [--require-signed-by KEY.pub] [--sign-key KEY.key]`.
enum PushCommand {
    static let command = Command(
        name: "push", description: "Push a local image through the Docker engine, after security gates; optionally sign it",
        params: CommonParams.target + [
            ParamSpec(name: "image", type: .string, description: "Local image to push (default: the target name, registry/repo:tag)"),
            ParamSpec(name: "block-critical", type: .bool, description: "Gate: refuse the push when Trivy finds any critical vulnerability"),
            ParamSpec(name: "max-vulns", type: .int, description: "Gate: refuse the push when Trivy finds more than N vulnerabilities (at or above --severity)"),
            ParamSpec(name: "severity", type: .list, description: "Severities Trivy reports (the lowest is the --max-vulns threshold)"),
            ParamSpec(name: "require-signed-by", type: .path, description: "Gate: refuse unless the image's registry digest is signed by this public key"),
            ParamSpec(name: "sign-key", type: .path, description: "Sign the pushed digest with this private key (CONTSEC_SIGNING_PASSWORD)"),
            ParamSpec(name: "trivy", type: .path, description: "The trivy binary (default: CONTSEC_TRIVY, else trivy on PATH)"),
            ParamSpec(name: "cache-dir", type: .path, description: "Trivy's cache directory (vulnerability DB); default: CONTSEC_TRIVY_CACHE, else Trivy's own"),
            ParamSpec(name: "offline", type: .bool, description: "Trivy downloads nothing (the DB must be in the cache)"),
        ] + CommonParams.connection, handler: run)

    @Sendable static func run(_ ctx: RunContext) async throws -> RunOutcome {
        try await translatingErrors {
            let a = ctx.arguments
            let target = try CommonParams.reference(a)
            guard target.tag != nil else { throw PluginError.invalidParams(param: "tag", message: "push needs a tag") }
            if let max = a.int("max-vulns"), max < 0 { throw PluginError.invalidParams(param: "max-vulns", message: "must be 0 or more") }
            let severities: [Severity]
            do { severities = try SeverityList.parse(a.list("severity")) } catch let error as TrivyScannerError {
                throw PluginError.invalidParams(param: "severity", message: error.description)
            }
            let gated = a.bool("block-critical") || a.has("max-vulns")
            let credentials = try CommonParams.credentials(a)
            var credential: RegistryCredential?
            if case .found(let found) = credentials.lookup(target.registry) { credential = found }
            let request = PushRequest(
                localImage: a.string("image") ?? target.name + ":" + target.tag!, target: target,
                gate: gated ? ScanGate(maxVulnerabilities: a.int("max-vulns"), blockCritical: a.bool("block-critical"),
                                       threshold: SeverityList.threshold(severities)) : nil,
                scanOptions: TrivyOptions(severities: severities, cacheDir: a.path("cache-dir"), offline: a.bool("offline"))
                    .withEnvironmentDefaults(),
                trivyPath: a.path("trivy"), credential: credential)
            let client = try CommonParams.client(a, registry: target.registry)
            let docker = try DockerClient()
            var refusals: [String] = []
            var summary: [String: JSONValue] = ["image": .string(request.localImage), "target": .string(target.description)]

            // Gates first: nothing leaves the machine until they pass.
            do {
                if let scan = try await PushGate.scan(request, onLog: { ctx.log(.debug, "trivy: " + $0.message) }, note: { ctx.progress($0) }) {
                    for finding in scan.findings { ctx.emit(finding) }
                    summary["scan"] = .object(scan.summary)
                    if let verdict = scan.verdict { refusals += verdict.reasons }
                }
            } catch let error as TrivyScannerError {
                switch error {
                case .toolMissing(let tool, let install): throw PluginError.toolMissing(tool: tool, install: install)
                default: throw PluginError.preconditionFailed("the push gate's scan failed, so nothing was pushed: \(error.description)")
                }
            }
            if let keyPath = a.path("require-signed-by") {
                let key = try await SignatureVerifier(publicKeyPath: keyPath, openssl: try CommonParams.openssl())
                if let digest = try await PushGate.knownDigest(request, docker: docker) {
                    let (verdict, _) = try await ImageVerifier(client: client, key: key).judge(target.repository, digest: digest)
                    if case .verified = verdict {} else {
                        refusals.append("\(target.name)@\(digest.short) is not signed by key \(key.keyFingerprint.prefix(19)) (--require-signed-by)")
                    }
                } else {
                    refusals.append("\(request.localImage) has no digest in \(target.name) yet, so no signature can name it (--require-signed-by): push and sign it first")
                }
            }
            if !refusals.isEmpty {
                let message = "push of \(request.localImage) to \(target) refused: " + refusals.joined(separator: "; ")
                ctx.emit(Finding(ruleId: "REG-PUSH-001", title: "Push refused by a security gate", severity: .high, category: .supplyChain,
                                 target: Target(kind: "image", name: request.localImage), message: message,
                                 remediation: "Fix the reported problems (update the vulnerable packages, sign the image) and push again",
                                 fingerprint: "REG-PUSH-001|\(request.localImage)|\(target)"))
                ctx.emit(Action(kind: "image-pushed", target: target.description, status: .skipped, detail: message))
                return .gateTripped(message: message, summary: summary)
            }
            if ctx.dryRun {
                ctx.emit(Action(kind: "image-pushed", target: target.description, status: .planned,
                                detail: "would push \(request.localImage) through the Docker engine"))
                if a.path("sign-key") != nil {
                    ctx.emit(Action(kind: "image-signed", target: target.description, status: .planned, detail: "would sign the pushed digest"))
                }
                return .ok(summary: summary)
            }
            let pushed: PushJob.Pushed
            do {
                pushed = try await PushJob.push(request, docker: docker, client: client) { ctx.progress($0) }
            } catch let error as DockerError {
                ctx.emit(Action(kind: "image-pushed", target: target.description, status: .failed, detail: error.description))
                throw PluginError.failed("push of \(request.localImage) failed: \(error.description)")
            }
            if pushed.tagged {
                ctx.emit(Action(kind: "image-tagged", target: target.description, status: .applied,
                                detail: "tagged \(request.localImage) as \(target) in the local engine for the push"))
            }
            ctx.emit(Action(kind: "image-pushed", target: "\(target.name)@\(pushed.digest)", status: .applied,
                            detail: "pushed \(request.localImage) as \(target); the registry serves digest \(pushed.digest)"))
            summary["digest"] = .string(pushed.digest.description)
            if let keyPath = a.path("sign-key") {
                // Tag and digest: signing refuses if the tag no longer points at what was just pushed.
                let outcome = try await SignCommand.sign(ctx, image: target.with(digest: pushed.digest), keyPath: keyPath,
                                                         annotations: [:], client: client)
                summary["signatureTag"] = .string(outcome.signatureTag)
            }
            return .ok(summary: summary)
        }
    }
}
