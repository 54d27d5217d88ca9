import ContsecPluginKit
import TrivyScanner

extension TrivyScannerError {
    /// The kit's error for this failure: a missing tool is `toolMissing` (the host says how to install it),
    /// bad flags are `invalidParams`, everything else fails the run with the message.
    var pluginError: PluginError {
        switch self {
        case .toolMissing(let tool, let install): return .toolMissing(tool: tool, install: install)
        case .invalidParameter(let param, let message): return .invalidParams(param: param, message: message)
        case .databaseMissingOffline, .databaseDownloadFailed, .imageNotLocalOffline, .trivyPathMissing:
            return .preconditionFailed(description)
        default: return .failed(description)
        }
    }
}

/// Runs `body`, translating the library's errors into the kit's.
func translatingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as TrivyScannerError {
        throw error.pluginError
    } catch is CancellationError {
        throw PluginError.cancelled
    }
}
