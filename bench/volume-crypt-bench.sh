#!/usr/bin/env bash
# volume-crypt figures, on the real gocryptfs, FUSE, engine and tar (as root, after scripts/test-env.sh):
#
# 1. Throughput through an encrypted volume vs the same disk unencrypted: inside a busybox container, dd writes
#    SIZE_MIB MiB (conv=fsync) and reads them back after the page cache is dropped, through
#    a) a volume-crypt encrypted volume (gocryptfs) and b) a plain bind volume of a folder on the same file system.
#    Prints MiB/s (median of RUNS) and the encrypted/plain ratio.
# 2. Backup and verified restore of SIZE_MIB MiB of random data (64 files) with `contsec run volume-crypt backup`
#    and `restore` (checksums, every file, gocryptfs -fsck, atomic swap), as .tar.gz and .tar, against a plain
#    `tar czf` / `tar cf` of the same plaintext on the same disk.
#
# Env: SIZE_MIB (default 256), RUNS (default 3), SKIP_BUILD=1 (reuse the release build), DROP_CACHES=0 (do not
# drop the page cache before reads: then reads come from memory). Everything it makes is named
# contsec-bench-volumecrypt-* and removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SIZE_MIB=${SIZE_MIB:-256}
RUNS=${RUNS:-3}
IMAGE=contsec-test/busybox:1
SCRATCH="$ROOT/.build-bench-volumecrypt"
ID=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
BASE=$(mktemp -d "/var/tmp/contsec-bench-volumecrypt-$ID-XXXX")
STATE="$BASE/state" WS="$BASE/workspace" PLAIN_DIR="$BASE/plain-volume" BASELINE="$BASE/baseline"
ENC="contsec-bench-volumecrypt-enc-$ID" PLAIN="contsec-bench-volumecrypt-plain-$ID"
mkdir -p "$WS" "$PLAIN_DIR" "$BASELINE"

[[ $(id -u) == 0 ]] || { echo "run as root (FUSE mounts, the state folder, dropping caches)" >&2; exit 2; }
docker info >/dev/null 2>&1 || { echo "no Docker daemon answers: run scripts/test-env.sh as root first" >&2; exit 2; }
docker image inspect "$IMAGE" >/dev/null 2>&1 || { echo "test image $IMAGE missing: run scripts/test-env.sh" >&2; exit 2; }

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "building contsec and contsec-volume-crypt (release, scratch path $SCRATCH)..."
  for product in contsec contsec-volume-crypt; do
    log=$(mktemp)
    swift build -c release --scratch-path "$SCRATCH" --product "$product" >"$log" 2>&1 || { tail -20 "$log" >&2; rm -f "$log"; exit 2; }
    rm -f "$log"
  done
fi
CONTSEC="$SCRATCH/release/contsec"
vc() { (cd "$WS" && "$CONTSEC" --no-log run volume-crypt "$@" --state-dir "$STATE" >/dev/null); }

cleanup() {
  docker rm -f $(docker ps -aq --filter "name=^contsec-bench-volumecrypt-") >/dev/null 2>&1 || true
  vc destroy --volume "$ENC" >/dev/null 2>&1 || true
  docker volume rm -f "$PLAIN" >/dev/null 2>&1 || true
  mountpoint -q "$STATE/volumes/$ENC/plain" 2>/dev/null && fusermount3 -u "$STATE/volumes/$ENC/plain" || true
  rm -rf "$BASE"
}
trap cleanup EXIT INT TERM

drop_caches() { if [[ "${DROP_CACHES:-1}" == 1 ]]; then sync; echo 3 >/proc/sys/vm/drop_caches; fi; }
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

vc create --volume "$ENC" --label contsec-test=1
docker volume create --driver local -o type=none -o o=bind -o device="$PLAIN_DIR" --label contsec-test=1 "$PLAIN" >/dev/null

# One dd inside a container; prints the seconds dd itself took (from /proc/uptime, 10 ms resolution).
in_container() { # VOLUME COMMAND
  docker run --rm --network none --name "contsec-bench-volumecrypt-dd-$ID" -v "$1:/v" "$IMAGE" sh -c \
    "t0=\$(cut -d' ' -f1 /proc/uptime); $2; t1=\$(cut -d' ' -f1 /proc/uptime); echo \$t0 \$t1" | awk '{print $2 - $1}'
}

