import Foundation
import Testing
@testable import TrivyScanner

@Suite struct SourceAndNamingTests {
    @Test func exactlyOneSource() throws {
        #expect(try ScanSource.from(image: "nginx:1.27", repo: nil, tag: nil, input: nil, dir: nil) == .image("nginx:1.27"))
        #expect(try ScanSource.from(image: nil, repo: "your-org/your-app", tag: "latest", input: nil, dir: nil)
                == .image("your-org/your-app:latest"))
        #expect(try ScanSource.from(image: nil, repo: nil, tag: nil, input: nil, dir: Fixtures.directory)
                == .directory(Fixtures.directory))
        let report = Fixtures.reportPath("alpine-39")
        #expect(try ScanSource.from(image: nil, repo: nil, tag: nil, input: report, dir: nil) == .archive(report))

        #expect(throws: TrivyScannerError.self) { try ScanSource.from(image: nil, repo: nil, tag: nil, input: nil, dir: nil) }
        #expect(throws: TrivyScannerError.self) { try ScanSource.from(image: "a", repo: "b", tag: nil, input: nil, dir: nil) }
        #expect(throws: TrivyScannerError.self) { try ScanSource.from(image: "a", repo: nil, tag: nil, input: report, dir: nil) }
        #expect(throws: TrivyScannerError.self) { try ScanSource.from(image: nil, repo: nil, tag: "1", input: nil, dir: nil) }
        #expect(throws: TrivyScannerError.invalidParameter(param: "dir", message: "\(report) is not a directory")) {
            try ScanSource.from(image: nil, repo: nil, tag: nil, input: nil, dir: report)
        }
        #expect(throws: TrivyScannerError.self) {
            try ScanSource.from(image: nil, repo: nil, tag: nil, input: Fixtures.directory, dir: nil)
        }
        #expect(throws: TrivyScannerError.self) { try ScanSource.from(image: "--evil", repo: nil, tag: nil, input: nil, dir: nil) }
    }

    @Test func sbomFileNames() {
        #expect(SBOMJob.defaultFileName(for: .image("contsec-test/busybox:1"), format: .cyclonedx) == "sbom-contsec-test-busybox-1.cdx.json")
        #expect(SBOMJob.defaultFileName(for: .image("127.0.0.1:5000/team/app@sha256:ab"), format: .spdxJSON)
                == "sbom-127.0.0.1-5000-team-app-sha256-ab.spdx.json")
        #expect(SBOMJob.defaultFileName(for: .archive("/x/y/app.tar"), format: .cyclonedx) == "sbom-app.tar.cdx.json")
        #expect(ImageReference.sanitized("../../etc") == "etc")
        #expect(ImageReference.sanitized("///") == "image")
    }

    @Test func scratchDirectoryIsPrivateAndRemoved() throws {
        let scratch = try ScratchDirectory(prefix: "contsec-trivy-unit")
        var info = stat()
        #expect(stat(scratch.path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
        try Data("x".utf8).write(to: URL(fileURLWithPath: scratch.file("report.json")))
        scratch.remove()
        #expect(!FileManager.default.fileExists(atPath: scratch.path))
        scratch.remove()  // twice is harmless
    }
}
