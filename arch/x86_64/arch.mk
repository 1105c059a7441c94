# SPDX-License-Identifier: MIT
# x86_64: a UEFI application (GNU-EFI), native gcc, no C library (arch/x86_64/libc has the few
# string functions the core and libfdt use).
CROSS_COMPILE ?=

GCC_INCLUDE := $(shell $(CROSS_COMPILE)gcc -print-file-name=include)
EFI_INCLUDE := /usr/include/efi
EFI_LIB := /usr/lib

# -fpic: the image is linked as a shared object at 0 and relocates itself (GNU-EFI's crt0);
#   hidden visibility: nothing is exported or interposed, so references stay PC-relative.
# -nostdinc: no glibc header may sneak in; gcc's freestanding headers and ours only.
# -mno-red-zone: exceptions and interrupts arrive on the same stack.
# -mgeneral-regs-only: no SSE/x87 state to save on exits and interrupts.
ARCH_CFLAGS := -fpic -fvisibility=hidden -mno-red-zone -mgeneral-regs-only \
	-fno-asynchronous-unwind-tables \
	-nostdinc -isystem arch/x86_64/libc/include -isystem $(GCC_INCLUDE)

# Only the UEFI application sees the UEFI headers. ms_abi lets it call firmware directly.
# boot/efi/ holds what it shares with the AArch64 application (reading the boot arguments).
EFI_APP_CFLAGS := -fshort-wchar -DGNU_EFI_USE_MS_ABI -isystem $(EFI_INCLUDE) \
	-isystem $(EFI_INCLUDE)/x86_64 -Iboot/efi
$(BUILD)/boot/x86_64/%: ARCH_CFLAGS += $(EFI_APP_CFLAGS)
$(BUILD)/boot/efi/%: ARCH_CFLAGS += $(EFI_APP_CFLAGS)

ARCH_LDFLAGS := -nostdlib -shared -fpic -Wl,-Bsymbolic -Wl,--no-undefined -Wl,-znocombreloc \
	-Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -Wl,--fatal-warnings
ARCH_LIBS := $(EFI_LIB)/crt0-efi-x86_64.o $(EFI_LIB)/libgnuefi.a
ARCH_SRCS := $(wildcard boot/x86_64/*.c) $(wildcard boot/efi/*.c) $(wildcard arch/x86_64/*.S) \
	$(wildcard arch/x86_64/*.c) $(wildcard arch/x86_64/libc/*.c)
ARCH_DRIVERS :=
IMAGE := axvm.efi

# The PE image keeps the sections UEFI loads; .dynamic and .rela are what crt0's _relocate
# reads. It applies only R_X86_64_RELATIVE, and only from the one .rela section the linker
# script makes: anything else would be silently left unapplied, so refuse it here.
$(BUILD)/axvm.efi: $(BUILD)/axvm.elf
	@$(if $(Q),echo "  EFI     $@")
	$(Q)if $(CROSS_COMPILE)readelf -SW $< | grep '\] \.rela\.' || \
		$(CROSS_COMPILE)readelf -rW $< | grep '^[0-9a-f]' | grep -v R_X86_64_RELATIVE; then \
		echo "$<: relocations that GNU-EFI's _relocate would not apply" >&2; exit 1; fi
	$(Q)$(OBJCOPY) -j .text -j .data -j .dynamic -j .rela -j .reloc -j .bss \
		--target efi-app-x86_64 $< $@
