import Foundation

/// Paths and data of the fixtures beside this file, and scratch directories for a test.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path

    static func reportPath(_ name: String) -> String { directory + "/reports/\(name).json" }

    static func report(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: reportPath(name)))
    }

    /// A fresh directory under the system temp dir; the caller removes it.
    static func temporaryDirectory(_ label: String) throws -> String {
        let path = NSTemporaryDirectory() + "/contsec-trivy-test-\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// A copy of `insecure-app` in a temp directory, so Trivy sees the same relative paths wherever the repo lives.
    static func insecureAppCopy() throws -> String {
        let root = try temporaryDirectory("app")
        let copy = root + "/insecure-app"
        try FileManager.default.copyItem(atPath: directory + "/insecure-app", toPath: copy)
        return copy
    }

    /// The fake AWS key in `insecure-app/deploy.env`, read from the file so the value lives in one place only.
    static func fakeAWSKey() throws -> String {
        let text = try String(contentsOfFile: directory + "/insecure-app/deploy.env", encoding: .utf8)
        guard let range = text.range(of: "AKIA[A-Z0-9]{16}", options: .regularExpression) else {
            throw FixtureError("deploy.env holds no AKIA key")
        }
        return String(text[range])
    }

    /// Writes an executable sh script and returns its path.
    static func script(_ body: String, in directory: String, name: String = "trivy") throws -> String {
        let path = directory + "/" + name
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
