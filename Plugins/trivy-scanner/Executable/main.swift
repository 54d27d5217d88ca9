import ContsecPluginKit

// trivy-scanner: wraps Aqua Security's Trivy. The library (TrivyScanner) runs Trivy and maps its report;
// these files only declare the commands and connect the library to the kit.
PluginRunner.main(Plugin(
    name: "trivy-scanner", version: "1.0.0", vendor: "contsec",
    description: "Image, directory and archive scanning with Trivy (vulnerabilities, misconfigurations, secrets), "
        + "deployment gates, and SBOMs",
    commands: [ScanCommand.command, SBOMCommand.command]))
