import Foundation
import ContsecPluginKit
import ContainerKit
import CryptoTools
import NetPolicy

/// Turns the library's errors into protocol errors with the message kept whole.
func guarded<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let e as PluginError {
        throw e
    } catch let e as NetPolicyError {
        switch e {
        case .precondition(let m): throw PluginError.preconditionFailed(m)
        case .invalidParameter(let p, let m): throw PluginError.invalidParams(param: p, message: m)
        case .toolMissing(let tool, let install): throw PluginError.toolMissing(tool: tool, install: install)
        case .failed(let m): throw PluginError.failed(m)
        }
    } catch let e as ParameterError {
        throw PluginError.invalidParams(param: e.param, message: e.message)
    } catch let e as PolicyError {
        throw PluginError.preconditionFailed("\(e)")
    } catch let e as DockerError {
        throw PluginError.preconditionFailed("\(e)")
    } catch let e as ToolError {
        if case .toolMissing(let tool, let hint) = e { throw PluginError.toolMissing(tool: tool, install: hint) }
        throw PluginError.failed("\(e)")
    } catch let e as CryptoError {
        if case .opensslMissing(_, let hint) = e { throw PluginError.toolMissing(tool: "openssl", install: hint) }
        throw PluginError.failed("\(e)")
    } catch let e as ConfinementError {
        throw PluginError.preconditionFailed("\(e)")
    } catch let e as ManifestProblem {
        throw PluginError.invalidParams(param: "dir", message: e.message)
    }
}

extension RunContext {
    var reporter: Reporter {
        Reporter(finding: { self.emit($0) }, action: { self.emit($0) }, log: { self.log($0, $1) },
                 progress: { self.progress($0, current: $1, total: $2) })
    }

    /// A path flag as an absolute path: relative values (and defaults) are read against the workspace.
    func path(_ name: String) -> String? {
        guard let p = arguments.path(name) ?? arguments.string(name) else { return nil }
        return p.hasPrefix("/") ? p : workspace + "/" + p
    }

    /// Shown in messages and summaries: relative to the workspace when inside it.
    func display(_ path: String) -> String {
        path.hasPrefix(workspace + "/") ? String(path.dropFirst(workspace.count + 1)) : path
    }

    func writer() throws -> ConfinedWriter { try ConfinedWriter(workspace: workspace, dryRun: dryRun) }

    func docker() throws -> DockerClient {
        do { return try DockerClient(requestTimeout: 60) } catch { throw PluginError.preconditionFailed("\(error)") }
    }

    func prefix() throws -> String {
        let p = arguments.string("prefix") ?? "contsec"
        guard TierLayout.isPrefix(p) else {
            throw PluginError.invalidParams(param: "prefix", message: "'\(p)' must be 1-64 lower-case letters, digits, '-' or '_', starting with a letter or digit")
        }
        return p
    }

    func policies() throws -> PolicySet {
        try PolicySet.load(folder: path("dir") ?? workspace + "/policies")
    }
}

/// A table cell: long lists (address ranges, port lists) are cut to what a cell may hold; files keep them whole.
func cell(_ text: String) -> JSONValue {
    let limit = 1000
    guard text.utf8.count > limit else { return .string(text) }
    let parts = text.split(separator: ",")
    var out = ""
    for (i, p) in parts.enumerated() {
        if out.utf8.count + p.utf8.count + 40 > limit {
            return .string(out + "… (\(parts.count - i) more; --output writes them all)")
        }
        out += (i > 0 ? "," : "") + p
    }
    return .string(String(out.prefix(limit)))
}

/// KEY=VALUE flags into a map.
func keyValues(_ items: [String], param: String) throws -> [String: String] {
    var out: [String: String] = [:]
    for item in items {
        let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
        guard kv.count == 2, !kv[0].isEmpty else { throw PluginError.invalidParams(param: param, message: "'\(item)' is not KEY=VALUE") }
        out[kv[0]] = kv[1]
    }
    return out
}

// MARK: - setup

func setup(_ ctx: RunContext) async throws -> RunOutcome {
    try await guarded {
        let a = ctx.arguments
        let tiers = a.list("tiers")
        guard !tiers.isEmpty else { throw PluginError.invalidParams(param: "tiers", message: "name at least one tier") }
        for t in tiers where !PolicyDecoder.isName(t) {
            throw PluginError.invalidParams(param: "tiers", message: "'\(t)' is not a valid tier name (lower-case letters, digits, '-')")
        }
        let internalTiers = a.has("internal-tiers") ? Set(a.list("internal-tiers")) : nil
        for t in internalTiers ?? [] where !tiers.contains(t) {
            throw PluginError.invalidParams(param: "internal-tiers", message: "'\(t)' is not one of --tiers (\(tiers.joined(separator: ", ")))")
        }
        let setup = NetworkSetup(layout: TierLayout(prefix: try ctx.prefix(), tiers: tiers), internalTiers: internalTiers,
                                 extraLabels: try keyValues(a.list("label"), param: "label"))
        let r = try await setup.run(docker: try ctx.docker(), writer: try ctx.writer(), dryRun: ctx.dryRun, report: ctx.reporter)
        return .ok(summary: ["created": .array(r.created.map(JSONValue.string)), "unchanged": .array(r.unchanged.map(JSONValue.string)),
                             "conflicting": .array(r.conflicting.map(JSONValue.string)),
                             "composeFile": .string(NetworkSetup.composePath)])
    }
}

