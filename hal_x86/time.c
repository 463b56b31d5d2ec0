/*
 * time.c - the clock (TSC), the wall clock (CMOS RTC read once at boot), the one-shot timer
 * (local APIC), and idle.
 *
 * TSC frequency, first source that answers:
 *   1. CPUID 0x15 with a crystal frequency (exact ratio),
 *   2. the hypervisor leaf 0x40000010 (TSC kHz; QEMU/KVM with vmware-cpuid-freq),
 *   3. the PIT (channel 0) for CALIBRATE_MS, which also calibrates the APIC timer: windows
 *      until one is clean (calib.h: no gap between two counter reads long enough to hide a
 *      wrap of the counter, as a vCPU descheduled under load makes), at most CALIBRATE_TRIES,
 *   4. CPUID 0x16 base frequency (MHz, rounded).
 * kvmclock is not used yet (docs/x86.md).
 *
 * The PIT window is short (boot time) and so only good to ~0.1%. When the CMOS RTC is there
 * its once-a-second update interrupt refines the TSC rate over the first 32 seconds (after
 * 2, 4, 8, 16 and 32 s, to ~1 ppm): within 2% of a clean PIT window, within a factor of 8
 * when no window was clean. Each refinement rebases the clock at the current instant:
 *
 *   hal_clock_ns() = ns_base + (tsc - tsc_base) * mult >> 32
 *
 * so time stays continuous and monotonic; a sequence count lets a reader interrupted by a
 * rebase retry. The same parameters, in the form of hal_time.h's struct hal_uclock, are
 * copied into the vDSO's data page at each rebase (hal_clock_publish): user mode reads the
 * TSC too (CR4.TSD is clear) and computes with the same formula, so the vDSO's answers are
 * the syscalls'.
 *
 * The timer: TSC-deadline mode when CPUID.1:ECX[24] says so (KVM), otherwise the APIC timer
 * in one-shot mode (divide by 16, calibrated against the PIT; QEMU's TCG APIC has no
 * TSC-deadline mode). A deadline beyond the counter's range is reached in several shots;
 * time_timer_irq() calls kernel_timer_irq() only once the kernel's deadline has passed.
 * hal_cpu_idle_until() may ask for an earlier wakeup; the hardware is always programmed
 * for the earlier of the two deadlines.
 */
#include "hal/hal_cpu.h"
#include "hal/hal_time.h"
#include "hal_x86/calib.h"
#include "hal_x86/x86.h"

#define CALIBRATE_MS 2
#define CALIBRATE_TRIES 8 /* PIT windows at most (calib.h) */
#define PIT_HZ X86_PIT_HZ

#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0
#define IA32_TSC_DEADLINE 0x6e0

static uint64_t tsc_hz;
/* The clock: ns = clk.ns_base + (tsc - clk.cycle_base) * clk.mult >> 32 (hal_uclock_ns);
 * clk.seq is odd while a rebase is in progress. pub: the copy user mode reads (the vDSO's
 * data page, hal_clock_publish), rewritten with clk under its own seq. */
static struct hal_uclock clk = {.mode = HAL_UCLOCK_TSC};
static struct hal_uclock *volatile pub;
static uint64_t tsc_per_ns;  /* ticks = ns * tsc_per_ns >> 30 */
static uint64_t apic_hz;     /* APIC timer ticks per second (divide 16) */
static uint64_t apic_per_ns; /* ticks = ns * apic_per_ns >> 30 */
static uint64_t kernel_deadline = UINT64_MAX, idle_deadline = UINT64_MAX;
static const char *tsc_source = "none";
/* The PIT windows measured, and whether one was clean (else the RTC may correct by more than
 * 2%: calib.h). */
static unsigned pit_windows;
static bool pit_trusted = true;

/* TSC value at which the clock reads ns (for TSC-deadline mode). Interrupts are off. */
static uint64_t ns_to_tsc(uint64_t ns)
{
    if (ns <= clk.ns_base)
        return clk.cycle_base;
    return clk.cycle_base + (uint64_t)(((unsigned __int128)(ns - clk.ns_base) * tsc_per_ns) >> 30);
}

uint64_t hal_clock_ns(void)
{
    const volatile struct hal_uclock *c = &clk;
    uint32_t seq;
    uint64_t ns;
    do {
        seq = c->seq;
        hal_compiler_barrier();
        ns = hal_uclock_ns(c->cycle_base, c->ns_base, c->mult, rdtsc());
        hal_compiler_barrier();
    } while ((seq & 1) || seq != c->seq);
    return ns;
}

