#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ContsecHost

// contsec: the CLI. Thin by design; the work happens in ContsecHost.
let code = CLI.main(Array(CommandLine.arguments.dropFirst()))
fflush(nil)
exit(code.rawValue)
