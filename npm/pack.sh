#!/usr/bin/env bash
# Build the npm packages from the wm binary: npm/pack.sh OUT_DIR
#
# Leaves in OUT_DIR the main package (<scope>-wm-VERSION.tgz: the Node
# launcher, the agent skill file) and this machine's platform package(s)
# (<scope>-wm-linux-x64-gnu-VERSION.tgz: the binary), at Cargo.toml's
# version. Prints the tarballs' paths.
#
# Environment:
#   WM_NPM_SCOPE  the npm scope (default @wm-tasks)
#   WM_BIN        take this binary instead of building one
#   WM_TARGET     the Rust target to build (default: x86_64-unknown-linux-musl,
#                 a static binary, when that target and musl-gcc are
#                 installed on an x86_64 Linux machine; else the host's)
#   WM_NPM_SUFFIXES  the platform packages to pack the binary as, e.g.
#                 "darwin-arm64" (default: this machine's, see below)
#   CARGO_TARGET_DIR  as for cargo
#
# A static (musl) Linux binary runs on glibc and musl alike, so it is
# packed as both linux-ARCH-gnu and linux-ARCH-musl; a glibc binary only as
# linux-ARCH-gnu. The other platforms' packages are built by the release
# workflow (examples/release.yml), one job per target.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out=${1:?usage: npm/pack.sh OUT_DIR}
scope=${WM_NPM_SCOPE:-@wm-tasks}
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -1)
[ -n "$version" ] || { echo "pack: no version in Cargo.toml" >&2; exit 1; }

target_dir=${CARGO_TARGET_DIR:-$root/target}
if [ -n "${WM_BIN:-}" ]; then
    bin=$WM_BIN
else
    target=${WM_TARGET:-}
    if [ -z "$target" ] && [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] &&
        command -v musl-gcc >/dev/null 2>&1 &&
        rustup target list --installed 2>/dev/null | grep -qx x86_64-unknown-linux-musl; then
        target=x86_64-unknown-linux-musl
    fi
    if [ -n "$target" ]; then
        (cd "$root" && cargo build --release --locked --target "$target" >&2)
        bin=$target_dir/$target/release/wm
    else
        (cd "$root" && cargo build --release --locked >&2)
        bin=$target_dir/release/wm
    fi
fi
[ -f "$bin" ] || { echo "pack: no binary at $bin" >&2; exit 1; }

# Ship the binary without its symbol table (a third smaller), when the
# host's strip understands it.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$bin" "$tmp/$(basename "$bin")"
if command -v strip >/dev/null 2>&1 && strip "$tmp/$(basename "$bin")" 2>/dev/null; then
    bin=$tmp/$(basename "$bin")
fi

if [ -n "${WM_NPM_SUFFIXES:-}" ]; then
    read -r -a suffixes <<<"$WM_NPM_SUFFIXES"
    node "$here/pack.js" "$out" "$scope" "$version" "$bin" "${suffixes[@]}"
    exit 0
fi
case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) arch=x64 ;;
    Linux-aarch64 | Linux-arm64) arch=arm64 ;;
    Darwin-x86_64) suffixes=(darwin-x64) ;;
    Darwin-arm64) suffixes=(darwin-arm64) ;;
    MINGW* | MSYS* | CYGWIN*) suffixes=(win32-x64) ;;
    *) echo "pack: no platform package for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac
if [ -n "${arch:-}" ]; then
    # Static if the binary asks for no program interpreter (ld.so).
    if ! command -v readelf >/dev/null 2>&1; then
        suffixes=("linux-$arch-gnu") # cannot tell: the safe choice
    elif LC_ALL=C readelf -lW "$bin" | grep -q 'Requesting program interpreter'; then
        if LC_ALL=C readelf -lW "$bin" | grep -q 'ld-musl'; then
            suffixes=("linux-$arch-musl")
        else
            suffixes=("linux-$arch-gnu")
        fi
    else
        suffixes=("linux-$arch-gnu" "linux-$arch-musl")
    fi
fi
node "$here/pack.js" "$out" "$scope" "$version" "$bin" "${suffixes[@]}"
