import ContsecPluginKit

// The smallest plugin: one command that does nothing. The start-up benchmark measures the host around it.
PluginRunner.main(Plugin(
    name: "noop", version: "1.0.0", vendor: "contsec", description: "Does nothing; measures the host's own cost",
    commands: [Command(name: "run", description: "Return at once", isDefault: true) { _ in .ok() }]))
