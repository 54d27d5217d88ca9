import Foundation
import Testing
import ContsecHost
import ContsecProtocol

/// Help, version and usage errors as users of docker, kubectl and trivy expect them: help on stdout with exit 0,
/// every usage error on stderr with exit 2 and nothing at all on stdout.
@Suite struct CLIHelpTests {
    @Test func versionFormsPrintTheVersionAndTheProtocols() throws {
        let expected = "contsec \(ContsecVersion.current) (protocol \(ProtocolInfo.supportedVersions.joined(separator: ", ")))\n"
        for args in [["--version"], ["version"], ["--plugin-path", "/nonexistent", "--version"]] {
            let r = try contsec(args)
            #expect(r.code == 0, "\(args): \(r.stderr)")
            #expect(r.stdout == expected, "\(args)")
            #expect(r.stderr.isEmpty, "\(args)")
        }
    }

    @Test func topLevelHelpListsEveryCommand() throws {
        let help = try contsec(["--help"])
        #expect(help.code == 0 && help.stderr.isEmpty)
        for args in [["-h"], ["help"]] { #expect(try contsec(args).stdout == help.stdout, "\(args)") }
        // What the CLI has: every command and sub-command, workflow files of either format.
        for text in ["contsec plugins", "contsec describe <plugin>", "contsec run <plugin> [<command>]", "contsec workflow FILE.(yaml|json)",
                     "contsec plugin test", "contsec plugin install", "contsec plugin uninstall", "contsec completion bash|zsh|fish",
                     "contsec version", "contsec help [<command>]", "--allow-insecure-plugins", "--json"] {
            #expect(help.stdout.contains(text), "top-level help lacks \(text)")
        }
        let failOn = help.stdout.split(separator: "\n").first { $0.contains("--fail-on") } ?? ""
        for s in Severity.allCases { #expect(failOn.contains(s.rawValue), "--fail-on help lacks \(s.rawValue): \(failOn)") }
    }

    @Test func helpForACommandIsTheSameAsItsDashDashHelp() throws {
        for (command, marker) in [("run", "Usage: contsec run <plugin>"), ("describe", "Usage: contsec describe <plugin>"),
                                  ("plugins", "Usage: contsec plugins"), ("workflow", "Usage: contsec workflow FILE"),
                                  ("plugin", "contsec plugin test"), ("completion", "Usage: contsec completion bash|zsh|fish")] {
            let viaHelp = try contsec(["help", command])
            #expect(viaHelp.code == 0 && viaHelp.stdout.contains(marker), "help \(command): \(viaHelp.stdout)\(viaHelp.stderr)")
            for flag in ["--help", "-h"] {
                let viaFlag = try contsec([command, flag])
                #expect(viaFlag.code == 0, "\(command) \(flag): \(viaFlag.stderr)")
                #expect(viaFlag.stdout == viaHelp.stdout, "\(command) \(flag) differs from help \(command)")
            }
        }
        #expect(try contsec(["plugin", "install", "-h"]).stdout.contains("contsec plugin uninstall <name>"))
        #expect(try contsec(["--help", "run"]).stdout.contains("Usage: contsec run <plugin>"))
    }

    /// `run <plugin> --help` lists every command the plugin declares (iac-scan: scan, the default, and rules), and the
    /// default command's flags; `help <plugin>` is the same.
    @Test func pluginHelpListsItsCommands() throws {
        let r = try contsec(["run", "iac-scan", "--help"])
        #expect(r.code == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("  scan ") && $0.hasSuffix("(default)") }, "\(r.stdout)")
        #expect(lines.contains { $0.hasPrefix("  rules ") }, "\(r.stdout)")
        #expect(r.stdout.contains("--dir PATH"))
        #expect(try contsec(["help", "iac-scan"]).stdout == r.stdout)
        #expect(try contsec(["run", "iac-scan", "-h"]).stdout == r.stdout)
        let rules = try contsec(["run", "iac-scan", "rules", "--help"])
        #expect(rules.code == 0 && rules.stdout.hasPrefix("Usage: contsec run iac-scan rules"), "\(rules.stdout)")
    }

    /// Each of these is a usage error: exit 2, a message on stderr, and not one byte on stdout.
    @Test(arguments: [
        [], ["bogus"], ["run"], ["describe"], ["workflow"], ["plugin"], ["plugin", "bogus"], ["completion"],
        ["completion", "tcsh"], ["version", "extra"], ["plugins", "extra"], ["--bogus"], ["--format", "xml", "plugins"],
        ["run", "iac-scan", "--bogus"], ["run", "iac-scan", "bogus"], ["run", "iac-scan", "--dir"], ["help", "NotAName"],
        ["plugin", "install"], ["plugin", "test"], ["run", "--timeout", "0", "iac-scan"],
    ])
    func usageErrorsGoToStderrWithExit2(_ args: [String]) throws {
        let r = try contsec(args + ["--no-log"].filter { _ in args.first == "run" })
        #expect(r.code == ExitCode.usage.rawValue, "\(args): exit \(r.code), stderr \(r.stderr)")
        #expect(r.stdout.isEmpty, "\(args) wrote to stdout: \(r.stdout)")
        #expect(r.stderr.hasPrefix("contsec: "), "\(args): \(r.stderr)")
    }

    @Test func unknownCommandListsEveryCommand() throws {
        let r = try contsec(["scan"])
        for name in ["plugins", "describe", "run", "workflow", "plugin", "completion", "version", "help"] {
            #expect(r.stderr.contains(name), "the error lacks \(name): \(r.stderr)")
        }
        #expect(r.stderr.contains("contsec run scan"), "a plugin name typed as a command gets a hint: \(r.stderr)")
    }

    /// A value the plugin itself rejects (cis-bench knows its check ids; -32602) is a usage error too: nothing on
    /// stdout, not even an empty report.
    @Test func argumentErrorFromThePluginPrintsNoReport() throws {
        let r = try contsec(["run", "cis-bench", "--check", "9.9", "--no-log"])
        #expect(r.code == ExitCode.usage.rawValue, "\(r.stderr)")
        #expect(r.stdout.isEmpty, "\(r.stdout)")
        #expect(r.stderr.contains("unknown check id '9.9'"), "\(r.stderr)")
    }
}
