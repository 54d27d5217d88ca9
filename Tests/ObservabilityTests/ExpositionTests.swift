import Foundation
import Testing
@testable import Observability

@Suite("Prometheus exposition")
struct ExpositionTests {
    @Test("label values escape backslash, quote and newline; help escapes backslash and newline; numbers as Prometheus reads them")
    func escaping() {
        var e = Exposition()
        e.family("m", .gauge, "a\\b\nc")
        e.sample("m", [("name", "we\"ird\\na\nme")], 1.5)
        e.sample("m", [], .nan)
        e.sample("m", [], .infinity)
        e.sample("m", [], 42)
        #expect(e.text == "# HELP m a\\\\b\\nc\n# TYPE m gauge\nm{name=\"we\\\"ird\\\\na\\nme\"} 1.5\nm NaN\nm +Inf\nm 42\n")
        #expect(Exposition.labelName("com.docker.compose.project") == "com_docker_compose_project")
        #expect(Exposition.labelName("9lives") == "_9lives")
    }
}
