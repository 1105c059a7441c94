// SPDX-License-Identifier: MIT
/*
 * Boot arguments for axvm.efi, found as the x86_64 application finds them
 * (boot/x86_64/efi_cmdline.c): text load options (a boot entry or the UEFI shell), else the
 * file \axvm.cmdline on the volume the application came from (the firmware's default boot of
 * \EFI\BOOT\BOOTAA64.EFI passes no options).
 */
#include <string.h>
#include "efi_boot.h"

#define CMDLINE_FILE L"\\axvm.cmdline"

static bool is_printable(unsigned c)
{
    return c >= 0x20 && c < 0x7f;
}

/* Drop leading and trailing spaces in place. */
static void trim(char *s)
{
    size_t start = 0, len = strlen(s);
    while (s[start] == ' ')
        start++;
    while (len > start && s[len - 1] == ' ')
        len--;
    memmove(s, s + start, len - start);
    s[len - start] = '\0';
}

/* The UEFI shell passes the application's own name first: drop a first word ending in ".efi". */
static void skip_image_name(char *s)
{
    size_t word = strcspn(s, " ");
    if (word >= 4 && strncasecmp(s + word - 4, ".efi", 4) == 0)
        memmove(s, s + word, strlen(s + word) + 1);
}

/* Load options are a command line only when they are UCS-2 text: the entries firmware makes
 * itself carry binary data there (EDK II puts a GUID in them). */
static bool from_load_options(EFI_LOADED_IMAGE *image, char *out, size_t size)
{
    const CHAR16 *opt = image->LoadOptions;
    size_t n = image->LoadOptionsSize / sizeof(CHAR16), len = 0;
    if (!opt || n == 0 || image->LoadOptionsSize % sizeof(CHAR16))
        return false;
    for (size_t i = 0; i < n && opt[i]; i++) {
        unsigned c = opt[i] == '\t' ? ' ' : opt[i];
        if (!is_printable(c))
            return false;
        if (len + 1 < size)
            out[len++] = (char)c;
    }
    out[len] = '\0';
    skip_image_name(out);
    trim(out);
    return out[0] != '\0';
}

/* Nothing when the application did not come from a file system (network boot). */
static void from_file(EFI_HANDLE device, char *out, size_t size)
{
    EFI_FILE_HANDLE root = LibOpenRoot(device), file;
    out[0] = '\0';
    if (!root)
        return;
    if (!EFI_ERROR(root->Open(root, &file, CMDLINE_FILE, EFI_FILE_MODE_READ, 0))) {
        UINTN n = size - 1;
        if (EFI_ERROR(file->Read(file, &n, out)))
            n = 0;
        out[n] = '\0';
        file->Close(file);
    }
    root->Close(root);
    /* One line of text: line ends and other control characters become spaces. */
    for (char *p = out; *p; p++)
        if (!is_printable((unsigned char)*p))
            *p = ' ';
    trim(out);
}

void efi_cmdline_read(EFI_LOADED_IMAGE *image, char *out, size_t size)
{
    if (!from_load_options(image, out, size))
        from_file(image->DeviceHandle, out, size);
}