// MARK: - create-policy / render

func createPolicy(_ ctx: RunContext) async throws -> RunOutcome {
    try await guarded {
        let a = ctx.arguments
        var b = PolicyBuilder(service: a.string("service") ?? "")
        b.ingress = a.list("ingress"); b.egress = a.list("egress"); b.ports = a.list("port"); b.tiers = a.list("tier")
        b.knownTiers = a.list("tiers"); b.namespace = a.string("namespace") ?? "default"; b.labels = a.list("label")
        b.allowDNS = a.has("dns") ? a.bool("dns") : true
        b.defaultDeny = a.has("default-deny") ? a.list("default-deny") : ["ingress", "egress"]
        b.description = a.string("description")
        let policy = try b.build()
        for d in Direction.allCases where !policy.defaultDeny.contains(d) && !policy.rules(d).isEmpty {
            ctx.log(.warning, "\(d.rawValue) is not default-deny, so its rules have no effect: everything is allowed in that direction")
        }
        let dir = ctx.path("dir") ?? ctx.workspace + "/policies"
        let file = dir + "/\(policy.service)-policy.json"
        if let existing = FileManager.default.contents(atPath: file), existing != Data(policy.fileText.utf8), !a.bool("force") {
            throw PluginError.preconditionFailed("\(ctx.display(file)) exists and differs from this policy: edit it and run `contsec run netpolicy render`, or pass --force to replace it")
        }
        let peers = try PolicySet.load(folder: dir)
        let written = try write(policy, dir: dir, peers: peers, ctx: ctx)
        return .ok(summary: ["service": .string(policy.service), "tiers": .array(policy.tiers.map(JSONValue.string)),
                             "ingressRules": .int(policy.ingress.count), "egressRules": .int(policy.egress.count),
                             "files": .array(written.map(JSONValue.string))])
    }
}

/// Writes the policy JSON and its NetworkPolicy YAML, each only when its content changes.
func write(_ policy: ServicePolicy, dir: String, peers: PolicySet, ctx: RunContext, json: Bool = true) throws -> [String] {
    let writer = try ctx.writer()
    let jsonPath = dir + "/\(policy.service)-policy.json"
    let yamlPath = dir + "/\(policy.service)-networkpolicy.yaml"
    var files: [(String, String, String)] = []
    if json { files.append((jsonPath, policy.fileText, "contsec policy (contsec.dev/v1 ServicePolicy)")) }
    files.append((yamlPath, NetworkPolicyRenderer(peers: peers).fileText(policy, source: ctx.display(jsonPath)),
                  "Kubernetes networking.k8s.io/v1 NetworkPolicies: default-deny + allow"))
    for (path, text, what) in files {
        if FileManager.default.contents(atPath: path) == Data(text.utf8) {
            ctx.emit(Action(kind: "file-written", target: ctx.display(path), status: .skipped, detail: "unchanged", artifacts: [path]))
            continue
        }
        let w = try writer.write(path, Data(text.utf8), mode: 0o644)
        ctx.emit(Action(kind: "file-written", target: ctx.display(path), status: ctx.dryRun ? .planned : .applied, detail: what, artifacts: [w.path]))
    }
    return files.map { ctx.display($0.0) }
}

func render(_ ctx: RunContext) async throws -> RunOutcome {
    try await guarded {
        var set: PolicySet
        var dir: String
        if let file = ctx.path("policy") {
            dir = (file as NSString).deletingLastPathComponent
            let policy = try PolicySet.load(file: file)
            set = try PolicySet.load(folder: dir)
            set.insert(policy, file: file)
            let written = try write(policy, dir: dir, peers: set, ctx: ctx, json: false)
            return .ok(summary: ["rendered": .array(written.map(JSONValue.string))])
        }
        dir = ctx.path("dir") ?? ctx.workspace + "/policies"
        set = try PolicySet.load(folder: dir)
        guard !set.isEmpty else { throw PluginError.preconditionFailed("no *-policy.json in \(ctx.display(dir)): create policies with create-policy") }
        var written: [String] = []
        for s in set.services { written += try write(set[s]!, dir: dir, peers: set, ctx: ctx, json: false) }
        return .ok(summary: ["rendered": .array(written.map(JSONValue.string))])
    }
}

