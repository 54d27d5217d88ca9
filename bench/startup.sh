#!/usr/bin/env bash
# Start-up cost of a whole `contsec run` (discovery + spawn + handshake + run + shutdown) of a no-op Swift
# plugin, against the bare start of the two binaries. Median wall time over N runs (default 50), release build.
# Usage: bench/startup.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50}
swift build -c release --product contsec >/dev/null
swift build -c release --product test-plugin-noop >/dev/null
BIN=$(swift build -c release --show-bin-path)
# The noop plugin is test-only: built as test-plugin-noop, reached through --plugin-path under the name contsec-noop.
PLUGINS=$(mktemp -d)
trap 'rm -rf "$PLUGINS"' EXIT
ln -s "$BIN/test-plugin-noop" "$PLUGINS/contsec-noop"
python3 - "$BIN" "$N" "$PLUGINS" <<'PY'
import os, subprocess, sys, time, statistics
bin_dir, n, plugins = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def median_ms(cmd, stdin=subprocess.DEVNULL):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(cmd, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), min(times), max(times)
rows = [
    ("contsec version (bare host start)", [f"{bin_dir}/contsec", "version"]),
    ("noop plugin, stdin at EOF (bare plugin start)", [f"{bin_dir}/test-plugin-noop"]),
    ("contsec run noop --format json (whole run)", [f"{bin_dir}/contsec", "run", "noop", "--plugin-path", plugins, "--format", "json"]),
]
print(f"runs per row: {n}; binaries: {bin_dir}")
for label, cmd in rows:
    med, lo, hi = median_ms(cmd)
    print(f"{label:50s} median {med:6.2f} ms  (min {lo:.2f}, max {hi:.2f})")
PY
