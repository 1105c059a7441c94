/* SPDX-License-Identifier: MIT */
/*
 * x86_64 test guest entry, as the hypervisor's boot protocol leaves it (arch/x86_64/vcpu.c):
 * 32-bit protected mode, paging off, flat segments, interrupts off, EDI = device tree. Like a
 * kernel's 32-bit entry it loads its own GDT, clears .bss, identity-maps the first 4 GiB with
 * 2 MiB pages (the CPU model may lack 1 GiB pages), and enters long mode: CR4.PAE, EFER.LME,
 * CR0.PG, then a far jump to 64-bit code (AMD APM vol. 2 §14.6).
 */
#define CR0_PG   0x80000000
#define CR4_PAE  0x00000020
#define MSR_EFER 0xc0000080
#define EFER_LME 0x00000100
#define PTE_TABLE 0x003 /* present, writable */
#define PDE_2M    0x083 /* present, writable, 2 MiB page */

#define SEL_CODE32 0x08
#define SEL_DATA   0x10
#define SEL_CODE64 0x18

    .section .text.start, "ax"
    .code32
    .globl _start
_start:
    rdtsc                               /* the first instruction's time, for bench.c */
    movl    %eax, %esi
    movl    %edx, %ebx
    cld
    movl    %edi, %ebp                  /* the device tree, kept until guest_main */
    lgdtl   gdt_ptr
    ljmpl   $SEL_CODE32, $1f
1:  movl    $SEL_DATA, %eax
    movl    %eax, %ds
    movl    %eax, %es
    movl    %eax, %ss
    movl    %eax, %fs
    movl    %eax, %gs
    movl    $__stack_top, %esp

    /* .bss holds the page tables and the stack. */
    movl    $__bss_start, %edi
    movl    $__bss_end, %ecx
    subl    %edi, %ecx
    xorl    %eax, %eax
    rep stosb
    movl    %esi, guest_start_cycles
    movl    %ebx, guest_start_cycles + 4

    /* PML4[0] -> PDPT, PDPT[n] -> PD n (n < 4), PD entry i of the four -> i * 2 MiB. */
    movl    $(pdpt + PTE_TABLE), pml4
    movl    $(pd + PTE_TABLE), %eax
    xorl    %ecx, %ecx
2:  movl    %eax, pdpt(, %ecx, 8)
    addl    $4096, %eax
    incl    %ecx
    cmpl    $4, %ecx
    jb      2b
    movl    $PDE_2M, %eax
    xorl    %ecx, %ecx
3:  movl    %eax, pd(, %ecx, 8)
    addl    $0x200000, %eax
    incl    %ecx
    cmpl    $2048, %ecx
    jb      3b

    movl    $pml4, %eax
    movl    %eax, %cr3
    movl    %cr4, %eax
    orl     $CR4_PAE, %eax
    movl    %eax, %cr4
    movl    $MSR_EFER, %ecx
    rdmsr
    orl     $EFER_LME, %eax
    wrmsr
    movl    %cr0, %eax
    orl     $CR0_PG, %eax
    movl    %eax, %cr0
    ljmpl   $SEL_CODE64, $start64

    .code64
start64:
    movl    $__stack_top, %esp
    movl    %ebp, %edi
    xorl    %ebp, %ebp
    call    guest_main
4:  pause
    jmp     4b

/*
 * Secondary vCPUs: guest_cpu_on (hw.c) copies this to TRAMPOLINE_BASE and starts the vCPU with
 * INIT-SIPI-SIPI, so it runs here in real mode, CS:IP = 0x0800:0000. It loads the GDT above,
 * enters protected mode, turns on the boot vCPU's page tables and long mode as _start did, and
 * calls guest_secondary_main(secondary_index) on secondary_stack.
 */
#define TRAMPOLINE_BASE 0x8000
#define TRAMPOLINE(sym) (TRAMPOLINE_BASE + (sym) - trampoline_start)

    .section .rodata.trampoline, "a"
    .code16
    .globl trampoline_start, trampoline_end
trampoline_start:
    cli
    lgdtl   %cs:(tramp_gdt_ptr - trampoline_start)
    movl    %cr0, %eax
    orl     $1, %eax                    /* CR0.PE */
    movl    %eax, %cr0
    ljmpl   $SEL_CODE32, $TRAMPOLINE(tramp32)
    .code32
tramp32:
    movl    $SEL_DATA, %eax
    movl    %eax, %ds
    movl    %eax, %es
    movl    %eax, %ss
    movl    %eax, %fs
    movl    %eax, %gs
    movl    $pml4, %eax
    movl    %eax, %cr3
    movl    %cr4, %eax
    orl     $CR4_PAE, %eax
    movl    %eax, %cr4
    movl    $MSR_EFER, %ecx
    rdmsr
    orl     $EFER_LME, %eax
    wrmsr
    movl    %cr0, %eax
    orl     $CR0_PG, %eax
    movl    %eax, %cr0
    ljmpl   $SEL_CODE64, $secondary64
    .balign 8
tramp_gdt_ptr:
    .word   gdt_end - gdt - 1
    .long   gdt
trampoline_end:

    .text
    .code64
secondary64:
    movq    secondary_stack(%rip), %rsp
    movq    secondary_index(%rip), %rdi
    call    guest_secondary_main
5:  pause
    jmp     5b

    .section .data
    .balign 8
gdt:
    .quad   0
    .quad   0x00cf9a000000ffff          /* 0x08: 32-bit code, base 0, 4 GiB */
    .quad   0x00cf92000000ffff          /* 0x10: data, base 0, 4 GiB */
    .quad   0x00af9a000000ffff          /* 0x18: 64-bit code */
gdt_end:
gdt_ptr:
    .word   gdt_end - gdt - 1
    .long   gdt

    .section .bss
    .balign 4096
pml4:
    .space  4096
pdpt:
    .space  4096
pd:
    .space  4 * 4096
