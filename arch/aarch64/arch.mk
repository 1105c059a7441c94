# SPDX-License-Identifier: MIT
# AArch64: entered at EL2 through the Linux arm64 Image protocol; C library is picolibc.
CROSS_COMPILE ?= aarch64-linux-gnu-
ARCH_CFLAGS := --specs=picolibc.specs -mgeneral-regs-only -mno-outline-atomics -mcpu=cortex-a72
ARCH_LDFLAGS := --specs=picolibc.specs -nostartfiles -static -no-pie -Wl,--no-warn-rwx-segments \
	-Wl,-z,max-page-size=4096
ARCH_LIBS := -lgcc
ARCH_SRCS := boot/aarch64/head.S arch/aarch64/vectors.S arch/aarch64/guest_entry.S \
	arch/aarch64/fpsimd.S \
	$(wildcard arch/aarch64/*.c)
ARCH_DRIVERS := drivers/irq/gicv3.c
IMAGE := axvm.bin

$(BUILD)/axvm.bin: $(BUILD)/axvm.elf
	@$(if $(Q),echo "  IMAGE   $@")
	$(Q)$(OBJCOPY) -O binary $< $@