/* Copy the clock into the published page under that page's seq. Interrupts are off. */
static void clock_copy_out(struct hal_uclock *u)
{
    volatile struct hal_uclock *v = u;

    v->seq++;
    hal_compiler_barrier();
    v->mode = clk.mode;
    v->cycle_base = clk.cycle_base;
    v->ns_base = clk.ns_base;
    v->mult = clk.mult;
    v->wall_offset = clk.wall_offset;
    hal_compiler_barrier();
    v->seq++;
}

/* Start counting at the current instant with a (new) TSC rate. Interrupts are off. */
static void clock_rebase(uint64_t hz)
{
    uint64_t now_ns = clk.mult ? hal_clock_ns() : 0;
    struct hal_uclock *u = pub;
    clk.seq++;
    hal_compiler_barrier();
    clk.cycle_base = rdtsc();
    clk.ns_base = now_ns;
    tsc_hz = hz;
    /* 64-bit divisions only (no libgcc): valid for TSC rates below 17 GHz. */
    clk.mult = (1000000000ULL << 32) / hz;
    tsc_per_ns = (hz << 30) / 1000000000u;
    hal_compiler_barrier();
    clk.seq++;
    if (u)
        clock_copy_out(u);
}

uint64_t hal_wallclock_ns(void)
{
    return clk.wall_offset + hal_clock_ns();
}

void hal_clock_publish(struct hal_uclock *u)
{
    uint64_t flags = hal_irq_save();

    pub = u;
    if (u)
        clock_copy_out(u);
    hal_irq_restore(flags);
}

uint64_t hal_uclock_counter(void)
{
    return rdtsc();
}

/* --- calibration --------------------------------------------------------------------------- */

/* Channel 0 counter, latched (channel 2's gate at port 0x61 does not exist on microvm). */
static uint16_t pit0_read(void)
{
    outb(0x43, 0x00);
    uint8_t lo = inb(0x40);
    return (uint16_t)(lo | (inb(0x40) << 8));
}

/* One window: count CALIBRATE_MS of PIT ticks with channel 0 free-running (mode 2, period
 * 65536) and see how far the TSC and the APIC timer moved meanwhile, and the longest TSC gap
 * between two reads (calib.h: a gap that hides a wrap). false: the counter does not move. */
static bool pit_window(struct x86_calib_window *w)
{
    const uint32_t target = (uint32_t)(PIT_HZ * CALIBRATE_MS / 1000);
    uint64_t t0, t1, tp, gap;

    mmio_write32(lapic + LAPIC_TIMER_INIT, 0xffffffff);
    /* Start on a tick edge, so the window's error is one loop turn, not one tick. */
    uint16_t prev = pit0_read(), cur;
    uint32_t elapsed = 0, spins = 0;
    while ((cur = pit0_read()) == prev)
        if (++spins > 2000000)
            return false; /* the counter does not move: no PIT (pit=off) */
    prev = cur;
    t0 = tp = rdtsc();
    uint32_t a0 = mmio_read32(lapic + LAPIC_TIMER_CUR);
    w->max_gap = 0;
    spins = 0;
    while (elapsed < target) {
        cur = pit0_read();
        t1 = rdtsc();
        gap = t1 - tp;
        tp = t1;
        if (gap > w->max_gap)
            w->max_gap = gap;
        elapsed += (uint16_t)(prev - cur);
        prev = cur;
        if (++spins > 2000000)
            return false;
    }
    t1 = rdtsc();
    w->apic = a0 - mmio_read32(lapic + LAPIC_TIMER_CUR);
    w->pit = elapsed;
    w->tsc = t1 - t0;
    return t1 > t0;
}

/* Up to CALIBRATE_TRIES windows until one is clean (no read gap that could hide a PIT wrap:
 * QEMU descheduled under load), then the rates (x86_calib_pick). */
