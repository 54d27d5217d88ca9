#!/usr/bin/env bash
# netpolicy analyze speed: synthetic clusters of W workloads and P NetworkPolicies (bench/gen_k8s_netpol.py), each
# analysed RUNS times by a whole `contsec run netpolicy analyze --dir … --format json` (release build, plugin start-up
# and report included). Prints best and median wall time per size, the median CPU time (user+sys of contsec and the
# plugin: what the work costs whatever else runs on the machine), and the matrix size.
#
# Target (issue 16): 500 workloads and 200 policies in at most 1 s.
#
# Env: SIZES (W:P pairs, default "100:50 250:100 500:200 1000:200 500:400 1000:400"), RUNS (default 5),
#      SKIP_BUILD=1 (reuse the release build).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SIZES=${SIZES:-"100:50 250:100 500:200 1000:200 500:400 1000:400"}
RUNS=${RUNS:-5}
SCRATCH="$ROOT/.build-bench-netpolicy"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT INT TERM

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "building contsec and contsec-netpolicy (release, scratch path $SCRATCH)..."
  for product in contsec contsec-netpolicy; do
    log=$(mktemp)
    swift build -c release --scratch-path "$SCRATCH" --product "$product" >"$log" 2>&1 || { tail -20 "$log" >&2; rm -f "$log"; exit 2; }
    rm -f "$log"
  done
fi
CONTSEC="$SCRATCH/release/contsec"
[[ -x "$CONTSEC" && -x "$SCRATCH/release/contsec-netpolicy" ]] || { echo "release binaries missing in $SCRATCH/release" >&2; exit 2; }

now_ms() { date +%s%3N; }
printf '%-10s %-9s %-8s %-9s %-10s %-12s %-9s %s\n' workloads policies best_s median_s cpu_s connections findings pairs/s
for size in $SIZES; do
  w=${size%%:*}; p=${size##*:}
  dir="$WORK/cluster-$w-$p"
  python3 bench/gen_k8s_netpol.py "$dir" "$w" "$p"
  out="$WORK/out.json"
  times=()
  cpus=()
  for ((r = 0; r < RUNS; r++)); do
    start=$(now_ms)
    (cd "$WORK" && /usr/bin/time -f "%U %S" -o "$WORK/cpu" "$CONTSEC" run netpolicy analyze --dir "$dir" --format json --no-log >"$out")
    times+=($(( $(now_ms) - start )))
    cpus+=($(awk '{printf "%d", ($1 + $2) * 1000}' "$WORK/cpu"))
  done
  cpu_sorted=($(printf '%s\n' "${cpus[@]}" | sort -n))
  read -r connections findings nodes < <(python3 -c '
import json,sys
s=json.load(open(sys.argv[1]))["plugins"][0]["summary"]
print(s["connections"], s["findings"], s["workloads"] + s["externalRanges"])' "$out")
  sorted=($(printf '%s\n' "${times[@]}" | sort -n))
  best=${sorted[0]}; median=${sorted[$((RUNS / 2))]}
  pairs=$(( nodes * nodes ))
  printf '%-10s %-9s %-8s %-9s %-10s %-12s %-9s %s\n' "$w" "$p" "$(awk "BEGIN{printf \"%.3f\", $best/1000}")" \
    "$(awk "BEGIN{printf \"%.3f\", $median/1000}")" "$(awk "BEGIN{printf \"%.3f\", ${cpu_sorted[$((RUNS / 2))]}/1000}")" \
    "$connections" "$findings" "$(awk "BEGIN{printf \"%.0f\", $pairs/($median/1000)}")"
done
