import Testing
@testable import ContsecProtocol

@Suite struct JSONParserTests {
    @Test func parsesAllValueKinds() throws {
        let v = try JSONParser.parse(#"{"a":1,"b":-2.5e1,"c":"x\ny\u00e9\ud83d\ude00","d":[true,false,null],"e":{}}"#)
        #expect(v["a"] == .int(1))
        #expect(v["b"] == .double(-25))
        #expect(v["c"] == .string("x\nyé😀"))
        #expect(v["d"] == .array([.bool(true), .bool(false), .null]))
        #expect(v["e"] == .object([:]))
    }

    @Test func roundTripsThroughTheWriter() throws {
        let v: JSONValue = ["s": "quote\" back\\ tab\t ctl\u{01} ü", "n": [1, 2.5, nil], "o": ["k": true]]
        let text = JSONWriter.string(v)
        #expect(!text.contains("\n"))
        #expect(try JSONParser.parse(text) == v)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "\"abc", "tru", "{\"a\":1} x", "\"\\x\"", "[\"\u{01}\"]", "NaN"])
    func rejectsInvalidJSON(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
    }
}

@Suite struct SHA256Tests {
    @Test func knownVectors() {
        #expect(SHA256.hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array(String(repeating: "a", count: 1_000).utf8)
        #expect(SHA256.hex(long) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// FIPS 180-4's million-'a' vector fed in pieces that straddle block boundaries in every way.
    @Test func piecewiseUpdates() {
        let message = [UInt8](repeating: 0x61, count: 1_000_000)
        for piece in [13, 63, 64, 65, 65_537] {
            var hasher = SHA256()
            var offset = 0
            while offset < message.count {
                let end = min(offset + piece, message.count)
                hasher.update(message[offset..<end])
                offset = end
            }
            #expect(SHA256.hexString(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", "pieces of \(piece)")
        }
    }
}
