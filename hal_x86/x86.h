/*
 * x86.h - internal interface of the bare-metal backend (never included outside hal_x86/).
 *
 * Address space of the kernel (4-level paging, 4 KiB pages unless noted):
 *
 *   0x0000000000000000 .. 0x00007fffffffffff   user (per hal_as), lower half
 *   0xffff800000000000 .. (+ RAM top)           direct map of physical RAM, 2 MiB pages, RW NX
 *   0xffffc00000000000 .. (+ 1 GiB)             MMIO window (LAPIC, I/O APIC, virtio), UC, NX
 *   0xffffffff80000000 + phys                   kernel image (-2 GiB, mcmodel=kernel)
 *
 * The kernel-half PML4 entries (direct map, MMIO window, image) are all created at boot and
 * never change afterwards (mmio_map() only fills the MMIO window's existing page directory),
 * so every user address space shares them by copying the 256 upper entries once.
 */
#ifndef HAL_X86_X86_H
#define HAL_X86_X86_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal/hal_boot.h"

#define KERNEL_VMA 0xffffffff80000000ULL
#define DIRECT_MAP 0xffff800000000000ULL
#define MMIO_BASE 0xffffc00000000000ULL
#define MMIO_SIZE (1ULL << 30)

/* GDT selectors (the order SYSCALL/SYSRET need: STAR[47:32]=0x08, STAR[63:48]=0x10). */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UCODE32 0x18
#define SEL_UDATA 0x20
#define SEL_UCODE 0x28
#define SEL_TSS 0x30

/* Interrupt vectors. */
#define VEC_IRQ_BASE 0x30 /* device vectors 0x30..0xdf, allocated by x86_irq_alloc() */
#define VEC_IRQ_END 0xe0
#define VEC_TIMER 0xef
#define VEC_SPURIOUS 0xff

/* Exit codes of the backend itself (hal_exit values; QEMU status = (code << 1) | 1). */
#define X86_EXIT_EXCEPTION 0x7d /* CPU exception in the kernel */
#define X86_EXIT_BOOT 0x7b      /* the machine cannot be brought up */

/* Page-table entry bits. */
#define PTE_P (1ULL << 0)
#define PTE_W (1ULL << 1)
#define PTE_U (1ULL << 2)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_A (1ULL << 5)
#define PTE_D (1ULL << 6)
#define PTE_PS (1ULL << 7)
#define PTE_G (1ULL << 8)
#define PTE_NX (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ __volatile__("outb %0, %1" ::"a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ __volatile__("outw %0, %1" ::"a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ __volatile__("outl %0, %1" ::"a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ __volatile__("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ __volatile__("cpuid"
                         : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                         : "a"(leaf), "c"(sub));
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t read_cr2(void)
{
    uint64_t v;
    __asm__ __volatile__("mov %%cr2, %0" : "=r"(v));
    return v;
}
static inline uint64_t read_cr3(void)
{
    uint64_t v;
    __asm__ __volatile__("mov %%cr3, %0" : "=r"(v));
    return v;
}
static inline void write_cr3(uint64_t v)
{
    __asm__ __volatile__("mov %0, %%cr3" ::"r"(v) : "memory");
}

static inline uint32_t mmio_read32(volatile void *p)
{
    return *(volatile uint32_t *)p;
}
static inline void mmio_write32(volatile void *p, uint32_t v)
{
    *(volatile uint32_t *)p = v;
}

/* CPU features found at boot (cpu.c). */
struct x86_features {
    bool nx, pdpe1gb, rdrand, rdseed, tsc_deadline, invariant_tsc, hypervisor, x2apic;
    uint32_t max_leaf, max_ext_leaf;
};
extern struct x86_features x86_cpu;

/* The register frame that entry.S pushes for every exception and interrupt. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* serial.c */
void serial_init(void);
void serial_putc_raw(char c);
void serial_force_unlock(void);
void serial_exit_channel(int code);

/* cpu.c: GDT, TSS, IDT, features, traps */
void cpu_init(void);
void x86_trap(struct trap_frame *tf);
typedef void x86_irq_fn(void *arg);
/* Allocate a device vector running fn(arg) in interrupt context; 0 when none is left. */
uint8_t x86_irq_alloc(x86_irq_fn *fn, void *arg);
/* Same, for the backend's own housekeeping interrupts (RTC): they do not count as a wakeup
 * source for hal_cpu_idle_until()'s "nothing can ever wake the CPU" answer. */
