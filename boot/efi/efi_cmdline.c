// SPDX-License-Identifier: MIT
#include <string.h>
#include "efi_cmdline.h"

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

static bool is_efi_suffix(const char *ext)
{
    return ext[0] == '.' && (ext[1] | 0x20) == 'e' && (ext[2] | 0x20) == 'f' &&
           (ext[3] | 0x20) == 'i';
}

/* The UEFI shell passes the image's own name first, as argv[0]: skip a first word ending in
 * ".efi". */
static void skip_image_name(char *s)
{
    size_t word = 0;
    while (s[word] && s[word] != ' ')
        word++;
    if (word >= 4 && is_efi_suffix(s + word - 4))
        memmove(s, s + word, strlen(s + word) + 1);
}

/*
 * Load options are only a command line if they are UCS-2 text: a boot entry the firmware
 * made itself carries binary data there (EDK II puts a GUID in the ones it creates).
 */
static bool cmdline_from_load_options(EFI_LOADED_IMAGE *image, char *out, size_t size)
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

/* Nothing when the image did not come from a file system (network boot). */
static void cmdline_from_file(EFI_BOOT_SERVICES *bs, EFI_HANDLE device, char *out, size_t size)
{
    EFI_GUID fs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
    EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
    EFI_FILE_PROTOCOL *root, *file;
    out[0] = '\0';
    if (EFI_ERROR(bs->HandleProtocol(device, &fs_guid, (void **)&fs)))
        return;
    if (EFI_ERROR(fs->OpenVolume(fs, &root)))
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

void efi_cmdline_read(EFI_BOOT_SERVICES *bs, EFI_LOADED_IMAGE *image, char *out, size_t size)
{
    if (!cmdline_from_load_options(image, out, size))
        cmdline_from_file(bs, image->DeviceHandle, out, size);
}
