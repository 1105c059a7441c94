# SPDX-License-Identifier: MIT
# The x86_64 test guest: a freestanding static ELF built with the host's gcc, no C library but
# the hypervisor's few string functions (libc.c), entered in 32-bit protected mode (start.S).
GUEST_CC := gcc
GUEST_CFLAGS := -m64 -mno-red-zone -mgeneral-regs-only -fno-asynchronous-unwind-tables \
	-nostdinc -isystem arch/x86_64/libc/include -isystem $(shell gcc -print-file-name=include)
GUEST_LDFLAGS := -m64 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack \
	-Wl,--no-warn-rwx-segments
