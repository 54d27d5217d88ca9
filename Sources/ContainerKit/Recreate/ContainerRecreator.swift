import Foundation
import ContsecProtocol

/// Re-creates a container with one setting changed, for what the engine cannot change on a live container
/// (its seccomp or AppArmor profile, its mounts, some network settings).
///
/// The new container gets the original's whole configuration (see ``ContainerCreateSpec``) plus the change.
/// The original is kept until the new one has proven itself:
///
/// 1. create the new container under a temporary name (and connect its other networks);
/// 2. stop the original and rename it aside (`<name>-contsec-old-<hex>`);
/// 3. give the new container the original name and start it (only if the original was running);
/// 4. verify it keeps running for ``Options/verifyDelay`` seconds without restarting, and, when it has a
///    healthcheck, that it becomes healthy within ``Options/healthTimeout``;
/// 5. remove the original (never its volumes).
///
/// If any of steps 1–4 fails, rollback removes the new container, renames the original back and starts it again
/// if it was running; ``RecreateFailure`` says what failed and whether rollback completed (if not, how to finish
/// by hand). A failure to remove the original at step 5 is not rolled back: the new container runs, and the
/// result's ``RecreateResult/warnings`` name the container left behind.
///
/// ```swift
/// let recreator = ContainerRecreator(docker: docker)
/// let plan = try await recreator.plan(container: "web", change: .seccompProfile(json: text, name: "web-app"))
/// if dryRun { for step in plan.steps { report(planned: step) } }
/// else { let result = try await recreator.execute(plan) { step, outcome in report(step, outcome) } }
/// ```
public struct ContainerRecreator: Sendable {
    /// How the re-create waits and what it keeps.
    public struct Options: Sendable, Equatable {
        /// Seconds the original gets to stop before SIGKILL; nil uses its `StopTimeout`, else 10.
        public var stopTimeout: Int?
        /// Seconds the new container must stay up (running, not restarting) before it counts as working.
        public var verifyDelay: Double
        /// For a container with a healthcheck: seconds to wait for `healthy`; 0 does not wait for health.
        public var healthTimeout: Double

        public init(stopTimeout: Int? = nil, verifyDelay: Double = 1.0, healthTimeout: Double = 60) {
            self.stopTimeout = stopTimeout
            self.verifyDelay = verifyDelay
            self.healthTimeout = healthTimeout
        }
    }

    /// How a step ended, for progress reporting.
    public enum StepOutcome: Sendable, Equatable {
        case done
        case failed(String)
    }

    public let docker: DockerClient
    public let options: Options

    public init(docker: DockerClient, options: Options = Options()) {
        self.docker = docker
        self.options = options
    }

    // MARK: - Plan

    /// Works out the re-create of `container` (name or id) with `change`, reading only: nothing is created,
    /// stopped or renamed. This is the `--dry-run` answer.
    /// - Throws: `DockerError.notFound` for an unknown container; ``RecreateError/unsupported(_:)`` for a paused,
    ///   restarting, removing or dead container, or a running one started with `--rm` (stopping it would delete
    ///   it, so it could not be kept for rollback); ``RecreateError/invalidChange(_:)`` from the change.
    public func plan(container: String, change: RecreateChange) async throws -> RecreatePlan {
        let original = try InspectedContainer(inspect: try await docker.inspectContainerJSON(container))
        try Self.checkRecreatable(original)
        var base = original.spec
        var notes = original.notes
        // Re-create from the very image the container runs: if its tag has moved (or is gone), the id is used.
        let tagged = try? await docker.inspectImage(base.image)
        if tagged?.id != original.imageID, !original.imageID.isEmpty {
            notes.append("image \(base.image) now \(tagged == nil ? "is gone" : "names another image"): "
                         + "the new container uses the image the original runs, \(original.imageID)")
            base.image = original.imageID
        }
        var updated = base
        try change.edit(&updated)

        let suffix = String(UUID().uuidString.lowercased().filter { $0 != "-" }.prefix(8))
        var plan = RecreatePlan(original: original, updated: updated, change: change.summary,
                                temporaryName: "\(original.name)-contsec-new-\(suffix)",
                                asideName: "\(original.name)-contsec-old-\(suffix)",
                                stopTimeout: options.stopTimeout ?? original.stopTimeout ?? 10,
                                differences: SpecDiff.differences(base, updated), notes: notes, steps: [])
        if !plan.isNoChange { plan.steps = steps(for: plan) }
        return plan
    }

