/// A parsed Dockerfile: parser directives, instructions with their line span, and build stages.
public struct Dockerfile: Sendable {
    /// Parser directives from the top of the file (`syntax`, `escape`, `check`), lower-cased keys.
    public var directives: [String: String] = [:]
    /// The line-continuation / escape character: `\` unless `# escape=`` says otherwise.
    public var escape: UInt8 = UInt8(ascii: "\\")
    public var instructions: [Instruction] = []
    public var stages: [Stage] = []
    /// ARGs declared before the first FROM, usable in FROM lines.
    public var globalArgs: [String: String?] = [:]

    public var finalStage: Stage? { stages.last }

    /// The stage a FROM or `COPY --from` refers to by name (case-insensitive) or index.
    public func stage(named ref: String) -> Stage? {
        let r = ref.lowercased()
        if let idx = Int(r), idx >= 0, idx < stages.count { return stages[idx] }
        return stages.first { $0.name?.lowercased() == r }
    }
}

public struct Instruction: Sendable {
    /// Upper-cased keyword (`RUN`, `FROM`...).
    public var keyword: String
    /// Everything after the keyword, continuation lines joined, flags included.
    public var rawArguments: String
    /// Leading `--name[=value]` flags (`--mount`, `--chown`, `--from`, `--platform`...).
    public var flags: [Flag]
    /// The arguments after the flags.
    public var arguments: String
    /// The JSON (exec) form, nil for the shell form.
    public var execForm: [String]?
    public var heredocs: [Heredoc]
    public var startLine: Int
    public var endLine: Int

    public struct Flag: Sendable, Equatable {
        public var name: String
        public var value: String?
    }

    public func flag(_ name: String) -> Flag? { flags.first { $0.name == name } }
    public func flagValues(_ name: String) -> [String] { flags.filter { $0.name == name }.compactMap(\.value) }

    /// The command text a shell would run: shell-form arguments (or exec form joined) plus heredoc bodies.
    public var commandText: String {
        var text = execForm?.joined(separator: " ") ?? arguments
        for h in heredocs { text += "\n" + h.content }
        return text
    }
}

public struct Heredoc: Sendable {
    public var delimiter: String
    public var content: String
    /// `<<-EOF`: leading tabs are stripped from body lines.
    public var stripsTabs: Bool
    /// `<<"EOF"` / `<<'EOF'`: no variable expansion in the body.
    public var quoted: Bool
    public var startLine: Int
    public var endLine: Int
}

public struct Stage: Sendable {
    public var index: Int
    /// The FROM image after ARG expansion.
    public var image: String
    /// The FROM image as written.
    public var rawImage: String
    /// True when the image still holds a variable the parser could not resolve.
    public var imageHasUnresolvedVariable: Bool
    public var name: String?
    public var platform: String?
    public var from: Instruction
    /// Instructions of the stage after its FROM.
    public var instructions: [Instruction]
    /// The previous stage this one builds on (`FROM build AS final`), nil for an external image.
    public var parentStageIndex: Int?
    /// ARG/ENV values visible at the end of the stage (for expansion in rules).
    public var variables: [String: String]
}
