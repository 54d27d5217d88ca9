import ContsecPluginKit
import NetPolicy

// The flags of each command. Relative paths are read against the workspace.

let prefixParam = ParamSpec(name: "prefix", type: .string, default: "contsec",
                            description: "Application prefix: networks are <prefix>_<tier>, containers are found in this project")
let policyDirParam = ParamSpec(name: "dir", type: .path, default: "policies", description: "Folder of the *-policy.json files")

let setupParams: [ParamSpec] = [
    prefixParam,
    ParamSpec(name: "tiers", type: .list, default: .array(TierLayout.defaultTiers.map(JSONValue.string)),
              description: "Tiers, one network each, outermost first"),
    ParamSpec(name: "internal-tiers", type: .list,
              description: "Tiers whose network has no route out of the host (default: every tier but the first)"),
    ParamSpec(name: "label", type: .list, description: "Extra KEY=VALUE labels for the networks"),
]

let createPolicyParams: [ParamSpec] = [
    ParamSpec(name: "service", type: .string, required: true, description: "The service the policy is for"),
    ParamSpec(name: "ingress", type: .list, description: "Who may connect: [service:|tier:|cidr:]NAME[:PORT[-END][/PROTO]] (a bare name that is a tier is a tier)"),
    ParamSpec(name: "egress", type: .list, description: "Where it may connect, same syntax (no port: every port)"),
    ParamSpec(name: "port", type: .list, description: "Ports it listens on: [NAME=]PORT[/PROTO], e.g. http=8080, 53/udp"),
    ParamSpec(name: "tier", type: .list, description: "Tiers it joins (tiers it accepts traffic from are added)"),
    ParamSpec(name: "tiers", type: .list, default: .array(TierLayout.defaultTiers.map(JSONValue.string)),
              description: "Names that mean a tier rather than a service in --ingress/--egress"),
    ParamSpec(name: "namespace", type: .string, default: "default", description: "Kubernetes namespace of the service"),
    ParamSpec(name: "label", type: .list, description: "The pods' KEY=VALUE labels in Kubernetes (default app=<service>)"),
    ParamSpec(name: "dns", type: .bool, default: true, description: "Allow name resolution (Docker DNS; kube-dns UDP/TCP 53)"),
    ParamSpec(name: "default-deny", type: .list, default: ["ingress", "egress"], description: "Directions that block what is not allowed",
              allowed: ["ingress", "egress", "none"]),
    ParamSpec(name: "description", type: .string, description: "One line about the service"),
    policyDirParam,
    ParamSpec(name: "force", type: .bool, default: false, description: "Replace an existing policy file that differs"),
]

let renderParams: [ParamSpec] = [
    ParamSpec(name: "policy", type: .path, description: "One policy file to render (default: every policy in --dir)"),
    policyDirParam,
]

let applyParams: [ParamSpec] = [
    ParamSpec(name: "policy", type: .path, description: "A policy file; its folder holds the policies of the peers"),
    ParamSpec(name: "service", type: .list, description: "Services to apply (default: the --policy's, or every policy in --dir)"),
    policyDirParam,
    prefixParam,
    ParamSpec(name: "recreate", type: .bool, default: true,
              description: "Re-create containers in host/none/container network mode on their networks (--no-recreate refuses)"),
]

let mtlsParams: [ParamSpec] = [
    ParamSpec(name: "service", type: .list, description: "Services to issue for (default: every policy in --dir)"),
    ParamSpec(name: "alias", type: .list, description: "Extra DNS names for every listed service's certificate"),
    ParamSpec(name: "ip", type: .list, description: "IP addresses for the certificates' SANs"),
    ParamSpec(name: "days", type: .int, default: 90, description: "Validity of service certificates in days"),
    ParamSpec(name: "renew-within", type: .int, default: 30, description: "Re-issue certificates that expire within this many days"),
    ParamSpec(name: "ca-days", type: .int, default: 365, description: "Validity of a new CA in days"),
    ParamSpec(name: "ca-passphrase-env", type: .string, description: "Encrypt the CA key with the passphrase in this environment variable"),
    ParamSpec(name: "rotate-ca", type: .bool, default: false, description: "Make a new CA and re-issue the listed services' certificates"),
    ParamSpec(name: "out", type: .path, default: "security/mtls", description: "Folder for the CA and certificates"),
    policyDirParam,
    ParamSpec(name: "prefix", type: .string, description: "Also add the Docker network aliases of the project's containers as SANs"),
]

let connectivityParams: [ParamSpec] = [
    ParamSpec(name: "service", type: .string, description: "Probe from this service only (default: from every service)"),
    policyDirParam,
    prefixParam,
    ParamSpec(name: "output", type: .path, description: "Matrix file (default security/network/connectivity-<service|all>.json)"),
]

let analyzeParams: [ParamSpec] = [
    ParamSpec(name: "dir", type: .path, default: ".", description: "Folder (or file) of Kubernetes manifests, read recursively"),
    ParamSpec(name: "output", type: .path, description: "Also write the whole matrix to this file (format from --matrix-format or the extension)"),
    ParamSpec(name: "matrix-format", type: .string, description: "Matrix file format: json, txt (np-guard lines), csv or md", allowed: ["json", "txt", "csv", "md"]),
]
