#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build a real board's device tree from the sources in Debian's linux-source package (pinned in
# scripts/debs.lock): DEST is the .dtb, NAME the .dts under arch/arm64/boot/dts/ (e.g.
# broadcom/bcm2711-rpi-4-b). The unit tests run the hypervisor's machine discovery on it. Only
# the device-tree sources are extracted (cached next to the .deb: once per machine), then the C
# preprocessor and dtc build it, as the kernel's own build does.
set -euo pipefail
dest=${1:?usage: boarddtb.sh DEST NAME}
name=${2:?usage: boarddtb.sh DEST NAME}
here=$(cd "$(dirname "$0")" && pwd)
pkg=linux-source-6.12:all

deb=$(python3 "$here/debfetch.py" fetch "$pkg")
cache=${AXVM_CACHE:-$HOME/.cache/axvm}/dts-$(basename "$deb" .deb)
if [ ! -f "$cache/.done" ]; then
    echo "dts: extracting the device-tree sources from $(basename "$deb")" >&2
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    tarball=$(dpkg-deb -c "$deb" | awk '{print $6}' | grep -E '^\./usr/src/linux-source-.*\.tar\.xz$' | head -1)
    top=$(basename "$tarball" .tar.xz)
    dpkg-deb --fsys-tarfile "$deb" | tar -xO "$tarball" |
        tar -xJ -C "$tmp" "$top/arch/arm64/boot/dts" "$top/arch/arm/boot/dts" \
            "$top/include/dt-bindings"
    rm -rf "$cache"
    mkdir -p "$cache"
    mv "$tmp/$top/arch" "$tmp/$top/include" "$cache/"
    # What the kernel's scripts/dtc/include-prefixes holds: "arm/..." and <dt-bindings/...>.
    mkdir -p "$cache/prefixes"
    ln -s ../arch/arm/boot/dts "$cache/prefixes/arm"
    ln -s ../arch/arm64/boot/dts "$cache/prefixes/arm64"
    ln -s ../include/dt-bindings "$cache/prefixes/dt-bindings"
    touch "$cache/.done"
fi
src=$cache/arch/arm64/boot/dts/$name.dts
mkdir -p "$(dirname "$dest")"
# The kernel's flags (scripts/Makefile.lib, dtc_cpp_flags); dtc quiet about the warnings the
# kernel build also leaves on.
cpp -nostdinc -undef -x assembler-with-cpp -D__DTS__ -I "$(dirname "$src")" \
    -I "$cache/prefixes" "$src" -o "$dest.pp"
dtc -q -I dts -O dtb -o "$dest" "$dest.pp"
rm -f "$dest.pp"
