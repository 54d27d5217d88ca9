/// Volume names as Docker accepts them (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`); they also name folders in the state root.
public enum VolumeName {
    public static func validate(_ name: String?, param: String = "volume") throws -> String {
        guard let name, !name.isEmpty else {
            throw VolumeCryptError.invalidParameter(param: param, message: "a volume name is required, e.g. --\(param) secure-data")
        }
        let bytes = Array(name.utf8)
        func allowed(_ b: UInt8, first: Bool) -> Bool {
            (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b)
                || (!first && (b == 0x5F || b == 0x2E || b == 0x2D))
        }
        guard bytes.count >= 2, bytes.count <= 128, allowed(bytes[0], first: true),
              bytes.dropFirst().allSatisfy({ allowed($0, first: false) }) else {
            throw VolumeCryptError.invalidParameter(
                param: param,
                message: "'\(name)' is not a valid volume name: use 2 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit")
        }
        return name
    }
}
