import ContsecPluginKit

PluginRunner.main(Plugin(name: "cis-bench", version: "0.0.0", description: "not built yet", commands: []))
