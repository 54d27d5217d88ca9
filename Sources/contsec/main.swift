#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ContsecHost

// contsec: the CLI. Thin by design; the work happens in ContsecHost.
let code = CLI.main(InsecurePluginsFlag.extract(Array(CommandLine.arguments.dropFirst())))
fflush(nil)
exit(code.rawValue)
