#!/usr/bin/env bash
# The project's whole test suite, as README.md documents it and .ci/run calls it.
# Sets up the real services first (packages, dockerd, test images, registry), then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/test-env.sh
[[ -f /tmp/contsec-test-env ]] && cat /tmp/contsec-test-env

swift build --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Linking|Write|Planning|Wrapping)' || true
# Swift's own exit code decides, not grep's.
swift build --build-tests >/dev/null
swift test --skip-build

python3 -m unittest discover -s sdk-protocol/tests -v
