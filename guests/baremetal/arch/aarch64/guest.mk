# SPDX-License-Identifier: MIT
GUEST_CC := aarch64-linux-gnu-gcc
GUEST_CFLAGS := --specs=picolibc.specs -mgeneral-regs-only -mno-outline-atomics -mstrict-align
GUEST_LDFLAGS := --specs=picolibc.specs -nostartfiles -static -no-pie -Wl,--no-warn-rwx-segments
