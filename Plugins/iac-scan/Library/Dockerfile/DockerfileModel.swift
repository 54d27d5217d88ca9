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

    /// (byte offset in `arguments`, source line) for each physical line of a continued instruction.
    public var argumentLines: [(Int, Int)] = []
    /// ARG/ENV values visible when this instruction runs (filled for RUN instructions that use variables), so rules
    /// can read `apt-get install $BUILD_DEPS` with the packages the Dockerfile named.
    public var environment: [String: String] = [:]

    public init(keyword: String, rawArguments: String, flags: [Flag], arguments: String, execForm: [String]?,
                heredocs: [Heredoc], startLine: Int, endLine: Int) {
        self.keyword = keyword
        self.rawArguments = rawArguments
        self.flags = flags
        self.arguments = arguments
        self.execForm = execForm
        self.heredocs = heredocs
        self.startLine = startLine
        self.endLine = endLine
    }

    /// The source line of a byte offset into `commandText` (shell form and heredoc bodies).
    public func line(atCommandOffset offset: Int) -> Int {
        guard execForm == nil else { return startLine }
        let argCount = arguments.utf8.count
        if offset < argCount {
            var line = startLine
            for (o, l) in argumentLines where o <= offset { line = l }
            return line
        }
        var base = argCount
        for h in heredocs {
            base += 1 // the "\n" joining the heredoc to the command text
            let count = h.content.utf8.count
            if offset < base + count {
                let newlines = h.content.utf8.prefix(max(0, offset - base)).filter { $0 == 0x0A }.count
                return h.startLine + newlines
            }
            base += count
        }
        return startLine
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
