import Foundation
import ContsecProtocol

/// How one step of a workflow ended.
public struct StepOutcome: Sendable {
    public enum Status: String, Sendable { case succeeded, gateTripped = "gate-tripped", failed, skipped }
    public var step: String
    public var status: Status
    public var record: RunRecord?
    public var reason: String?
}

/// Runs a workflow's steps on one bus: each step as soon as what it needs is done, at most `maxParallel` at once.
public final class WorkflowRunner: @unchecked Sendable {
    let workflow: Workflow
    let discovery: DiscoveryResult
    let options: RunOptions
    let bus: EventBus

    private let cond = NSCondition()
    private var outcomes: [String: StepOutcome] = [:]
    private var running: Set<String> = []
    private var stopped = false

    public init(workflow: Workflow, discovery: DiscoveryResult, options: RunOptions, bus: EventBus) {
        self.workflow = workflow
        self.discovery = discovery
        self.options = options
        self.bus = bus
    }

    /// Runs to the end and returns every step's outcome in file order.
    public func run() -> [StepOutcome] {
        cond.lock()
        while true {
            if !stopped && !Interrupt.shared.isSet {
                for step in workflow.steps where isReady(step) && running.count < workflow.maxParallel {
                    running.insert(step.id)
                    let t = Thread { [self] in
                        let outcome = execute(step)
                        cond.lock()
                        outcomes[step.id] = outcome
                        running.remove(step.id)
                        if outcome.status == .failed && step.onFailure == .stop { stopped = true }
                        cond.broadcast()
                        cond.unlock()
                    }
                    t.name = "contsec-step-\(step.id)"
                    t.start()
                }
            }
            if running.isEmpty {
                // Nothing runs and nothing more can start: whatever is left is skipped.
                let reason = Interrupt.shared.isSet ? "interrupted" : stopped ? "an earlier step failed (onFailure: stop)" : "a step it needs did not succeed"
                for step in workflow.steps where outcomes[step.id] == nil {
                    outcomes[step.id] = StepOutcome(step: step.id, status: .skipped, record: nil, reason: reason)
                    bus.publish(plugin: step.plugin, runId: "skipped-\(step.id)", .protocolWarning("step '\(step.id)' skipped: \(reason)"))
                }
                break
            }
            _ = cond.wait(until: Date().addingTimeInterval(0.2))  // wakes on completion; the timeout notices Ctrl-C
        }
        cond.unlock()
        return workflow.steps.map { outcomes[$0.id]! }
    }

    /// Ready: not started, and every step it needs succeeded (or failed under `continue`).
    private func isReady(_ step: Workflow.Step) -> Bool {
        guard outcomes[step.id] == nil, !running.contains(step.id) else { return false }
        for n in step.needs {
            guard let o = outcomes[n] else { return false }
            let need = workflow.steps.first { $0.id == n }!
            switch o.status {
            case .succeeded, .gateTripped: continue
            case .failed where need.onFailure == .continue: continue
            default: return false
            }
        }
        return true
    }

    private func execute(_ step: Workflow.Step) -> StepOutcome {
        guard let candidate = discovery.find(step.plugin) else {
            let f = PluginFailure(kind: .spawnFailed, message: "step '\(step.id)': plugin '\(step.plugin)' not found")
            bus.publish(plugin: step.plugin, runId: "missing-\(step.id)", .pluginFailed(f, duration: 0))
            return StepOutcome(step: step.id, status: .failed, record: nil, reason: f.message)
        }
        var o = options
        o.liveStatus = false  // steps run side by side: one status line each would overwrite the others
        if let t = step.timeout { o.timeout = t; o.timeoutIsExplicit = true }
        let run = PluginRun(candidate: candidate, options: o, bus: bus)
        let record = run.execute { initResult in
            let command: CommandSpec?
            if let name = step.command {
                command = initResult.commands.first { $0.name == name }
            } else {
                command = initResult.defaultCommand
            }
            guard let command else {
                let names = initResult.commands.map(\.name).joined(separator: ", ")
                return .failure(PluginFailure(kind: .usage, message:
                    "step '\(step.id)': plugin \(step.plugin) has no command \(step.command.map { "'\($0)'" } ?? "marked default") (commands: \(names))"))
            }
            do {
                return .success((command.name, try workflow.resolvedArgs(step, for: command)))
            } catch {
                return .failure(PluginFailure(kind: .usage, message: "step '\(step.id)': args.\(error)"))
            }
        }
        if let f = record.failure { return StepOutcome(step: step.id, status: .failed, record: record, reason: f.message) }
        if record.result?.status == .gateTripped {
            return StepOutcome(step: step.id, status: .gateTripped, record: record, reason: record.result?.message)
        }
        return StepOutcome(step: step.id, status: .succeeded, record: record, reason: nil)
    }
}
