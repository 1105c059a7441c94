# SPDX-License-Identifier: MIT
# Linux test guests (scripts/guests.py): a kernel and an initramfs per architecture, built from
# pinned Debian packages and cached in $(AXVM_CACHE)/guests (default ~/.cache/axvm/guests).
#
#   make guests                   build/guests/<arch>/{Image|bzImage,initramfs.cpio.gz}, every arch
#   make guest ARCH=<arch>        the same for one architecture
#   make guest-run ARCH=<arch>    boot that guest on bare QEMU (no hypervisor), serial on this
#                                 terminal; SMP=<n> CPUs, APPEND="axvm.after=poweroff" and other
#                                 kernel arguments
#
# The targets are always run: the script itself decides, from the cache keys, whether anything
# needs building, and otherwise only copies from the cache. `python3 scripts/guests.py keys`
# shows what goes into the keys.

.PHONY: guests guest guest-run

guests: deps
	$(Q)$(PYTHON) scripts/guests.py build $(ARCHES)

guest: deps
	$(Q)$(PYTHON) scripts/guests.py build $(ARCH)

guest-run: guest
	$(Q)$(PYTHON) scripts/guests.py run $(ARCH) --append "$(APPEND)" $(if $(SMP),--smp $(SMP))
