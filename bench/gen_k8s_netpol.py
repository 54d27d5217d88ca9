#!/usr/bin/env python3
"""Writes a synthetic cluster for `contsec run netpolicy analyze`: W workloads and P NetworkPolicies in 10 namespaces.

Usage: gen_k8s_netpol.py OUT_DIR WORKLOADS POLICIES

Every namespace gets a default-deny (ingress + egress); the other policies each select one app and allow: from the
frontend tier on its named port `http`, from the `ops` namespaces (namespaceSelector) on `metrics`, egress to the
next app on 8080 and to kube-dns, and every fourth one egress to an ipBlock with an except (so the outside world is
split into several ranges). Deterministic: the same arguments give the same files.
"""
import os
import sys

out, workloads, policies = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
namespaces = 10
os.makedirs(out, exist_ok=True)
tiers = ["frontend", "backend", "data"]

with open(os.path.join(out, "namespaces.yaml"), "w") as f:
    docs = []
    for n in range(namespaces):
        team = "ops" if n == 0 else f"team{n}"
        docs.append(f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns{n}\n  labels: {{team: {team}}}\n")
    docs.append("apiVersion: v1\nkind: Pod\nmetadata:\n  name: coredns\n  namespace: kube-system\n  labels: {k8s-app: kube-dns}\n"
                "spec:\n  containers: [{name: dns, image: coredns:1, ports: [{name: dns, containerPort: 53, protocol: UDP}]}]\n")
    f.write("---\n".join(docs))

with open(os.path.join(out, "workloads.yaml"), "w") as f:
    docs = []
    for i in range(workloads):
        ns, tier = i % namespaces, tiers[i % 3]
        docs.append(f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: app{i}, namespace: ns{ns}}}
spec:
  selector: {{matchLabels: {{app: app{i}}}}}
  template:
    metadata: {{labels: {{app: app{i}, tier: {tier}}}}}
    spec:
      containers:
        - name: main
          image: example/app{i}:1
          ports: [{{name: http, containerPort: 8080}}, {{name: metrics, containerPort: 9100}}]
""")
    f.write("---\n".join(docs))

with open(os.path.join(out, "policies.yaml"), "w") as f:
    docs = []
    deny = min(namespaces, policies)
    for n in range(deny):
        docs.append(f"""apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: default-deny, namespace: ns{n}}}
spec:
  podSelector: {{}}
  policyTypes: [Ingress, Egress]
""")
    for j in range(policies - deny):
        i = (j * 7) % workloads
        nxt = (i + namespaces) % workloads  # same namespace
        ns = i % namespaces
        ipblock = ""
        if j % 4 == 0:
            ipblock = f"""    - to: [{{ipBlock: {{cidr: 10.{j % 250}.0.0/16, except: [10.{j % 250}.1.0/24]}}}}]
      ports: [{{port: 443}}]
"""
        docs.append(f"""apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: allow-app{i}-{j}, namespace: ns{ns}}}
spec:
  podSelector: {{matchLabels: {{app: app{i}}}}}
  policyTypes: [Ingress, Egress]
  ingress:
    - from: [{{podSelector: {{matchLabels: {{tier: frontend}}}}}}]
      ports: [{{port: http}}]
    - from: [{{namespaceSelector: {{matchLabels: {{team: ops}}}}}}]
      ports: [{{port: metrics}}]
  egress:
    - to: [{{podSelector: {{matchLabels: {{app: app{nxt}}}}}}}]
      ports: [{{port: 8080}}]
    - to: [{{namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: kube-system}}}}, podSelector: {{matchLabels: {{k8s-app: kube-dns}}}}}}]
      ports: [{{protocol: UDP, port: 53}}, {{protocol: TCP, port: 53}}]
{ipblock}""")
    f.write("---\n".join(docs))
