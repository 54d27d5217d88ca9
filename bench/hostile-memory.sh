#!/usr/bin/env bash
# Replays issue #12's memory cases against a release build and prints, for each, the wall time, the host's own peak
# RSS (the JSON report's contsec.peakRSSKiB, VmHWM) and the peak RSS of the whole run (host or plugin, whichever is
# larger: /usr/bin/time's maximum resident set of contsec and the children it reaped), with the exit code.
# Every run is capped at 4 GiB of address space (prlimit) so a regression shows as a failure, not a dead machine.
# Usage: bench/hostile-memory.sh      (SKIP_BUILD=1 uses the release build already in .build)
set -euo pipefail
cd "$(dirname "$0")/.."
[[ "${SKIP_BUILD:-0}" == 1 ]] || swift build -c release >/dev/null
BIN=$(swift build -c release --show-bin-path)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# noop is test-only: built as test-plugin-noop, reached through --plugin-path under the name contsec-noop.
mkdir -p "$WORK/noop" && ln -s "$BIN/test-plugin-noop" "$WORK/noop/contsec-noop"

plugin() {  # plugin NAME PYTHON-RUN-BODY: a hostile Python plugin in $WORK/NAME
  mkdir -p "$WORK/$1"
  cat > "$WORK/$1/contsec-$1" <<PY
#!/usr/bin/python3
import sys, json
def send(o): sys.stdout.write(json.dumps(o) + "\n"); sys.stdout.flush()
for line in sys.stdin:
    m = json.loads(line); meth, mid = m.get("method"), m.get("id")
    if meth == "initialize":
        send({"jsonrpc": "2.0", "id": mid, "result": {"protocolVersion": "1.0", "plugin": {"name": "$1", "version": "1"},
              "commands": [{"name": "run", "default": True, "params": []}], "capabilities": {}}})
    elif meth == "run":
$2
        send({"jsonrpc": "2.0", "id": mid, "result": {"status": "ok"}})
    elif meth == "shutdown": send({"jsonrpc": "2.0", "id": mid, "result": None})
    elif meth == "exit": sys.exit(0)
PY
  chmod 755 "$WORK/$1/contsec-$1"
}

measure() {  # measure LABEL ARGS...: one line of figures
  local label=$1; shift
  local start end rc peak host
  start=$(date +%s.%N)
  set +e
  /usr/bin/time -f "%M" -o "$WORK/time" prlimit --as=$((4 << 30)) -- "$BIN/contsec" "$@" --format json --output "$WORK/report.json" \
      --no-log >/dev/null 2>"$WORK/stderr"
  rc=$?
  set -e
  end=$(date +%s.%N)
  peak=$(tail -1 "$WORK/time")
  host=$(python3 -c "import json;print(json.load(open('$WORK/report.json'))['contsec']['peakRSSKiB'])" 2>/dev/null || echo "-")
  printf '%-58s %7.2f s  host %8s KiB  run %8s KiB  exit %s\n' "$label" "$(echo "$end - $start" | bc)" "$host" "$peak" "$rc"
  rm -f "$WORK/report.json"
}

# 8: 3,000,000 answers to requests the host never sent (1.8 GiB before).
# (One shell word: the Python line holds its own quotes, so nothing in it may end the single-quoted argument.)
plugin answers '        line = "{\"jsonrpc\": \"2.0\", \"id\": \"never-%d\", \"result\": {\"pad\": \"" + "p" * 200 + "\"}}\n"
        for i in range(3000000): sys.stdout.write(line % i)'
measure "8  3,000,000 unsolicited answers" run answers --plugin-path "$WORK/answers"

# 9: a 1 KB alias bomb, as a workflow and as a manifest (2 GiB in 4-6 s before).
bomb='a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
for pair in ab bc cd de ef fg gh hi; do
  p=${pair:0:1}; n=${pair:1:1}
  bomb="$bomb"$'\n'"$n: &$n [*$p,*$p,*$p,*$p,*$p,*$p,*$p,*$p,*$p]"
done
mkdir -p "$WORK/repo"
printf 'steps:\n  - plugin: noop\n%s\n' "$bomb" > "$WORK/bomb.yaml"
measure "9  billion-laughs workflow ($(wc -c < "$WORK/bomb.yaml") bytes)" workflow "$WORK/bomb.yaml"
{ printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n'; printf '%s\n' "$bomb" | sed 's/^/  /'; } > "$WORK/repo/bomb.yaml"
measure "9  iac-scan, alias-bomb manifest ($(wc -c < "$WORK/repo/bomb.yaml") bytes)" run iac-scan --dir "$WORK/repo"
rm -f "$WORK/repo/bomb.yaml"

# 10: 20,000 distinct rules with long texts, as SARIF (past 2 GiB before; the JSON report of it: 37 MiB).
plugin rules '        for i in range(20000):
            send({"jsonrpc": "2.0", "method": "finding", "params": {"ruleId": "R-%d" % i, "title": "t" * 1000,
                  "message": "m" * 60000, "remediation": "r" * 8000, "severity": "high", "category": "secret",
                  "target": {"kind": "host", "name": "h"}}})'
set +e
/usr/bin/time -f "%M" -o "$WORK/time" prlimit --as=$((4 << 30)) -- "$BIN/contsec" run rules --plugin-path "$WORK/rules" \
    --format sarif --output "$WORK/r.sarif" --no-log >/dev/null 2>&1
rc=$?
set -e
printf '%-58s %7s    host %8s KiB  run %8s KiB  exit %s\n' "10 SARIF, 20,000 distinct long rules" "" "-" "$(tail -1 "$WORK/time")" "$rc"
rm -f "$WORK/r.sarif"

# 11: a 229 MB .contsecignore in the scanned workspace (3 GiB before).
python3 -c "
import sys
with open('$WORK/repo/.contsecignore', 'w') as f:
    for i in range(3_500_000): f.write('%064x\n' % i)
"
measure "11 .contsecignore of $(( $(stat -c %s "$WORK/repo/.contsecignore") >> 20 )) MiB" run noop --plugin-path "$WORK/noop/contsec-noop" --workspace "$WORK/repo"
rm -f "$WORK/repo/.contsecignore"

# 12: a 60 MB Dockerfile of RUN \ continuations (1.18 GiB before).
python3 -c "
with open('$WORK/repo/Dockerfile', 'w') as f:
    f.write('FROM alpine:3.19\nRUN true \\\\\n')
    for i in range(3_500_000): f.write('  && echo %d \\\\\n' % i)
    f.write('  && true\n')
"
measure "12 iac-scan, $(( $(stat -c %s "$WORK/repo/Dockerfile") >> 20 )) MiB Dockerfile of RUN continuations" run iac-scan --dir "$WORK/repo"
