/*
 * cpu.c - CPU features, GDT/TSS, IDT, the trap dispatcher, and the register snapshot/backtrace
 * used by panic. The interrupt state and hal_cpu_id() are inline in hal/hal_cpu.h (pushf/cli/
 * sti, and the cpu number in the per-CPU block GS_BASE points at, usermode.c).
 *
 * Every vector enters through entry.S and lands in x86_trap():
 *   0..31       exceptions: an exception-table fixup if the faulting rip has one (user
 *               copies), otherwise a register dump + backtrace on the console and
 *               hal_exit(X86_EXIT_EXCEPTION). Double fault, NMI and machine check run on
 *               their own IST stacks so a blown kernel stack still produces a dump.
 *               Raised in ring 3 (except NMI, #DF, #MC): usermode.c hands them to
 *               kernel_user_fault() instead (docs/x86.md "User mode").
 *   VEC_TIMER   local APIC timer -> time_timer_irq() (which calls kernel_timer_irq())
 *   0x30..0xdf  device vectors registered with x86_irq_alloc()
 *   VEC_SPURIOUS  ignored (no EOI, as the SDM requires)
 * Every interrupt but the spurious one ends with EOI and then kernel_irq_exit(), where the
 * kernel may switch threads; EOI comes first because the switch may not return for a while.
 */
#include "hal/hal_cpu.h"
#include "hal/hal_console.h"
#include "hal/hal_power.h"
#include "hal_x86/x86.h"

struct x86_features x86_cpu;

/* --- GDT and TSS ------------------------------------------------------------------------- */

struct __attribute__((packed)) tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};

#define IST_STACK_SIZE 8192
static uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));
static struct tss64 tss;
static uint64_t gdt[8] __attribute__((aligned(16)));

struct __attribute__((packed)) table_ptr {
    uint16_t limit;
    uint64_t base;
};

