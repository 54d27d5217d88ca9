import Foundation
import ContainerKit
import ContsecPluginKit
import CryptoTools

/// `contsec run registry keygen --key NAME [--dir keys] [--no-password]`: an ECDSA P-256 key pair through openssl.
enum KeygenCommand {
    static let command = Command(
        name: "keygen", description: "Make an ECDSA P-256 signing key pair (private key encrypted with CONTSEC_SIGNING_PASSWORD)",
        params: [
            ParamSpec(name: "key", type: .string, required: true, description: "Key name: writes DIR/NAME.key (0600) and DIR/NAME.pub"),
            ParamSpec(name: "dir", type: .string, default: "keys", description: "Folder inside the workspace for the key files"),
            ParamSpec(name: "no-password", type: .bool, description: "Write the private key unencrypted (only when asked for)"),
            ParamSpec(name: "if-missing", type: .bool, description: "When both key files exist, keep them and succeed (pipelines that make a key once)"),
        ], handler: run)

    @Sendable static func run(_ ctx: RunContext) async throws -> RunOutcome {
        try await translatingErrors {
            let a = ctx.arguments
            let name = a.string("key") ?? ""
            guard !name.isEmpty, !name.contains("/"), !name.hasPrefix("."),
                  name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }) else {
                throw PluginError.invalidParams(param: "key", message: "'\(name)' is not a key name: letters, digits, '-', '_' and '.', no '/'")
            }
            let folder = a.string("dir") ?? "keys"
            let privatePath = folder + "/" + name + ".key"
            let publicPath = folder + "/" + name + ".pub"
            let passphrase = CommonParams.passphrase
            // Never overwrite a key: a lost private key cannot be made again, and signatures made with it would orphan.
            let planner = try writer(ctx, dryRun: true)
            let existing = try [privatePath, publicPath].map { try plan(planner, $0) }
            if a.bool("if-missing") && existing.allSatisfy({ FileManager.default.fileExists(atPath: $0.path) }) {
                ctx.emit(Action(kind: "key-generated", target: existing[0].relativePath, status: .skipped,
                                detail: "the key pair exists and is kept (--if-missing)", artifacts: existing.map(\.path)))
                return .ok(summary: ["privateKey": .string(existing[0].path), "publicKey": .string(existing[1].path), "kept": true])
            }
            if passphrase == nil && !a.bool("no-password") {
                throw PluginError.preconditionFailed("set \(CommonParams.passwordVariable) to the passphrase for the private key "
                    + "(or pass --no-password to write it unencrypted)")
            }
            for planned in existing {
                if FileManager.default.fileExists(atPath: planned.path) {
                    throw PluginError.preconditionFailed("\(planned.path) exists; keygen never overwrites a key: choose another --key name or move the old files away")
                }
            }
            if ctx.dryRun {
                let p = existing[0], q = existing[1]
                ctx.emit(Action(kind: "key-generated", target: p.relativePath, status: .planned,
                                detail: "ECDSA P-256 private key, mode 0600, \(passphrase == nil ? "unencrypted" : "encrypted")", artifacts: [p.path]))
                ctx.emit(Action(kind: "file-written", target: q.relativePath, status: .planned, detail: "public key", artifacts: [q.path]))
                return .ok(summary: ["privateKey": .string(p.path), "publicKey": .string(q.path), "dryRun": true])
            }
            let pair = try await KeyPairGenerator.ecdsaP256(try CommonParams.openssl(), passphrase: a.bool("no-password") ? nil : passphrase)
            let out = try writer(ctx, dryRun: false)
            let privateFile: WrittenFile, publicFile: WrittenFile
            do {
                privateFile = try out.writeSecret(privatePath, pair.privateKeyPEM)
                publicFile = try out.write(publicPath, pair.publicKeyPEM, mode: 0o644, directoryMode: 0o700)
            } catch let error as ConfinementError {
                throw PluginError.preconditionFailed("could not write the key pair: \(error.description)")
            }
            let fingerprint = (try? PEMFile(path: publicFile.path, data: pair.publicKeyPEM))?.fingerprint ?? ""
            ctx.emit(Action(kind: "key-generated", target: privateFile.relativePath, status: .applied,
                            detail: "ECDSA P-256 private key (PKCS#8, \(pair.encrypted ? "encrypted with \(CommonParams.passwordVariable)" : "unencrypted")), mode 0600; public key \(fingerprint)",
                            artifacts: [privateFile.path]))
            ctx.emit(Action(kind: "file-written", target: publicFile.relativePath, status: .applied,
                            detail: "public key \(fingerprint), for verify and cosign verify --key", artifacts: [publicFile.path]))
            return .ok(summary: ["privateKey": .string(privateFile.path), "publicKey": .string(publicFile.path),
                                 "encrypted": .bool(pair.encrypted), "fingerprint": .string(fingerprint)])
        }
    }

    static func writer(_ ctx: RunContext, dryRun: Bool) throws -> ConfinedWriter {
        do { return try ConfinedWriter(workspace: ctx.workspace, dryRun: dryRun) } catch let error as ConfinementError {
            throw PluginError.preconditionFailed(error.description)
        }
    }

    static func plan(_ writer: ConfinedWriter, _ path: String) throws -> WrittenFile {
        do { return try writer.write(path, Data()) } catch let error as ConfinementError {
            throw PluginError.invalidParams(param: "dir", message: error.description)
        }
    }
}
