#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The name of the machine findings come from, stamped on every event so that reports from many nodes can be told
/// apart once a log pipeline or `contsec report merge` brings them together.
///
/// `CONTSEC_HOST_NAME` wins: inside a container the kernel's host name is the container's (a pod name, a container
/// id), so a DaemonSet or CronJob passes the node's name in (`spec.nodeName` through the downward API) and
/// `docker run` passes `-e CONTSEC_HOST_NAME=$(hostname)`. Otherwise the kernel's host name.
public enum HostIdentity {
    public static let environmentVariable = "CONTSEC_HOST_NAME"

    /// Resolved once per process.
    public static let current: String = resolve(environment: ProcessInfo.processInfo.environment)

    /// `CONTSEC_HOST_NAME` when it is set to a usable name, else gethostname(2), else "unknown".
    public static func resolve(environment: [String: String]) -> String {
        if let named = environment[environmentVariable].flatMap(clean) { return named }
        var buf = [CChar](repeating: 0, count: 256)
        if gethostname(&buf, buf.count - 1) == 0,
           let name = clean(String(decoding: buf.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)) {
            return name
        }
        return "unknown"
    }

    /// Trimmed, without control characters (one event is one line), at most 253 bytes (a DNS name's limit); nil when
    /// nothing is left.
    static func clean(_ raw: String) -> String? {
        // The usual host name is printable ASCII: nothing to drop or trim.
        if !raw.isEmpty, raw.utf8.count <= 253, raw.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return raw }
        // Foundation's controlCharacters and whitespaces sets, by the stdlib's own Unicode tables: building a
        // CharacterSet costs more at start-up than a short plugin run's own work.
        let kept = raw.unicodeScalars.filter {
            let category = $0.properties.generalCategory
            return category != .control && category != .format
        }
        let blank: (Unicode.Scalar) -> Bool = { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
        let text = String(String.UnicodeScalarView(kept.drop(while: blank).reversed().drop(while: blank).reversed()))
        guard !text.isEmpty else { return nil }
        return String(decoding: Array(text.utf8).prefix(253), as: UTF8.self)
    }
}
