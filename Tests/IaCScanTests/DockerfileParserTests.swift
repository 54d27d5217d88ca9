import Testing
@testable import IaCScan

@Suite struct DockerfileParserTests {
    @Test func heredocsSingleMultipleTabStrippedAndQuoted() {
        let df = DockerfileParser.parse("""
        FROM debian:12
        RUN <<EOF
        apt-get update
        apt-get install -y curl
        EOF
        RUN <<-"SCRIPT" bash
        \techo "$HOME stays literal"
        \tSCRIPT
        COPY <<one.txt <<two.txt /dst/
        first
        one.txt
        second
        two.txt
        USER app
        """)
        #expect(df.instructions.map(\.keyword) == ["FROM", "RUN", "RUN", "COPY", "USER"])
        let run1 = df.instructions[1]
        #expect(run1.heredocs.count == 1)
        #expect(run1.heredocs[0].content == "apt-get update\napt-get install -y curl\n")
        #expect(run1.startLine == 2 && run1.endLine == 5)
        let run2 = df.instructions[2]
        #expect(run2.heredocs[0].stripsTabs && run2.heredocs[0].quoted)
        #expect(run2.heredocs[0].content == "echo \"$HOME stays literal\"\n")
        #expect(run2.startLine == 6 && run2.endLine == 8)
        let copy = df.instructions[3]
        #expect(copy.heredocs.map(\.delimiter) == ["one.txt", "two.txt"])
        #expect(copy.heredocs.map(\.content) == ["first\n", "second\n"])
        #expect(df.instructions[4].startLine == 14)
        // Rules see heredoc bodies: the apt-get inside the heredoc is checked.
        let r = FileScanner.scanDockerfile(bytes: Array("FROM debian:12\nRUN <<EOF\napt-get install -y curl\nEOF\n".utf8), path: "Dockerfile")
        #expect(r.findings.contains { $0.ruleId == "CS-DF-011" && $0.target.line == 3 && $0.target.endLine == 4 })
    }

    @Test func escapeDirectiveAndContinuations() {
        let df = DockerfileParser.parse("""
        # escape=`
        # syntax=docker/dockerfile:1.7
        FROM mcr.microsoft.com/windows/servercore:ltsc2022
        RUN dir C:\\ `
            # a comment inside a continuation is dropped
            && echo done
        WORKDIR C:\\app
        """)
        #expect(df.directives["escape"] == "`")
        #expect(df.directives["syntax"] == "docker/dockerfile:1.7")
        #expect(df.escape == UInt8(ascii: "`"))
        #expect(df.instructions.count == 3)
        let run = df.instructions[1]
        #expect(run.startLine == 4 && run.endLine == 6)
        #expect(run.arguments.contains("dir C:\\"))
        #expect(run.arguments.contains("&& echo done"))
        #expect(!run.arguments.contains("comment"))
        // A drive-letter WORKDIR is absolute.
        let r = FileScanner.scanDockerfile(bytes: Array("# escape=`\nFROM a:1\nWORKDIR C:\\app\n".utf8), path: "Dockerfile")
        #expect(!r.findings.contains { $0.ruleId == "CS-DF-020" })
    }

    @Test func directivesOnlyCountAtTheTop() {
        let df = DockerfileParser.parse("FROM a:1\n# escape=`\nRUN echo \\\n  hi\n")
        #expect(df.directives.isEmpty)
        #expect(df.escape == UInt8(ascii: "\\"))
        #expect(df.instructions[1].endLine == 4)
    }

    @Test func multiStageNamesFlagsAndReferences() {
        let df = DockerfileParser.parse("""
        ARG BASE=golang
        ARG TAG=1.23
        FROM --platform=$BUILDPLATFORM ${BASE}:${TAG} AS Build
        RUN --mount=type=cache,target=/root/.cache go build ./...
        FROM build AS test
        RUN go test ./...
        FROM alpine:${ALPINE_VERSION:-3.20}
        COPY --from=build --chown=app:app /out /app
        COPY --from=0 /x /y
        """)
        #expect(df.stages.count == 3)
        #expect(df.stages[0].name == "Build")
        #expect(df.stages[0].image == "golang:1.23")
        #expect(df.stages[0].platform == "$BUILDPLATFORM")
        #expect(df.stages[1].parentStageIndex == 0)
        #expect(df.stages[2].image == "alpine:3.20")
        #expect(!df.stages[2].imageHasUnresolvedVariable)
        #expect(df.stage(named: "BUILD")?.index == 0)
        #expect(df.stage(named: "0")?.index == 0)
        let run = df.stages[0].instructions[0]
        #expect(run.flag("mount")?.value == "type=cache,target=/root/.cache")
        #expect(run.arguments == "go build ./...")
        let copy = df.stages[2].instructions[0]
        #expect(copy.flag("from")?.value == "build")
        #expect(copy.flag("chown")?.value == "app:app")
        #expect(copy.arguments == "/out /app")
        // FROM build (a stage) is not an untagged image.
        let r = FileScanner.scanDockerfile(bytes: Array("FROM golang:1.23 AS build\nFROM build\nUSER app\n".utf8), path: "Dockerfile")
        #expect(!r.findings.contains { $0.ruleId == "CS-DF-002" })
    }