uint8_t x86_irq_alloc_quiet(x86_irq_fn *fn, void *arg);
void x86_dump_frame(const struct trap_frame *tf, const char *what);
void x86_set_kernel_stack(uint64_t rsp0);

/* Exception-table fixups (usercopy.S): a fault at a listed rip resumes at its fixup. */
struct extable_entry {
    uint64_t insn, fixup;
};
bool extable_fixup(struct trap_frame *tf);

/* mm.c: early allocator, final page tables, direct map, MMIO window */
void mm_init(uint64_t kernel_phys_end);
uint64_t early_page_alloc(void);           /* zeroed page, physical address; boot only */
uint64_t early_alloc_contig(size_t pages); /* zeroed contiguous pages; boot only */
/* The same, not zeroed: buffers only ever read after being written (a device's DMA
 * buffers); an untouched page then costs the host nothing (QEMU allocates on first touch). */
uint64_t early_alloc_contig_raw(size_t pages);
void *mmio_map(uint64_t pa, size_t len);
void mm_fill_regions(struct hal_boot_info *info);
/* Physical RAM ranges from the start info (boot.c fills them before mm_init). */
struct x86_ram_range {
    uint64_t base, end;
};
#define X86_MAX_RAM 64
extern struct x86_ram_range x86_ram[X86_MAX_RAM];
extern unsigned x86_nram;
/* Ranges that must never be handed to the kernel (modules, start info...). */
void mm_reserve(uint64_t base, uint64_t len);

/* apic.c: local APIC, I/O APIC, legacy PIC */
void apic_init(void);
void lapic_eoi(void);
void ioapic_route(unsigned gsi, uint8_t vector, bool level, bool active_low);
bool x86_ioapic_present(void);
extern volatile uint8_t *lapic;

/* time.c */
void time_init(void);
void time_timer_irq(void);
const char *x86_time_source(uint64_t *tsc_hz, uint64_t *apic_hz);

/* devices: pci.c, virtio */
void pci_init(void);
void virtio_mmio_probe_cmdline(const char *cmdline);

/* fw_cfg.c: QEMU's firmware configuration files (boot only, after mm_init) */
bool fw_cfg_find(const char *name, uint16_t *key, uint32_t *size);
bool fw_cfg_read(uint16_t key, uint64_t pa, uint32_t len); /* the file's first len bytes */

/* usermode.c, fpu.c, syscall_entry.S: user mode (docs/x86.md "User mode") */
void x86_user_init(void);
void x86_user_exception(struct trap_frame *tf);
void x86_user_interrupt_return(struct trap_frame *tf);
void *x86_user_block(void); /* the running thread's user block (NULL: not a user thread) */
#define X86_UBLOCK_SIZE 64  /* its FS/GS part; the FPU area follows */
extern bool x86_smap; /* CR4.SMAP on: user copies open the user half with stac/clac */
extern uint32_t x86_fpu_size;
void x86_fpu_init(void);
void x86_fpu_area_init(void *area);
void x86_fpu_forget(void);
void x86_fpu_return(void *area);
extern void *x86_fpu_owner; /* fpu.c: whose state the FPU registers hold */
extern bool x86_fpu_live;   /* fpu.c: the registers are newer than that area */
bool x86_fpu_uses_xsave(uint64_t *xcr0);

/* boot.c: the command line (the start info's, then fw_cfg opt/petrel/cmdline's words);
 * `x86.verbose` timing reports. */
extern const char *x86_cmdline;
extern uint64_t x86_tsc_at_entry;
extern bool x86_verbose;
void x86_report_exit(int code);

/* The backend's own irq-save spinlock for driver state shared with interrupt handlers
 * (console, virtio queues). hal_x86 cannot use core/lib's spinlock (the HAL sits below the
 * kernel), so this is the one copy for the whole backend. */
static inline uint64_t x86_lock_irqsave(volatile uint32_t *lock)
{
    uint64_t flags;
    __asm__ __volatile__("pushfq; popq %0; cli" : "=r"(flags)::"memory");
    while (__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE))
        __asm__ __volatile__("pause");
    return flags;
}

static inline void x86_unlock_irqrestore(volatile uint32_t *lock, uint64_t flags)
{
    __atomic_store_n(lock, 0, __ATOMIC_RELEASE);
    if (flags & (1 << 9))
        __asm__ __volatile__("sti" ::: "memory");
}

#endif
