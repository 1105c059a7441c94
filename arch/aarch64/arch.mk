# SPDX-License-Identifier: MIT
# AArch64: entered at EL2 through the Linux arm64 Image protocol; C library is picolibc.
CROSS_COMPILE ?= aarch64-linux-gnu-
ARCH_CFLAGS := --specs=picolibc.specs -mgeneral-regs-only -mno-outline-atomics -mcpu=cortex-a72
ARCH_LDFLAGS := --specs=picolibc.specs -nostartfiles -static -no-pie -Wl,--no-warn-rwx-segments \
	-Wl,-z,max-page-size=4096
ARCH_LIBS := -lgcc
# arch/aarch64/lib: memset, memcpy/memmove, memcmp in assembly, linked ahead of picolibc's
# byte loops (objects named on the command line win over archive members).
ARCH_SRCS := boot/aarch64/head.S arch/aarch64/vectors.S arch/aarch64/guest_entry.S \
	arch/aarch64/fpsimd.S $(wildcard arch/aarch64/lib/*.S) \
	$(wildcard arch/aarch64/*.c)
ARCH_DRIVERS := drivers/irq/gic.c drivers/irq/gicv2.c drivers/irq/gicv3.c
IMAGE := axvm.bin

$(BUILD)/axvm.bin: $(BUILD)/axvm.elf
	@$(if $(Q),echo "  IMAGE   $@")
	$(Q)$(OBJCOPY) -O binary $< $@

# ---- axvm.efi: the UEFI application that carries axvm.bin (boot/aarch64/efi_*.c) -------------
# Built with every image, beside axvm.bin: the same hypervisor, started by UEFI firmware instead
# of a Linux-Image loader. The application's objects do not depend on the VM config, so they
# are shared by every build directory; only the payload (axvm.bin) and the link are per build.
# boot/efi/ holds what it shares with the x86_64 application (reading the boot arguments).
GNUEFI := build/gnu-efi-arm64
GNUEFI_STAMP := $(GNUEFI)/.stamp
EFI_OBJDIR := build/efi-aarch64
PICOLIBC_LIB := /usr/lib/picolibc/aarch64-linux-gnu/lib
EFI_SRCS := $(wildcard boot/aarch64/efi_*.c) $(wildcard boot/efi/*.c) boot/aarch64/efi_enter.S
EFI_LIBFDT := fdt.c fdt_ro.c fdt_rw.c fdt_wip.c fdt_strerror.c fdt_addresses.c
EFI_OBJS := $(patsubst %,$(EFI_OBJDIR)/%.o,$(EFI_SRCS)) \
	$(patsubst %.c,$(EFI_OBJDIR)/libfdt/%.o,$(EFI_LIBFDT))

# -fpic, hidden visibility: GNU-EFI's crt0 relocates the application to wherever UEFI loads
#   it, and it applies only R_AARCH64_RELATIVE. -fshort-wchar: UEFI strings are UCS-2.
# picolibc gives the C headers and the few string functions (memcpy, strlen, ...) linked in.
EFI_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -ffreestanding \
	-fno-common -fno-stack-protector -fpic -fvisibility=hidden -fshort-wchar \
	-mgeneral-regs-only -mno-outline-atomics --specs=picolibc.specs \
	-isystem $(GNUEFI)/include -isystem $(GNUEFI)/include/aarch64 -Iboot/efi -I$(LIBFDT_SRC) \
	-MMD -MP
EFI_LDFLAGS := -nostdlib -shared -Wl,-Bsymbolic -Wl,-znocombreloc -Wl,--no-undefined \
	-Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
	-Wl,--defsym=EFI_SUBSYSTEM=0xa -T $(GNUEFI)/elf_aarch64_efi.lds

all: $(BUILD)/axvm.efi

$(GNUEFI_STAMP): scripts/gnuefi.sh scripts/debs.lock | deps
	$(Q)scripts/gnuefi.sh $(GNUEFI)
	$(Q)touch $@

$(EFI_OBJDIR)/%.c.o: %.c | $(GNUEFI_STAMP) $(LIBFDT_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $< (efi)")
	$(Q)$(CC) $(EFI_CFLAGS) -c $< -o $@

$(EFI_OBJDIR)/%.S.o: %.S | $(GNUEFI_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $< (efi)")
	$(Q)$(CC) $(EFI_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(EFI_OBJDIR)/libfdt/%.o: $(LIBFDT_SRC)/%.c | $(GNUEFI_STAMP) $(LIBFDT_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      libfdt/$*.c (efi)")
	$(Q)$(CC) $(filter-out -Wextra -Werror -MMD -MP,$(EFI_CFLAGS)) -w -c $< -o $@

# The payload: this build's axvm.bin and the address axvm.elf is linked at.
$(BUILD)/efi/efi_payload.o: boot/aarch64/efi_payload.S $(BUILD)/axvm.bin $(BUILD)/axvm.elf
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $< (efi)")
	$(Q)$(CC) $(EFI_CFLAGS) -D__ASSEMBLY__ -DAXVM_BIN='"$(BUILD)/axvm.bin"' \
		-DAXVM_LINK_ADDR=0x$$($(CROSS_COMPILE)nm $(BUILD)/axvm.elf | \
		awk '$$3 == "_image_start" { print $$1 }') -c $< -o $@

$(BUILD)/efi/axvm-efi.so: $(EFI_OBJS) $(BUILD)/efi/efi_payload.o $(GNUEFI_STAMP)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(EFI_LDFLAGS) -o $@ $(GNUEFI)/crt0-efi-aarch64.o $(EFI_OBJS) \
		$(BUILD)/efi/efi_payload.o $(GNUEFI)/libefi.a $(GNUEFI)/libgnuefi.a \
		$(PICOLIBC_LIB)/libc.a $$($(CC) -print-libgcc-file-name)

# GNU-EFI 3.0.15's arm64 crt0 carries the PE/COFF header itself: the binary is the sections
# from there to _edata, padded to _edata (the raw size its header gives the last PE section:
# EDK II refuses a file that ends before it, "Unsupported"). Its _relocate applies only
# R_AARCH64_RELATIVE: anything else would be silently left unapplied, so refuse it here.
$(BUILD)/axvm.efi: $(BUILD)/efi/axvm-efi.so
	@$(if $(Q),echo "  EFI     $@")
	$(Q)if $(CROSS_COMPILE)readelf -rW $< | grep '^[0-9a-f]' | grep -v R_AARCH64_RELATIVE; then \
		echo "$<: relocations that GNU-EFI's _relocate would not apply" >&2; exit 1; fi
	$(Q)$(OBJCOPY) -j .text -j .dynamic -j .data -j .rela.dyn -j .rela.plt -j .rela.got \
		-j .rela.data -j .reloc -O binary $< $@
	$(Q)truncate -s $$((0x$$($(CROSS_COMPILE)nm $< | awk '$$3 == "_edata" { print $$1 }'))) $@

-include $(EFI_OBJS:.o=.d)
