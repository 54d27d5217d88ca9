#!/usr/bin/env bash
# netpolicy test-connectivity speed: N services (default 10) in a chain svc0 → svc1 → … on 8080, spread over the three
# tiers of a fresh prefix, policies made with create-policy and enforced with apply-policy, then the whole matrix
# probed RUNS times by `contsec run netpolicy test-connectivity` (release build, every service a source). Prints the
# wall time of each run and the plugin's own probe count, probing time and probes/s, and checks that every cell
# agrees with the policies. All objects are named contsec-test-netpolicy-bench-<hex>, labelled contsec-test=1, on
# internal networks, and removed on exit.
#
# Needs root (rules are loaded inside the containers' network namespaces) and nft (apt-get install nftables).
# Env: N (services, default 10), RUNS (default 5), SKIP_BUILD=1 (reuse the release build).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
N=${N:-10}
RUNS=${RUNS:-5}
IMAGE=contsec-test/busybox:1
PREFIX="contsec-test-netpolicy-bench-$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
SCRATCH="$ROOT/.build-bench-netpolicy"
WORK=$(mktemp -d)

docker info >/dev/null 2>&1 || { echo "no Docker daemon answers: run scripts/test-env.sh as root first" >&2; exit 2; }
docker image inspect "$IMAGE" >/dev/null 2>&1 || { echo "test image $IMAGE missing: run scripts/test-env.sh" >&2; exit 2; }
[[ $(id -u) == 0 ]] || { echo "run as root: the rules are loaded inside container network namespaces" >&2; exit 2; }

cleanup() {
  local ids
  ids=$(docker ps -aq --filter "label=contsec.netpolicy.project=$PREFIX" 2>/dev/null || true)
  [[ -n "$ids" ]] && docker rm -f $ids >/dev/null 2>&1 || true
  for n in $(docker network ls -q --filter "label=contsec.netpolicy.project=$PREFIX" 2>/dev/null); do docker network rm "$n" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "building contsec and contsec-netpolicy (release, scratch path $SCRATCH)..."
  for product in contsec contsec-netpolicy; do
    log=$(mktemp)
    swift build -c release --scratch-path "$SCRATCH" --product "$product" >"$log" 2>&1 || { tail -20 "$log" >&2; rm -f "$log"; exit 2; }
    rm -f "$log"
  done
fi
CONTSEC="$SCRATCH/release/contsec"
np() { (cd "$WORK" && "$CONTSEC" run netpolicy "$@" --no-log); }

np setup --prefix "$PREFIX" --internal-tiers frontend,backend,data --label contsec-test=1 --format json >/dev/null
tiers=(frontend backend data)
for ((i = 0; i < N; i++)); do
  tier=${tiers[$(( i * 3 / N ))]}
  args=(--service "svc$i" --port 8080 --tier "$tier")
  (( i > 0 )) && args+=(--ingress "service:svc$((i - 1))")
  (( i < N - 1 )) && args+=(--egress "svc$((i + 1)):8080")
  np create-policy "${args[@]}" --format json >/dev/null
  docker run -d --init --name "$PREFIX-svc$i" --network "${PREFIX}_$tier" --label contsec-test=1 \
    --label contsec.netpolicy.service="svc$i" --label contsec.netpolicy.project="$PREFIX" \
    "$IMAGE" sh -c 'nc -ll -p 8080 -e /bin/true & exec sleep 3600' >/dev/null
done
start=$(date +%s%3N)
np apply-policy --prefix "$PREFIX" --format json >/dev/null
echo "apply-policy for $N services: $(( $(date +%s%3N) - start )) ms"

printf '%-4s %-8s %-7s %-9s %-9s %-5s %s\n' run wall_s probes probe_s probes/s ok violations+breakages
for ((r = 1; r <= RUNS; r++)); do
  start=$(date +%s%3N)
  np test-connectivity --prefix "$PREFIX" --format json >"$WORK/out.json" || true
  wall=$(( $(date +%s%3N) - start ))
  python3 - "$WORK/out.json" "$r" "$wall" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
s = doc["plugins"][0]["summary"]
print(f'{sys.argv[2]:<4} {int(sys.argv[3])/1000:<8.3f} {s["probes"]:<7} {s["seconds"]:<9} {s["probesPerSecond"]:<9} {s["ok"]:<5} {s["violations"] + s["breakages"]}')
PY
done
