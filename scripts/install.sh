#!/usr/bin/env bash
# Installs contsec: a release build of the CLI and of every bundled plugin (each Plugins/<name>/ with a plugin.json),
# the plugins' manifests with the sha256 of what was installed, the man page and shell completions.
#
#   scripts/install.sh [--prefix DIR] [--bin-dir DIR]     install (default prefix /usr/local)
#   scripts/install.sh --uninstall [--prefix DIR]         remove exactly what install created
#
#   PREFIX/bin/contsec
#   PREFIX/lib/contsec/plugins/<name>/{contsec-<name>, plugin.json, .contsec-install.json}
#   PREFIX/share/man/man1/contsec.1
#   PREFIX/share/bash-completion/completions/contsec
#   PREFIX/share/zsh/site-functions/_contsec
#   PREFIX/share/fish/vendor_completions.d/contsec.fish
#   PREFIX/lib/contsec/install-record.txt                 what was created, for --uninstall
#
# --bin-dir DIR installs binaries already built in DIR (e.g. .build/debug) instead of building a release.
# Test-only plugins (testkit, noop) have no plugin.json and are never installed.
set -euo pipefail

PREFIX=/usr/local
BIN_DIR=""
MODE=install
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }
say() { printf '%s\n' "$*"; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --prefix) [[ $# -ge 2 ]] || die "--prefix needs a folder"; PREFIX=$2; shift 2 ;;
        --prefix=*) PREFIX=${1#--prefix=}; shift ;;
        --bin-dir) [[ $# -ge 2 ]] || die "--bin-dir needs a folder"; BIN_DIR=$2; shift 2 ;;
        --bin-dir=*) BIN_DIR=${1#--bin-dir=}; shift ;;
        --uninstall) MODE=uninstall; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument '$1'" ;;
    esac
done
[[ -n "$PREFIX" ]] || die "--prefix must not be empty"
mkdir -p "$PREFIX" 2>/dev/null || die "cannot create $PREFIX (run as root for /usr/local, or pass --prefix ~/.local)"
PREFIX="$(cd "$PREFIX" && pwd)"
PLUGINS_DIR="$PREFIX/lib/contsec/plugins"
RECORD="$PREFIX/lib/contsec/install-record.txt"
# Group- or world-writable plugin folders are refused by contsec (PluginTrust): whatever the caller's umask.
umask 022

# --- uninstall: the record lists every file and folder install created; folders go only when empty. ---
if [[ "$MODE" == uninstall ]]; then
    [[ -f "$RECORD" ]] || die "nothing to uninstall: no $RECORD (contsec was not installed in $PREFIX by this script)"
    mapfile -t ENTRIES < "$RECORD"
    removed=0
    for path in "${ENTRIES[@]}"; do
        [[ "$path" == "$PREFIX"/* && "$path" != */ ]] || continue      # never anything outside the prefix
        if [[ -f "$path" || -L "$path" ]]; then rm -f -- "$path"; removed=$((removed + 1)); fi
    done
    # Folders deepest first; one that holds something install did not put there stays.
    while IFS= read -r dir; do
        dir=${dir%/}
        [[ "$dir" == "$PREFIX"/* && -d "$dir" ]] || continue
        rmdir -- "$dir" 2>/dev/null || say "kept $dir (not empty)"
    done < <(printf '%s\n' "${ENTRIES[@]}" | grep '/$' | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2-)
    rm -f -- "$RECORD"
    rmdir -- "$PREFIX/lib/contsec" 2>/dev/null || true
    say "uninstalled contsec from $PREFIX ($removed files)"
    exit 0
fi

# --- install ---
mapfile -t MANIFESTS < <(find "$REPO/Plugins" -mindepth 2 -maxdepth 2 -name plugin.json | sort)
[[ ${#MANIFESTS[@]} -gt 0 ]] || die "no Plugins/*/plugin.json in $REPO"
# The repository's manifests keep one member per line.
executable_of() { sed -n 's/^ *"executable": *"\([^"]*\)".*/\1/p' "$1"; }

if [[ -z "$BIN_DIR" ]]; then
    command -v swift >/dev/null || die "swift is not installed: get the toolchain from https://www.swift.org/install/ (Swift 6)"
    say "building a release build (swift build -c release; a few minutes the first time)..."
    (cd "$REPO" && swift build -c release) >&2 || die "the release build failed (see above)"
    BIN_DIR="$(cd "$REPO" && swift build -c release --show-bin-path)"
fi
BIN_DIR="$(cd "$BIN_DIR" && pwd)" || die "no such folder: $BIN_DIR"
[[ -x "$BIN_DIR/contsec" ]] || die "$BIN_DIR/contsec does not exist: build first (swift build -c release)"
for m in "${MANIFESTS[@]}"; do
    exe=$(executable_of "$m")
    [[ -x "$BIN_DIR/$exe" ]] || die "$BIN_DIR/$exe does not exist: build first (swift build -c release)"
done

# What exists before install is not recorded, so uninstall leaves it; a re-install keeps the earlier record.
declare -A RECORDED=()
if [[ -f "$RECORD" ]]; then while IFS= read -r line; do RECORDED["$line"]=1; done < "$RECORD"; fi
record() { RECORDED["$1"]=1; }
make_dir() {
    local dir=$1 missing=()
    while [[ ! -d "$dir" ]]; do missing+=("$dir"); dir=$(dirname "$dir"); done
    local i
    for ((i = ${#missing[@]} - 1; i >= 0; i--)); do mkdir -m 0755 -- "${missing[i]}"; record "${missing[i]}/"; done
}
put() {  # put MODE SOURCE DEST
    make_dir "$(dirname "$3")"
    install -m "$1" -- "$2" "$3"
    record "$3"
}

put 0755 "$BIN_DIR/contsec" "$PREFIX/bin/contsec"
make_dir "$PLUGINS_DIR"
STAGE=$(mktemp -d)
CACHE=$(mktemp -d)
trap 'rm -rf "$STAGE" "$CACHE"' EXIT
for m in "${MANIFESTS[@]}"; do
    exe=$(executable_of "$m")
    name=${exe#contsec-}
    mkdir -p "$STAGE/$name"
    cp -- "$m" "$STAGE/$name/plugin.json"
    cp -- "$BIN_DIR/$exe" "$STAGE/$name/$exe"
    # contsec's own installer copies it and writes the manifest with the sha256 of the installed executable.
    "$PREFIX/bin/contsec" plugin install --force --plugins-dir "$PLUGINS_DIR" "$STAGE/$name" >/dev/null
    record "$PLUGINS_DIR/$name/"
    for f in "$PLUGINS_DIR/$name"/* "$PLUGINS_DIR/$name"/.contsec-install.json; do [[ -e "$f" ]] && record "$f"; done
    say "  plugin $name"
done

put 0644 "$REPO/man/contsec.1" "$PREFIX/share/man/man1/contsec.1"
# Completions from what the bundled plugins declare, asked of the staged copies (the same executables; their
# manifests carry no sha256 yet, so nothing is hashed twice); a clean HOME and PATH so that no personal plugin of
# whoever installs ends up in everyone's completion, and a throw-away declaration cache.
STAGED=()
for m in "${MANIFESTS[@]}"; do exe=$(executable_of "$m"); STAGED+=(--plugin-path "$STAGE/${exe#contsec-}"); done
complete_for() {
    env -i HOME="$CACHE" XDG_CACHE_HOME="$CACHE" PATH=/usr/bin:/bin "$PREFIX/bin/contsec" completion "$1" "${STAGED[@]}" > "$STAGE/completion.$1"
}
for shell in bash zsh fish; do complete_for "$shell"; done
put 0644 "$STAGE/completion.bash" "$PREFIX/share/bash-completion/completions/contsec"
put 0644 "$STAGE/completion.zsh" "$PREFIX/share/zsh/site-functions/_contsec"
put 0644 "$STAGE/completion.fish" "$PREFIX/share/fish/vendor_completions.d/contsec.fish"

record "$RECORD"
printf '%s\n' "${!RECORDED[@]}" | sort > "$RECORD.tmp"
mv -f -- "$RECORD.tmp" "$RECORD"
chmod 0644 "$RECORD"

say "installed contsec $("$PREFIX/bin/contsec" version | cut -d' ' -f2) in $PREFIX"
say "  $PREFIX/bin/contsec, ${#MANIFESTS[@]} plugins in $PLUGINS_DIR, man page, bash/zsh/fish completions"
case ":$PATH:" in
    *":$PREFIX/bin:"*) ;;
    *) say "  $PREFIX/bin is not on your PATH: add it (export PATH=\"$PREFIX/bin:\$PATH\")" ;;
esac
say "uninstall: scripts/install.sh --uninstall --prefix $PREFIX"
