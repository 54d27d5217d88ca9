#!/usr/bin/env python3
"""Generates a deterministic IaC corpus for bench/iac-scan-bench.sh.

Layout: OUT/dockerfiles/NNNN/Dockerfile, OUT/k8s/NNNN.yaml, OUT/compose/NNNN/docker-compose.yml.
The files mix clean and insecure patterns the way real repositories do: multi-stage builds, apt/apk/pip
installs with continuations, heredocs, comments, ARG/ENV, and Kubernetes workloads of several kinds,
multi-document files and anchors.
Usage: gen_iac_corpus.py OUT [--dockerfiles N] [--manifests N] [--compose N] [--seed S]"""
import argparse, os, random

BASES = ["debian:12-slim", "ubuntu:22.04", "ubuntu", "alpine:3.20", "alpine:latest", "python:3.12-slim", "node:20-bookworm",
         "golang:1.23", "eclipse-temurin:21-jre", "nginx:1.27", "redis:7.4", "gcr.io/distroless/static:nonroot", "fedora:40",
         "registry.example.com/base/runtime:2.3.1", "rust:1.81"]
PKGS = ["curl", "ca-certificates", "git", "openssl", "tzdata", "jq", "unzip", "build-essential", "libpq-dev", "python3-pip", "wget"]

def dockerfile(r, i):
    out = []
    if r.random() < 0.3:
        out.append("# syntax=docker/dockerfile:1.7")
    out.append(f"# Service {i}: generated for the iac-scan benchmark")
    if r.random() < 0.3:
        out.append(f"ARG VERSION=1.{r.randint(0, 30)}.{r.randint(0, 9)}")
    stages = r.choice([1, 1, 2, 2, 3])
    for s in range(stages):
        base = r.choice(BASES)
        name = ["build", "test", "runtime"][s] if stages > 1 else None
        out.append(f"FROM {base}" + (f" AS {name}" if name and s < stages - 1 else ""))
        out.append(f"WORKDIR {'/src' if r.random() < 0.9 else 'src'}")
        if "alpine" in base:
            pk = " ".join(r.sample(PKGS[:7], 3))
            out.append(f"RUN apk add {'--no-cache ' if r.random() < 0.6 else ''}{pk}")
        elif "fedora" in base:
            out.append("RUN dnf install -y curl jq" + (" && dnf clean all" if r.random() < 0.5 else ""))
        elif "distroless" not in base:
            pk = " \\\n      ".join(p + ("=1.2.3-1" if r.random() < 0.3 else "") for p in r.sample(PKGS, r.randint(2, 6)))
            rec = "--no-install-recommends " if r.random() < 0.6 else ""
            clean = " \\\n && rm -rf /var/lib/apt/lists/*" if r.random() < 0.6 else ""
            out.append(f"RUN apt-get update \\\n && apt-get install -y {rec}\\\n      {pk}{clean}")
        if r.random() < 0.25:
            out.append("RUN <<EOF\nset -eux\nmkdir -p /opt/app\necho built > /opt/app/stamp\nEOF")
        if r.random() < 0.2:
            out.append("RUN curl -fsSL https://install.example.com/setup.sh | bash")
        if r.random() < 0.3:
            out.append("RUN pip install " + ("--no-cache-dir " if r.random() < 0.5 else "") + "flask==3.0.3 gunicorn")
        out.append("COPY . ." if s == 0 else f"COPY --from={['build', 'test'][min(s - 1, 1)]} /src/out /app")
        if r.random() < 0.15:
            out.append("ADD https://example.com/tool.tar.gz /tmp/")
        if r.random() < 0.1:
            out.append("ENV API_TOKEN=tok_generated_" + str(i))
        for _ in range(r.randint(1, 6)):
            out.append(r.choice(["RUN make -j4", "ENV APP_ENV=production PORT=8080", "LABEL org.opencontainers.image.vendor=example",
                                 "RUN chmod 755 /src", "EXPOSE 8080", "RUN cd /src && ./configure", "COPY config/ /etc/app/"]))
    if r.random() < 0.6:
        out.append("USER " + r.choice(["app", "10001", "nobody", "root"]))
    if r.random() < 0.5:
        out.append("HEALTHCHECK --interval=30s CMD curl -fs http://localhost:8080/health || exit 1")
    if r.random() < 0.1:
        out.append("EXPOSE 22")
    out.append(r.choice(['CMD ["/app/server"]', "CMD /app/server --port 8080", 'ENTRYPOINT ["/usr/bin/tini", "--", "/app/server"]']))
    return "\n".join(out) + "\n"

