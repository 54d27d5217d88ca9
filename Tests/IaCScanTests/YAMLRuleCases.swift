@testable import IaCScan

/// A compose service that passes every CS-DC rule.
let secureCompose = """
services:
  app:
    image: registry.example.com/app:1.2.3
    read_only: true
    mem_limit: 256m
    pids_limit: 100
    user: "10001:10001"
    security_opt:
      - no-new-privileges:true
    cap_drop: [ALL]
    ports:
      - "127.0.0.1:8080:8080"
    volumes:
      - ./data:/data
      - cache:/cache
    environment:
      DB_PASSWORD_FILE: /run/secrets/db
      DB_PASSWORD: ${DB_PASSWORD}
volumes:
  cache: {}

"""

private func dc(_ id: String, _ edits: [(String, String)], _ marker: String) -> RuleCase {
    RuleCase(id: id, kind: .compose, bad: variant(secureCompose, edits), marker: marker, good: secureCompose)
}

let composeCases: [RuleCase] = [
    dc("CS-DC-001", [("    read_only: true\n", "    read_only: true\n    privileged: true\n")], "privileged"),
    dc("CS-DC-002", [("    read_only: true\n", "    read_only: true\n    network_mode: host\n")], "network_mode"),
    dc("CS-DC-003", [("    read_only: true\n", "    read_only: true\n    pid: host\n")], "pid: host"),
    dc("CS-DC-004", [("    read_only: true\n", "    read_only: true\n    ipc: host\n")], "ipc: host"),
    dc("CS-DC-005", [("- ./data:/data", "- /var/run/docker.sock:/var/run/docker.sock:ro")], "docker.sock"),
    dc("CS-DC-006", [("- ./data:/data", "- /etc:/host/etc:ro")], "/etc:"),
    dc("CS-DC-007", [("    cap_drop: [ALL]\n", "    cap_drop: [ALL]\n    cap_add:\n      - NET_ADMIN\n")], "- NET_ADMIN"),
    dc("CS-DC-008", [("      - no-new-privileges:true\n", "      - no-new-privileges:true\n      - seccomp=unconfined\n")], "seccomp"),
    dc("CS-DC-009", [("      - no-new-privileges:true\n", "      - no-new-privileges:true\n      - apparmor:unconfined\n")], "apparmor"),
    dc("CS-DC-010", [("- no-new-privileges:true", "- label:disable")], "  app:"),
    dc("CS-DC-011", [("    mem_limit: 256m\n", "")], "  app:"),
    dc("CS-DC-012", [("    pids_limit: 100\n", "")], "  app:"),
    dc("CS-DC-013", [("read_only: true", "read_only: false")], "read_only"),
    dc("CS-DC-014", [("\"127.0.0.1:8080:8080\"", "\"8080:8080\"")], "8080:8080"),
    dc("CS-DC-015", [("app:1.2.3", "app:latest")], "image:"),
    dc("CS-DC-016", [("DB_PASSWORD: ${DB_PASSWORD}", "DB_PASSWORD: hunter2")], "DB_PASSWORD: hunter2"),
    dc("CS-DC-017", [("user: \"10001:10001\"", "user: root")], "user: root"),
    dc("CS-DC-018", [("    read_only: true\n", "    read_only: true\n    userns_mode: host\n")], "userns_mode"),
]

/// A Pod that passes every CS-K8S rule.
let securePod = """
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: app
      image: registry.example.com/web:1.4.2@sha256:4c8c1b7f1e2d3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345a
      livenessProbe:
        httpGet: {path: /healthz, port: 8080}
      readinessProbe:
        httpGet: {path: /ready, port: 8080}
      ports:
        - containerPort: 8080
      env:
        - name: DB_PASSWORD
          valueFrom:
            secretKeyRef: {name: db, key: password}
      securityContext:
        privileged: false
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: ["ALL"]
          add: ["NET_BIND_SERVICE"]
      resources:
        limits: {cpu: 500m, memory: 256Mi}
        requests: {cpu: 100m, memory: 128Mi}
  volumes:
    - name: tmp
      emptyDir: {}

"""

private func k8s(_ id: String, _ edits: [(String, String)], _ marker: String) -> RuleCase {
    RuleCase(id: id, kind: .kubernetes, bad: variant(securePod, edits), marker: marker, good: securePod)
}

