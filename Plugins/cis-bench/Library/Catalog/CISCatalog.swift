/// The CIS Docker Benchmark v1.6.0, sections 1–7, in the benchmark's order: the one table the audit, the
/// summary, the findings and the documentation all read.
public enum CISCatalog {
    public static let version = "CIS Docker Benchmark v1.6.0"

    public static let sectionTitles: [Int: String] = [
        1: "Host Configuration", 2: "Docker daemon configuration", 3: "Docker daemon configuration files",
        4: "Container Images and Build File", 5: "Container Runtime", 6: "Docker Security Operations",
        7: "Docker Swarm Configuration",
    ]

    public static let checks: [CISCheck] =
        Section1.checks + Section2.checks + Section3.checks + Section4.checks + Section5.checks + Section6.checks + Section7.checks

    public static let byID: [String: CISCheck] = Dictionary(uniqueKeysWithValues: checks.map { ($0.id, $0) })
}
