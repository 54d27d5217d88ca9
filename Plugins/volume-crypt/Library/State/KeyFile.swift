import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Key files: the checks a user-supplied key must pass, and generation of new ones.
/// gocryptfs reads the key itself (`-passfile`); volume-crypt reads it only to check its length, never shows it.
public enum KeyFile {
    /// Shortest first line accepted: 32 characters, as many as 24 random bytes in base64 carry.
    public static let minimumLength = 32
    /// gocryptfs refuses longer passwords.
    public static let maximumLength = 2048

    /// Refuses a key file that is not a regular file (symlinks included), not owned by this user, readable or
    /// writable by anyone else, too short or too long, or with more than one line (gocryptfs would use the first only).
    public static func check(_ path: String, param: String = "key") throws {
        func refuse(_ why: String) -> VolumeCryptError { .invalidParameter(param: param, message: "key file \(path) \(why)") }
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw refuse(errno == ENOENT ? "does not exist" : "cannot be inspected: \(String(cString: strerror(errno)))")
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFLNK: throw refuse("is a symbolic link: give the file itself (a link can be pointed at another key after the check)")
        case S_IFDIR: throw refuse("is a directory, not a key file")
        default: throw refuse("is not a regular file")
        }
        guard info.st_uid == geteuid() else {
            throw refuse("belongs to uid \(info.st_uid), not to you (uid \(geteuid())): a key must be owned by the user who uses it (chown)")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw refuse(String(format: "is mode %04o: others can read or change it; chmod 600 %@ (and consider the key exposed)", info.st_mode & 0o7777, path))
        }
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw refuse("cannot be read: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: maximumLength + 2)
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 { if errno == EINTR { continue }; throw refuse("cannot be read: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            count += n
        }
        defer { for i in 0..<bytes.count { bytes[i] = 0 } }
        let content = bytes[0..<count]
        let firstLine = content.prefix { $0 != 0x0A }
        let rest = content.dropFirst(firstLine.count + 1)
        let length = firstLine.last == 0x0D ? firstLine.count - 1 : firstLine.count
        guard length >= minimumLength else {
            throw refuse("is too short (\(length) characters): use at least \(minimumLength), e.g. head -c 32 /dev/urandom | base64 > \(path)")
        }
        guard length <= maximumLength else {
            throw refuse("is too long: gocryptfs reads at most \(maximumLength) characters")
        }
        guard rest.isEmpty else {
            throw refuse("has more than one line: gocryptfs would use only the first; keep the key on one line")
        }
    }

    /// A new key: 32 bytes from the kernel's random generator, base64, one line.
    public static func generate() throws -> Data {
        let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw VolumeCryptError.failed("cannot open /dev/urandom to generate a key: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var random = [UInt8](repeating: 0, count: 32)
        guard random.withUnsafeMutableBytes({ read(fd, $0.baseAddress, 32) }) == 32 else {
            throw VolumeCryptError.failed("could not read 32 random bytes from /dev/urandom")
        }
        defer { for i in 0..<random.count { random[i] = 0 } }
        return Data(Data(random).base64EncodedString().utf8) + Data([0x0A])
    }
}
