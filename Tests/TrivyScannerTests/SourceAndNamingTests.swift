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

    /// NSTemporaryDirectory() ends in "/": the scratch path must not contain "//" (it showed in findings and logs).
    @Test func scratchDirectoryPathHasNoDoubleSlash() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        #expect(!scratch.path.contains("//"), "\(scratch.path)")
        #expect(!scratch.file("report.json").contains("//"))
    }

    @Test func pathsAreNamedFromTheWorkspace() {
        #expect(ArtifactNaming.relative("/ws/images/a.tar", to: "/ws") == "images/a.tar")
        #expect(ArtifactNaming.relative("/ws/./sub/../sub", to: "/ws/") == "sub")
        #expect(ArtifactNaming.relative("/ws", to: "/ws") == ".")
        #expect(ArtifactNaming.relative("/ws2/a.tar", to: "/ws") == "/ws2/a.tar")  // a sibling is not inside
        #expect(ArtifactNaming.relative("/elsewhere/a.tar", to: nil) == "/elsewhere/a.tar")
        let sub = ArtifactNaming.make(source: .directory("/ws/sub"), subject: .directory("/ws/sub"), workspace: "/ws")
        #expect(sub.artifactName == "sub" && sub.file("Dockerfile") == "sub/Dockerfile")
        let root = ArtifactNaming.make(source: .directory("/ws"), subject: .directory("/ws"), workspace: "/ws")
        #expect(root.artifactName == "." && root.file("Dockerfile") == "Dockerfile")
        let image = ArtifactNaming.make(source: .image("nginx:1.27"), subject: .imageArchive("/tmp/contsec-trivy-x/image.tar"),
                                        workspace: "/ws")
        #expect(image.resultTarget("/tmp/contsec-trivy-x/image.tar (alpine 3.10.4)", reportName: nil) == "nginx:1.27 (alpine 3.10.4)")
        let sbom = Data(#"{"name":"/tmp/contsec-trivy-x/image.tar","ns":"http://trivy.dev/container_image//tmp/contsec-trivy-x/image.tar-1"}"#.utf8)
        #expect(String(decoding: image.renamingArtifact(in: sbom), as: UTF8.self)
                == #"{"name":"nginx:1.27","ns":"http://trivy.dev/container_image/nginx:1.27-1"}"#)
    }
}
