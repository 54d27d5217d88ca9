import ContsecPluginKit

// contsec-seccomp-gen: seccomp and AppArmor profiles — templates, learned from real runs, checked, applied.

PluginRunner.main(Plugin(
    name: "seccomp-gen", version: "0.1.0", vendor: "contsec",
    description: "seccomp and AppArmor profiles: templates per app type, learned from traced runs, checked, diffed, applied to containers",
    commands: [
        Command(name: "create", description: "Write a seccomp (or AppArmor) profile from a template for an app type",
                isDefault: true, params: createParams, handler: create),
        Command(name: "learn", description: "Run an image under strace and write the allow-list profile of what it did",
                params: learnParams, handler: learn),
        Command(name: "check", description: "Check a profile: shape, unknown syscalls, dangerous allowances",
                params: checkParams, handler: check),
        Command(name: "apply", description: "Re-create a container with a seccomp or AppArmor profile, keeping everything else",
                params: applyParams, handler: apply),
        Command(name: "audit", description: "Judge running containers' seccomp and AppArmor confinement",
                params: auditParams, handler: audit),
        Command(name: "diff", description: "Syscalls added, removed or changed between two profiles (or one and Docker's default), per architecture",
                params: diffParams, handler: diff),
        templatesCommand,
    ]))
