import Foundation
import ContsecPluginKit
import ContainerKit
import TrivyScanner

/// `contsec run trivy-scanner sbom --image REF [--format cyclonedx|spdx-json] [--output FILE]`.
enum SBOMCommand {
    static let command = Command(
        name: "sbom", description: "Write a software bill of materials (CycloneDX or SPDX JSON) with Trivy into the workspace",
        params: SourceParams.specs + [
            ParamSpec(name: "format", type: .string, default: "cyclonedx", description: "SBOM format",
                      allowed: SBOMFormat.allCases.map(\.rawValue)),
            ParamSpec(name: "output", type: .path, description: "File to write, inside the workspace (default: sbom-<image>.cdx.json)"),
        ], handler: run)

    @Sendable static func run(_ ctx: RunContext) async throws -> RunOutcome {
        try await translatingErrors {
            let a = ctx.arguments
            let source = try SourceParams.source(a)
            let format = SBOMFormat(rawValue: a.string("format") ?? "cyclonedx") ?? .cyclonedx
            let destination = a.path("output") ?? SBOMJob.defaultFileName(for: source, format: format)
            // Refuse a destination outside the workspace before running Trivy; under --dry-run, say what would be written.
            let planned = try plan(destination, ctx)
            if ctx.dryRun {
                ctx.emit(Action(kind: "file-written", target: planned.relativePath, status: .planned,
                                detail: "\(format.rawValue) SBOM of \(source.displayName)", artifacts: [planned.path]))
                return .ok(summary: ["format": .string(format.rawValue), "file": .string(planned.path), "dryRun": true])
            }
            let sbom = try await SBOMJob.run(source: source, format: format,
                                             options: TrivyOptions(cacheDir: a.path("cache-dir"), offline: a.bool("offline")),
                                             trivyPath: a.path("trivy"), workspace: ctx.workspace,
                                             onLog: SourceParams.forwardLog(ctx),
                                             note: SourceParams.note(ctx))
            try ctx.checkCancellation()
            let written: WrittenFile
            do {
                written = try ConfinedWriter(workspace: ctx.workspace).write(destination, sbom)
            } catch let error as ConfinementError {
                throw PluginError.failed("could not write the SBOM: \(error.description)")
            }
            ctx.emit(Action(kind: "file-written", target: written.relativePath, status: .applied,
                            detail: "\(format.rawValue) SBOM of \(source.displayName), \(written.bytes) bytes, sha256 \(written.sha256 ?? "")",
                            artifacts: [written.path]))
            return .ok(summary: ["format": .string(format.rawValue), "file": .string(written.path),
                                 "bytes": .int(written.bytes), "sha256": .string(written.sha256 ?? "")])
        }
    }

    /// Where the SBOM will go, checked by a dry-run ConfinedWriter (which touches nothing).
    static func plan(_ destination: String, _ ctx: RunContext) throws -> WrittenFile {
        do {
            return try ConfinedWriter(workspace: ctx.workspace, dryRun: true).write(destination, Data())
        } catch let error as ConfinementError {
            if case .workspaceUnusable = error { throw PluginError.preconditionFailed(error.description) }
            throw PluginError.invalidParams(param: "output", message: error.description)
        }
    }
}
