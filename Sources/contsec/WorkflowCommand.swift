import Foundation
import ContsecHost
import ContsecProtocol

/// `contsec workflow FILE`: several plugin steps, one report, one exit code.
enum WorkflowCommand {
    static let help = """
    Usage: contsec workflow FILE.(yaml|yml|json) [global options]
      Runs the workflow's steps (in parallel where their needs allow) with one report and one exit code;
      a summary of the steps goes to stderr. The file format is in README.md, "Workflows".

    """ + GlobalOptions.help

    static func run(_ args: [String], globals: GlobalOptions) throws -> ExitCode {
        var g = globals
        let rest = try g.parseLeading(args)
        if CLI.wantsHelp(rest) {
            print(help)
            return .success
        }
        guard let file = rest.first, !file.hasPrefix("-") else {
            throw CLI.missing(rest.first.map { "unknown option '\($0)' for 'contsec workflow'." } ?? "workflow needs a workflow file.", command: "workflow")
        }
        let trailing = try g.parseLeading(Array(rest.dropFirst()))
        if let extra = trailing.first { throw CLIError.usage("unexpected argument '\(extra)' after the workflow file") }
        let workflow = try Workflow(contentsOf: file)
        let discovery = g.discovery().discover()
        Interrupt.shared.installSignalHandlers()
        let bus = EventBus()
        let pipeline = try g.reportPipeline()
        bus.subscribe(pipeline.sink)
        let outcomes = WorkflowRunner(workflow: workflow, discovery: discovery, options: g.runOptions(), bus: bus).run()
        bus.finish()

        var lines: [String] = []
        for o in outcomes {
            let step = workflow.steps.first { $0.id == o.step }!
            let time = o.record.map { String(format: " %.2f s", $0.duration) } ?? ""
            lines.append(TerminalText.escaped("  \(o.step) (\(step.plugin)): \(o.status.rawValue)\(time)\(o.reason.map { " — \($0.split(separator: "\n").first ?? "")" } ?? "")"))
        }
        FileHandle.standardError.write(Data("workflow \(TerminalText.escaped(workflow.name)):\n\(lines.joined(separator: "\n"))\n".utf8))
        let verdict = pipeline.verdict
        if verdict.tripped { CLI.printError("gate tripped: " + verdict.reasons.map { TerminalText.escaped($0) }.joined(separator: "; ")) }
        if Interrupt.shared.isSet { return CLI.completing(pipeline, .interrupted) }
        // Steps that never started (skipped, or plugin not found) count through the records of those that ran.
        var code = ExitDecision.code(records: outcomes.compactMap(\.record), verdict: verdict)
        if outcomes.contains(where: { $0.status == .failed && $0.record == nil }) { code = ExitDecision.combine([code, .pluginFailed]) }
        return CLI.completing(pipeline, code)
    }
}
