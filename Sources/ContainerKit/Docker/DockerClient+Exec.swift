import Foundation

/// What to run with `exec`.
public struct ExecOptions: Sendable, Equatable {
    public var cmd: [String]
    public var env: [String]?
    public var user: String?
    public var workingDir: String?
    public var privileged: Bool
    public init(_ cmd: [String], env: [String]? = nil, user: String? = nil, workingDir: String? = nil, privileged: Bool = false) {
        self.cmd = cmd; self.env = env; self.user = user; self.workingDir = workingDir; self.privileged = privileged
    }
}

/// The outcome of a finished exec: exit code and separated output.
public struct ExecResult: Sendable, Equatable {
    /// The exec session, still inspectable for a while with `inspectExec`.
    public var execID: String
    public var exitCode: Int
    public var stdout: Data
    public var stderr: Data
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// `GET /exec/{id}/json`.
public struct ExecInspect: Codable, Sendable, Equatable {
    public var id: String
    public var running: Bool
    public var exitCode: Int?
    public var pid: Int?
    public var containerID: String?
    public var processConfig: ProcessConfig?

    /// What the exec runs and with which privileges.
    public struct ProcessConfig: Codable, Sendable, Equatable {
        public var entrypoint: String?
        public var arguments: [String]?
        public var privileged: Bool?
        public var user: String?
        public var tty: Bool?
    }

    enum CodingKeys: String, CodingKey {
        case id = "ID", running = "Running", exitCode = "ExitCode", pid = "Pid", containerID = "ContainerID"
        case processConfig = "ProcessConfig"
    }
}

private struct ExecCreateBody: Encodable {
    var attachStdout = true
    var attachStderr = true
    var tty = false
    var cmd: [String]
    var env: [String]?
    var user: String?
    var workingDir: String?
    var privileged: Bool
    enum CodingKeys: String, CodingKey {
        case attachStdout = "AttachStdout", attachStderr = "AttachStderr", tty = "Tty", cmd = "Cmd", env = "Env"
        case user = "User", workingDir = "WorkingDir", privileged = "Privileged"
    }
}

private struct IDResponse: Decodable {
    var id: String
    enum CodingKeys: String, CodingKey { case id = "Id" }
}

extension DockerClient {
    /// Runs a command in a running container and waits for it: exec create + start, output demultiplexed,
    /// exit code from exec inspect. Output is kept in memory; for large output use `logs` on a container instead.
    public func exec(_ containerID: String, _ options: ExecOptions) async throws -> ExecResult {
        let body = ExecCreateBody(cmd: options.cmd, env: options.env, user: options.user, workingDir: options.workingDir,
                                  privileged: options.privileged)
        let created = try await send("POST", "/containers/\(pathSegment(containerID))/exec", body: try Self.encode(body),
                                     notFound: (.container, containerID))
        let execID = try Self.decode(IDResponse.self, from: created.body).id
        let start = try JSONSerialization.data(withJSONObject: ["Detach": false, "Tty": false])
        // The daemon streams the multiplexed output and closes the connection when the command ends.
        let chunks = makeStream(MultiplexFramer(), "POST", "/exec/\(execID)/start", query: [], body: .json(start),
                                notFound: (.exec, execID))
        var stdout = Data(), stderr = Data()
        for try await chunk in chunks {
            if chunk.stream == .stderr { stderr.append(chunk.data) } else { stdout.append(chunk.data) }
        }
        // The exit code can lag the end of output by a moment.
        for attempt in 0..<100 {
            let state = try await inspectExec(execID)
            if !state.running, let code = state.exitCode {
                return ExecResult(execID: execID, exitCode: code, stdout: stdout, stderr: stderr)
            }
            if attempt < 99 { try await Task.sleep(nanoseconds: 50_000_000) }
        }
        throw DockerError.badResponse("exec \(execID) output ended but the daemon still reports it running")
    }

    /// `GET /exec/{id}/json`.
    public func inspectExec(_ execID: String) async throws -> ExecInspect {
        let response = try await send("GET", "/exec/\(pathSegment(execID))/json", notFound: (.exec, execID))
        return try Self.decode(ExecInspect.self, from: response.body)
    }
}
