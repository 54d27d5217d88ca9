import ContsecPluginKit

// contsec-netpolicy: zero-trust networking — tier networks, per-service policies enforced in each container's own
// network namespace, Kubernetes NetworkPolicies from the same source, mTLS certificates, and proof with real traffic.

PluginRunner.main(Plugin(
    name: "netpolicy", version: "0.1.0", vendor: "contsec",
    description: "Zero-trust networking: segmented networks, per-service policies (Docker + Kubernetes), mTLS, proven connectivity",
    commands: [
        Command(name: "setup", description: "Create the tier networks <prefix>_<tier> and security/network/docker-compose.network.yml",
                params: setupParams, handler: setup),
        Command(name: "create-policy", description: "Write policies/<service>-policy.json and its Kubernetes NetworkPolicies",
                params: createPolicyParams, handler: createPolicy),
        Command(name: "render", description: "Render Kubernetes NetworkPolicies from edited policy files", params: renderParams, handler: render),
        Command(name: "apply-policy", description: "Enforce policies on Docker: networks, and nftables rules inside each container's namespace",
                params: applyParams, handler: applyPolicy),
        Command(name: "generate-mtls", description: "CA and per-service certificates (ECDSA P-256, SANs, serverAuth+clientAuth) through openssl",
                params: mtlsParams, handler: generateMTLS),
        Command(name: "test-connectivity", description: "Probe services with real traffic and compare the matrix with the policies",
                params: connectivityParams, handler: testConnectivity),
        Command(name: "analyze", description: "Static reachability of Kubernetes manifests (workloads x NetworkPolicies), per port",
                isDefault: true, params: analyzeParams, handler: analyze),
    ]))
