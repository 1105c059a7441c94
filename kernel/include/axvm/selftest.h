/* SPDX-License-Identifier: MIT */
#ifndef AXVM_SELFTEST_H
#define AXVM_SELFTEST_H

/*
 * Self-tests asked for on the boot command line: "selftest=fault,frames". Each prints
 * "selftest <name>: ok" when it passes, so integration tests can wait for that line.
 */

void selftest_run(const char *cmdline);

#endif