let kubernetesCases: [RuleCase] = [
    k8s("CS-K8S-001", [("privileged: false", "privileged: true")], "privileged: true"),
    k8s("CS-K8S-002", [("allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true")], "allowPrivilegeEscalation"),
    k8s("CS-K8S-003", [("    runAsNonRoot: true\n    runAsUser: 10001\n", "    runAsUser: 0\n")], "runAsUser: 0"),
    k8s("CS-K8S-004", [("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false")], "readOnlyRootFilesystem"),
    k8s("CS-K8S-005", [("drop: [\"ALL\"]", "drop: [\"NET_RAW\"]")], "drop:"),
    k8s("CS-K8S-006", [("add: [\"NET_BIND_SERVICE\"]", "add: [\"NET_BIND_SERVICE\", \"IPC_LOCK\"]")], "add:"),
    k8s("CS-K8S-007", [("      emptyDir: {}", "      hostPath:\n        path: /data")], "path: /data"),
    k8s("CS-K8S-008", [("      emptyDir: {}", "      hostPath:\n        path: /var/run/docker.sock")], "docker.sock"),
    k8s("CS-K8S-009", [("  automountServiceAccountToken: false\n", "  automountServiceAccountToken: false\n  hostNetwork: true\n")], "hostNetwork"),
    k8s("CS-K8S-010", [("  automountServiceAccountToken: false\n", "  automountServiceAccountToken: false\n  hostPID: true\n")], "hostPID"),
    k8s("CS-K8S-011", [("  automountServiceAccountToken: false\n", "  automountServiceAccountToken: false\n  hostIPC: true\n")], "hostIPC"),
    k8s("CS-K8S-012", [("limits: {cpu: 500m, memory: 256Mi}", "limits: {memory: 256Mi}")], "resources:"),
    k8s("CS-K8S-013", [("limits: {cpu: 500m, memory: 256Mi}", "limits: {cpu: 500m}")], "resources:"),
    k8s("CS-K8S-014", [("requests: {cpu: 100m, memory: 128Mi}", "requests: {memory: 128Mi}")], "resources:"),
    k8s("CS-K8S-015", [("requests: {cpu: 100m, memory: 128Mi}", "requests: {cpu: 100m}")], "resources:"),
    k8s("CS-K8S-016", [("web:1.4.2@sha256:4c8c1b7f1e2d3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345a", "web:latest")], "image:"),
    k8s("CS-K8S-017", [("namespace: shop", "namespace: default")], "namespace:"),
    k8s("CS-K8S-018", [("automountServiceAccountToken: false", "automountServiceAccountToken: true")], "automountServiceAccountToken"),
    k8s("CS-K8S-019", [("    seccompProfile:\n      type: RuntimeDefault\n", "")], "- name: app"),
    k8s("CS-K8S-020", [("type: RuntimeDefault", "type: Unconfined")], "Unconfined"),
    k8s("CS-K8S-021", [("        - containerPort: 8080\n", "        - containerPort: 8080\n          hostPort: 8080\n")], "hostPort"),
    k8s("CS-K8S-022", [("          valueFrom:\n            secretKeyRef: {name: db, key: password}\n", "          value: hunter2\n")], "value: hunter2"),
    k8s("CS-K8S-023", [("web:1.4.2@sha256:4c8c1b7f1e2d3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345a", "web:1.4.2")], "image:"),
    k8s("CS-K8S-024", [("      livenessProbe:\n        httpGet: {path: /healthz, port: 8080}\n", "")], "- name: app"),
    k8s("CS-K8S-025", [("      readinessProbe:\n        httpGet: {path: /ready, port: 8080}\n", "")], "- name: app"),
    k8s("CS-K8S-026", [("runAsUser: 10001", "runAsUser: 1000")], "runAsUser: 1000"),
    k8s("CS-K8S-027", [("  securityContext:\n    runAsNonRoot: true\n    runAsUser: 10001\n    seccompProfile:\n      type: RuntimeDefault\n", ""),
                       ("        privileged: false\n", "        privileged: false\n        runAsNonRoot: true\n        runAsUser: 10001\n        seccompProfile: {type: RuntimeDefault}\n")],
        "spec:"),
]