static void gdt_init(void)
{
    uint64_t base = (uint64_t)&tss;
    uint64_t limit = sizeof(tss) - 1;

    gdt[0] = 0;
    gdt[SEL_KCODE / 8] = 0x00af9a000000ffffULL;   /* 64-bit code, DPL 0 */
    gdt[SEL_KDATA / 8] = 0x00cf92000000ffffULL;   /* data, DPL 0 */
    gdt[SEL_UCODE32 / 8] = 0x00cffa000000ffffULL; /* 32-bit code, DPL 3 (SYSRET layout) */
    gdt[SEL_UDATA / 8] = 0x00cff2000000ffffULL;   /* data, DPL 3 */
    gdt[SEL_UCODE / 8] = 0x00affa000000ffffULL;   /* 64-bit code, DPL 3 */
    gdt[SEL_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
                       (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[SEL_TSS / 8 + 1] = base >> 32;

    for (int i = 0; i < 3; i++)
        tss.ist[i] = (uint64_t)&ist_stacks[i][IST_STACK_SIZE];
    tss.iomap_base = sizeof(tss); /* no I/O bitmap */

    struct table_ptr p = {sizeof(gdt) - 1, (uint64_t)gdt};
    __asm__ __volatile__("lgdt %0\n\t"
                         "pushq %1\n\t"
                         "leaq 1f(%%rip), %%rax\n\t"
                         "pushq %%rax\n\t"
                         "lretq\n"
                         "1:\n\t"
                         "mov %2, %%ds\n\t"
                         "mov %2, %%es\n\t"
                         "mov %2, %%ss\n\t"
                         "ltr %w3"
                         :
                         : "m"(p), "i"(SEL_KCODE), "r"(SEL_KDATA), "r"(SEL_TSS)
                         : "rax", "memory");
}

void x86_set_kernel_stack(uint64_t rsp0)
{
    tss.rsp[0] = rsp0;
}

/* --- IDT ------------------------------------------------------------------------------------ */

struct __attribute__((packed)) idt_gate {
    uint16_t off0, sel;
    uint8_t ist, type;
    uint16_t off1;
    uint32_t off2, reserved;
};

static struct idt_gate idt[256] __attribute__((aligned(16)));
extern const char x86_vector_stubs[];

static void idt_set(unsigned vec, unsigned ist, unsigned dpl)
{
    uint64_t addr = (uint64_t)x86_vector_stubs + 16 * vec;
    idt[vec] = (struct idt_gate){
        .off0 = (uint16_t)addr,
        .sel = SEL_KCODE,
        .ist = (uint8_t)ist,
        .type = (uint8_t)(0x8e | (dpl << 5)), /* present, interrupt gate */
        .off1 = (uint16_t)(addr >> 16),
        .off2 = (uint32_t)(addr >> 32),
    };
}

static void idt_init(void)
{
    for (unsigned v = 0; v < 256; v++)
        idt_set(v, 0, 0);
    idt_set(2, 2, 0);  /* NMI */
    idt_set(8, 1, 0);  /* double fault */
    idt_set(18, 3, 0); /* machine check */
    idt_set(3, 0, 3);  /* int3 reachable from user mode */
    struct table_ptr p = {sizeof(idt) - 1, (uint64_t)idt};
    __asm__ __volatile__("lidt %0" ::"m"(p));
}

/* --- features ------------------------------------------------------------------------------ */

static void features_init(void)
{
    uint32_t r[4];
    cpuid(0, 0, r);
    x86_cpu.max_leaf = r[0];
    cpuid(1, 0, r);
    x86_cpu.tsc_deadline = r[2] & (1u << 24);
    x86_cpu.rdrand = r[2] & (1u << 30);
    x86_cpu.hypervisor = r[2] & (1u << 31);
    x86_cpu.x2apic = r[2] & (1u << 21);
    if (x86_cpu.max_leaf >= 7) {
        cpuid(7, 0, r);
        x86_cpu.rdseed = r[1] & (1u << 18);
    }
    cpuid(0x80000000, 0, r);
    x86_cpu.max_ext_leaf = r[0];
    if (x86_cpu.max_ext_leaf >= 0x80000001) {
        cpuid(0x80000001, 0, r);
        x86_cpu.nx = r[3] & (1u << 20);
        x86_cpu.pdpe1gb = r[3] & (1u << 26);
    }
    if (x86_cpu.max_ext_leaf >= 0x80000007) {
        cpuid(0x80000007, 0, r);
        x86_cpu.invariant_tsc = r[3] & (1u << 8);
    }
}

#define HWCAP2_FSGSBASE (1ULL << 1)
#define CR4_FSGSBASE_BIT (1ULL << 16)

void hal_cpu_hwcap(uint64_t *hwcap, uint64_t *hwcap2)
{
    uint32_t r[4];
    uint64_t cr4;

    cpuid(1, 0, r);
    *hwcap = r[3];
    __asm__ __volatile__("mov %%cr4, %0" : "=r"(cr4));
    *hwcap2 = (cr4 & CR4_FSGSBASE_BIT) ? HWCAP2_FSGSBASE : 0;
}

void cpu_init(void)
{
    features_init();
    gdt_init();
    idt_init();
    x86_user_init(); /* usermode.c: SYSCALL MSRs, per-CPU block, FPU, SMEP/SMAP */
}

/* --- console output that needs nothing but the UART (usable in any state) ------------------ */

static void put_str(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    hal_console_write(s, n);
}

static void put_hex(uint64_t v)
{
    char b[18] = "0x";
    for (int i = 0; i < 16; i++)
        b[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
    hal_console_write(b, 18);
}

static void put_reg(const char *name, uint64_t v, bool newline)
{
    put_str(name);
    put_str("=");
    put_hex(v);
    put_str(newline ? "\n" : " ");
}

static const char *const exception_names[32] = {
    "divide error",
    "debug",
    "NMI",
    "breakpoint",
    "overflow",
    "bound range",
    "invalid opcode",
    "device not available",
    "double fault",
    "coprocessor overrun",
    "invalid TSS",
    "segment not present",
    "stack fault",
    "general protection",
    "page fault",
    "reserved",
    "x87 FPU error",
    "alignment check",
    "machine check",
    "SIMD exception",
    "virtualization",
    "control protection",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "hypervisor injection",
    "VMM communication",
    "security",
    "reserved",
};

/* --- backtrace ------------------------------------------------------------------------------ */

extern char __kernel_start[], __kernel_end[];
extern uint64_t x86_direct_map_end; /* mm.c: one past the highest direct-mapped address */

/* A frame pointer is followed only when it points into mapped kernel memory. */
static bool frame_readable(uint64_t fp)
{
    if (fp & 7)
        return false;
    if (fp >= (uint64_t)__kernel_start && fp + 16 <= (uint64_t)__kernel_end)
        return true;
    return fp >= DIRECT_MAP && fp + 16 <= x86_direct_map_end;
}

/* Walk rbp frames upward from fp; frames must grow towards higher addresses, within 1 MiB
 * of each other, so a corrupt chain ends the walk instead of faulting. */
static unsigned walk_frames(uint64_t fp, uint64_t *pcs, unsigned max)
{
    unsigned n = 0;
    while (n < max && frame_readable(fp)) {
        const uint64_t *f = (const uint64_t *)fp;
        uint64_t next = f[0], ret = f[1];
        if (ret == 0)
            break;
        pcs[n++] = ret;
        if (next <= fp || next - fp > (1u << 20))
            break;
        fp = next;
    }
    return n;
}

unsigned hal_backtrace(uint64_t *pcs, unsigned max)
{
    return walk_frames((uint64_t)__builtin_frame_address(0), pcs, max);
}

void hal_cpu_snapshot(struct hal_cpu_regs *r)
{
    __asm__ __volatile__("mov %%rax, 0(%0)\n\t"
                         "mov %%rbx, 8(%0)\n\t"
                         "mov %%rcx, 16(%0)\n\t"
                         "mov %%rdx, 24(%0)\n\t"
                         "mov %%rsi, 32(%0)\n\t"
                         "mov %%rdi, 40(%0)\n\t"
                         "mov %%rbp, 48(%0)\n\t"
                         "mov %%rsp, 56(%0)\n\t"
                         "mov %%r8, 64(%0)\n\t"
                         "mov %%r9, 72(%0)\n\t"
                         "mov %%r10, 80(%0)\n\t"
                         "mov %%r11, 88(%0)\n\t"
                         "mov %%r12, 96(%0)\n\t"
                         "mov %%r13, 104(%0)\n\t"
                         "mov %%r14, 112(%0)\n\t"
                         "mov %%r15, 120(%0)\n\t"
                         "leaq 0(%%rip), %%rax\n\t"
                         "mov %%rax, 128(%0)\n\t"
                         "pushfq\n\t"
                         "popq 136(%0)\n\t"
                         "mov %%cr2, %%rax\n\t"
                         "mov %%rax, 144(%0)\n\t"
                         "mov %%cr3, %%rax\n\t"
                         "mov %%rax, 152(%0)"
                         :
                         : "r"(r)
                         : "rax", "memory");
}

void x86_dump_frame(const struct trap_frame *tf, const char *what)
{
    uint64_t pcs[32];
    put_str("\n*** ");
    put_str(what);
    put_str(" ***\n");
    put_reg("vector", tf->vector, false);
    put_reg("error", tf->error, false);
    put_reg("cr2", read_cr2(), false);
    put_reg("cr3", read_cr3(), true);
    put_reg("rip", tf->rip, false);
    put_reg("cs", tf->cs, false);
    put_reg("rflags", tf->rflags, true);
    put_reg("rsp", tf->rsp, false);
    put_reg("ss", tf->ss, false);
    put_reg("rbp", tf->rbp, true);
    put_reg("rax", tf->rax, false);
    put_reg("rbx", tf->rbx, false);
    put_reg("rcx", tf->rcx, true);
    put_reg("rdx", tf->rdx, false);
    put_reg("rsi", tf->rsi, false);
    put_reg("rdi", tf->rdi, true);
    put_reg("r8 ", tf->r8, false);
    put_reg("r9 ", tf->r9, false);
    put_reg("r10", tf->r10, true);
    put_reg("r11", tf->r11, false);
    put_reg("r12", tf->r12, false);
    put_reg("r13", tf->r13, true);
    put_reg("r14", tf->r14, false);
    put_reg("r15", tf->r15, true);
    put_str("backtrace:\n  ");
    put_hex(tf->rip);
    put_str("\n");
    unsigned n = walk_frames(tf->rbp, pcs, 32);
    for (unsigned i = 0; i < n; i++) {
        put_str("  ");
        put_hex(pcs[i]);
        put_str("\n");
    }
}

/* --- trap dispatch -------------------------------------------------------------------------- */

struct irq_slot {
    x86_irq_fn *fn;
    void *arg;
};
static struct irq_slot irq_slots[VEC_IRQ_END - VEC_IRQ_BASE];
static unsigned irq_next = VEC_IRQ_BASE;
static unsigned irq_count;

uint8_t x86_irq_alloc_quiet(x86_irq_fn *fn, void *arg)
{
    if (irq_next >= VEC_IRQ_END)
        return 0;
    irq_slots[irq_next - VEC_IRQ_BASE] = (struct irq_slot){fn, arg};
    return (uint8_t)irq_next++;
}

uint8_t x86_irq_alloc(x86_irq_fn *fn, void *arg)
{
    uint8_t v = x86_irq_alloc_quiet(fn, arg);
    if (v)
        irq_count++;
    return v;
}

bool x86_have_device_irqs(void);
bool x86_have_device_irqs(void)
{
    return irq_count != 0;
}

static void __attribute__((noreturn)) fatal_exception(struct trap_frame *tf)
{
    static volatile int dumping;
    const char *name = tf->vector < 32 ? exception_names[tf->vector] : "unexpected vector";
    if (dumping++) { /* a fault while dumping: do not recurse, just stop */
        put_str("petrel: exception while reporting an exception, stopping\n");
        hal_exit(X86_EXIT_EXCEPTION);
    }
    serial_force_unlock();
    x86_dump_frame(tf, name);
    put_str("petrel: unhandled CPU exception in the kernel, stopping\n");
    hal_exit(X86_EXIT_EXCEPTION);
}

void x86_trap(struct trap_frame *tf)
{
    uint64_t v = tf->vector;

    /* An interrupt inside a user copy arrives with RFLAGS.AC set (SMAP open); close it for the
     * handler and whatever thread it switches to. iretq restores the copy's own flags. */
    if (x86_smap)
        __asm__ __volatile__("clac" ::: "memory");

    if (v < 32) {
        /* From ring 3 the program faulted (not NMI, double fault, machine check). */
        if ((tf->cs & 3) && v != 2 && v != 8 && v != 18) {
            x86_user_exception(tf);
            return;
        }
        if ((v == 14 || v == 13) && extable_fixup(tf))
            return;
        fatal_exception(tf);
    }
    if (v == VEC_SPURIOUS)
        return;
    if (v == VEC_TIMER) {
        lapic_eoi();
        time_timer_irq();
    } else if (v >= VEC_IRQ_BASE && v < irq_next) {
        struct irq_slot *s = &irq_slots[v - VEC_IRQ_BASE];
        s->fn(s->arg);
        lapic_eoi();
    } else {
        lapic_eoi(); /* a stray vector: acknowledge and ignore */
        return;
    }
    kernel_irq_exit();
    if (tf->cs & 3)
        x86_user_interrupt_return(tf); /* after a possible switch: this thread's state */
}

/* --- poll and cpu count ---------------------------------------------------------------------- */

void hal_poll(void)
{
    /* Interrupts arrive by themselves on bare metal. */
}

unsigned hal_cpu_count(void)
{
    return 1;
}
