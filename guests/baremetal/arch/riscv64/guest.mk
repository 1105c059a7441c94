# SPDX-License-Identifier: MIT
# The riscv64 test guest: RV64IMAC, soft-float picolibc (the multilib arch/riscv64/arch.mk uses).
# medany: linked at 0x80000000, beyond the reach of the default medlow model.
GUEST_CC := riscv64-unknown-elf-gcc
GUEST_MFLAGS := -march=rv64imac -misa-spec=2.2 -mabi=lp64 -mcmodel=medany
GUEST_CFLAGS := --specs=picolibc.specs $(GUEST_MFLAGS)
GUEST_LDFLAGS := --specs=picolibc.specs $(GUEST_MFLAGS) -nostartfiles -static -no-pie \
	-Wl,--no-warn-rwx-segments -Wl,--build-id=none
# guest-bare.elf (timerbench on bare QEMU, scripts/bench.py): OpenSBI's payload address.
GUEST_BARE_LDFLAGS := -Wl,--defsym=GUEST_LOAD=0x80200000
