/// The architectures contsec names syscalls for: the two native ones it supports (x86_64, aarch64) and their
/// 32-bit companions, which a filter on those hosts also covers (`archMap` sub-architectures).
public enum Architecture: String, Sendable, CaseIterable, Comparable {
    case x86_64, x86, aarch64, arm

    /// The architectures users can name (`--arch x86_64,aarch64`).
    public static let native: [Architecture] = [.x86_64, .aarch64]

    /// Accepts contsec's names and the common aliases: amd64, arm64, i386...
    public init?(name: String) {
        switch name.lowercased() {
        case "x86_64", "amd64", "scmp_arch_x86_64": self = .x86_64
        case "x86", "i386", "386", "scmp_arch_x86": self = .x86
        case "aarch64", "arm64", "scmp_arch_aarch64": self = .aarch64
        case "arm", "armhf", "scmp_arch_arm": self = .arm
        default: return nil
        }
    }

    /// The name libseccomp gives the native architecture, which profiles use in `includes.arches` / `excludes.arches`.
    public var filterName: String {
        switch self {
        case .x86_64: return "amd64"
        case .x86: return "x86"
        case .aarch64: return "arm64"
        case .arm: return "arm"
        }
    }

    /// `SCMP_ARCH_...` as `archMap` names it.
    public var scmpName: String {
        switch self {
        case .x86_64: return "SCMP_ARCH_X86_64"
        case .x86: return "SCMP_ARCH_X86"
        case .aarch64: return "SCMP_ARCH_AARCH64"
        case .arm: return "SCMP_ARCH_ARM"
        }
    }

    /// The 32-bit architecture whose syscalls a filter on this host also covers.
    public var companion: Architecture? {
        switch self {
        case .x86_64: return .x86
        case .aarch64: return .arm
        default: return nil
        }
    }

    /// Docker's `archMap` entry for this native architecture (x86_64 also covers x32).
    public var archMapEntry: SeccompProfile.ArchitectureEntry {
        switch self {
        case .x86_64: return .init("SCMP_ARCH_X86_64", ["SCMP_ARCH_X86", "SCMP_ARCH_X32"])
        case .aarch64: return .init("SCMP_ARCH_AARCH64", ["SCMP_ARCH_ARM"])
        case .x86: return .init("SCMP_ARCH_X86")
        case .arm: return .init("SCMP_ARCH_ARM")
        }
    }

    public var table: SyscallTable {
        switch self {
        case .x86_64: return .x86_64
        case .x86: return .i386
        case .aarch64: return .aarch64
        case .arm: return .arm
        }
    }

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Syscall names and numbers of one architecture, generated from the Linux UAPI headers (and libseccomp's table
/// for syscalls newer than the headers) by `scripts/gen-syscall-tables.sh`.
public struct SyscallTable: Sendable {
    public let architecture: Architecture
    /// Where the numbers come from (header path and package version).
    public let source: String
    public let numbers: [String: Int]

    public func contains(_ name: String) -> Bool { numbers[name] != nil }

    /// The name of syscall `number`, if the table has it.
    public func name(of number: Int) -> String? {
        numbers.first(where: { $0.value == number })?.key
    }

    /// Whether `name` is a syscall on any Linux architecture (the four tables, and the names only other
    /// architectures have, such as `riscv_hwprobe`).
    public static func isLinuxSyscall(_ name: String) -> Bool {
        Architecture.allCases.contains { $0.table.contains(name) } || otherArchitectures[name] != nil
    }
}
