#!/usr/bin/env bash
# The project's whole test suite, as README.md documents it and .ci/run calls it.
# Sets up the real services first (packages, dockerd, test images, registry), then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/test-env.sh
[[ -f /tmp/contsec-test-env ]] && cat /tmp/contsec-test-env

# Build output is long on a fresh machine: keep errors and warnings, drop the progress lines.
swift build --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
swift build --build-tests >/dev/null  # cheap when up to date; its exit code is the one that counts
# Serially: several suites time real processes (kill ladders, parallel workflow steps), and on a 2-core machine
# tests that block a thread would otherwise skew the timings of the rest.
swift test --skip-build --no-parallel

python3 -m unittest discover -s sdk-protocol/tests -v

# The bundled example end to end: the SARIF locations of `contsec run iac-scan` are exactly EXPECTED.md's.
python3 examples/insecure-app/check-sarif.py
