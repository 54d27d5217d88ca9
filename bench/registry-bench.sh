#!/usr/bin/env bash
# registry plugin speed, against the local test registry (scripts/test-env.sh, 127.0.0.1:5000):
#  1. cleanup planning over a repository with N_TAGS tags (default 1000), each its own digest and config:
#     `contsec run registry cleanup` without --yes = tag list + one manifest and one config read per tag;
#     prints wall time and registry requests per second (targets: ≤ 3 s for 1,000 tags).
#  2. verify of N_SIGNED signed tags (default 100): `contsec run registry verify --all-tags` (target ≤ 2 s).
# The repositories (contsec-bench-registry-*) are deleted manifest by manifest at the end.
# Also prints the registry's own CPU per request and what a bare Python keep-alive client gets from the same registry
# right after, so a slow figure can be told apart from a slow (or starved) registry.
# Env: RUNS (default 5), SKIP_BUILD=1 (reuse the release build), BIN_DIR (binaries elsewhere, e.g. an older build to
# compare with; implies SKIP_BUILD), ONLY=cleanup|verify (one half), N_TAGS, N_SIGNED, REGISTRY (default 127.0.0.1:5000;
# the registry process is found by its listening port).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-5}
N_TAGS=${N_TAGS:-1000}
N_SIGNED=${N_SIGNED:-100}
REGISTRY=${REGISTRY:-127.0.0.1:5000}
SCRATCH="$ROOT/.build-bench-registry"
RUN_ID=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
CLEANUP_REPO="contsec-bench-registry-$RUN_ID/cleanup"
VERIFY_REPO="contsec-bench-registry-$RUN_ID/verify"
WORK=$(mktemp -d)

curl -fsS -o /dev/null "http://$REGISTRY/v2/" || { echo "no registry on $REGISTRY: run scripts/test-env.sh as root first" >&2; exit 2; }