    static func checkRecreatable(_ container: InspectedContainer) throws {
        let name = container.name
        switch container.status {
        case "paused":
            throw RecreateError.unsupported("container \(name) is paused: unpause it (docker unpause \(name)) and try again")
        case "restarting":
            throw RecreateError.unsupported("container \(name) is restarting (a crash loop?): fix or stop it first")
        case "removing", "dead":
            throw RecreateError.unsupported("container \(name) is \(container.status): it cannot be re-created")
        default: break
        }
        if container.autoRemove, container.isRunning {
            throw RecreateError.unsupported("container \(name) was started with --rm (AutoRemove): stopping it deletes it, "
                + "so it cannot be kept for rollback. Re-create it without --rm first (or stop it and run it again with the new setting)")
        }
    }

    func steps(for plan: RecreatePlan) -> [RecreateStep] {
        let name = plan.original.name, temp = plan.temporaryName
        var steps = [RecreateStep(kind: .create, target: temp,
                                  description: "create \(temp) from \(name)'s configuration with \(plan.change)")]
        for network in plan.updated.secondaryNetworks {
            steps.append(RecreateStep(kind: .connect, target: network, description: "connect \(temp) to network \(network)"))
        }
        if plan.original.isRunning {
            steps.append(RecreateStep(kind: .stop, target: name,
                                      description: "stop \(name) (SIGKILL after \(plan.stopTimeout) s)"))
        }
        steps.append(RecreateStep(kind: .renameOld, target: name,
                                  description: "rename \(name) to \(plan.asideName) (kept until the new container runs)"))
        steps.append(RecreateStep(kind: .renameNew, target: temp, description: "rename \(temp) to \(name)"))
        if plan.original.isRunning {
            steps.append(RecreateStep(kind: .start, target: name, description: "start the new \(name)"))
            let health = plan.updated.config["Healthcheck"].map { _ in
                options.healthTimeout > 0 ? " and healthy within \(Self.seconds(options.healthTimeout))" : "" } ?? ""
            steps.append(RecreateStep(kind: .verify, target: name,
                                      description: "verify the new \(name) is running after \(Self.seconds(options.verifyDelay))\(health)"))
        }
        steps.append(RecreateStep(kind: .removeOld, target: plan.asideName,
                                  description: "remove \(plan.asideName), the original container (its volumes stay)"))
        return steps
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    // MARK: - Execute

    /// Carries out `plan`, calling `onStep` after each step. Does nothing for a plan without changes.
    /// - Throws: ``RecreateError/stalePlan(_:)`` when the container was restarted, renamed or replaced since the
    ///   plan was made (nothing is touched); ``RecreateError/failed(_:)`` when a step failed, after rollback.
    public func execute(_ plan: RecreatePlan,
                        onStep: (@Sendable (RecreateStep, StepOutcome) -> Void)? = nil) async throws -> RecreateResult {
        let original = plan.original
        guard !plan.isNoChange else {
            return RecreateResult(name: original.name, containerID: original.id, originalID: original.id,
                                  changed: false, warnings: [])
        }
        let now: InspectedContainer
        do { now = try InspectedContainer(inspect: try await docker.inspectContainerJSON(original.id)) } catch {
            throw RecreateError.stalePlan("\(original.name) (\(original.id.prefix(12))) cannot be inspected any more: \(error)")
        }
        guard now.name == original.name, now.isRunning == original.isRunning else {
            throw RecreateError.stalePlan("\(original.name) is now named \(now.name) and \(now.status)")
        }

        var state = Progress()
        var warnings: [String] = []
        for step in plan.steps {
            do {
                try await perform(step, plan: plan, state: &state)
                onStep?(step, .done)
            } catch {
                let reason = Self.reason(error)
                onStep?(step, .failed(reason))
                if step.kind == .removeOld {
                    warnings.append("the original container is kept as \(plan.asideName): removing it failed: \(reason)")
                    continue
                }
                let rollback = await rollBack(plan, state)
                throw RecreateError.failed(RecreateFailure(
                    step: step, reason: reason, rollback: rollback, name: original.name,
                    asideName: state.renamedOld ? plan.asideName : nil, newContainerLogTail: state.logTail))
            }
        }
        return RecreateResult(name: original.name, containerID: state.newID ?? "", originalID: original.id,
                              changed: true, warnings: warnings)
    }

    /// What has been done so far, so rollback undoes exactly that.
    struct Progress {
        var newID: String?
        var stoppedOld = false
        var renamedOld = false
        var logTail: String?
    }

    func perform(_ step: RecreateStep, plan: RecreatePlan, state: inout Progress) async throws {
        let original = plan.original
        switch step.kind {
        case .create:
            let created = try await docker.createContainer(name: plan.temporaryName, body: plan.updated.createBody)
            state.newID = created.id
        case .connect:
            let endpoint = plan.updated.networks[step.target] ?? [:]
            try await connect(state.newID!, network: step.target, endpoint: endpoint)
        case .stop:
            try await docker.stopContainer(original.id, timeout: plan.stopTimeout)
            state.stoppedOld = true
        case .renameOld:
            try await docker.renameContainer(original.id, to: plan.asideName)
            state.renamedOld = true
        case .renameNew:
            try await docker.renameContainer(state.newID!, to: original.name)
        case .start:
            try await docker.startContainer(state.newID!)
        case .verify:
            try await verify(state.newID!, healthcheck: plan.updated.config["Healthcheck"] != nil, logTail: &state.logTail)
        case .removeOld:
            try await docker.removeContainer(original.id, force: true, volumes: false)
        }
    }

    /// `POST /networks/{id}/connect` with the endpoint object as it is (the typed `EndpointConfig` would drop fields).
    func connect(_ container: String, network: String, endpoint: [String: JSONValue]) async throws {
        let body: JSONValue = ["Container": .string(container), "EndpointConfig": .object(endpoint)]
        _ = try await docker.send("POST", "/networks/\(pathSegment(network))/connect",
                                  body: .json(Data(JSONWriter.bytes(body))), notFound: (.network, network))
    }

    struct VerificationFailed: Error, CustomStringConvertible {
        var description: String
    }

    func verify(_ id: String, healthcheck: Bool, logTail: inout String?) async throws {
        try await Task.sleep(nanoseconds: UInt64(max(0, options.verifyDelay) * 1_000_000_000))
        var inspect = try await docker.inspectContainer(id)
        let deadline = Date().addingTimeInterval(healthcheck ? options.healthTimeout : 0)
        while healthcheck, options.healthTimeout > 0, inspect.state.running, inspect.state.health?.status == "starting",
              Date() < deadline {
            try await Task.sleep(nanoseconds: 500_000_000)
            inspect = try await docker.inspectContainer(id)
        }
        let state = inspect.state
        var problem: String?
        if !state.running {
            problem = "the new container stopped (exit code \(state.exitCode ?? -1)"
                + (state.error.map { $0.isEmpty ? "" : ", \($0)" } ?? "") + ")"
        } else if state.restarting == true || (inspect.restartCount ?? 0) > 0 {
            problem = "the new container is restarting (restarted \(inspect.restartCount ?? 0) times)"
        } else if healthcheck, options.healthTimeout > 0, let health = state.health?.status, health != "healthy" {
            problem = health == "starting"
                ? "the new container is still not healthy after \(Self.seconds(options.healthTimeout))"
                : "the new container is \(health)"
        }
        guard let problem else { return }
        logTail = await tail(id)
        throw VerificationFailed(description: problem)
    }

    /// The last lines the container wrote (for the caller to show if it chooses), at most 4 KiB.
    func tail(_ id: String) async -> String? {
        var text = Data()
        do {
            for try await chunk in docker.logs(id, options: LogOptions(tail: 20)) {
                text.append(chunk.data)
                if text.count > 4096 { break }
            }
        } catch { return nil }
        return text.isEmpty ? nil : String(decoding: text.suffix(4096), as: UTF8.self)
    }

    /// Undoes what `state` says was done: remove the new container, rename the original back, start it again.
    func rollBack(_ plan: RecreatePlan, _ state: Progress) async -> [RollbackStep] {
        var steps: [RollbackStep] = []
        func attempt(_ action: String, _ body: () async throws -> Void) async {
            do { try await body(); steps.append(RollbackStep(action: action, error: nil)) } catch {
                steps.append(RollbackStep(action: action, error: Self.reason(error)))
            }
        }
        let original = plan.original
        if let newID = state.newID {
            await attempt("remove the new container \(newID.prefix(12))") {
                try await docker.removeContainer(newID, force: true, volumes: false)
            }
        }
        if state.renamedOld {
            await attempt("rename \(plan.asideName) back to \(original.name)") {
                try await docker.renameContainer(original.id, to: original.name)
            }
        }
        if state.stoppedOld {
            await attempt("start \(original.name) again") { try await docker.startContainer(original.id) }
        }
        return steps
    }

    static func reason(_ error: Error) -> String {
        if let docker = error as? DockerError, case .daemon(_, let message) = docker { return message }
        return String(describing: error)
    }
}

/// What a completed re-create did.
public struct RecreateResult: Sendable, Equatable {
    /// The container's name (unchanged).
    public var name: String
    /// The id of the container now carrying the name (the original's when nothing changed).
    public var containerID: String
    /// The original container's id.
    public var originalID: String
    /// False when the plan had no changes and nothing was done.
    public var changed: Bool
    /// Non-fatal problems, e.g. the original could not be removed and is kept under its aside name.
    public var warnings: [String]
}