// MARK: - apply-policy

func applyPolicy(_ ctx: RunContext) async throws -> RunOutcome {
    try await guarded {
        let a = ctx.arguments
        var set: PolicySet
        var targets = a.list("service")
        if let file = ctx.path("policy") {
            let policy = try PolicySet.load(file: file)
            set = try PolicySet.load(folder: (file as NSString).deletingLastPathComponent)
            set.insert(policy, file: file)
            if targets.isEmpty { targets = [policy.service] }
            if !targets.contains(policy.service) {
                throw PluginError.invalidParams(param: "service", message: "\(ctx.display(file)) is the policy of \(policy.service), not of \(targets.joined(separator: ", "))")
            }
        } else {
            set = try ctx.policies()
            if targets.isEmpty { targets = set.services }
        }
        guard !targets.isEmpty else {
            throw PluginError.preconditionFailed("no policies to apply in \(ctx.display(ctx.path("dir") ?? "policies")): create them with create-policy, or pass --policy")
        }
        for t in targets where set[t] == nil {
            throw PluginError.invalidParams(param: "service", message: "there is no policy for \(t) (policies: \(set.services.joined(separator: ", ")))")
        }
        var applier = PolicyApplier(docker: try ctx.docker(), prefix: try ctx.prefix(), policies: set)
        applier.recreate = a.has("recreate") ? a.bool("recreate") : true
        let results = try await applier.apply(services: targets, dryRun: ctx.dryRun, report: ctx.reporter)
        return .ok(summary: ["services": .array(results.map { r in
            .object(["service": .string(r.service), "containers": .array(r.containers.map(JSONValue.string)),
                     "networks": .array(r.networks.map(JSONValue.string)), "rules": .int(r.rules), "changed": .bool(r.changed)])
        }), "changed": .bool(results.contains(where: \.changed))])
    }
}

// MARK: - generate-mtls

func generateMTLS(_ ctx: RunContext) async throws -> RunOutcome {
    try await guarded {
        let a = ctx.arguments
        let set = try ctx.policies()
        var services = a.list("service")
        if services.isEmpty { services = set.services }
        guard !services.isEmpty else {
            throw PluginError.invalidParams(param: "service", message: "name the services (--service api,web) or create their policies first")
        }
        for s in services where !PolicyDecoder.isName(s) {
            throw PluginError.invalidParams(param: "service", message: "'\(s)' is not a valid service name")
        }
        var passphrase: Passphrase?
        if let variable = a.string("ca-passphrase-env") {
            guard let p = Passphrase.fromEnvironment(variable) else {
                throw PluginError.preconditionFailed("--ca-passphrase-env \(variable): the variable is not set or empty; export it first")
            }
            passphrase = p
        }
        // Aliases from the running containers, when asked and Docker answers.
        var dockerAliases: [String: [String]] = [:]
        if let prefix = a.string("prefix") {
            let locator = ServiceLocator(docker: try ctx.docker(), prefix: prefix)
            for s in services { dockerAliases[s] = try await locator.containers(for: s).flatMap(\.aliases) }
        }
        let requests = services.map { s -> MTLSGenerator.Request in
            var names = a.list("alias") + (dockerAliases[s] ?? [])
            if let ns = set[s]?.namespace {
                names += ["\(s).\(ns)", "\(s).\(ns).svc", "\(s).\(ns).svc.cluster.local"]
            }
            return MTLSGenerator.Request(service: s, dnsNames: names.filter { $0 != s }, ipAddresses: a.list("ip"))
        }
        let generator = MTLSGenerator(layout: MTLSLayout(dir: ctx.display(ctx.path("out") ?? ctx.workspace + "/security/mtls")),
                                      validityDays: a.int("days") ?? 90, caValidityDays: a.int("ca-days") ?? 365,
                                      renewWithinDays: a.int("renew-within") ?? 30, caPassphrase: passphrase, rotateCA: a.bool("rotate-ca"))
        guard !generator.layout.dir.hasPrefix("/") else {
            throw PluginError.invalidParams(param: "out", message: "must be inside the workspace \(ctx.workspace)")
        }
        let r = try await generator.run(requests, writer: try ctx.writer(), openssl: try OpenSSL(), dryRun: ctx.dryRun, report: ctx.reporter)
        return .ok(summary: ["caCreated": .bool(r.caCreated), "issued": .array(r.issued.map(JSONValue.string)),
                             "kept": .array(r.kept.map(JSONValue.string)),
                             "expiry": .object(r.expiry.mapValues(JSONValue.string)), "dir": .string(generator.layout.dir)])
    }
}

