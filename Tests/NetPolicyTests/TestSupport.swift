import Foundation
import ContainerKit
import ContsecProtocol
@testable import NetPolicy

/// A workspace folder for one test, removed afterwards.
final class TestWorkspace: @unchecked Sendable {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "contsec-netpolicy-" + UUID().uuidString.prefix(8).lowercased()
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func writer(dryRun: Bool = false) throws -> ConfinedWriter { try ConfinedWriter(workspace: path, dryRun: dryRun) }
    func mode(_ rel: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path + "/" + rel))?[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
    func exists(_ rel: String) -> Bool { FileManager.default.fileExists(atPath: path + "/" + rel) }
}

/// Collects what an engine reports.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var findings: [Finding] = []
    private(set) var actions: [Action] = []
    private(set) var logs: [String] = []

    var reporter: Reporter {
        Reporter(finding: { f in self.lock.withLock { self.findings.append(f) } },
                 action: { a in self.lock.withLock { self.actions.append(a) } },
                 log: { _, m in self.lock.withLock { self.logs.append(m) } })
    }
    func actions(_ status: ActionStatus) -> [Action] { lock.withLock { actions.filter { $0.status == status } } }
    var ruleIds: [String] { lock.withLock { findings.map(\.ruleId) } }
}
