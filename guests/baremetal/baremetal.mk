# SPDX-License-Identifier: MIT
# The bare-metal test guest for $(ARCH): build/guests/baremetal/<arch>/guest.elf. VM configs
# name the ELF; scripts/vmconfig.py takes its load address and entry from it.

BAREMETAL_DIR := build/guests/baremetal/$(ARCH)
BAREMETAL_ARCH := guests/baremetal/arch/$(ARCH)
ifneq ($(wildcard $(BAREMETAL_ARCH)/guest.mk),)
include $(BAREMETAL_ARCH)/guest.mk
BAREMETAL_ELF := $(BAREMETAL_DIR)/guest.elf
endif

BAREMETAL_SRCS := guests/baremetal/main.c guests/baremetal/console.c guests/baremetal/bench.c \
	guests/baremetal/fpcanary.c guests/baremetal/faults.c guests/baremetal/shmem.c \
	guests/baremetal/timerbench.c \
	kernel/format.c \
	$(wildcard $(BAREMETAL_ARCH)/*.c $(BAREMETAL_ARCH)/*.S)
BAREMETAL_OBJS := $(patsubst %,$(BAREMETAL_DIR)/%.o,$(BAREMETAL_SRCS)) \
	$(patsubst %.c,$(BAREMETAL_DIR)/libfdt/%.o,fdt.c fdt_ro.c)
BAREMETAL_CFLAGS = $(GUEST_CFLAGS) -std=gnu11 -O2 -g -ffreestanding -fno-pie -fno-stack-protector \
	-Ikernel/include -I$(LIBFDT_SRC) -MMD -MP

$(BAREMETAL_DIR)/%.c.o: %.c | $(LIBFDT_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GUESTCC $<")
	$(Q)$(GUEST_CC) $(BAREMETAL_CFLAGS) -Wall -Wextra -Werror -c $< -o $@

$(BAREMETAL_DIR)/%.S.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GUESTAS $<")
	$(Q)$(GUEST_CC) $(BAREMETAL_CFLAGS) -c $< -o $@

$(BAREMETAL_DIR)/libfdt/%.o: $(LIBFDT_SRC)/%.c | $(LIBFDT_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(GUEST_CC) $(BAREMETAL_CFLAGS) -w -c $< -o $@

$(BAREMETAL_DIR)/guest.elf: $(BAREMETAL_OBJS) $(BAREMETAL_ARCH)/guest.ld
	@$(if $(Q),echo "  GUESTLD $@")
	$(Q)$(GUEST_CC) $(GUEST_LDFLAGS) -T $(BAREMETAL_ARCH)/guest.ld -o $@ $(BAREMETAL_OBJS) -lgcc

# The same guest for bare QEMU, no hypervisor (timerbench in `make bench`): linked where that
# machine's firmware hands over (GUEST_BARE_LDFLAGS in guest.mk; the same address elsewhere).
$(BAREMETAL_DIR)/guest-bare.elf: $(BAREMETAL_OBJS) $(BAREMETAL_ARCH)/guest.ld
	@$(if $(Q),echo "  GUESTLD $@")
	$(Q)$(GUEST_CC) $(GUEST_LDFLAGS) $(GUEST_BARE_LDFLAGS) -T $(BAREMETAL_ARCH)/guest.ld -o $@ \
		$(BAREMETAL_OBJS) -lgcc

-include $(BAREMETAL_OBJS:.o=.d)