echo
echo "1. dd of $SIZE_MIB MiB inside a container, median of $RUNS (page cache dropped before each read: ${DROP_CACHES:-1})"
printf '%-10s %14s %14s\n' volume "write MiB/s" "read MiB/s"
declare -A W R
for vol in "$PLAIN" "$ENC"; do
  ws=() rs=()
  for ((r = 0; r < RUNS; r++)); do
    t=$(in_container "$vol" "dd if=/dev/zero of=/v/bench.bin bs=1M count=$SIZE_MIB conv=fsync 2>/dev/null")
    ws+=("$(awk -v s="$SIZE_MIB" -v t="$t" 'BEGIN {printf "%.1f", s / t}')")
    drop_caches
    t=$(in_container "$vol" "dd if=/v/bench.bin of=/dev/null bs=1M 2>/dev/null")
    rs+=("$(awk -v s="$SIZE_MIB" -v t="$t" 'BEGIN {printf "%.1f", s / t}')")
    in_container "$vol" "rm /v/bench.bin" >/dev/null
  done
  W[$vol]=$(printf '%s\n' "${ws[@]}" | median) R[$vol]=$(printf '%s\n' "${rs[@]}" | median)
  label=$([[ $vol == "$ENC" ]] && echo encrypted || echo plain)
  printf '%-10s %14s %14s   (runs: write %s; read %s)\n' "$label" "${W[$vol]}" "${R[$vol]}" "${ws[*]}" "${rs[*]}"
done
awk -v we="${W[$ENC]}" -v wp="${W[$PLAIN]}" -v re="${R[$ENC]}" -v rp="${R[$PLAIN]}" \
  'BEGIN {printf "encrypted / plain: write %.2f, read %.2f\n", we / wp, re / rp}'

echo
echo "2. backup and verified restore of $SIZE_MIB MiB of random data (64 files), median of $RUNS"
per=$((SIZE_MIB * 1024 / 64))
docker run --rm --network none --name "contsec-bench-volumecrypt-fill-$ID" -v "$ENC:/v" "$IMAGE" sh -c \
  "for i in \$(seq 64); do head -c ${per}k /dev/urandom > /v/file-\$i.bin; done" 
cp -a "$STATE/volumes/$ENC/plain/data/." "$BASELINE/"
timed() { local t0; t0=$(now); "$@"; awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}'; }
printf '%-34s %10s\n' "operation" "seconds"
for ext in tar.gz tar; do
  bs=() rs=() ts=()
  for ((r = 0; r < RUNS; r++)); do
    rm -f "$WS/b.$ext" "$WS/b.$ext.manifest.json" "$BASE/baseline.$ext"
    drop_caches; bs+=("$(timed vc backup --volume "$ENC" --backup-path "$WS/b.$ext")")
    drop_caches; rs+=("$(timed vc restore --volume "$ENC" --backup-path "$WS/b.$ext")")
    flag=$([[ $ext == tar.gz ]] && echo czf || echo cf)
    drop_caches; ts+=("$(timed tar "$flag" "$BASE/baseline.$ext" -C "$BASELINE" .)")
  done
  printf '%-34s %10s   (runs: %s)\n' "volume-crypt backup (.$ext)" "$(printf '%s\n' "${bs[@]}" | median)" "${bs[*]}"
  printf '%-34s %10s   (runs: %s)\n' "volume-crypt verified restore (.$ext)" "$(printf '%s\n' "${rs[@]}" | median)" "${rs[*]}"
  printf '%-34s %10s   (runs: %s)\n' "plain tar $flag" "$(printf '%s\n' "${ts[@]}" | median)" "${ts[*]}"
done
cmp -s <(cd "$BASELINE" && sha256sum * | sort) <(cd "$STATE/volumes/$ENC/plain/data" && sha256sum * | sort) \
  && echo "restored data matches the original (sha256 of every file)" || { echo "RESTORED DATA DIFFERS" >&2; exit 1; }
