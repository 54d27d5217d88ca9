#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ContsecHost
import ProcessKit

// contsec: the CLI. Thin by design; the work happens in ContsecHost.
// As a container's PID 1, run under a reaper of our own (ProcessKit's InitSupervisor) so orphans never pile up.
InitSupervisor.superviseIfPID1()
// Every orphan a plugin leaves is re-parented here, not to init, so the run's cleanup finds it by walking our own
// tree and nothing can fork faster than that walk (ProcessKit's OrphanAdoption). contsec starts children only
// through ChildProcess, which adoption's reaper requires.
OrphanAdoption.enable()
// A file-size limit must turn into a write error the reports can name (EFBIG), not a silent death by SIGXFSZ.
signal(SIGXFSZ, SIG_IGN)
let code = CLI.main(InsecurePluginsFlag.extract(Array(CommandLine.arguments.dropFirst())))
fflush(nil)
exit(code.rawValue)
