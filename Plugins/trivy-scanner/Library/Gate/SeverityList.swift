import ContsecProtocol

/// `--severity` as Trivy users write it (`HIGH,CRITICAL`) or in contsec's lower case.
public enum SeverityList {
    public static func parse(_ items: [String]) throws -> [Severity] {
        var out: [Severity] = []
        for item in items where !item.isEmpty {
            guard let severity = Severity(rawValue: item.lowercased()), severity != .info else {
                throw TrivyScannerError.invalidParameter(
                    param: "severity", message: "'\(item)' is not a Trivy severity: use UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL")
            }
            if !out.contains(severity) { out.append(severity) }
        }
        return out.sorted()
    }

    /// The lowest severity listed; everything counts when the list is empty.
    public static func threshold(_ severities: [Severity]) -> Severity { severities.min() ?? .unknown }
}
