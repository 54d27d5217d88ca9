import ContsecPluginKit

// registry: cosign-compatible signing and verification, gated pushes, retention cleanup and registry audits, speaking
// the OCI Distribution API itself (RegistryClient) with keys and signatures made by openssl (CryptoTools).
PluginRunner.main(Plugin(
    name: "registry", version: "1.0.0", vendor: "contsec",
    description: "Sign and verify images (cosign format), push with security gates, clean up old tags, audit a registry",
    commands: [KeygenCommand.command, SignCommand.command, VerifyCommand.command, PushCommand.command,
               CleanupCommand.command, AuditCommand.command]))
