import Foundation

/// Section 4: Container Images and Build File.
enum Section4 {
    static func manual(_ id: String, _ title: String, remediation: String, look: String) -> CISCheck {
        CISCheck(id, title, automated: false, scored: false, severity: .info, target: .image, remediation: remediation,
                 audit: "Manual: \(look)") { _ in .note(look) }
    }

    static let checks: [CISCheck] = [
        CISCheck("4.1", "Ensure that a user for the container has been created", severity: .medium, target: .container,
                 remediation: "Add `USER <name or uid>` to each image's Dockerfile (create the user with useradd first), or run the container with --user.",
                 audit: "Each audited container's Config.User must name a user other than root/0.") { facts in
            guard !facts.containers.isEmpty else { return .info("No containers running") }
            return .warnIfAny(facts.containerOffenders { c in
                guard c.runsAsRoot else { return nil }
                let user = c.inspect.config.user ?? ""
                return user.isEmpty ? "no USER (root)" : "user \(user)"
            }, "running as root")
        },
        manual("4.2", "Ensure that containers use only trusted base images",
               remediation: "Use Docker Content Trust, review each image's history and scan images for vulnerabilities regularly.",
               look: "check each image's provenance (registry, publisher, signature) and its `docker history`; scan it (contsec run trivy-scanner)"),
        manual("4.3", "Ensure that unnecessary packages are not installed in the container",
               remediation: "Install only what the container needs; prefer minimal base images (distroless, Alpine, BusyBox).",
               look: "list installed packages in each image (e.g. `docker run --rm IMAGE dpkg -l` / `apk info`) and remove what is not needed"),
        manual("4.4", "Ensure images are scanned and rebuilt to include security patches",
               remediation: "Rebuild images on current base images regularly and restart containers on the rebuilt images.",
               look: "confirm a scan-and-rebuild pipeline exists; compare image creation dates with base-image updates"),
        CISCheck("4.5", "Ensure Content trust for Docker is Enabled", severity: .medium, target: .host,
                 remediation: "Set DOCKER_CONTENT_TRUST=1, e.g. `echo DOCKER_CONTENT_TRUST=1 | sudo tee -a /etc/environment`.",
                 audit: "DOCKER_CONTENT_TRUST must be 1 in the auditing environment.") { facts in
            facts.environment["DOCKER_CONTENT_TRUST"] == "1" ? .pass()
                : .warn("DOCKER_CONTENT_TRUST is not 1 in this environment", [Offender(kind: "host", name: "DOCKER_CONTENT_TRUST")])
        },
        CISCheck("4.6", "Ensure that HEALTHCHECK instructions have been added to container images", severity: .low, target: .image,
                 remediation: "Add a HEALTHCHECK instruction to each image's Dockerfile and rebuild.",
                 audit: "Each local image's Config.Healthcheck must be set (and not NONE).") { facts in
            let bad = facts.images.filter { img in
                guard let test = img.inspect.config?.healthcheck?.test, !test.isEmpty else { return true }
                return test.first == "NONE"
            }.map { $0.offender("no HEALTHCHECK") }
            return .warnIfAny(bad, "images without HEALTHCHECK")
        },
        CISCheck("4.7", "Ensure update instructions are not used alone in the Dockerfile", automated: false, scored: false, severity: .info,
                 target: .image,
                 remediation: "Use update instructions together with install instructions and version pinning (or build with --no-cache).",
                 audit: "Manual: lists images whose history contains an update instruction; check each is paired with its install.") { facts in
            .infoIfAny(facts.images.filter { img in
                (img.history ?? []).contains { $0.createdBy.range(of: "update", options: .caseInsensitive) != nil }
            }.map { $0.offender("update instruction in history") }, "Update instructions found")
        },
        manual("4.8", "Ensure setuid and setgid permissions are removed",
               remediation: "Remove setuid/setgid bits at build time where not needed, e.g. `RUN find / -perm /6000 -type f -exec chmod a-s {} \\; || true`.",
               look: "list setuid/setgid files in each image (`docker run --rm IMAGE find / -perm /6000 -type f`) and keep only those required"),
        CISCheck("4.9", "Ensure that COPY is used instead of ADD in Dockerfiles", automated: false, scored: false, severity: .info, target: .image,
                 remediation: "Use COPY rather than ADD in Dockerfiles.",
                 audit: "Manual: lists images whose history (base layer excluded) has an ADD instruction.") { facts in
            .infoIfAny(facts.images.filter { img in
                (img.history ?? []).dropLast().contains { $0.createdBy.contains("ADD") }
            }.map { $0.offender("ADD in history") }, "Images using ADD")
        },
        manual("4.10", "Ensure secrets are not stored in Dockerfiles",
               remediation: "Do not store secrets in Dockerfiles; use build secrets (BuildKit --secret) or a secrets manager.",
               look: "review Dockerfiles and `docker history --no-trunc` for credentials (contsec run iac-scan finds many)"),
        manual("4.11", "Ensure only verified packages are installed",
               remediation: "Use a secure package distribution mechanism that verifies package authenticity (signed repositories, pinned hashes).",
               look: "check that package managers in Dockerfiles verify signatures/hashes (no --allow-unauthenticated, pip --require-hashes)"),
        manual("4.12", "Ensure all signed artifacts are validated",
               remediation: "Validate artifact signatures before uploading to the package registry.",
               look: "confirm signatures of images and artifacts are verified before use (e.g. cosign verify / docker trust inspect)"),
    ]
}
