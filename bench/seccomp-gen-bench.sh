#!/usr/bin/env bash
# seccomp-gen speed (release build):
#  1. create: every template × app type through the whole `contsec run seccomp-gen create` (process start-up,
#     handshake, write, report), and the plugin's own time for the work (summary.elapsedMs). Target ≤ 50 ms each.
#  2. check of Docker's default profile (Tests/SeccompGenTests/Fixtures/moby-default.json): whole command and the
#     plugin's own time. Target ≤ 20 ms.
#  3. learn overhead: wall time of a syscall-heavy busybox command traced by learn vs the same command in a plain
#     container (both including container start and removal), and the ratio.
# Env: RUNS (default 9), SKIP_BUILD=1 (reuse the release build), SKIP_LEARN=1, SCRATCH=DIR (the build folder; default
#      .build-bench-seccomp, so a debug build holding .build's lock does not block it; SCRATCH=.build SKIP_BUILD=1
#      reuses the usual release build).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-9}
SCRATCH="$(realpath -m "${SCRATCH:-$ROOT/.build-bench-seccomp}")"
IMAGE=contsec-test/busybox:1

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "building contsec and contsec-seccomp-gen (release, scratch path $SCRATCH)..."
  for product in contsec contsec-seccomp-gen; do
    log=$(mktemp)
    swift build -c release --scratch-path "$SCRATCH" --product "$product" >"$log" 2>&1 || { tail -20 "$log" >&2; rm -f "$log"; exit 2; }
    rm -f "$log"
  done
fi
CONTSEC="$SCRATCH/release/contsec"
WS=$(mktemp -d)
trap 'rm -rf "$WS"' EXIT

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# bash's own clock: no date or awk process inside a measured interval (they cost ~3 ms, a tenth of a create run).
now_ms() { awk -v t="$EPOCHREALTIME" 'BEGIN { printf "%.2f", t * 1000 }'; }
# run ARGS... → prints "wall_ms plugin_ms"
run() {
  local start end
  start=$EPOCHREALTIME
  "$CONTSEC" --no-log --workspace "$WS" --plugin-path "$SCRATCH/release/contsec-seccomp-gen" --format json --output "$WS/r.json" run seccomp-gen "$@" >/dev/null
  end=$EPOCHREALTIME
  echo "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) * 1000 }') $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["plugins"][0]["summary"].get("elapsedMs", "-"))' "$WS/r.json")"
}

echo "== create: whole command (median of $RUNS) / plugin's own work, ms"
printf '%-11s %-7s %9s %9s\n' template app-type command plugin
for template in default strict permissive; do
  for app in web db worker batch cli; do
    walls=(); works=()
    for _ in $(seq "$RUNS"); do read -r w p < <(run create --profile b --app-type "$app" --template "$template"); walls+=("$w"); works+=("$p"); done
    printf '%-11s %-7s %9s %9s\n' "$template" "$app" "$(printf '%s\n' "${walls[@]}" | median)" "$(printf '%s\n' "${works[@]}" | median)"
  done
done

echo "== check of Docker's default profile: whole command / plugin's own work, ms (median of $RUNS)"
walls=(); works=()
for _ in $(seq "$RUNS"); do read -r w p < <(run check --file "$ROOT/Tests/SeccompGenTests/Fixtures/moby-default.json"); walls+=("$w"); works+=("$p"); done
echo "check: $(printf '%s\n' "${walls[@]}" | median) ms command, $(printf '%s\n' "${works[@]}" | median) ms in the plugin"

[[ "${SKIP_LEARN:-0}" == 1 ]] && exit 0
docker info >/dev/null 2>&1 || { echo "no Docker daemon answers: learn overhead skipped" >&2; exit 0; }
WORK='i=0; while [ $i -lt 3000 ]; do cat /etc/passwd > /dev/null; i=$((i+1)); done; echo done'
echo "== learn overhead: sh -c '<3000 x cat /etc/passwd>' (median of 3), s"
plain=(); traced=()
for _ in 1 2 3; do
  s=$(now_ms); docker run --rm --network none --name "contsec-test-seccomp-bench-$$-$RANDOM" --label contsec-test=1 "$IMAGE" sh -c "$WORK" >/dev/null; e=$(now_ms)
  plain+=("$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.2f", (b - a) / 1000 }')")
  s=$(now_ms); run learn --image "$IMAGE" --cmd "[\"sh\",\"-c\",\"$WORK\"]" --profile bench --duration 600 >/dev/null; e=$(now_ms)
  traced+=("$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.2f", (b - a) / 1000 }')")
done
p=$(printf '%s\n' "${plain[@]}" | median); t=$(printf '%s\n' "${traced[@]}" | median)
echo "plain docker run: $p s, contsec learn: $t s, ratio $(awk -v a="$p" -v b="$t" 'BEGIN { printf "%.1f", b / a }')"