def container(r, name):
    img = r.choice(["registry.example.com/%s:1.%d.%d" % (name, r.randint(0, 9), r.randint(0, 9)), "nginx", "busybox:latest",
                    "registry.example.com/%s@sha256:%s" % (name, "ab" * 32)])
    lines = [f"        - name: {name}", f"          image: {img}", "          ports:", f"            - containerPort: {r.choice([80, 8080, 9090])}"]
    if r.random() < 0.1:
        lines.append("              hostPort: 8080")
    if r.random() < 0.6:
        lines += ["          env:", "            - name: LOG_LEVEL", "              value: info"]
        if r.random() < 0.2:
            lines += ["            - name: DB_PASSWORD", "              value: changeme"]
        else:
            lines += ["            - name: DB_PASSWORD", "              valueFrom:", "                secretKeyRef: {name: db, key: password}"]
    if r.random() < 0.7:
        lines += ["          securityContext:",
                  f"            allowPrivilegeEscalation: {r.choice(['false', 'false', 'true'])}",
                  f"            readOnlyRootFilesystem: {r.choice(['true', 'false'])}"]
        if r.random() < 0.6:
            lines += ["            capabilities:", "              drop: [\"ALL\"]"]
        if r.random() < 0.1:
            lines.append("            privileged: true")
    if r.random() < 0.7:
        lines += ["          resources:", "            limits:", "              cpu: 500m", "              memory: 256Mi",
                  "            requests:", "              cpu: 100m", "              memory: 128Mi"]
    lines += ["          livenessProbe:", "            httpGet: {path: /healthz, port: 8080}", "            periodSeconds: 10"]
    return lines

def manifest(r, i):
    name = f"svc-{i}"
    kind = r.choice(["Deployment", "Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job"])
    ns = r.choice(["default", "shop", "payments", None])
    meta = [f"  name: {name}"] + ([f"  namespace: {ns}"] if ns else []) + ["  labels:", f"    app: {name}", "    team: platform"]
    pod = ["      securityContext:", "        runAsNonRoot: true", "        runAsUser: 10001"] if r.random() < 0.5 else []
    if r.random() < 0.4:
        pod += ["        seccompProfile:", "          type: RuntimeDefault"] if pod else ["      securityContext:", "        seccompProfile:", "          type: RuntimeDefault"]
    if r.random() < 0.1:
        pod.append("      hostNetwork: true")
    if r.random() < 0.5:
        pod.append("      automountServiceAccountToken: false")
    pod.append("      containers:")
    for c in range(r.randint(1, 3)):
        pod += container(r, f"{name}-c{c}")
    if r.random() < 0.2:
        pod += ["      volumes:", "        - name: host", "          hostPath:", "            path: " + r.choice(["/var/log", "/var/run/docker.sock", "/data"])]
    body = ["apiVersion: " + ("batch/v1" if kind in ("CronJob", "Job") else "apps/v1"), f"kind: {kind}", "metadata:"] + meta + ["spec:"]
    tmpl = ["  template:", "    metadata:", "      labels:", f"        app: {name}", "    spec:"] + pod
    if kind == "CronJob":
        body += ['  schedule: "*/5 * * * *"', "  jobTemplate:", "    spec:"] + ["    " + l for l in tmpl]
    elif kind == "Job":
        body += tmpl
    else:
        body += ["  selector:", "    matchLabels:", f"      app: {name}"] + (["  replicas: 2"] if kind != "DaemonSet" else []) + tmpl
    docs = ["\n".join(body)]
    if r.random() < 0.5:
        docs.append("\n".join(["apiVersion: v1", "kind: Service", "metadata:", f"  name: {name}", "spec:", "  selector:", f"    app: {name}",
                               "  ports:", "    - port: 80", "      targetPort: 8080"]))
    if r.random() < 0.3:
        docs.append("\n".join(["apiVersion: v1", "kind: ConfigMap", "metadata:", f"  name: {name}-config", "data:",
                               "  config.yaml: |", "    server:", "      port: 8080", "    features: [a, b, c]"]))
    return "# generated manifest\n" + "\n---\n".join(docs) + "\n"

def compose(r, i):
    out = ["x-defaults: &defaults", "  restart: unless-stopped", "  logging:", "    driver: json-file", "", "services:"]
    for s in range(r.randint(2, 6)):
        out += [f"  svc{s}:", "    <<: *defaults", f"    image: {r.choice(['postgres:16.4', 'redis', 'nginx:latest', 'registry.example.com/app:2.1.0'])}"]
        if r.random() < 0.5:
            out += ["    ports:", f'      - "{r.choice(["8080:80", "127.0.0.1:5432:5432", "9000"])}"']
        if r.random() < 0.3:
            out += ["    environment:", "      POSTGRES_PASSWORD: example", "      TZ: UTC"]
        if r.random() < 0.2:
            out += ["    volumes:", "      - /var/run/docker.sock:/var/run/docker.sock"]
        if r.random() < 0.1:
            out.append("    privileged: true")
        if r.random() < 0.5:
            out += ["    read_only: true", "    mem_limit: 256m", "    pids_limit: 100", "    security_opt:", "      - no-new-privileges:true"]
    return "\n".join(out) + "\n"

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--dockerfiles", type=int, default=2000)
    ap.add_argument("--manifests", type=int, default=2000)
    ap.add_argument("--compose", type=int, default=200)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    r = random.Random(a.seed)
    for i in range(a.dockerfiles):
        d = os.path.join(a.out, "dockerfiles", "%04d" % i)
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, "Dockerfile"), "w").write(dockerfile(r, i))
    os.makedirs(os.path.join(a.out, "k8s"), exist_ok=True)
    for i in range(a.manifests):
        open(os.path.join(a.out, "k8s", "%04d.yaml" % i), "w").write(manifest(r, i))
    for i in range(a.compose):
        d = os.path.join(a.out, "compose", "%04d" % i)
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, "docker-compose.yml"), "w").write(compose(r, i))

main()