// MARK: - test-connectivity

func testConnectivity(_ ctx: RunContext) async throws -> RunOutcome {
    try await guarded {
        let set = try ctx.policies()
        guard !set.isEmpty else {
            throw PluginError.preconditionFailed("no *-policy.json in \(ctx.display(ctx.path("dir") ?? "policies")): the matrix is checked against the policies; create them first")
        }
        let prefix = try ctx.prefix()
        let service = ctx.arguments.string("service")
        let tester = ConnectivityTester(docker: try ctx.docker(), prefix: prefix, policies: set)
        let r = try await tester.run(source: service, report: ctx.reporter)
        let output = ctx.path("output") ?? ctx.workspace + "/security/network/connectivity-\(service ?? "all").json"
        let w = try ctx.writer().write(output, Data(JSONWriter.pretty(r.json(prefix: prefix),
                                                                       keyOrder: ["prefix", "probes", "seconds", "cells", "source", "destination", "port"]).utf8))
        ctx.emit(Action(kind: "file-written", target: ctx.display(output), status: ctx.dryRun ? .planned : .applied,
                        detail: "connectivity matrix, \(r.cells.count) cells", artifacts: [w.path]))
        let count = { (v: ConnectivityTester.Verdict) in r.cells.filter { $0.verdict == v }.count }
        let rate = r.seconds > 0 ? (Double(r.probes) / r.seconds * 10).rounded() / 10 : 0
        return .ok(summary: ["cells": .int(r.cells.count), "probes": .int(r.probes), "seconds": .double((r.seconds * 1000).rounded() / 1000),
                             "probesPerSecond": .double(rate), "ok": .int(count(.ok)), "violations": .int(count(.violation)),
                             "breakages": .int(count(.breakage)), "notListening": .int(count(.notListening)),
                             "unfiltered": .int(count(.unfiltered)), "untested": .int(count(.untested)),
                             "structuralFindings": .int(r.structuralFindings), "matrixFile": .string(ctx.display(output)),
                             "matrix": .array(r.cells.map { c in
                                 .string("\(c.source) → \(c.destination):\(c.port.port)/\(c.port.proto.rawValue) policy \(c.expected ? "allow" : "deny"), observed \(c.observed.rawValue): \(c.verdict.rawValue)")
                             })],
                   table: r.table)
    }
}

// MARK: - analyze

enum MatrixFormat {
    /// The matrix format an output file's extension names (json unless .txt, .csv or .md).
    static func format(of path: String) -> String {
        for ext in ["txt", "csv", "md"] where path.hasSuffix("." + ext) { return ext }
        return "json"
    }
}

func analyze(_ ctx: RunContext) async throws -> RunOutcome {
    try await guarded {
        let dir = ctx.path("dir") ?? ctx.workspace
        let files = try ManifestLoader.yamlFiles(in: dir)
        let base = (dir as NSString).deletingLastPathComponent
        let model = ManifestLoader.load(files: files) { path in
            ctx.display(path) == path ? String(path.dropFirst(base.count + 1)) : ctx.display(path)
        }
        try ctx.checkCancellation()
        let engine = ReachabilityEngine(model: model)
        let findings = AnalysisFindings(engine: engine).all()
        for f in findings { ctx.emit(f) }
        let report = ConnectivityReport(engine: engine)
        var matrixFile: String?
        if let output = ctx.path("output") {
            let format = ctx.arguments.string("matrix-format") ?? MatrixFormat.format(of: output)
            let w = try ctx.writer().write(output, Data(report.text(format: format).utf8))
            ctx.emit(Action(kind: "file-written", target: ctx.display(output), status: ctx.dryRun ? .planned : .applied,
                            detail: "connectivity matrix (\(format)), \(report.connections.count) connections", artifacts: [w.path]))
            matrixFile = ctx.display(output)
        }
        let shown = report.connections.prefix(5000)
        let table = ResultTable(title: "allowed connections" + (report.connections.count > shown.count ? " (first \(shown.count) of \(report.connections.count); --output FILE writes them all)" : ""),
                                columns: [.init("src", "SOURCE"), .init("dst", "DESTINATION"), .init("conn", "CONNECTIONS")],
                                rows: shown.map { ["src": cell($0.src), "dst": cell($0.dst), "conn": cell($0.conn.description)] })
        return .ok(summary: ["files": .int(files.count), "workloads": .int(model.workloads.count), "policies": .int(model.policies.count),
                             "namespaces": .int(Set(model.workloads.map(\.namespace)).count),
                             "externalRanges": .int(report.externalGroups.count), "connections": .int(report.connections.count),
                             "findings": .int(findings.count), "matrixFile": matrixFile.map(JSONValue.string) ?? .null],
                   table: table)
    }
}
