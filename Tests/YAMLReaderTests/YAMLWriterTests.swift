import Testing
@testable import YAMLReader

@Suite struct YAMLWriterTests {
    @Test func kubectlStyleBlockOutput() {
        let value: YAMLValue = .object([
            ("apiVersion", .string("networking.k8s.io/v1")),
            ("metadata", .object([("name", .string("api")), ("labels", .object([]))])),
            ("spec", .object([
                ("policyTypes", .array([.string("Ingress"), .string("Egress")])),
                ("ingress", .array([.object([
                    ("from", .array([.object([("podSelector", .object([("matchLabels", .object([("app", .string("web"))]))]))])])),
                    ("ports", .array([.object([("protocol", .string("TCP")), ("port", .int(8080))])])),
                ])])),
                ("egress", .array([])),
            ])),
        ])
        #expect(YAMLWriter.document(value) == """
            apiVersion: networking.k8s.io/v1
            metadata:
              name: api
              labels: {}
            spec:
              policyTypes:
                - Ingress
                - Egress
              ingress:
                - from:
                    - podSelector:
                        matchLabels:
                          app: web
                  ports:
                    - protocol: TCP
                      port: 8080
              egress: []

            """)
    }

    @Test func stringsThatWouldReadAsSomethingElseAreQuoted() throws {
        let tricky = ["true", "no", "null", "", "8080", "0x1F", "1.5", "-dash", "a: b", "x #y", "tab\there", "line\nbreak",
                      " lead", "trail ", "*star", "plain-name", "k8s-app", "ünïcode", "a:b", "10.0.0.0/8", "\"q\"", "back\\slash"]
        let value: YAMLValue = .object(tricky.enumerated().map { ("k\($0.offset)", .string($0.element)) }
                                       + [("list", .array(tricky.map(YAMLValue.string)))])
        let text = YAMLWriter.document(value)
        let back = try YAMLReader.parse(text)
        #expect(back.count == 1)
        #expect(back[0].value == value)
        #expect(text.contains("k15: plain-name\n"))
        #expect(text.contains("k0: \"true\"\n"))
        #expect(text.contains("k1: \"no\"\n"))
    }

    @Test func severalDocuments() throws {
        let docs: [YAMLValue] = [.object([("a", .int(1))]), .object([("b", .array([.array([.int(1), .int(2)]), .null]))])]
        let text = YAMLWriter.documents(docs)
        #expect(text == "a: 1\n---\nb:\n  - - 1\n    - 2\n  - null\n")
        #expect(try YAMLReader.parse(text).map(\.value) == docs)
    }
}
