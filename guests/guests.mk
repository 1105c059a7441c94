# SPDX-License-Identifier: MIT
# Guest artifacts. Placeholder until the Linux guest build lands.
guests:
	@true
