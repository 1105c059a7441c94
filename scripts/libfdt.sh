#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Extract libfdt's sources from Debian's linux-source package (pinned in scripts/debs.lock)
# into DEST. The extracted copy is cached next to the .deb so it happens once per machine.
set -euo pipefail
dest=${1:?usage: libfdt.sh DEST}
here=$(cd "$(dirname "$0")" && pwd)
pkg=linux-source-6.12:all

deb=$(python3 "$here/debfetch.py" fetch "$pkg")
cache=${AXVM_CACHE:-$HOME/.cache/axvm}/libfdt-$(basename "$deb" .deb)
if [ ! -f "$cache/.done" ]; then
    echo "libfdt: extracting from $(basename "$deb")" >&2
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    tarball=$(dpkg-deb -c "$deb" | awk '{print $6}' | grep -E '^\./usr/src/linux-source-.*\.tar\.xz$' | head -1)
    top=$(basename "$tarball" .tar.xz)
    dpkg-deb --fsys-tarfile "$deb" | tar -xO "$tarball" | tar -xJ -C "$tmp" "$top/scripts/dtc/libfdt"
    rm -rf "$cache"
    mkdir -p "$cache"
    cp "$tmp/$top/scripts/dtc/libfdt/"*.[ch] "$cache/"
    touch "$cache/.done"
fi
mkdir -p "$dest"
cp "$cache/"*.[ch] "$dest/"
