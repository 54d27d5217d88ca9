import Foundation

/// Facts about the host process itself.
public enum HostResources {
    /// Peak resident memory of this process image, from VmHWM in /proc/self/status.
    ///
    /// Not getrusage's ru_maxrss: after an exec from a process started with vfork (posix_spawn does that), the
    /// kernel carries the parent's high-water mark into ru_maxrss, so a host started by a big process would
    /// report the parent's memory as its own.
    public static func peakRSSKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return 0
    }
}
