#!/usr/bin/env bash
# Exporter benchmark: one /metrics scrape with N running containers (cold, i.e. a fresh collection from the Engine),
# sustained scrapes/s, and the exporter's RSS before and after 10,000 scrapes. Needs the test Docker engine.
# Usage: bash bench/observability-bench.sh [containers=50]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-50}"
PORT=19399
swift build --product contsec >/dev/null && swift build --product contsec-observability >/dev/null
BIN=.build/debug
prefix="contsec-test-observability-bench-$$"
cleanup() { docker ps -aq --filter "name=$prefix" | xargs -r docker rm -f >/dev/null; kill "${EXP:-0}" 2>/dev/null || true; }
trap cleanup EXIT
for i in $(seq 1 "$N"); do docker run -d --name "$prefix-$i" --label contsec-test=1 contsec-test/busybox:1 sleep 600 >/dev/null; done
ws="$(mktemp -d)"
"$BIN/contsec" --no-log --workspace "$ws" run observability exporter --listen "127.0.0.1:$PORT" --duration 600 \
    --plugin-path "$BIN/contsec-observability" >/dev/null 2>&1 &
EXP=$!
for _ in $(seq 1 50); do curl -fs "127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
pid="$(pgrep -n -f contsec-observability)"
python3 - "$PORT" "$pid" "$N" <<'PY'
import http.client, sys, time
port, pid, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"): return line.split()[1] + " kB"
def scrape(c):
    c.request("GET", "/metrics", headers={"Host": "127.0.0.1"}); r = c.getresponse(); body = r.read(); return body
c = http.client.HTTPConnection("127.0.0.1", port)
time.sleep(1.2)  # let the cached collection expire: the next scrape collects afresh
walls = []
for _ in range(5):
    t = time.time(); body = scrape(c); walls.append(time.time() - t); time.sleep(1.1)
series = sum(1 for l in body.decode().splitlines() if l and not l.startswith("#"))
print(f"containers: {n}; series per scrape: {series}")
print("cold scrape wall (fresh collection), 5 runs: " + ", ".join(f"{w*1000:.0f} ms" for w in walls))
start_rss = rss()
t = time.time()
for i in range(10000): scrape(c)
el = time.time() - t
print(f"10,000 sequential scrapes on one connection: {el:.1f} s = {10000/el:.0f} scrapes/s (collection reused for 1 s)")
print(f"exporter RSS: {start_rss} at start, {rss()} after 10,000 scrapes")
PY
