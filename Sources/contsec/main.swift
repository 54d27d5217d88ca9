#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ContsecHost

// contsec: the CLI. Thin by design; the work happens in ContsecHost.
// A file-size limit must turn into a write error the reports can name (EFBIG), not a silent death by SIGXFSZ.
signal(SIGXFSZ, SIG_IGN)
let code = CLI.main(InsecurePluginsFlag.extract(Array(CommandLine.arguments.dropFirst())))
fflush(nil)
exit(code.rawValue)
