// SPDX-License-Identifier: MIT
/*
 * The Debug Console extension (SBI 2.0, chapter 12), routed to the VM's console stream: what
 * Linux's earlycon=sbi and hvc_riscv_sbi use when the firmware offers it. write and read name a
 * buffer by guest-physical address; both may move fewer bytes than asked, and say how many.
 */
#include <arch/sbi.h>
#include <axvm/pgtable.h>
#include <axvm/vm.h>
#include "sbi_decode.h"
#include "sbi_guest.h"

/* Bytes moved per call: the guest asks again for the rest. */
#define DBCN_CHUNK 256

/*
 * The part of [gpa, gpa + len) that is guest RAM in one region, as a length; 0 if gpa is not
 * RAM. A device (passthrough) is no place for the hypervisor to copy from or to.
 */
static uint64_t ram_span(struct vm *vm, uint64_t gpa, uint64_t len)
{
    const struct aspace_region *r = aspace_find_region(&vm->as, gpa);
    if (!r || (r->prot & PT_DEVICE))
        return 0;
    return MIN(len, r->gpa + r->size - gpa);
}

static void dbcn_write(struct vcpu *v, struct vcpu_exit *e)
{
    uint64_t gpa, len;
    long err =
        riscv_sbi_dbcn_buffer(sbi_arg(v, 0), sbi_arg(v, 1), sbi_arg(v, 2), DBCN_CHUNK, &gpa, &len);
    uint8_t buf[DBCN_CHUNK];
    if (!err && len) {
        len = ram_span(v->vm, gpa, len);
        if (!len || aspace_read(&v->vm->as, gpa, buf, len) != 0)
            err = SBI_ERR_INVALID_PARAM;
    }
    if (err) {
        sbi_reply(v, e, err, 0);
        return;
    }
    for (uint64_t i = 0; i < len; i++)
        cmux_putc(&v->vm->console, (char)buf[i]);
    sbi_reply(v, e, SBI_SUCCESS, (long)len);
}

static void dbcn_read(struct vcpu *v, struct vcpu_exit *e)
{
    uint64_t gpa, len;
    long err =
        riscv_sbi_dbcn_buffer(sbi_arg(v, 0), sbi_arg(v, 1), sbi_arg(v, 2), DBCN_CHUNK, &gpa, &len);
    if (!err && len) {
        len = ram_span(v->vm, gpa, len);
        if (!len)
            err = SBI_ERR_INVALID_PARAM;
    }
    if (err) {
        sbi_reply(v, e, err, 0);
        return;
    }
    uint8_t buf[DBCN_CHUNK];
    uint64_t n = 0;
    for (int c; n < len && (c = cmux_getc(&v->vm->console)) >= 0;)
        buf[n++] = (uint8_t)c;
    /* The range is RAM of the VM (checked above): the copy only fails for want of a frame. */
    if (n && aspace_write(&v->vm->as, gpa, buf, n) != 0)
        err = SBI_ERR_FAILED;
    sbi_reply(v, e, err, err ? 0 : (long)n);
}

void sbi_dbcn(struct vcpu *v, struct vcpu_exit *e)
{
    switch (sbi_fid(v)) {
    case SBI_DBCN_WRITE:
        dbcn_write(v, e);
        return;
    case SBI_DBCN_READ:
        dbcn_read(v, e);
        return;
    case SBI_DBCN_WRITE_BYTE:
        cmux_putc(&v->vm->console, (char)sbi_arg(v, 0));
        sbi_reply(v, e, SBI_SUCCESS, 0);
        return;
    default:
        sbi_reply(v, e, SBI_ERR_NOT_SUPPORTED, 0);
        return;
    }
}
