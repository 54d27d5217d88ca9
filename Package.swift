// swift-tools-version:6.0
import PackageDescription

// No package dependencies by design: Foundation, Dispatch, Glibc and the toolchain's test frameworks only.
let package = Package(
    name: "contsec",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "contsec", targets: ["contsec"]),
        .library(name: "ContsecPluginKit", targets: ["ContsecPluginKit"]),
        .library(name: "ContsecProtocol", targets: ["ContsecProtocol"]),
        .executable(name: "contsec-iac-scan", targets: ["contsec-iac-scan"]),
        .executable(name: "contsec-cis-bench", targets: ["contsec-cis-bench"]),
        .executable(name: "contsec-trivy-scanner", targets: ["contsec-trivy-scanner"]),
        .executable(name: "contsec-registry", targets: ["contsec-registry"]),
        .executable(name: "contsec-observability", targets: ["contsec-observability"]),
        .executable(name: "contsec-volume-crypt", targets: ["contsec-volume-crypt"]),
        .executable(name: "contsec-netpolicy", targets: ["contsec-netpolicy"]),
        .executable(name: "contsec-seccomp-gen", targets: ["contsec-seccomp-gen"]),
    ],
    targets: [
        // Wire types and framing only: no process code.
        .target(name: "ContsecProtocol"),
        // The Swift SDK plugin authors use.
        .target(name: "ContsecPluginKit", dependencies: ["ContsecProtocol"]),
        // Discovery, supervision, RPC session, event bus, reporters, gates.
        .target(name: "ContsecHost", dependencies: ["ContsecProtocol", "YAMLReader", "ProcessKit"]),
        // Plugin-side helpers: Docker Engine API client, tool runner, confined file writer.
        .target(name: "ContainerKit", dependencies: ["ContsecProtocol", "ProcessKit"]),
        // Spawning and supervising child processes: one implementation for the host's plugins and the tool runner.
        .target(name: "ProcessKit"),
        // A loopback-first, bounded HTTP/1.1 server for exporters and dashboards (Foundation + POSIX sockets).
        .target(name: "HTTPServer"),
        // A YAML reader with line positions, for compose files and Kubernetes manifests.
        .target(name: "YAMLReader"),
        // Keys, signatures and certificates through the real openssl (plugin-side; never hand-written crypto).
        .target(name: "CryptoTools", dependencies: ["ContsecProtocol", "ContainerKit"]),
        // OCI Distribution API client (auth, manifests, blobs, tags, delete) for plugins that talk to registries.
        .target(name: "RegistryClient", dependencies: ["ContsecProtocol"]),
        .executableTarget(name: "contsec", dependencies: ["ContsecHost", "ContsecProtocol", "ProcessKit"]),

        // Plugins: one executable each, product name contsec-<name>.
        .target(name: "IaCScan", dependencies: ["ContsecProtocol", "YAMLReader"], path: "Plugins/iac-scan/Library"),
        .executableTarget(name: "contsec-iac-scan", dependencies: ["IaCScan", "ContsecPluginKit"], path: "Plugins/iac-scan/Executable"),
        .target(name: "CISBench", dependencies: ["ContsecProtocol", "ContainerKit"], path: "Plugins/cis-bench/Library"),
        .executableTarget(name: "contsec-cis-bench", dependencies: ["CISBench", "ContsecPluginKit", "ContainerKit"], path: "Plugins/cis-bench/Executable"),
        .target(name: "TrivyScanner", dependencies: ["ContsecProtocol", "ContainerKit"], path: "Plugins/trivy-scanner/Library"),
        .executableTarget(name: "contsec-trivy-scanner", dependencies: ["TrivyScanner", "ContsecPluginKit", "ContainerKit"], path: "Plugins/trivy-scanner/Executable"),
        .target(name: "Observability", dependencies: ["ContsecProtocol", "ContainerKit", "HTTPServer"], path: "Plugins/observability/Library"),
        .executableTarget(name: "contsec-observability", dependencies: ["Observability", "ContsecPluginKit", "ContainerKit", "HTTPServer"],
                          path: "Plugins/observability/Executable"),
        .target(name: "RegistryPlugin", dependencies: ["ContsecProtocol", "ContainerKit", "CryptoTools", "RegistryClient", "TrivyScanner"],
                path: "Plugins/registry/Library"),
        .executableTarget(name: "contsec-registry",
                          dependencies: ["RegistryPlugin", "ContsecPluginKit", "ContainerKit", "CryptoTools", "RegistryClient", "TrivyScanner"],
                          path: "Plugins/registry/Executable"),
        .target(name: "VolumeCrypt", dependencies: ["ContsecProtocol", "ContainerKit"], path: "Plugins/volume-crypt/Library"),
        .executableTarget(name: "contsec-volume-crypt", dependencies: ["VolumeCrypt", "ContsecPluginKit", "ContainerKit"], path: "Plugins/volume-crypt/Executable"),
        .target(name: "NetPolicy", dependencies: ["ContsecProtocol", "ContainerKit", "CryptoTools", "YAMLReader"],
                path: "Plugins/netpolicy/Library"),
        .executableTarget(name: "contsec-netpolicy", dependencies: ["NetPolicy", "ContsecPluginKit", "ContainerKit", "CryptoTools"],
                          path: "Plugins/netpolicy/Executable"),
        .target(name: "SeccompGen", dependencies: ["ContsecProtocol", "ContainerKit"], path: "Plugins/seccomp-gen/Library"),
        .executableTarget(name: "contsec-seccomp-gen", dependencies: ["SeccompGen", "ContsecPluginKit", "ContainerKit"], path: "Plugins/seccomp-gen/Executable"),
        // Test-only plugins: built as test-plugin-<name>, a name discovery never picks up, so users never see them;
        // tests and benchmarks reach them as contsec-<name> links on CONTSEC_PLUGIN_PATH (Tests/ContsecHostTests/Support.swift).
        // A do-nothing plugin: start-up benchmark and the smallest example of the kit.
        .executableTarget(name: "test-plugin-noop", dependencies: ["ContsecPluginKit"], path: "Plugins/noop"),
        // A plugin whose misbehaviour is chosen by arguments: crash, hang, pollute, flood. Used by tests and bench.
        .executableTarget(name: "test-plugin-testkit", dependencies: ["ContsecPluginKit"], path: "Plugins/testkit"),

        .testTarget(name: "ContsecProtocolTests", dependencies: ["ContsecProtocol"]),
        .testTarget(name: "ContsecHostTests", dependencies: ["ContsecHost", "ContsecProtocol"], exclude: ["Fixtures"]),
        .testTarget(name: "ProcessKitTests", dependencies: ["ProcessKit"]),
        // A second dockerd on 127.0.0.1 with --tlsverify (certificates from CryptoTools), for remote-engine tests.
        .target(name: "EngineTestSupport", dependencies: ["ContainerKit", "CryptoTools"], path: "Tests/EngineTestSupport"),
        .testTarget(name: "ContainerKitTests", dependencies: ["ContainerKit", "ContsecProtocol", "EngineTestSupport"]),
        .testTarget(name: "YAMLReaderTests", dependencies: ["YAMLReader", "ContsecProtocol"], exclude: ["Fixtures"]),
        .testTarget(name: "CryptoToolsTests", dependencies: ["CryptoTools", "ContainerKit"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer"]),
        .testTarget(name: "ObservabilityTests", dependencies: ["Observability", "ContainerKit", "HTTPServer", "ContsecProtocol", "YAMLReader"]),
        // Registry fixtures (skopeo-pushed OCI images, the test registries' facts) shared by the registry test targets.
        .target(name: "RegistryTestSupport", dependencies: ["ContsecProtocol"], path: "Tests/RegistryTestSupport"),
        .testTarget(name: "RegistryClientTests", dependencies: ["RegistryClient", "RegistryTestSupport", "ContsecProtocol"]),
        .testTarget(name: "RegistryPluginTests",
                    dependencies: ["RegistryPlugin", "RegistryClient", "CryptoTools", "ContainerKit", "RegistryTestSupport", "ContsecProtocol"]),
        .testTarget(name: "CISBenchTests", dependencies: ["CISBench", "ContainerKit", "ContsecProtocol", "EngineTestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "TrivyScannerTests", dependencies: ["TrivyScanner", "ContainerKit", "ContsecProtocol"], exclude: ["Fixtures"]),
        .testTarget(name: "VolumeCryptTests", dependencies: ["VolumeCrypt", "ContainerKit", "ContsecProtocol"]),
        .testTarget(name: "NetPolicyTests", dependencies: ["NetPolicy", "ContainerKit", "CryptoTools", "YAMLReader",
                                                           "ContsecProtocol", "ContsecHost", "IaCScan"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "SeccompGenTests", dependencies: ["SeccompGen", "ContainerKit", "ContsecProtocol"], exclude: ["Fixtures"]),
        .testTarget(name: "IaCScanTests", dependencies: ["IaCScan", "YAMLReader", "ContsecProtocol", "ContainerKit"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
