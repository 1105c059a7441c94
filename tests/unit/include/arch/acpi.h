/* SPDX-License-Identifier: MIT */
/* The x86_64 ACPI reader's interface, for tests/unit/test_acpi_host.c, which builds
 * arch/x86_64/acpi.c on the host (its #include <arch/acpi.h> lands here). */
#include "x86_64/include/arch/acpi.h"
