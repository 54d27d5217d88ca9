import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Atomic exchange of two directories on one file system (`renameat2(RENAME_EXCHANGE)`): at every instant each
/// name holds one complete tree, so a crash mid-restore leaves either the old volume or the new one, never a mix.
enum DirectorySwap {
    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    // Swift's Glibc module hides renameat2 behind _GNU_SOURCE: look it up at run time (glibc 2.28 and later).
    private static let renameat2: RenameAt2? = dlsym(nil, "renameat2").map { unsafeBitCast($0, to: RenameAt2.self) }
    private static let renameExchange: UInt32 = 1 << 1

    static func exchange(_ a: String, _ b: String) throws {
        guard let renameat2 else {
            throw VolumeCryptError.failed("this C library has no renameat2: an atomic swap needs glibc 2.28 or later")
        }
        guard renameat2(AT_FDCWD, a, AT_FDCWD, b, renameExchange) == 0 else {
            throw VolumeCryptError.failed("could not swap \(a) and \(b): \(String(cString: strerror(errno)))")
        }
    }
}
