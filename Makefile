# SPDX-License-Identifier: MIT
#
#   make ARCH=<arch>          build build/<arch>/axvm.elf and its bootable image
#   make BOARD=<board>        the same for a board (boards/<board>.toml), in build/<board>/
#   make run ARCH=<arch>      boot it under QEMU (qemu/<arch>.toml), serial on this terminal
#   make debug ARCH=<arch>    the same, halted, with a gdbstub and build/<arch>/gdbinit
#   make test                 host unit tests, then QEMU integration tests on every arch
#   make coverage             line coverage of kernel/ by the host unit tests
#   make deps                 install missing Debian packages (run by the targets above)
#   make format               clang-format every source file
#
# ARCH is one of aarch64 (default), riscv64, x86_64; each has its QEMU board
# (qemu-virt-aarch64, qemu-virt-riscv64, qemu-q35-x86_64). BOARD picks another board of an
# architecture (`ls boards`); ARCH follows from it. V=1 shows the commands.

.DEFAULT_GOAL := all
ARCHES := aarch64 riscv64 x86_64
PYTHON := /usr/bin/python3
ifdef BOARD
BOARD_ARCH := $(shell $(PYTHON) scripts/board.py get $(BOARD) arch)
ifeq ($(BOARD_ARCH),)
$(error BOARD=$(BOARD): no such board (boards/*.toml: $(notdir $(basename $(wildcard boards/*.toml)))))
endif
ifneq ($(filter command line environment,$(origin ARCH)),)
ifneq ($(ARCH),$(BOARD_ARCH))
$(error BOARD=$(BOARD) is an $(BOARD_ARCH) board, not ARCH=$(ARCH))
endif
endif
ARCH := $(BOARD_ARCH)
else
ARCH ?= aarch64
ifeq ($(filter $(ARCH),$(ARCHES)),)
$(error ARCH=$(ARCH) is not one of: $(ARCHES))
endif
BOARD := $(shell $(PYTHON) scripts/board.py default $(ARCH))
endif
# What `make run`, scripts/qemu.py and the integration tests run this architecture on.
export AXVM_BOARD := $(BOARD)

ifeq ($(V),1)
Q :=
else
Q := @
endif

# build/<arch> for the architecture's QEMU board, build/<board> for any other.
BUILD := build/$(shell $(PYTHON) scripts/board.py get $(BOARD) build)
LIBFDT_SRC := build/libfdt/src
LIBFDT_STAMP := $(LIBFDT_SRC)/.stamp
REVISION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

# Flags every architecture shares; arch/<arch>/arch.mk adds its own and names its sources.
CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-ffreestanding -fno-common -fno-stack-protector -fno-pie -fno-omit-frame-pointer \
	-Ikernel/include -Iarch/$(ARCH)/include -Idrivers/include -I$(LIBFDT_SRC) \
	-DAXVM_REVISION='"$(REVISION)"' -MMD -MP
ASFLAGS = $(CFLAGS) -D__ASSEMBLY__
LIBFDT_CFLAGS = $(filter-out -Wextra -Werror -MMD -MP,$(CFLAGS)) -w

include arch/$(ARCH)/arch.mk

CC := $(CROSS_COMPILE)gcc
OBJCOPY := $(CROSS_COMPILE)objcopy

CORE_SRCS := $(wildcard kernel/*.c) $(wildcard drivers/uart/*.c) $(wildcard drivers/vuart/*.c) \
	$(wildcard drivers/virtio/*.c)
LIBFDT_SRCS := fdt.c fdt_ro.c fdt_rw.c fdt_sw.c fdt_wip.c fdt_strerror.c fdt_addresses.c \
	fdt_empty_tree.c
OBJS := $(patsubst %,$(BUILD)/%.o,$(ARCH_SRCS) $(CORE_SRCS) $(ARCH_DRIVERS)) \
	$(patsubst %.c,$(BUILD)/libfdt/%.o,$(LIBFDT_SRCS))

# ---- VM configuration ------------------------------------------------------------------------

# The VMs packed into the image: checked against the board and turned into C by
# scripts/vmconfig.py. By default the board's own (its `config`).
CONFIG ?= $(shell $(PYTHON) scripts/board.py get $(BOARD) config)
GEN := $(BUILD)/gen
OBJS += $(BUILD)/$(GEN)/vmconfig.c.o $(BUILD)/$(GEN)/vmimages.S.o

include guests/baremetal/baremetal.mk

# Regenerate when CONFIG names another file than last time.
$(GEN)/config-path: FORCE
	@mkdir -p $(GEN)
	@echo "$(CONFIG)" | cmp -s - $@ || echo "$(CONFIG)" > $@

$(GEN)/vmconfig.c: $(CONFIG) $(GEN)/config-path scripts/vmconfig.py $(BAREMETAL_ELF) | deps \
		check-config
	@$(if $(Q),echo "  CONFIG  $(CONFIG)")
	$(Q)$(PYTHON) scripts/vmconfig.py generate --arch $(ARCH) --board $(BOARD) $(CONFIG) \
		--out $(GEN)

$(GEN)/vmimages.S: $(GEN)/vmconfig.c ;

-include $(GEN)/vmconfig.d

.PHONY: all deps run debug test unit integration guests format format-check clean FORCE fuzz \
	check-config bench coverage soak
# The config is checked before anything is compiled, so a bad one fails the build at once.
all: check-config $(BUILD)/$(IMAGE)

# A config that boots the Linux guest needs `make guest` (guests/guests.mk) first.
ifneq ($(shell grep -s 'build/guests/$(ARCH)/' $(CONFIG)),)
CONFIG_GUESTS := guest
endif

check-config: $(BAREMETAL_ELF) $(CONFIG_GUESTS) | deps
	$(Q)$(PYTHON) scripts/vmconfig.py check --arch $(ARCH) --board $(BOARD) $(CONFIG)

deps:
	$(Q)scripts/deps.sh

$(LIBFDT_STAMP): scripts/libfdt.sh scripts/debs.lock | deps
	$(Q)scripts/libfdt.sh $(LIBFDT_SRC)
	$(Q)touch $@

$(BUILD)/%.c.o: %.c | $(LIBFDT_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(ARCH_CFLAGS) -c $< -o $@

$(BUILD)/%.S.o: %.S | $(LIBFDT_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(ASFLAGS) $(ARCH_CFLAGS) -c $< -o $@

# The sources exist only once the stamp rule has extracted them.
$(addprefix $(LIBFDT_SRC)/,$(LIBFDT_SRCS)): $(LIBFDT_STAMP) ;

$(BUILD)/libfdt/%.o: $(LIBFDT_SRC)/%.c | $(LIBFDT_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      libfdt/$*.c")
	$(Q)$(CC) $(LIBFDT_CFLAGS) $(ARCH_CFLAGS) -c $< -o $@

$(BUILD)/axvm.elf: $(OBJS) linker/$(ARCH).ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ARCH_LDFLAGS) -T linker/$(ARCH).ld -o $@ $(OBJS) $(ARCH_LIBS)

-include $(OBJS:.o=.d)

# ---- running ---------------------------------------------------------------------------------

# Extra boot arguments for the hypervisor, e.g. make run APPEND="loglevel=3 selftest=frames".
APPEND ?=
# How `make run` boots axvm (docs/deploy.md): kernel (QEMU loads the image itself), disk (UEFI
# from the disk image), uboot (U-Boot from the disk image), netboot (the firmware over TFTP).
BOOT ?= kernel

run: deps all $(if $(filter disk uboot,$(BOOT)),image)
	$(Q)$(PYTHON) scripts/qemu.py --arch $(ARCH) --boot $(BOOT) --append "$(APPEND)"

.PHONY: image netboot
# The disk image for an SD card or USB stick: build/<arch>/axvm.img, APPEND as boot arguments.
image: deps all
	$(Q)$(PYTHON) scripts/image.py --arch $(ARCH) --build-dir $(BUILD) --cmdline "$(APPEND)"

# Network boot under QEMU through the firmware's DHCP and TFTP (scripts/netboot.py).
netboot: deps all
	$(Q)$(PYTHON) scripts/netboot.py --arch $(ARCH) --build-dir $(BUILD) --append "$(APPEND)"

debug: deps all
	$(Q)$(PYTHON) scripts/qemu.py --arch $(ARCH) --append "$(APPEND)" --gdb

# ---- guests ----------------------------------------------------------------------------------

# guests/guests.mk defines `guests` (Linux kernels and initramfs for every arch) and
# `guest-run`.
include guests/guests.mk

# ---- tests -----------------------------------------------------------------------------------

HOST_BUILD := build/host
# Architecture code that is plain C (instruction decoders *_decode.c, register models and table
# builders *_model.c) is unit-tested on the host too.
UNIT_SRCS := $(wildcard tests/unit/*.c) $(filter-out kernel/main.c,$(wildcard kernel/*.c)) \
	$(wildcard drivers/uart/*.c) $(wildcard drivers/vuart/*.c) $(wildcard drivers/virtio/*.c) \
	$(wildcard arch/*/*_decode.c) $(wildcard arch/*/*_model.c)
UNIT_FIXTURES := $(patsubst tests/unit/fixtures/%.dts,$(HOST_BUILD)/fixtures/%.dtb,\
	$(wildcard tests/unit/fixtures/*.dts))
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-Itests/unit/include -Ikernel/include -Idrivers/include -I$(LIBFDT_SRC) -Iarch \
	-DFIXTURE_DIR='"$(HOST_BUILD)/fixtures"'

# Three builds of the same tests, each in its own directory with an object per source (a change
# recompiles what it touches; -MMD follows headers and #included sources):
#   unit       AddressSanitizer + UBSan (UNIT_CFLAGS)
#   unit-tsan  ThreadSanitizer (it cannot be combined with ASan): the threaded tests (pCPUs as
#              threads, concurrent faults) must run without a data race report
#   unit-cov   gcov line coverage, for `make coverage`
UNIT_LIBFDT := $(addprefix $(LIBFDT_SRC)/,$(LIBFDT_SRCS))
UNIT_NOSAN_CFLAGS := $(filter-out -fsanitize=% -fno-sanitize-recover=%,$(UNIT_CFLAGS))
UNIT_FLAGS_asan := $(UNIT_CFLAGS)
UNIT_FLAGS_tsan := $(UNIT_NOSAN_CFLAGS) -fsanitize=thread
UNIT_FLAGS_cov := $(UNIT_NOSAN_CFLAGS) -O0 --coverage
unit_objs = $(patsubst %.c,$(HOST_BUILD)/obj-$(1)/%.o,$(UNIT_SRCS) $(UNIT_LIBFDT))

define UNIT_BUILD
$(HOST_BUILD)/obj-$(1)/%.o: %.c | $(LIBFDT_STAMP)
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  HOSTCC  $$@")
	$$(Q)gcc $$(UNIT_FLAGS_$(1)) -MMD -MP -c $$< -o $$@

$(HOST_BUILD)/$(2): $(call unit_objs,$(1))
	@$$(if $$(Q),echo "  HOSTLD  $$@")
	$$(Q)gcc $$(UNIT_FLAGS_$(1)) -o $$@ $$^ -lpthread

-include $(patsubst %.o,%.d,$(call unit_objs,$(1)))
endef
$(eval $(call UNIT_BUILD,asan,unit))
$(eval $(call UNIT_BUILD,tsan,unit-tsan))
$(eval $(call UNIT_BUILD,cov,unit-cov))

$(HOST_BUILD)/fixtures/%.dtb: tests/unit/fixtures/%.dts
	@mkdir -p $(dir $@)
	$(Q)dtc -q -I dts -O dtb -o $@ $<

# Real boards' device trees, built from Debian's linux-source (scripts/boarddtb.sh): the unit
# tests run the hypervisor's machine discovery on them.
UNIT_FIXTURES += $(HOST_BUILD)/fixtures/bcm2711-rpi-4-b.dtb
$(HOST_BUILD)/fixtures/bcm2711-rpi-4-b.dtb: scripts/boarddtb.sh scripts/debs.lock | deps
	$(Q)scripts/boarddtb.sh $@ broadcom/bcm2711-rpi-4-b

# A UEFI PC's ACPI tables (QEMU q35 under OVMF, captured from the firmware's memory by
# scripts/acpidump.py): the unit tests run the x86_64 hypervisor's ACPI discovery on them.
UNIT_FIXTURES += $(HOST_BUILD)/fixtures/q35-acpi.bin
$(HOST_BUILD)/fixtures/q35-acpi.bin: scripts/acpidump.py qemu/x86_64.toml | deps
	@$(if $(Q),echo "  ACPI    $@")
	$(Q)$(PYTHON) scripts/acpidump.py --out $@ >/dev/null

# C unit tests of the core (ASan/UBSan, then ThreadSanitizer: a race report fails the run), then
# Python unit tests of the build scripts (tests/unit/test_*.py).
unit: deps $(HOST_BUILD)/unit $(HOST_BUILD)/unit-tsan $(UNIT_FIXTURES)
	$(Q)$(HOST_BUILD)/unit
	$(Q)$(HOST_BUILD)/unit-tsan
	$(Q)if ls tests/unit/test_*.py >/dev/null 2>&1; then $(PYTHON) -m pytest -q tests/unit; fi

# Long fuzz runs (not part of make test, which runs short fixed-seed ones): the decoders, the
# device-tree reader, the emulated UARTs and the console multiplexer under ASan/UBSan, then the
# config checker. FUZZ_ROUNDS multiplies the C rounds, FUZZ_SECONDS bounds the checker's run,
# FUZZ_SEED picks another seed.
FUZZ_ROUNDS ?= 200
FUZZ_SECONDS ?= 300
FUZZ_SEED ?= 1
fuzz: deps $(HOST_BUILD)/unit $(UNIT_FIXTURES)
	$(Q)AXVM_FUZZ_ROUNDS=$(FUZZ_ROUNDS) AXVM_FUZZ_SEED=$(FUZZ_SEED) $(HOST_BUILD)/unit fuzz_
	$(Q)AXVM_FUZZ_SECONDS=$(FUZZ_SECONDS) AXVM_FUZZ_SEED=$(FUZZ_SEED) \
		$(PYTHON) -m pytest -q tests/unit/test_vmconfig_fuzz.py -k fuzz_config

# Line coverage of kernel/ by the unit tests, per file and in total (gcov, from gcc).
coverage: deps $(HOST_BUILD)/unit-cov $(UNIT_FIXTURES)
	$(Q)find $(HOST_BUILD)/obj-cov -name '*.gcda' -delete
	$(Q)$(HOST_BUILD)/unit-cov
	$(Q)$(PYTHON) scripts/coverage.py --objdir $(HOST_BUILD)/obj-cov kernel/*.c

# QEMU boards beside each architecture's own, whose architecture's whole suite runs on them
# too (make integration-board below).
QEMU_BOARDS_EXTRA := qemu-virt-aarch64-gicv2

# Every architecture's image (default config and each test config under tests/configs/<arch>/,
# in build/<arch>/cfg-<name>/), the guests, then the integration tests that boot them.
integration: deps guests
	$(Q)for a in $(ARCHES); do \
		$(MAKE) --no-print-directory ARCH=$$a all || exit 1; \
		for c in $$(ls tests/configs/$$a/*.toml 2>/dev/null); do \
			$(MAKE) --no-print-directory ARCH=$$a CONFIG=$$c \
				BUILD=build/$$a/cfg-$$(basename $$c .toml) all || exit 1; \
		done; \
	done
	$(Q)$(PYTHON) -m pytest -q tests/integration $(PYTEST_ARGS)
	$(Q)for b in $(QEMU_BOARDS_EXTRA); do \
		$(MAKE) --no-print-directory integration-board BOARD=$$b || exit 1; \
	done

# The integration tests of one board's architecture run on that board, a QEMU board other than
# the architecture's own (make integration-board BOARD=qemu-virt-aarch64-gicv2): its images,
# built with tests/configs/<board>/<name>.toml in place of tests/configs/<arch>/<name>.toml
# where the board needs its own (a gicv2 device instead of a gicv3).
.PHONY: integration-board
integration-board: deps guest
	$(Q)$(MAKE) --no-print-directory BOARD=$(BOARD) all
	$(Q)for c in tests/configs/$(ARCH)/*.toml; do \
		n=$$(basename $$c .toml); \
		if [ -f tests/configs/$(BOARD)/$$n.toml ]; then c=tests/configs/$(BOARD)/$$n.toml; fi; \
		$(MAKE) --no-print-directory BOARD=$(BOARD) CONFIG=$$c BUILD=$(BUILD)/cfg-$$n all \
			|| exit 1; \
	done
	$(Q)$(PYTHON) -m pytest -q tests/integration -k $(ARCH) $(PYTEST_ARGS)

test: deps
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory integration

# ---- benchmarks ------------------------------------------------------------------------------

# Exit costs as ratios to the trap-and-return floor measured in the same run, in real time and
# in QEMU's instruction-counting mode, and the hypervisor's start to a 256 MiB guest's first
# instruction (scripts/bench.py). Where configs/bench/<arch>-linux.toml exists, also Linux boot
# time under axvm / bare QEMU. Writes build/bench/<arch>.json and build/bench/summary.md.
BENCH_LINUX := $(wildcard configs/bench/$(ARCH)-linux.toml)
# Where configs/bench/<arch>-idle.toml exists: an idle Linux VM's exits per second, with the
# guests' WFI/HLT left to them and with idle=trap.
BENCH_IDLE := $(wildcard configs/bench/$(ARCH)-idle.toml)
# Where configs/bench/<arch>-timer.toml exists: a bare-metal guest's timer-interrupt latency,
# under axvm and on bare QEMU (the same guest linked for it: guest-bare.elf).
BENCH_TIMER := $(wildcard configs/bench/$(ARCH)-timer.toml)
# The same Linux on the hypervisor's virtio-console, against bare QEMU's (scripts/bench_virtio.py).
BENCH_VIRTIO := $(wildcard configs/bench/$(ARCH)-linux-virtio.toml)

bench: deps
	$(Q)$(MAKE) --no-print-directory ARCH=$(ARCH) CONFIG=configs/bench/$(ARCH).toml \
		BUILD=build/$(ARCH)/cfg-bench all
	$(Q)$(if $(BENCH_LINUX),$(MAKE) --no-print-directory ARCH=$(ARCH) CONFIG=$(BENCH_LINUX) \
		BUILD=build/$(ARCH)/cfg-bench-linux all)
	$(Q)$(if $(BENCH_IDLE),$(MAKE) --no-print-directory ARCH=$(ARCH) CONFIG=$(BENCH_IDLE) \
		BUILD=build/$(ARCH)/cfg-bench-idle all)
	$(Q)$(if $(BENCH_TIMER),$(MAKE) --no-print-directory ARCH=$(ARCH) CONFIG=$(BENCH_TIMER) \
		BUILD=build/$(ARCH)/cfg-bench-timer all build/guests/baremetal/$(ARCH)/guest-bare.elf)
	$(Q)$(if $(BENCH_VIRTIO),$(MAKE) --no-print-directory ARCH=$(ARCH) CONFIG=$(BENCH_VIRTIO) \
		BUILD=build/$(ARCH)/cfg-bench-linux-virtio all)
	$(Q)$(PYTHON) scripts/bench.py --arch $(ARCH) --image-dir build/$(ARCH)/cfg-bench \
		$(if $(BENCH_LINUX),--linux-image-dir build/$(ARCH)/cfg-bench-linux) \
		$(if $(BENCH_VIRTIO),--linux-virtio $(BENCH_VIRTIO) build/$(ARCH)/cfg-bench-linux-virtio) \
		$(if $(BENCH_IDLE),--idle-image-dir build/$(ARCH)/cfg-bench-idle) \
		$(if $(BENCH_TIMER),--timer-image-dir build/$(ARCH)/cfg-bench-timer \
			--timer-bare-elf build/guests/baremetal/$(ARCH)/guest-bare.elf)

# ---- long runs -------------------------------------------------------------------------------

# Two SMP Linux VMs side by side for MINUTES, both busy, every line of their output checked
# (scripts/soak.py); BOOTS=N boots that machine N times instead. Not part of `make test`.
MINUTES ?= 30
SOAK_CONFIG := tests/configs/$(ARCH)/linux-pair.toml

soak: deps
	$(Q)test -f $(SOAK_CONFIG) || { echo "soak: no two-Linux config for $(ARCH) ($(SOAK_CONFIG))"; \
		exit 1; }
	$(Q)$(MAKE) --no-print-directory ARCH=$(ARCH) CONFIG=$(SOAK_CONFIG) \
		BUILD=build/$(ARCH)/cfg-linux-pair all
	$(Q)$(PYTHON) scripts/soak.py --arch $(ARCH) --image-dir build/$(ARCH)/cfg-linux-pair \
		--minutes $(MINUTES) $(if $(BOOTS),--boots $(BOOTS))

# ---- housekeeping ----------------------------------------------------------------------------

FORMAT_FILES = $(shell git ls-files '*.c' '*.h')

format:
	$(Q)clang-format -i $(FORMAT_FILES)

format-check:
	$(Q)clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf build