    @Test func jsonAndShellForms() {
        let df = DockerfileParser.parse("FROM a:1\nCMD [\"node\", \"server.js\", \"--x=\\\"y\\\"\"]\nCMD [not json]\nENTRYPOINT exec app\n")
        #expect(df.instructions[1].execForm == ["node", "server.js", "--x=\"y\""])
        #expect(df.instructions[2].execForm == nil)
        #expect(df.instructions[3].execForm == nil)
    }

    @Test func variablesExpandInFromAndUser() {
        let r1 = FileScanner.scanDockerfile(bytes: Array("ARG V=latest\nFROM alpine:$V\nUSER app\n".utf8), path: "Dockerfile")
        #expect(r1.findings.contains { $0.ruleId == "CS-DF-001" && $0.target.line == 2 })
        let r2 = FileScanner.scanDockerfile(bytes: Array("FROM alpine:3.20\nENV RUNAS=root\nUSER ${RUNAS}\n".utf8), path: "Dockerfile")
        #expect(r2.findings.contains { $0.ruleId == "CS-DF-004" && $0.target.line == 3 })
        // An unresolvable variable: no guess about the tag.
        let r3 = FileScanner.scanDockerfile(bytes: Array("FROM alpine:$UNSET\nUSER app\n".utf8), path: "Dockerfile")
        #expect(!r3.findings.contains { $0.ruleId == "CS-DF-001" || $0.ruleId == "CS-DF-002" })
        #expect(VariableExpander.expand("${A:-x}-${B-y}-${C:+z}-$D-\\$E", ["C": "1", "D": "d"]).0 == "x-y-z-d-$E")
    }

    @Test func findingsPointAtTheCommandLineInsideContinuationsAndHeredocs() {
        let text = """
        FROM debian:12
        RUN apt-get update \\
            # comment lines inside a continuation are skipped
            && apt-get install -y --no-install-recommends curl=7.88.1 \\
            && sudo make install \\
            && curl -fsSL https://x.example/i.sh | sh
        RUN <<EOF
        set -e
        chmod 777 /srv
        EOF
        USER app
        """
        let r = FileScanner.scanDockerfile(bytes: Array(text.utf8), path: "Dockerfile")
        func line(_ id: String) -> Int? { r.findings.first { $0.ruleId == id }?.target.line }
        #expect(line("CS-DF-013") == 4)
        #expect(line("CS-DF-014") == 5)
        #expect(line("CS-DF-009") == 6)
        #expect(line("CS-DF-017") == 9)
        #expect(r.findings.first { $0.ruleId == "CS-DF-014" }?.target.endLine == 6)
    }

    @Test func shellWordsSplitCommandsAndPipelines() {
        let cmds = ShellWords.commands("FOO=1 sudo -E apt-get install -y 'a b' && curl -s x | bash; echo \"q|r\" # c | sh")
        #expect(cmds.map(\.name) == ["sudo", "curl", "bash", "echo"])
        #expect(cmds[0].withoutSudo.name == "apt-get")
        #expect(cmds[0].withoutSudo.args == ["install", "-y", "a b"])
        #expect(ShellWords.pipelines(cmds).map(\.count) == [1, 2, 1])
        #expect(cmds[3].args == ["q|r"])
        let grouped = ShellWords.commands("(apt-get install -y pkg-$V) || (cd /x && echo $(date +%s))")
        // Commands inside $( … ) come after the outer ones, at their own offsets.
        #expect(grouped.map(\.name) == ["apt-get", "cd", "echo", "date"])
        #expect(grouped[0].args == ["install", "-y", "pkg-$V"])
        #expect(grouped[2].args == ["$(date +%s)"])
        #expect(grouped[3].offset == 48)
        let sub = ShellWords.commands("V=$(curl -s x | grep y) && echo \"`uname -r | cut -d. -f1`\"")
        #expect(sub.map(\.name) == ["", "echo", "curl", "grep", "uname", "cut"])
        #expect(ShellWords.pipelines(sub).map(\.count) == [1, 1, 2, 2])
    }
}
