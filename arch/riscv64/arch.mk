# SPDX-License-Identifier: MIT
# riscv64: an OpenSBI payload entered in HS-mode at 0x80200000 (QEMU virt, fw_dynamic).

CROSS_COMPILE := riscv64-unknown-elf-

# Soft-float picolibc: the hypervisor never touches the FPU, so guests own f0-f31 and fcsr.
# Without -misa-spec=2.2, GCC 12 picks the lp64d multilib even for rv64imac and the link fails;
# 2.2 also keeps Zicsr/Zifencei implied. medany: the image lives at 0x80200000, above the 2 GiB
# reach of the default medlow model.
RISCV_MFLAGS := -march=rv64imac -misa-spec=2.2 -mabi=lp64 -mcmodel=medany

ARCH_CFLAGS := --specs=picolibc.specs $(RISCV_MFLAGS)
# picolibc's crt0 touches M-mode CSRs: boot/riscv64/head.S is the entry instead.
ARCH_LDFLAGS := --specs=picolibc.specs $(RISCV_MFLAGS) -nostartfiles -static -no-pie \
	-Wl,--build-id=none
ARCH_LIBS := -lgcc

ARCH_SRCS := boot/riscv64/head.S \
	arch/riscv64/trap_entry.S \
	arch/riscv64/guest_entry.S \
	arch/riscv64/sbi_fast.S \
	arch/riscv64/guest_fetch.S \
	arch/riscv64/fpu.S \
	$(wildcard arch/riscv64/*.c) \
	$(wildcard arch/riscv64/lib/*.c)
ARCH_DRIVERS :=

# arch/riscv64/lib: memset, memcpy/memmove, memcmp, linked ahead of picolibc's byte loops
# (objects named on the command line win over archive members). GCC must not turn their loops
# back into calls to themselves.
$(BUILD)/arch/riscv64/lib/%: ARCH_CFLAGS += -fno-builtin -fno-tree-loop-distribute-patterns

IMAGE := axvm.bin

# OpenSBI's fw_dynamic jumps to the first byte of the raw image (QEMU -kernel loads it at
# 0x80200000); the ELF stays alongside for gdb.
$(BUILD)/axvm.bin: $(BUILD)/axvm.elf
	@$(if $(Q),echo "  OBJCOPY $@")
	$(Q)$(OBJCOPY) -O binary $< $@
