/// Direct encoders for the messages a plugin sends most: a `finding` or `action` notification is written
/// straight into a byte buffer in a fixed field order, without building a `JSONValue` tree or sorting keys.
extension Finding {
    public func writeJSON(into out: inout [UInt8]) {
        out.append(contentsOf: #"{"ruleId":"#.utf8)
        JSONWriter.writeString(ruleId, into: &out)
        out.append(contentsOf: #","title":"#.utf8)
        JSONWriter.writeString(title, into: &out)
        out.append(contentsOf: #","severity":""#.utf8)
        out.append(contentsOf: severity.rawValue.utf8)
        out.append(contentsOf: #"","category":""#.utf8)
        out.append(contentsOf: category.rawValue.utf8)
        out.append(contentsOf: #"","target":{"kind":"#.utf8)
        JSONWriter.writeString(target.kind, into: &out)
        out.append(contentsOf: #","name":"#.utf8)
        JSONWriter.writeString(target.name, into: &out)
        if let f = target.file { out.append(contentsOf: #","file":"#.utf8); JSONWriter.writeString(f, into: &out) }
        if let l = target.line { out.append(contentsOf: #","line":"#.utf8); out.append(contentsOf: String(l).utf8) }
        if let c = target.column { out.append(contentsOf: #","column":"#.utf8); out.append(contentsOf: String(c).utf8) }
        if let e = target.endLine { out.append(contentsOf: #","endLine":"#.utf8); out.append(contentsOf: String(e).utf8) }
        out.append(UInt8(ascii: "}"))
        if let message { out.append(contentsOf: #","message":"#.utf8); JSONWriter.writeString(message, into: &out) }
        if let remediation { out.append(contentsOf: #","remediation":"#.utf8); JSONWriter.writeString(remediation, into: &out) }
        if !references.isEmpty {
            out.append(contentsOf: #","references":["#.utf8)
            for (i, r) in references.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.writeString(r, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        if let fingerprint { out.append(contentsOf: #","fingerprint":"#.utf8); JSONWriter.writeString(fingerprint, into: &out) }
        if !properties.isEmpty {
            out.append(contentsOf: #","properties":"#.utf8)
            JSONWriter.write(.object(properties), into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// The whole `finding` notification frame, LF included.
    public func notificationFrame(into out: inout [UInt8]) {
        out.append(contentsOf: #"{"jsonrpc":"2.0","method":"finding","params":"#.utf8)
        writeJSON(into: &out)
        out.append(contentsOf: "}\n".utf8)
    }
}