remove_repo() { # every manifest of a repository this script made
  python3 - "$REGISTRY" "$1" <<'PY' || true
import json, sys, urllib.request
reg, repo = sys.argv[1:3]
accept = "application/vnd.oci.image.manifest.v1+json"
try:
    tags = json.load(urllib.request.urlopen(f"http://{reg}/v2/{repo}/tags/list")).get("tags") or []
except Exception:
    tags = []
seen = set()
for t in tags:
    r = urllib.request.urlopen(urllib.request.Request(f"http://{reg}/v2/{repo}/manifests/{t}", method="HEAD", headers={"Accept": accept}))
    d = r.headers["Docker-Content-Digest"]
    if d in seen: continue
    seen.add(d)
    try: urllib.request.urlopen(urllib.request.Request(f"http://{reg}/v2/{repo}/manifests/{d}", method="DELETE"))
    except Exception: pass
PY
}
cleanup() { remove_repo "$CLEANUP_REPO"; remove_repo "$VERIFY_REPO"; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

if [[ "${SKIP_BUILD:-0}" != 1 && -z "${BIN_DIR:-}" ]]; then
  echo "building contsec and contsec-registry (release, scratch path $SCRATCH)..."
  for product in contsec contsec-registry; do
    log=$(mktemp)
    swift build -c release --scratch-path "$SCRATCH" --product "$product" >"$log" 2>&1 || { tail -20 "$log" >&2; rm -f "$log"; exit 2; }
    rm -f "$log"
  done
fi
BIN="${BIN_DIR:-$SCRATCH/release}"
[[ -x "$BIN/contsec" && -x "$BIN/contsec-registry" ]] || { echo "release binaries missing in $BIN" >&2; exit 2; }

# N images (one shared layer, a config each with its own created date) under one tag each, through plain HTTP.
populate() { # REPO COUNT
  python3 - "$REGISTRY" "$1" "$2" <<'PY'
import hashlib, json, sys, urllib.request, datetime
reg, repo, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def put_blob(data):
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    r = urllib.request.urlopen(urllib.request.Request(f"http://{reg}/v2/{repo}/blobs/uploads/", method="POST"))
    loc = r.headers["Location"]
    loc = loc if loc.startswith("http") else f"http://{reg}{loc}"
    sep = "&" if "?" in loc else "?"
    urllib.request.urlopen(urllib.request.Request(f"{loc}{sep}digest={d}", data=data, method="PUT",
                                                  headers={"Content-Type": "application/octet-stream"}))
    return d
layer = b"contsec registry bench layer"
ld = put_blob(layer)
now = datetime.datetime.now(datetime.timezone.utc)
for i in range(n):
    created = (now - datetime.timedelta(days=i % 400)).strftime("%Y-%m-%dT%H:%M:%SZ")
    config = json.dumps({"architecture": "amd64", "os": "linux", "created": created, "config": {},
                         "rootfs": {"type": "layers", "diff_ids": [ld]}, "bench": i}).encode()
    cd = put_blob(config)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": len(config)},
                           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": len(layer)}]}).encode()
    urllib.request.urlopen(urllib.request.Request(f"http://{reg}/v2/{repo}/manifests/t{i:04d}", data=manifest, method="PUT",
                                                  headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"}))
PY
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# CPU milliseconds the registry process has used so far (0 when it cannot be found): with the client's own CPU this
# splits a run's cost between contsec and the registry it waits for.
REGISTRY_PID=$(ss -Hltnp "sport = :${REGISTRY##*:}" 2>/dev/null | grep -o "pid=[0-9]*" | head -1 | cut -d= -f2 || true)
registry_cpu_ms() {
  [[ -n "$REGISTRY_PID" && -r /proc/$REGISTRY_PID/stat ]] || { echo 0; return; }
  awk -v hz="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); print int(($12 + $13) * 1000 / hz)}' "/proc/$REGISTRY_PID/stat"
}
# The same reads as cleanup planning (tag list, then each tag's manifest and its config) by a bare Python client over
# 8 keep-alive connections, no checks: what the registry gives any client on this machine right now.
bare_client() { # REPO
  python3 - "$REGISTRY" "$1" <<'PY'
import http.client, json, sys, threading, time
reg, repo = sys.argv[1:3]
host, port = reg.split(":")
accept = "application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json"
start, cpu = time.time(), time.process_time()
c = http.client.HTTPConnection(host, int(port))
c.request("GET", f"/v2/{repo}/tags/list")
tags = json.loads(c.getresponse().read())["tags"]
done = [1]
lock = threading.Lock()
def work(chunk):
    c = http.client.HTTPConnection(host, int(port))
    for t in chunk:
        c.request("GET", f"/v2/{repo}/manifests/{t}", headers={"Accept": accept})
        m = json.loads(c.getresponse().read())
        c.request("GET", f"/v2/{repo}/blobs/{m['config']['digest']}")
        c.getresponse().read()
        with lock: done[0] += 2
threads = [threading.Thread(target=work, args=(tags[i::8],)) for i in range(8)]
for t in threads: t.start()
for t in threads: t.join()
wall = time.time() - start
print(f"{done[0]} {wall:.3f} {time.process_time() - cpu:.3f}")
PY
}
now_ms() { date +%s%3N; }
# CPU seconds (user + sys) of contsec and its plugin for one run: the rest of the wall time is waiting for the registry.
cpu_of() { awk '{printf "%d\n", ($1 + $2) * 1000}' "$1"; }

if [[ "${ONLY:-}" != verify ]]; then
echo "populating $REGISTRY/$CLEANUP_REPO with $N_TAGS tags..."
populate "$CLEANUP_REPO" "$N_TAGS"
times=()
cpus=()
regs=()
echo "  load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 0; r < RUNS; r++)); do
  start=$(now_ms)
  reg0=$(registry_cpu_ms)
  /usr/bin/time -f "%U %S" -o "$WORK/time" "$BIN/contsec" --no-log --workspace "$WORK" --format json --output "$WORK/cleanup.json" run registry cleanup \
    --registry "$REGISTRY" --repo "$CLEANUP_REPO" --cleanup-days 60 --keep-tags t0000 >/dev/null
  times+=($(( $(now_ms) - start )))
  cpus+=($(cpu_of "$WORK/time"))
  regs+=($(( $(registry_cpu_ms) - reg0 )))
done
requests=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['plugins'][0]['summary']['requests'])" "$WORK/cleanup.json")
planned=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['plugins'][0]['summary']['tagsToDelete'])" "$WORK/cleanup.json")
med=$(printf '%s\n' "${times[@]}" | median)
best=$(printf '%s\n' "${times[@]}" | sort -n | head -1)
cpu=$(printf '%s\n' "${cpus[@]}" | median)
reg=$(printf '%s\n' "${regs[@]}" | median)
echo "cleanup plan, $N_TAGS tags: best $(awk "BEGIN{printf \"%.2f\", $best/1000}") s, median $(awk "BEGIN{printf \"%.2f\", $med/1000}") s (CPU of contsec + plugin $(awk "BEGIN{printf \"%.2f\", $cpu/1000}") s = $(awk "BEGIN{printf \"%.2f\", $cpu/$requests}") ms/request; registry CPU $(awk "BEGIN{printf \"%.2f\", $reg/1000}") s = $(awk "BEGIN{printf \"%.2f\", $reg/$requests}") ms/request); $requests registry requests (median $(awk "BEGIN{printf \"%.0f\", $requests*1000/$med}") requests/s); $planned tags planned for deletion"
echo "  load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
reg0=$(registry_cpu_ms)
read -r bare_requests bare_wall bare_cpu < <(bare_client "$CLEANUP_REPO")
bare_reg=$(( $(registry_cpu_ms) - reg0 ))
echo "bare Python client, same $bare_requests reads over 8 keep-alive connections: $(awk "BEGIN{printf \"%.2f\", $bare_wall}") s = $(awk "BEGIN{printf \"%.0f\", $bare_requests/$bare_wall}") requests/s (client CPU $(awk "BEGIN{printf \"%.2f\", $bare_cpu*1000/$bare_requests}") ms/request; registry CPU $(awk "BEGIN{printf \"%.2f\", $bare_reg/$bare_requests}") ms/request)"
echo "  load average now: $(cut -d' ' -f1-3 /proc/loadavg)"

fi
[[ "${ONLY:-}" == cleanup ]] && exit 0

echo "populating $REGISTRY/$VERIFY_REPO with $N_SIGNED signed tags..."
populate "$VERIFY_REPO" "$N_SIGNED"
"$BIN/contsec" --no-log --workspace "$WORK" run registry keygen --key bench --no-password >/dev/null
for ((i = 0; i < N_SIGNED; i++)); do
  "$BIN/contsec" --no-log --workspace "$WORK" run registry sign --registry "$REGISTRY" \
    --repo "$VERIFY_REPO" --tag "$(printf 't%04d' "$i")" --signing-key "$WORK/keys/bench.key" >/dev/null
done
times=()
cpus=()
regs=()
echo "  load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 0; r < RUNS; r++)); do
  start=$(now_ms)
  reg0=$(registry_cpu_ms)
  /usr/bin/time -f "%U %S" -o "$WORK/time" "$BIN/contsec" --no-log --workspace "$WORK" --format json --output "$WORK/verify.json" run registry verify \
    --registry "$REGISTRY" --repo "$VERIFY_REPO" --all-tags --signing-key "$WORK/keys/bench.pub" --require-signature >/dev/null
  times+=($(( $(now_ms) - start )))
  cpus+=($(cpu_of "$WORK/time"))
  regs+=($(( $(registry_cpu_ms) - reg0 )))
done
verified=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['plugins'][0]['summary']['verified'])" "$WORK/verify.json")
requests=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['plugins'][0]['summary'].get('requests', '?'))" "$WORK/verify.json")
reg=$(printf '%s\n' "${regs[@]}" | median)
med=$(printf '%s\n' "${times[@]}" | median)
best=$(printf '%s\n' "${times[@]}" | sort -n | head -1)
cpu=$(printf '%s\n' "${cpus[@]}" | median)
echo "verify, $N_SIGNED signed tags: best $(awk "BEGIN{printf \"%.2f\", $best/1000}") s, median $(awk "BEGIN{printf \"%.2f\", $med/1000}") s (CPU of contsec, plugin and openssl $(awk "BEGIN{printf \"%.2f\", $cpu/1000}") s; registry CPU $(awk "BEGIN{printf \"%.2f\", $reg/1000}") s); $requests registry requests; $verified verified"
echo "  load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
