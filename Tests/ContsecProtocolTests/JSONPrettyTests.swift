import Testing
@testable import ContsecProtocol

@Suite struct JSONPrettyTests {
    @Test func indentsWithChosenKeyOrderAndReadsBack() throws {
        let value: JSONValue = ["service": "api", "kind": "ServicePolicy", "zeta": [], "ports": [["port": 8080, "protocol": "TCP"]],
                                "tiers": ["backend", "data"], "labels": [:], "allowDNS": true]
        let text = JSONWriter.pretty(value, keyOrder: ["kind", "service"])
        #expect(text == """
            {
              "kind": "ServicePolicy",
              "service": "api",
              "allowDNS": true,
              "labels": {},
              "ports": [
                {
                  "port": 8080,
                  "protocol": "TCP"
                }
              ],
              "tiers": ["backend","data"],
              "zeta": []
            }

            """)
        #expect(try JSONParser.parse(text) == value)
    }
}
