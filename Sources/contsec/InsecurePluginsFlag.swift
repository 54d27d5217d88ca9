#if canImport(Glibc)
import Glibc
#endif
import ContsecHost

/// `--allow-insecure-plugins` is accepted anywhere on the command line, before any subcommand parses its options,
/// and becomes `CONTSEC_ALLOW_INSECURE_PLUGINS=1` so discovery and every exec see the same choice.
enum InsecurePluginsFlag {
    static func extract(_ argv: [String]) -> [String] {
        guard argv.contains(PluginTrust.overrideFlag) else { return argv }
        setenv(PluginTrust.overrideEnv, "1", 1)
        return argv.filter { $0 != PluginTrust.overrideFlag }
    }
}
