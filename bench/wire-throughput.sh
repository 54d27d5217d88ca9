#!/usr/bin/env bash
# End-to-end wire throughput: a Swift plugin emits N findings (default 1,000,000) → host → JSONL file.
# Prints findings/s and the host's peak RSS, and for comparison the rate of Python's json.loads over the same
# stream (the JSONL file's finding lines), measured in the same run. Release build.
# Usage: bench/wire-throughput.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
swift build -c release --product contsec >/dev/null
swift build -c release --product test-plugin-testkit >/dev/null
BIN=$(swift build -c release --show-bin-path)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
# testkit is test-only: built as test-plugin-testkit, reached through --plugin-path under the name contsec-testkit.
ln -s "$BIN/test-plugin-testkit" "$OUT/contsec-testkit"
python3 - "$BIN" "$N" "$OUT" <<'PY'
import json, os, resource, subprocess, sys, time
bin_dir, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
jsonl = os.path.join(out, "events.jsonl")
report = os.path.join(out, "report.json")
# JSONL is the stream measured; a JSON report beside it would cost as much again, so the host's own peak RSS
# (VmHWM, see HostResources.swift) comes from a second, small run's report only when asked: here ru_maxrss of the
# host is used, as Python starts it with fork/exec (no inherited high-water mark).
cmd = [f"{bin_dir}/contsec", "run", "testkit", "--plugin-path", os.path.join(out, "contsec-testkit"), "--findings", str(n), "--format", "jsonl", "--output", jsonl, "--no-log"]
t = time.perf_counter()
rc = subprocess.run(cmd, stdout=subprocess.DEVNULL).returncode
wall = time.perf_counter() - t
# ru_maxrss of waited-for children: the host (the plugin is its child, not ours).
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
lines = 0
findings = []
with open(jsonl, "rb") as f:
    for line in f:
        lines += 1
        if b'"event":"finding"' in line:
            findings.append(line)
assert rc == 0, f"contsec exited {rc}"
assert len(findings) == n, f"expected {n} finding events, got {len(findings)}"
t = time.perf_counter()
for line in findings:
    json.loads(line)
py = time.perf_counter() - t
print(f"findings:                 {n:,}")
print(f"end to end (plugin→host→JSONL): {wall:.2f} s = {n / wall:,.0f} findings/s")
print(f"host peak RSS:            {peak_kib / 1024:.1f} MiB")
print(f"JSONL written:            {os.path.getsize(jsonl) / 1e6:.0f} MB, {lines:,} lines")
print(f"python json.loads alone:  {py:.2f} s = {n / py:,.0f} lines/s (same finding lines)")
PY
