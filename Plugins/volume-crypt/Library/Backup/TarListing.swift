import Foundation
import ContsecProtocol

/// Lists the members of an uncompressed tar held in memory (ustar, POSIX pax and GNU long names), each file with
/// its SHA-256. Used for temp volumes, whose plaintext comes from the engine as a tar stream and must never be
/// written to disk for the real tar to read it.
enum TarListing {
    static func entries(_ archive: Data) throws -> [TreeEntry] {
        try archive.withUnsafeBytes { raw in try entries(raw) }
    }

    private static func entries(_ bytes: UnsafeRawBufferPointer) throws -> [TreeEntry] {
        var result: [TreeEntry] = []
        var offset = 0
        var longName: String?, longLink: String?
        var pax: [String: String] = [:]
        while offset + 512 <= bytes.count {
            let headerOffset = offset
            let header = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 512)])
            if header.allSatisfy({ $0 == 0 }) { break }
            let type = header[156]
            let declaredSize = try number(header, 124, 12, at: headerOffset)
            let size = pax["size"].flatMap { Int($0) } ?? declaredSize
            let dataStart = offset + 512
            guard size >= 0, dataStart + size <= bytes.count else {
                throw VolumeCryptError.failed("the engine's archive is cut short at byte \(offset) (an entry runs past its end)")
            }
            let data = UnsafeRawBufferPointer(rebasing: bytes[dataStart..<(dataStart + size)])
            offset = dataStart + (size + 511) / 512 * 512
            switch type {
            case UInt8(ascii: "x"): pax = parsePax(data); continue
            case UInt8(ascii: "g"): continue
            case UInt8(ascii: "L"): longName = text(data); continue
            case UInt8(ascii: "K"): longLink = text(data); continue
            default: break
            }
            var name = pax["path"] ?? longName ?? {
                let prefix = text(header, 345, 155), base = text(header, 0, 100)
                return prefix.isEmpty ? base : prefix + "/" + base
            }()
            while name.hasSuffix("/") { name.removeLast() }
            let mode = String(format: "%04o", try number(header, 100, 8, at: headerOffset) & 0o7777)
            let uid = try pax["uid"].flatMap { Int($0) } ?? number(header, 108, 8, at: headerOffset)
            let gid = try pax["gid"].flatMap { Int($0) } ?? number(header, 116, 8, at: headerOffset)
            var entry = TreeEntry(path: name, kind: .file, mode: mode, uid: uid, gid: gid)
            switch type {
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
                entry.size = Int64(size)
                var hasher = SHA256()
                hasher.update(data)
                entry.sha256 = SHA256.hexString(hasher.finalize())
            case UInt8(ascii: "5"): entry.kind = .directory
            case UInt8(ascii: "2"), UInt8(ascii: "1"):
                entry.kind = type == UInt8(ascii: "2") ? .symlink : .file
                entry.target = pax["linkpath"] ?? longLink ?? text(header, 157, 100)
            default:
                throw VolumeCryptError.failed("\(name) is a device, fifo or other special file: a volume backup holds files, folders and links only")
            }
            if !name.isEmpty { result.append(entry) }
            longName = nil; longLink = nil; pax = [:]
        }
        return result.sorted { $0.path < $1.path }
    }

    private static func text(_ buffer: UnsafeRawBufferPointer, _ start: Int = 0, _ length: Int? = nil) -> String {
        let slice = buffer[start..<(start + (length ?? buffer.count))]
        return String(decoding: slice.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// Octal ASCII, or base-256 (high bit of the first byte set) for values octal cannot hold.
    private static func number(_ header: UnsafeRawBufferPointer, _ start: Int, _ length: Int, at offset: Int) throws -> Int {
        let field = header[start..<(start + length)]
        if let first = field.first, first & 0x80 != 0 {
            return field.dropFirst().reduce(Int(first & 0x7F)) { $0 << 8 | Int($1) }
        }
        let digits = String(decoding: field.prefix { $0 != 0 }, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        if digits.isEmpty { return 0 }
        guard let value = Int(digits, radix: 8) else {
            throw VolumeCryptError.failed("the engine's archive has a damaged header at byte \(offset)")
        }
        return value
    }

    /// pax records: "<length> <key>=<value>\n".
    private static func parsePax(_ data: UnsafeRawBufferPointer) -> [String: String] {
        var fields: [String: String] = [:]
        var index = data.startIndex
        while index < data.endIndex {
            guard let space = data[index...].firstIndex(of: 0x20),
                  let length = Int(String(decoding: data[index..<space], as: UTF8.self)), length > 0,
                  index + length <= data.endIndex else { break }
            let record = data[(space + 1)..<(index + length - 1)]
            if let equals = record.firstIndex(of: 0x3D) {
                fields[String(decoding: record[record.startIndex..<equals], as: UTF8.self)] =
                    String(decoding: record[(equals + 1)...], as: UTF8.self)
            }
            index += length
        }
        return fields
    }
}
