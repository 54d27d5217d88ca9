import ContsecProtocol

/// A file (or folder) the scan could not look into. It becomes a finding, not a silence: a repository could
/// otherwise hide a Dockerfile from the scan by making it unreadable, huge, or not a regular file, and the gate
/// would pass on what it never saw.
public enum UnscannedFile {
    public static let ruleId = "CS-SCAN-001"

    public static func finding(path: String, reason: String) -> Finding {
        Finding(
            ruleId: ruleId, title: "File could not be scanned", severity: .high, category: .misconfiguration,
            target: Target(kind: "file", name: path, file: path),
            message: "\(path) \(reason); its contents were not checked, so findings in it would be missing.",
            remediation: "Make the file readable by the user running the scan, keep IaC files under "
                + "\(FileDiscovery.maxFileBytes >> 20) MiB, or remove or --exclude it if it is not meant to be scanned.",
            fingerprint: SHA256.hex(Array("\(ruleId)|\(path)".utf8)))
    }
}
