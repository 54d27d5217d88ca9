import Foundation
import ContainerKit

/// What a container is doing at one moment, seen from the host: its listening TCP ports (its network namespace's
/// `/proc/<pid>/net/tcp*`) and the names of its processes (`docker top -o pid,comm`). Nothing is exec'd into it.
public struct ContainerActivity: Sendable, Equatable {
    public var ports: Set<Int>
    public var processes: Set<String>

    public init(ports: Set<Int>, processes: Set<String>) {
        self.ports = ports
        self.processes = processes
    }

    /// Nil when the container is not running (or went away).
    public static func observe(_ docker: DockerClient, _ id: String) async -> ContainerActivity? {
        guard let inspect = try? await docker.inspectContainer(id), inspect.state.running, let pid = inspect.state.pid else { return nil }
        var processes = Set<String>()
        // dockerd needs the PID column to pick the container's processes out of the host's `ps`.
        if let top = try? await docker.top(id, psArgs: "-o pid,comm"), let i = top.titles.firstIndex(where: { $0 == "COMMAND" || $0 == "CMD" }) {
            processes = Set(top.processes.compactMap { $0.count > i ? $0[i] : nil })
        }
        return ContainerActivity(ports: ListeningPorts.of(pid: pid), processes: processes)
    }
}
