#!/usr/bin/env bash
# The container image (issue 21): its size, and the cold start of `docker run --rm IMAGE version` (create, start,
# run contsec, exit, remove), RUNS times, best and median. Builds the image offline with scripts/build-image.sh
# (--reuse: an unchanged tree is not rebuilt). Goal: under 120 MB without trivy, with every plugin.
#
# Env: TAG (default contsec-bench-image:dev), RUNS (default 9), WITH_TRIVY=1 (build with --with-trivy),
#      BINARIES=DIR (package the release binaries already built in DIR, e.g. .build/release, instead of a release
#      build of its own in .build/image-build: a second release build takes 10-20 minutes on 2 shared cores).
set -euo pipefail
cd "$(dirname "$0")/.."
TAG=${TAG:-contsec-bench-image:dev}
RUNS=${RUNS:-9}
docker info >/dev/null 2>&1 || { echo "no Docker daemon answers: run scripts/test-env.sh as root first" >&2; exit 2; }

flags=(--tag "$TAG" --reuse)
[[ "${WITH_TRIVY:-0}" == 1 ]] && flags+=(--with-trivy)
[[ -n "${BINARIES:-}" ]] && flags+=(--binaries "$BINARIES")
bash scripts/build-image.sh "${flags[@]}" | sed 's/^/  /'

size=$(docker image inspect --format '{{.Size}}' "$TAG")
echo "image $TAG: $(awk -v s="$size" 'BEGIN { printf "%.1f MB (%d bytes)", s / 1e6, s }')"

times=()
for _ in $(seq "$RUNS"); do
    t0=$(date +%s.%N)
    docker run --rm --network none "$TAG" version >/dev/null
    t1=$(date +%s.%N)
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
best=$(head -n1 <<<"$sorted")
median=$(sed -n "$(( (RUNS + 1) / 2 ))p" <<<"$sorted")
echo "cold start (docker run --rm --network none $TAG version), $RUNS runs: best $best s, median $median s"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
