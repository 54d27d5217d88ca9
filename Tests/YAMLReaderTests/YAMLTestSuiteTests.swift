import ContsecProtocol
import Testing
@testable import YAMLReader

/// The whole YAML test suite, every run. A valid case must read as the suite's JSON or be refused as unsupported —
/// never a different value, never a syntax error. The floors below may only go up: raise them when the reader improves.
@Suite struct YAMLTestSuiteTests {
    /// Valid cases with expected JSON that read exactly as that JSON (of 279).
    static let validPassFloor = 279
    /// Invalid cases the reader refuses (of 94).
    static let invalidRejectedFloor = 89
    /// Invalid only because lines inside a flow collection or a quoted scalar are not indented more than the parent.
    /// libyaml, and the Go parsers Kubernetes and Compose use, load these; refusing them would skip a file the
    /// cluster accepts (`args: [` ... `]` with the bracket under the key is common).
    static let acceptedLikeLibyaml: Set<String> = ["9C9N", "DK95/01", "QB6E", "VJP3/00", "Y79Y/003"]
    /// Valid syntax refused on purpose. YAML 1.2 (3.2.1.1) makes equal keys in one mapping an error of the loaded
    /// document; the suite only checks syntax. Refusing them keeps a scanner from reading a different value than
    /// the cluster's parser.
    static let refusedByPolicy = ["2JQS": "duplicate mapping key"]

    struct Outcome {
        var passed: [String] = []
        var unsupported: [String] = []
        var wrongValue: [String] = []
        var validRejected: [String] = []
        var invalidRejected: [String] = []
        var invalidAccepted: [String] = []
    }

    static func run() throws -> Outcome {
        var o = Outcome()
        for c in try YAMLSuiteCase.all() {
            let result: Result<[YAMLNode], YAMLError>
            do throws(YAMLError) { result = .success(try YAMLReader.parse(bytes: c.yaml)) } catch { result = .failure(error) }
            if c.invalid {
                switch result {
                case .success where Self.acceptedLikeLibyaml.contains(c.id): break
                case .success: o.invalidAccepted.append("\(c)")
                case .failure: o.invalidRejected.append(c.id)
                }
                continue
            }
            switch result {
            case .failure(let e) where e.unsupported:
                o.unsupported.append("\(c): \(e)")
            case .failure(let e) where Self.refusedByPolicy[c.id].map(e.message.contains) == true:
                continue
            case .failure(let e):
                o.validRejected.append("\(c): \(e)")
            case .success(let docs):
                guard let json = c.json else { continue } // valid, no JSON form: reading it without an error is all we ask
                if docs.count != json.count {
                    o.wrongValue.append("\(c): \(docs.count) documents, expected \(json.count)")
                } else if let d = zip(docs, json).lazy.compactMap({ difference($0.value, $1) }).first {
                    o.wrongValue.append("\(c): \(d)")
                } else {
                    o.passed.append(c.id)
                }
            }
        }
        return o
    }

    @Test func everyValidCaseReadsRightOrIsRefusedAsUnsupported() throws {
        let o = try Self.run()
        #expect(o.wrongValue.isEmpty, "wrong values:\n\(o.wrongValue.joined(separator: "\n"))")
        #expect(o.validRejected.isEmpty, "valid documents refused as errors:\n\(o.validRejected.joined(separator: "\n"))")
        #expect(o.passed.count >= Self.validPassFloor, "valid cases passing: \(o.passed.count), floor \(Self.validPassFloor)")
        #expect(o.invalidAccepted.isEmpty, "invalid documents accepted:\n\(o.invalidAccepted.joined(separator: "\n"))")
        #expect(o.invalidRejected.count >= Self.invalidRejectedFloor,
                "invalid cases refused: \(o.invalidRejected.count), floor \(Self.invalidRejectedFloor); accepted:\n\(o.invalidAccepted.joined(separator: "\n"))")
        print("yaml-test-suite: \(o.passed.count) valid cases read right, \(o.unsupported.count) refused as unsupported, "
              + "\(o.invalidRejected.count) invalid refused, \(o.invalidAccepted.count) invalid accepted")
        for u in o.unsupported { print("  unsupported: \(u)") }
        for u in o.invalidAccepted { print("  invalid accepted: \(u)") }
    }

    /// The harness itself: the vendored suite is complete and its JSON splits into one value per document.
    @Test func vendoredSuiteIsComplete() throws {
        let all = try YAMLSuiteCase.all()
        #expect(all.count == 402)
        #expect(all.filter(\.invalid).count == 94)
        #expect(all.filter { !$0.invalid && $0.json != nil }.count == 279)
        let multi = try #require(all.first { $0.id == "6ZKB" }) // three documents: a string, null, a mapping
        #expect(multi.json == ["Document", .null, ["matches %": 20]])
    }
}
