import Foundation

/// Section 6: Docker Security Operations (both manual: INFO with the counts to review).
enum Section6 {
    static let checks: [CISCheck] = [
        CISCheck("6.1", "Ensure that image sprawl is avoided", automated: false, scored: false, severity: .info, target: .host,
                 remediation: "Keep only the images you need; remove stale ones regularly and pull by digest.",
                 audit: "Manual: counts local images and those used by a container.") { facts in
            let total = facts.images.count
            let used = facts.images.filter { facts.imagesInUse.contains($0.inspect.id) }.count
            let unused = facts.images.filter { !facts.imagesInUse.contains($0.inspect.id) }.map { $0.offender("not used by any container") }
            var text = "There are currently: \(total) images, \(used) in use"
            if used < total / 2 { text += "; only \(used) out of \(total) are in use" }
            return .info(text, unused)
        },
        CISCheck("6.2", "Ensure that container sprawl is avoided", automated: false, scored: false, severity: .info, target: .host,
                 remediation: "Review the container inventory regularly and remove containers no longer in use (`docker container prune`).",
                 audit: "Manual: counts all and running containers.") { facts in
            let stopped = facts.totalContainers - facts.runningContainers
            return .info("There are currently a total of \(facts.totalContainers) containers, with \(stopped > 25 ? "only " : "")\(facts.runningContainers) of them currently running")
        },
    ]
}
