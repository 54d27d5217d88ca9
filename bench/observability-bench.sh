#!/usr/bin/env bash
# Exporter benchmark with N running containers: the first /metrics scrape after start (cold: the collector lists the
# containers, opens one stats stream each and waits for their first samples), warm scrape times, sustained scrapes/s
# (sequential and 8 concurrent clients), the exporter's RSS, threads and sockets over 10,000 scrapes, and whether
# the streams of containers that stop or go away are closed. Needs the test Docker engine.
# Usage: bash bench/observability-bench.sh [containers=50]      (BUILD=debug for a debug build; SKIP_BUILD=1 uses the
#        binaries already in .build/$BUILD without running swift build)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-50}"
BUILD="${BUILD:-release}"
PORT="${PORT:-19399}"
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    swift build -c "$BUILD" --product contsec >/dev/null && swift build -c "$BUILD" --product contsec-observability >/dev/null
fi
BIN=".build/$BUILD"
prefix="contsec-test-observability-bench-$$"
cleanup() {
    [[ -n "${EXP:-}" ]] && kill -INT "$EXP" 2>/dev/null && wait "$EXP" 2>/dev/null || true
    docker ps -aq --filter "name=$prefix" | xargs -r docker rm -f >/dev/null
    rm -rf "${ws:-}"
}
trap cleanup EXIT
for i in $(seq 1 "$N"); do docker run -d --name "$prefix-$i" --label contsec-test=1 contsec-test/busybox:1 sleep 3600 >/dev/null; done
ws="$(mktemp -d)"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $BUILD build"
"$BIN/contsec" --no-log --workspace "$ws" run observability exporter --listen "127.0.0.1:$PORT" \
    --plugin-path "$BIN/contsec-observability" >/dev/null 2>"$ws/exporter.err" &
EXP=$!
python3 - "$PORT" "$EXP" "$N" "$prefix" <<'PY'
import http.client, os, socket, subprocess, sys, threading, time
port, host_pid, n, prefix = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]

def exporter_pid():
    for _ in range(200):
        for p in os.listdir("/proc"):
            if p.isdigit():
                try:
                    stat = open(f"/proc/{p}/stat").read()
                    if int(stat.rsplit(")", 1)[1].split()[1]) == host_pid and "contsec-observ" in stat: return p
                except OSError: pass
        time.sleep(0.05)
    sys.exit("the exporter did not start")
def status(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key): return line.split()[1]
def sockets(pid):
    return sum(1 for fd in os.listdir(f"/proc/{pid}/fd") if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"))
def threads(pid): return int(status(pid, "Threads"))
def conn():
    return http.client.HTTPConnection("127.0.0.1", port, timeout=30)
def scrape(c):
    c.request("GET", "/metrics", headers={"Host": "127.0.0.1"}); r = c.getresponse(); body = r.read()
    assert r.status == 200, r.status
    return body
def gauge(body, name):
    for l in body.decode().splitlines():
        if l.startswith(name + " "): return float(l.split()[1])

pid = exporter_pid()
t0 = time.time()
while True:  # the port opens a moment after the plugin starts
    try: socket.create_connection(("127.0.0.1", port), timeout=1).close(); break
    except OSError:
        if time.time() - t0 > 30: sys.exit("the exporter did not listen")
        time.sleep(0.01)
c = conn()
t = time.time(); body = scrape(c); cold = time.time() - t
series = sum(1 for l in body.decode().splitlines() if l and not l.startswith("#"))
running = sum(1 for l in body.decode().splitlines() if l.startswith("container_memory_usage_bytes{"))
print(f"containers: {n}; series per scrape: {series}; containers with samples in the first scrape: {running}")
print(f"cold: first scrape after start {cold*1000:.0f} ms (plugin process seen to port open {t - t0:.2f} s)")
walls = []
for _ in range(200):
    t = time.time(); scrape(c); walls.append(time.time() - t); time.sleep(0.02)
walls.sort()
print(f"warm scrape, 200 over 4 s: median {walls[100]*1000:.1f} ms, p99 {walls[198]*1000:.1f} ms, max {walls[-1]*1000:.1f} ms")
time.sleep(1)
start_rss, start_threads, start_socks = status(pid, "VmRSS"), threads(pid), sockets(pid)
t = time.time()
rss_marks = []
for i in range(10000):
    scrape(c)
    if i % 2500 == 2499: rss_marks.append(status(pid, "VmRSS"))
el = time.time() - t
print(f"10,000 sequential scrapes on one connection: {el:.1f} s = {10000/el:.0f} scrapes/s")
print(f"exporter RSS: {start_rss} kB at start, after 2,500/5,000/7,500/10,000 scrapes: {' / '.join(rss_marks)} kB")
print(f"exporter threads {start_threads} -> {threads(pid)}, sockets {start_socks} -> {sockets(pid)}")
count = [0]
lock = threading.Lock()
def worker(deadline):
    cc = conn(); k = 0
    while time.time() < deadline: scrape(cc); k += 1
    with lock: count[0] += k
deadline = time.time() + 5
ws = [threading.Thread(target=worker, args=(deadline,)) for _ in range(8)]
for w in ws: w.start()
for w in ws: w.join()
print(f"8 concurrent clients for 5 s: {count[0]/5:.0f} scrapes/s; RSS {status(pid, 'VmRSS')} kB")
body = scrape(c)
print(f"streams open: {gauge(body, 'contsec_exporter_stats_streams'):.0f}; oldest sample served: {gauge(body, 'contsec_exporter_sample_age_seconds')} s")
# Containers going away: stop half (dockerd would keep a stream of a stopped container open, sending zeros), remove the rest.
half = n // 2
names = [f"{prefix}-{i}" for i in range(1, n + 1)]
subprocess.run(["docker", "stop", "-t", "0"] + names[:half], check=True, stdout=subprocess.DEVNULL)
subprocess.run(["docker", "rm", "-f"] + names[half:], check=True, stdout=subprocess.DEVNULL)
t = time.time()
while time.time() - t < 20:
    body = scrape(c)
    if gauge(body, "contsec_exporter_stats_streams") == 0: break
    time.sleep(0.2)
gone = time.time() - t
time.sleep(1)
print(f"after stopping {half} and removing {n - half} containers: streams {gauge(body, 'contsec_exporter_stats_streams'):.0f} "
      f"within {gone:.1f} s; threads {threads(pid)}, sockets {sockets(pid)}, RSS {status(pid, 'VmRSS')} kB")
os.kill(host_pid, 2)
t = time.time()
while time.time() - t < 10:
    try: os.kill(int(pid), 0); time.sleep(0.05)
    except ProcessLookupError: break
print(f"Ctrl-C: exporter gone after {time.time() - t:.2f} s")
PY
rc=0; wait "$EXP" || rc=$?; EXP=""
echo "contsec exit status after Ctrl-C: $rc"