static bool pit_calibrate(void)
{
    struct x86_calib_window w[CALIBRATE_TRIES];
    unsigned n = 0;

    outb(0x43, 0x34); /* channel 0, lobyte/hibyte, mode 2 */
    outb(0x40, 0);
    outb(0x40, 0);
    mmio_write32(lapic + LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
    mmio_write32(lapic + LAPIC_LVT_TIMER, (1u << 16) | VEC_TIMER);
    while (n < CALIBRATE_TRIES && pit_window(&w[n]))
        if (x86_calib_window_clean(&w[n++]))
            break;
    mmio_write32(lapic + LAPIC_TIMER_INIT, 0);
    outb(0x43, 0x30); /* back to one-shot mode 0: the PIT goes quiet */
    outb(0x40, 0);
    outb(0x40, 0);
    if (n == 0)
        return false;
    x86_calib_pick(w, n, &tsc_hz, &apic_hz, &pit_trusted);
    pit_windows = n;
    return tsc_hz != 0;
}

static void tsc_calibrate(void)
{
    uint32_t r[4];
    if (x86_cpu.max_leaf >= 0x15) {
        cpuid(0x15, 0, r);
        if (r[0] && r[1] && r[2]) {
            tsc_hz = (uint64_t)r[2] * r[1] / r[0];
            tsc_source = "cpuid 0x15";
        }
    }
    if (!tsc_hz && x86_cpu.hypervisor) {
        cpuid(0x40000000, 0, r);
        if (r[0] >= 0x40000010) {
            cpuid(0x40000010, 0, r);
            if (r[0]) {
                tsc_hz = (uint64_t)r[0] * 1000;
                tsc_source = "hypervisor leaf";
            }
        }
    }
    /* The PIT window also measures the APIC timer, which one-shot mode needs. */
    if (!x86_cpu.tsc_deadline || !tsc_hz) {
        uint64_t known = tsc_hz;
        if (pit_calibrate()) {
            if (known)
                tsc_hz = known, pit_trusted = true; /* the rate was not the PIT's */
            else /* the banner says whether a window had to be retried, or none was clean */
                tsc_source = !pit_trusted     ? "PIT, no clean window"
                             : pit_windows > 1 ? "PIT, retried"
                                               : "PIT";
        } else {
            tsc_hz = known;
        }
    }
    if (!tsc_hz && x86_cpu.max_leaf >= 0x16) {
        cpuid(0x16, 0, r);
        tsc_hz = (uint64_t)(r[0] & 0xffff) * 1000000;
        tsc_source = "cpuid 0x16";
    }
}

/* --- CMOS RTC ------------------------------------------------------------------------------- */

static uint8_t cmos_read(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static unsigned bcd(uint8_t v, bool binary)
{
    return binary ? v : (v & 0xf) + (v >> 4) * 10u;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static uint64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
    y -= m <= 2;
    unsigned era = y / 400, yoe = y - era * 400;
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (uint64_t)era * 146097 + doe - 719468;
}

static void rtc_read(void)
{
    uint8_t s, mi, h, d, mo, y, s2;
    if (cmos_read(0x0b) == 0xff)
        return; /* no RTC: the wall clock starts at the epoch */
    for (unsigned tries = 0; tries < 1000000 && (cmos_read(0x0a) & 0x80); tries++)
        ;
    do {
        s = cmos_read(0);
        mi = cmos_read(2);
        h = cmos_read(4);
        d = cmos_read(7);
        mo = cmos_read(8);
        y = cmos_read(9);
        s2 = cmos_read(0);
    } while (s != s2);
    uint8_t b = cmos_read(0x0b);
    bool bin = b & 0x04, h24 = b & 0x02;
    unsigned hour = bcd(h & 0x7f, bin);
    if (!h24) {
        hour %= 12;
        if (h & 0x80)
            hour += 12;
    }
    unsigned year = 2000 + bcd(y, bin); /* QEMU's RTC counts from 2000 */
    uint64_t days = days_from_civil(year, bcd(mo, bin), bcd(d, bin));
    uint64_t secs = days * 86400 + hour * 3600 + bcd(mi, bin) * 60 + bcd(s, bin);
    clk.wall_offset = secs * 1000000000ULL;
}

/* --- refining the TSC rate with the RTC's update interrupt ------------------------------- */

static uint64_t rtc_tsc0;
static unsigned rtc_seconds;
static bool rtc_started;

static void rtc_irq(void *arg)
{
    uint8_t c = cmos_read(0x0c); /* reading register C acknowledges the interrupt */
    if (!(c & 0x10))
        return; /* not an update-ended interrupt */
    uint64_t now = rdtsc();
    if (!rtc_started) {
        rtc_started = true;
        rtc_tsc0 = now;
        return;
    }
    rtc_seconds++;
    if (rtc_seconds & (rtc_seconds - 1) || rtc_seconds < 2)
        return; /* refine at 2, 4, 8, 16, 32 s */
    uint64_t hz = (now - rtc_tsc0) / rtc_seconds;
    /* An RTC that disagrees with a clean PIT window by more than 2% is not trusted; after
     * windows that all may have missed a wrap (the rate too high), within a factor of 8. */
    if (pit_trusted ? hz > tsc_hz - tsc_hz / 50 && hz < tsc_hz + tsc_hz / 50
                    : hz > tsc_hz / 8 && hz < tsc_hz * 8) {
        if (!pit_trusted && apic_hz) { /* the APIC rate came from the same suspect window */
            apic_hz = x86_calib_rescale(apic_hz, tsc_hz, hz);
            apic_per_ns = (apic_hz << 30) / 1000000000u;
        }
        clock_rebase(hz);
    }
    if (rtc_seconds >= 32)
        outb(0x70, 0x0b), outb(0x71, inb(0x71) & ~0x10); /* done: update interrupts off */
}

static void rtc_refine_start(void)
{
    if (cmos_read(0x0b) == 0xff || !x86_ioapic_present())
        return;
    uint8_t vec = x86_irq_alloc_quiet(rtc_irq, NULL);
    if (!vec)
        return;
    ioapic_route(8, vec, false, false); /* ISA IRQ 8 = GSI 8, edge, active high */
    uint8_t b = cmos_read(0x0b);
    outb(0x70, 0x0b);
    outb(0x71, (uint8_t)(b | 0x10)); /* update-ended interrupt enable */
    cmos_read(0x0c);                 /* clear anything pending */
}

/* --- the one-shot timer ------------------------------------------------------------------------
 */

static void program(void)
{
    uint64_t deadline = kernel_deadline < idle_deadline ? kernel_deadline : idle_deadline;
    if (x86_cpu.tsc_deadline) {
        wrmsr(IA32_TSC_DEADLINE, deadline == UINT64_MAX ? 0 : ns_to_tsc(deadline) + 1);
        return;
    }
    if (deadline == UINT64_MAX) {
        mmio_write32(lapic + LAPIC_TIMER_INIT, 0);
        return;
    }
    uint64_t now = hal_clock_ns(), ticks = 1;
    if (deadline > now) {
        unsigned __int128 t = ((unsigned __int128)(deadline - now) * apic_per_ns) >> 30;
        ticks = t > 0xffffffffu ? 0xffffffffu : (uint64_t)t + 1;
    }
    mmio_write32(lapic + LAPIC_TIMER_INIT, (uint32_t)ticks);
}

void hal_timer_arm(uint64_t deadline_ns)
{
    kernel_deadline = deadline_ns;
    program();
}

void time_timer_irq(void)
{
    uint64_t now = hal_clock_ns();
    if (kernel_deadline <= now) {
        kernel_deadline = UINT64_MAX;
        program();
        kernel_timer_irq(); /* may re-arm through hal_timer_arm() */
        return;
    }
    program(); /* early (idle deadline or a clamped long shot): arm the next one */
}

bool x86_have_device_irqs(void);

int hal_cpu_idle_until(uint64_t deadline_ns)
{
    if (deadline_ns == UINT64_MAX && kernel_deadline == UINT64_MAX && !x86_have_device_irqs())
        return -1; /* no timer and no device: nothing can ever wake this CPU */
    if (deadline_ns <= hal_clock_ns()) {
        /* Nothing to wait for, but deliver what is pending (the caller's deadline is often
         * the timer that is about to interrupt): one instruction of interrupt window. */
        __asm__ __volatile__("sti; nop; cli" ::: "memory");
        return 0;
    }
    idle_deadline = deadline_ns;
    program();
    /* sti's one-instruction shadow makes "enable and halt" atomic: an interrupt already
     * pending is taken after hlt starts, so it wakes the CPU instead of being lost. */
    __asm__ __volatile__("sti; hlt; cli" ::: "memory");
    idle_deadline = UINT64_MAX;
    program();
    return 0;
}

void time_init(void)
{
    tsc_calibrate();
    if (!tsc_hz) {
        extern void x86_boot_fail(const char *msg) __attribute__((noreturn));
        x86_boot_fail("cannot determine the TSC frequency");
    }
    if (!x86_cpu.tsc_deadline && !apic_hz) {
        extern void x86_boot_fail(const char *msg) __attribute__((noreturn));
        x86_boot_fail("cannot calibrate the APIC timer: no PIT (pit=off?)");
    }
    clock_rebase(tsc_hz);
    apic_per_ns = (apic_hz << 30) / 1000000000u;
    rtc_read();
    rtc_refine_start();
    if (x86_cpu.tsc_deadline)
        mmio_write32(lapic + LAPIC_LVT_TIMER, (2u << 17) | VEC_TIMER);
    else
        mmio_write32(lapic + LAPIC_LVT_TIMER, VEC_TIMER); /* one-shot, divide 16 */
    mmio_write32(lapic + LAPIC_TIMER_DIV, 0x3);
}

/* For the boot banner and docs: where the TSC frequency came from. */
const char *x86_time_source(uint64_t *hz, uint64_t *apic)
{
    *hz = tsc_hz;
    *apic = apic_hz;
    return tsc_source;
}
