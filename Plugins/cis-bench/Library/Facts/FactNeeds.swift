/// Which facts the selected checks read, so `--check 2.2` does not inspect every container and image.
public struct FactNeeds: Sendable, Equatable {
    public var containers = false
    public var images = false
    public var imageHistory = false
    public var processes = false
    public var execs = false
    public var networks = false
    public var auditRules = false
    public var swarmDetails = false
    public var groupMembers = false
    public var mountPoints = false

    public init(checkIDs: Set<String>) {
        for id in checkIDs {
            let section = id.prefix(while: { $0 != "." })
            switch section {
            case "1":
                if id.hasPrefix("1.1.") && id != "1.1.1" && id != "1.1.2" { auditRules = true }
            case "4", "5", "6": containers = true
            case "7": swarmDetails = true
            default: break
            }
        }
        if checkIDs.contains("1.1.1") { mountPoints = true }
        if checkIDs.contains("1.1.2") { groupMembers = true }
        images = !checkIDs.isDisjoint(with: ["4.6", "4.7", "4.9", "6.1"])
        imageHistory = checkIDs.contains("4.7") || checkIDs.contains("4.9")
        processes = checkIDs.contains("5.7")
        execs = checkIDs.contains("5.23") || checkIDs.contains("5.24")
        if execs { auditRules = true }  // whether a rule watches the docker client
        networks = checkIDs.contains("5.30") || checkIDs.contains("7.3")
    }
}
