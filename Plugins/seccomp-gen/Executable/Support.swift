import Foundation
import ContsecPluginKit
import ContainerKit
import SeccompGen

/// Where generated profiles go, as the original guide's compose example mounts them.
enum ProfilePaths {
    static func seccomp(_ name: String) -> String { "security/profiles/seccomp/\(name).json" }
    static func appArmor(_ name: String) -> String { "security/profiles/apparmor/\(name)" }
}

/// A profile name usable as a file name (and, for AppArmor, as the profile's name).
func checkProfileName(_ name: String) throws {
    let ok = name.first.map { $0.isLetter || $0.isNumber } ?? false
        && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) } && name.count <= 128
    guard ok else {
        throw PluginError.invalidParams(param: "profile", message: "'\(name)' is not a usable profile name: letters, digits, '-', '_' and '.', starting with a letter or digit")
    }
}

/// Maps the library's errors to the kit's and keeps cancellation a cancellation.
func translatingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as PluginError {
        throw error
    } catch let error as LearnError {
        switch error {
        case .toolMissing(let tool, let install): throw PluginError.toolMissing(tool: tool, install: install)
        case .invalidInput(let param, let message): throw PluginError.invalidParams(param: param, message: message)
        case .failed(let message): throw PluginError.failed(message)
        }
    } catch let error as DockerError {
        switch error {
        case .socketMissing, .permissionDenied, .daemonNotListening, .unsupportedDockerHost:
            throw PluginError.preconditionFailed(error.description)
        default: throw PluginError.failed(error.description)
        }
    } catch is CancellationError {
        throw PluginError.cancelled
    } catch let error as ConfinementError {
        throw PluginError.failed(error.description)
    } catch let error as ProfileInstaller.InstallError {
        throw PluginError.invalidParams(param: "mount", message: error.description)
    } catch let error as RecreateError {
        throw PluginError.failed(error.description)
    }
}

/// Reads and parses a profile file; a malformed one is an error naming the file and the JSON path.
func readProfile(_ path: String, param: String) throws -> (text: String, parsed: ProfileParser.Parsed) {
    let text: String
    do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
        throw PluginError.invalidParams(param: param, message: "cannot read \(path): \((error as NSError).localizedDescription)")
    }
    do { return (text, try ProfileParser.parse(text)) } catch let error as ProfileError {
        throw PluginError.invalidParams(param: param, message: "\(path): \(error)")
    }
}

/// `--arch x86_64,aarch64` (aliases accepted).
func architectures(_ ctx: RunContext) throws -> [Architecture] {
    let names = ctx.arguments.list("arch")
    if names.isEmpty { return Architecture.native }
    return try names.map { name in
        guard let arch = Architecture(name: name), Architecture.native.contains(arch) else {
            throw PluginError.invalidParams(param: "arch", message: "'\(name)' is not x86_64 or aarch64")
        }
        return arch
    }
}

/// Docker's default capabilities plus `--cap-add`.
func capabilities(_ ctx: RunContext) -> Set<String> {
    FilterContext.dockerDefaultCapabilities.union(ctx.arguments.list("cap-add").map(FilterContext.normalized))
}

/// A path inside the workspace shown relative to it (findings and actions), else as it is.
func display(_ path: String, workspace: String) -> String {
    path.hasPrefix(workspace + "/") ? String(path.dropFirst(workspace.count + 1)) : path
}

/// Splits `--cmd`: a JSON array (`["sh","-c","echo a b"]`, as in a Dockerfile's exec form) or words separated by
/// spaces, with '...' and "..." quoting.
func splitCommand(_ text: String) throws -> [String] {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if trimmed.hasPrefix("[") {
        guard let json = try? JSONParser.parse(trimmed), let items = json.arrayValue,
              let words = Optional(items.compactMap(\.stringValue)), words.count == items.count, !words.isEmpty else {
            throw PluginError.invalidParams(param: "cmd", message: "'\(text)' is not a JSON array of strings")
        }
        return words
    }
    var words: [String] = [], current = "", quote: Character?, inWord = false
    for c in trimmed {
        if let q = quote {
            if c == q { quote = nil } else { current.append(c) }
        } else if c == "'" || c == "\"" {
            quote = c; inWord = true
        } else if c == " " || c == "\t" {
            if inWord { words.append(current); current = ""; inWord = false }
        } else {
            current.append(c); inWord = true
        }
    }
    guard quote == nil else { throw PluginError.invalidParams(param: "cmd", message: "unbalanced quote in '\(text)'") }
    if inWord { words.append(current) }
    return words
}

/// Elapsed milliseconds since `start`, for summaries.
func milliseconds(since start: DispatchTime) -> Double {
    (Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6 * 100).rounded() / 100
}
