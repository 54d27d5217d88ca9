import Foundation
import ContainerKit

/// `attach` / `detach`: the engine cannot add a mount to (or take one from) an existing container, so the container
/// is re-created with its identical configuration plus (minus) the volume, through ContainerKit's
/// ``ContainerRecreator``: the original is kept until the new one runs, and put back if anything fails.
public enum AttachDetach {
    public struct Request: Sendable {
        public var volume: String
        public var container: String
        /// attach only: where the volume appears in the container.
        public var mountPath: String?
        public var readOnly: Bool

        public init(volume: String, container: String, mountPath: String? = nil, readOnly: Bool = false) {
            self.volume = volume; self.container = container; self.mountPath = mountPath; self.readOnly = readOnly
        }
    }

    public static func attach(_ request: Request, _ ctx: VolumeCryptContext,
                              recreator: ContainerRecreator? = nil) async throws -> [String: String] {
        let name = try VolumeName.validate(request.volume)
        guard let path = request.mountPath, path.hasPrefix("/"), path != "/", !path.split(separator: "/").contains("..") else {
            throw VolumeCryptError.invalidParameter(param: "mount", message: "give the absolute path the volume appears at in the container, e.g. --mount /app/data")
        }
        let inspected = try await inspect(request.container, ctx)
        try await requireOwnVolume(name, ctx)
        if let existing = inspected.mounts?.first(where: { $0.name == name }) {
            throw VolumeCryptError.precondition("volume \(name) is already attached to \(request.container) at \(existing.destination)")
        }
        let mount = MountSpec(type: "volume", source: name, target: path, readOnly: request.readOnly ? true : nil)
        try await recreate(request.container, change: .addMount(mount), verb: "attached", detail: "\(name) at \(path)\(request.readOnly ? " (read-only)" : "")",
                           ctx, recreator: recreator)
        return ["volume": name, "container": request.container, "mount": path, "readOnly": String(request.readOnly)]
    }

    public static func detach(_ request: Request, _ ctx: VolumeCryptContext,
                              recreator: ContainerRecreator? = nil) async throws -> [String: String] {
        let name = try VolumeName.validate(request.volume)
        let inspected = try await inspect(request.container, ctx)
        guard let mount = inspected.mounts?.first(where: { $0.name == name }) else {
            throw VolumeCryptError.precondition("volume \(name) is not attached to \(request.container): nothing to detach")
        }
        try await recreate(request.container, change: .removeMount(target: mount.destination), verb: "detached",
                           detail: "\(name) from \(mount.destination)", ctx, recreator: recreator)
        return ["volume": name, "container": request.container, "mount": mount.destination]
    }

    /// Only this state root's volumes are attached, and an encrypted one only while mounted: a container re-created
    /// onto an unmounted volume could not start (the data folder is not there).
    static func requireOwnVolume(_ name: String, _ ctx: VolumeCryptContext) async throws {
        if try ctx.state.record(name) != nil {
            guard OpenCloseVolume.isMounted(name, ctx.state) else {
                throw VolumeCryptError.precondition("volume \(name) is not mounted: open it first (contsec run volume-crypt open --volume \(name))")
            }
            guard try await ctx.dockerVolume(name) != nil else {
                throw VolumeCryptError.precondition("the Docker volume \(name) is missing: open re-creates it (contsec run volume-crypt open --volume \(name))")
            }
            return
        }
        guard let volume = try await ctx.dockerVolume(name), volume.labels?[VolumeLabels.stateRoot] == ctx.state.path else {
            throw VolumeCryptError.precondition("no volume-crypt volume named \(name) in \(ctx.state.path): create it first (list shows what exists)")
        }
    }

    private static func inspect(_ container: String, _ ctx: VolumeCryptContext) async throws -> ContainerInspect {
        guard !container.isEmpty else {
            throw VolumeCryptError.invalidParameter(param: "container", message: "name the container, e.g. --container web-app")
        }
        do { return try await ctx.docker.inspectContainer(container) } catch DockerError.notFound {
            throw VolumeCryptError.invalidParameter(param: "container", message: "no container named \(container)")
        }
    }

    private static func recreate(_ container: String, change: RecreateChange, verb: String, detail: String,
                                 _ ctx: VolumeCryptContext, recreator: ContainerRecreator?) async throws {
        let recreator = recreator ?? ContainerRecreator(docker: ctx.docker)
        let plan: RecreatePlan
        do { plan = try await recreator.plan(container: container, change: change) } catch let error as RecreateError {
            throw VolumeCryptError.precondition("\(error)")
        }
        for note in plan.notes { ctx.report.log(.info, "\(container): \(note)") }
        ctx.report.log(.info, "\(container) is re-created with: " + plan.differences.map(\.description).joined(separator: "; "))
        let kind = "volume-\(verb)"
        if ctx.dryRun {
            for step in plan.steps {
                ctx.report.action(.init(kind: "container-updated", target: step.target, status: .planned, detail: step.description))
            }
            ctx.report.action(.init(kind: kind, target: container, status: .planned, detail: detail))
            return
        }
        let report = ctx.report
        do {
            let result = try await recreator.execute(plan) { step, outcome in
                switch outcome {
                case .done: report.action(.init(kind: "container-updated", target: step.target, status: .applied, detail: step.description))
                case .failed(let reason):
                    report.action(.init(kind: "container-updated", target: step.target, status: .failed, detail: "\(step.description): \(reason)"))
                }
            }
            for warning in result.warnings { report.log(.warning, warning) }
        } catch let error as RecreateError {
            report.action(.init(kind: kind, target: container, status: .failed, detail: detail))
            throw VolumeCryptError.failed("\(error)")
        }
        report.action(.init(kind: kind, target: container, status: .applied, detail: detail))
    }
}
