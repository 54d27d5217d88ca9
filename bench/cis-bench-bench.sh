#!/usr/bin/env bash
# cis-bench speed: starts N busybox containers (contsec-bench-cis-*, --network none), runs the full audit
# `contsec run cis-bench --format json` RUNS times per N, prints the best and median wall time per N, and removes
# the containers on exit (also on Ctrl-C or failure).
#
# Target (issue 7): under 0.5 s for 11 containers, near-flat growth with the container count.
# docker-bench-security took 10.8 s for 11 containers on this machine (about 0.7 s more per container).
#
# Env: NS (container counts, default "0 10 11 50"), RUNS (default 5), SKIP_BUILD=1 (reuse the release build).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
NS=${NS:-"0 10 11 50"}
RUNS=${RUNS:-5}
IMAGE=contsec-test/busybox:1
PREFIX=contsec-bench-cis
SCRATCH="$ROOT/.build-bench-cis"

docker info >/dev/null 2>&1 || { echo "no Docker daemon answers: run scripts/test-env.sh as root first" >&2; exit 2; }
docker image inspect "$IMAGE" >/dev/null 2>&1 || { echo "test image $IMAGE missing: run scripts/test-env.sh" >&2; exit 2; }

cleanup() {
  local ids=()
  mapfile -t ids < <(docker ps -aq --filter "name=^${PREFIX}-" 2>/dev/null || true)
  if [[ ${#ids[@]} -gt 0 ]]; then docker rm -f "${ids[@]}" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT INT TERM
cleanup

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "building contsec and contsec-cis-bench (release, scratch path $SCRATCH)..."
  for product in contsec contsec-cis-bench; do
    log=$(mktemp)
    swift build -c release --scratch-path "$SCRATCH" --product "$product" >"$log" 2>&1 || { tail -20 "$log" >&2; rm -f "$log"; exit 2; }
    rm -f "$log"
  done
fi
CONTSEC="$SCRATCH/release/contsec"
[[ -x "$CONTSEC" && -x "$SCRATCH/release/contsec-cis-bench" ]] || { echo "release binaries missing in $SCRATCH/release" >&2; exit 2; }

now_ms() { date +%s%3N; }

running=0
printf '%-12s %-10s %-10s %-8s %-6s %s\n' containers best_s median_s checks score WARN
for n in $NS; do
  while (( running < n )); do
    running=$((running + 1))
    docker run -d --name "$PREFIX-$running" --network none "$IMAGE" sleep 600 >/dev/null
  done
  times=()
  out=$(mktemp)
  for ((r = 0; r < RUNS; r++)); do
    start=$(now_ms)
    "$CONTSEC" run cis-bench --format json >"$out" || { rc=$?; [[ $rc == 1 ]] || { echo "contsec exited $rc" >&2; cat "$out" >&2; exit 1; }; }
    times+=($(( $(now_ms) - start )))
  done
  read -r checks score warn audited < <(python3 -c '
import json,sys
s=json.load(open(sys.argv[1]))["plugins"][0]["summary"]
print(s["counts"]["total"], s["score"], s["counts"]["WARN"], s["containers"]["audited"])' "$out")
  rm -f "$out"
  [[ "$audited" == "$n" ]] || echo "warning: audited $audited containers, expected $n (other running containers on this daemon?)" >&2
  mapfile -t sorted < <(printf '%s\n' "${times[@]}" | sort -n)
  best=${sorted[0]}
  median=${sorted[$(( ${#sorted[@]} / 2 ))]}
  printf '%-12s %-10s %-10s %-8s %-6s %s\n' "$n" "$(awk -v m="$best" 'BEGIN{printf "%.3f", m/1000}')" \
    "$(awk -v m="$median" 'BEGIN{printf "%.3f", m/1000}')" "$checks" "$score" "$warn"
done
