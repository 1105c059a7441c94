/* SPDX-License-Identifier: MIT */
#ifndef AXVM_X86_STRING_H
#define AXVM_X86_STRING_H

/*
 * The part of <string.h> the hypervisor and libfdt use. Debian has no freestanding C library
 * for x86_64, so arch/x86_64/libc/ provides these few functions itself.
 */

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strncpy(char *restrict dst, const char *restrict src, size_t n);

#endif
