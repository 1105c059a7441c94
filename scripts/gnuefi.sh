#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Extract GNU-EFI for arm64 (headers, crt0, linker script, libefi, libgnuefi) from Debian's
# gnu-efi:arm64 package, pinned in scripts/debs.lock, into DEST. Installing gnu-efi:arm64
# through multiarch would remove the amd64 gnu-efi the x86_64 build uses (the package is not
# co-installable), so its files are taken from the .deb instead. Cached next to the .deb.
set -euo pipefail
dest=${1:?usage: gnuefi.sh DEST}
here=$(cd "$(dirname "$0")" && pwd)
pkg=gnu-efi:arm64

deb=$(python3 "$here/debfetch.py" fetch "$pkg")
cache=${AXVM_CACHE:-$HOME/.cache/axvm}/$(basename "$deb" .deb)
if [ ! -f "$cache/.done" ]; then
    echo "gnu-efi: extracting $(basename "$deb")" >&2
    rm -rf "$cache"
    mkdir -p "$cache"
    dpkg-deb -x "$deb" "$cache"
    touch "$cache/.done"
fi
rm -rf "$dest"
mkdir -p "$dest"
cp -r "$cache/usr/include/efi" "$dest/include"
cp "$cache/usr/lib/crt0-efi-aarch64.o" "$cache/usr/lib/elf_aarch64_efi.lds" \
    "$cache/usr/lib/libefi.a" "$cache/usr/lib/libgnuefi.a" "$dest/"
