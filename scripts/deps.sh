#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages axvm needs. Idempotent and silent when everything is present.
set -euo pipefail

pkgs=(
    make gcc python3 python3-pytest python3-pexpect
    qemu-system-arm qemu-system-misc qemu-system-x86 qemu-utils
    opensbi ovmf gnu-efi
    gcc-aarch64-linux-gnu gcc-riscv64-linux-gnu gcc-riscv64-unknown-elf
    libc6-dev libc6-dev-arm64-cross libc6-dev-riscv64-cross
    picolibc-aarch64-linux-gnu picolibc-riscv64-unknown-elf
    binutils-aarch64-linux-gnu binutils-riscv64-linux-gnu
    device-tree-compiler libfdt-dev
    bc bison flex cpio xz-utils libelf-dev libssl-dev
    gdb-multiarch
    # Deployment (scripts/image.py, netboot, docs/deploy.md): the firmware boards run, mkimage
    # for U-Boot scripts, FAT file systems written into an image file without root. GNU-EFI for
    # arm64 is not installed (gnu-efi:arm64 would replace the amd64 one): scripts/gnuefi.sh
    # extracts it from the pinned .deb into the build tree.
    qemu-efi-aarch64 u-boot-qemu u-boot-tools mtools dosfstools
)

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
done
# Guest packages of other architectures are fetched with scripts/debfetch.py, which needs
# the arm64 package lists.
need_arm64=0
dpkg --print-foreign-architectures | grep -qx arm64 || need_arm64=1

[ ${#missing[@]} -eq 0 ] && [ $need_arm64 -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
[ $need_arm64 -eq 1 ] && $sudo dpkg --add-architecture arm64
$sudo apt-get update -qq >/dev/null
if [ ${#missing[@]} -gt 0 ]; then
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "deps: done" >&2
