/*
 * boot.c - from boot.S to kernel_main(): read the PVH start info, bring the CPU, memory,
 * interrupt controllers, clock and devices up, fill struct hal_boot_info.
 *
 * struct hvm_start_info (Xen's PVH ABI, public/arch-x86/hvm/start_info.h), all physical:
 *
 *   0  u32 magic (0x336ec578)   4 u32 version      8 u32 flags     12 u32 nr_modules
 *  16  u64 modlist_paddr       24 u64 cmdline_paddr                32 u64 rsdp_paddr
 *  40  u64 memmap_paddr        48 u32 memmap_entries (version >= 1) 52 u32 reserved
 *
 *   module:  u64 paddr, u64 size, u64 cmdline_paddr, u64 reserved
 *   memmap:  u64 addr, u64 size, u32 type (1 = RAM), u32 reserved
 *
 * Everything is read while the boot page tables still identity-map the first 1 GiB (QEMU
 * puts the start info below 1 MiB); module names are copied into the kernel image, the
 * command line stays where it is (reserved). Words from the fw_cfg file opt/petrel/cmdline
 * are appended to it after mm_init (add_fw_cmdline). A command line over the kernel's bound
 * stops the boot with a message rather than being cut.
 */
#include "hal/hal_boot.h"
#include "hal/hal_console.h"
#include "hal/hal_power.h"
#include "hal_x86/x86.h"

#define PVH_MAGIC 0x336ec578u
#define CMDLINE_MAX (128 << 10) /* QEMU's -append: at most the host's 128 KiB per argument */
#define FW_CMDLINE "opt/petrel/cmdline" /* petrel run's settings (fw_cfg.c, docs/petrel.md) */
#define FW_CMDLINE_MAX (1u << 20)       /* what the manifest parser takes (CONFIG_MAX_INPUT) */
#define MODNAME_MAX 64

struct __attribute__((packed)) hvm_start_info {
    uint32_t magic, version, flags, nr_modules;
    uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
    uint32_t memmap_entries, reserved;
};
struct __attribute__((packed)) hvm_modlist_entry {
    uint64_t paddr, size, cmdline_paddr, reserved;
};
struct __attribute__((packed)) hvm_memmap_entry {
    uint64_t addr, size;
    uint32_t type, reserved;
};

extern char __kernel_end[];

/* The command line stays where the loader put it (reserved, read through the direct map once
 * that exists): up to 128 KiB of it, which a static copy would take from every VM's RAM. */
const char *x86_cmdline = "";
static uint64_t cmdline_pa;
static char modnames[HAL_MAX_MODULES][MODNAME_MAX];
static struct hal_boot_info boot_info;
uint64_t x86_tsc_at_entry;
bool x86_verbose;
/* TSC after each boot phase, for the x86.verbose report. */
enum { PH_CPU, PH_START, PH_MM, PH_APIC, PH_TIME, PH_DEVICES, PH_N };
static uint64_t phase_tsc[PH_N];
static const char *const phase_names[PH_N] = {"cpu", "start-info", "mm", "apic", "time", "devices"};

/* tests/qemu/selftest.c defines this in petrel-selftest.elf; petrel.elf leaves it NULL. */
int x86_selftest_entry(void *arg) __attribute__((weak));
void x86_boot(uint64_t start_info_pa);
void x86_boot_fail(const char *msg) __attribute__((noreturn));

static size_t str_len(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

void x86_boot_fail(const char *msg)
{
    hal_console_write("petrel: boot failed: ", 21);
    hal_console_write(msg, str_len(msg));
    hal_console_write("\n", 1);
    hal_exit(X86_EXIT_BOOT);
}

/* Physical memory the boot tables reach (identity map of the first 1 GiB). */
static const void *boot_phys(uint64_t pa, uint64_t len)
{
    if (pa == 0 || pa >= 0x40000000ULL || len > 0x40000000ULL - pa)
        return NULL;
    return (const void *)pa;
}

static void copy_string(char *dst, size_t cap, uint64_t pa)
{
    dst[0] = 0;
    const char *src = boot_phys(pa, 1);
    if (!src)
        return;
    size_t i = 0;
    /* Stop before the 1 GiB edge as well as at the NUL. */
    while (i + 1 < cap && pa + i < 0x40000000ULL && src[i]) {
        dst[i] = src[i];
        i++;
    }
    dst[i] = 0;
}

/* Measure the command line at pa and reserve its pages so the page allocator leaves it
 * alone. One longer than CMDLINE_MAX - 1 stops the boot with a message (cutting it would run
 * the program with other arguments than the ones given). */
static void keep_cmdline(uint64_t pa)
{
    const char *src = boot_phys(pa, 1);
    uint64_t n = 0;
    if (!src)
        return;
    while (n < CMDLINE_MAX && pa + n < 0x40000000ULL && src[n])
        n++;
    if (n == CMDLINE_MAX)
        x86_boot_fail("the kernel command line is longer than the kernel's bound (131071 "
                      "bytes); pass a long one as the fw_cfg file " FW_CMDLINE " (docs/petrel.md)");
    if (pa + n >= 0x40000000ULL)
        x86_boot_fail("the kernel command line runs past the first 1 GiB");
    cmdline_pa = pa;
    mm_reserve(pa & ~0xfffULL, n + 1 + (pa & 0xfff));
}

static void read_memmap(const struct hvm_start_info *si)
{
    if (si->version < 1 || !si->memmap_entries)
        x86_boot_fail("the PVH start info has no memory map (version 0)");
    uint64_t bytes = (uint64_t)si->memmap_entries * sizeof(struct hvm_memmap_entry);
    const struct hvm_memmap_entry *e = boot_phys(si->memmap_paddr, bytes);
    if (!e)
        x86_boot_fail("the PVH memory map is out of reach");
    for (uint32_t i = 0; i < si->memmap_entries && x86_nram < X86_MAX_RAM; i++) {
        if (e[i].type != 1 || e[i].size == 0 || e[i].addr + e[i].size < e[i].addr)
            continue;
        x86_ram[x86_nram++] = (struct x86_ram_range){e[i].addr, e[i].addr + e[i].size};
    }
    mm_reserve(si->memmap_paddr, bytes);
}

static void read_modules(const struct hvm_start_info *si)
{
    uint32_t n = si->nr_modules;
    if (n > HAL_MAX_MODULES)
        n = HAL_MAX_MODULES;
    const struct hvm_modlist_entry *m = boot_phys(si->modlist_paddr, (uint64_t)n * sizeof(*m));
    if (!m)
        return;
    for (uint32_t i = 0; i < n; i++) {
        copy_string(modnames[i], MODNAME_MAX, m[i].cmdline_paddr);
        boot_info.modules[boot_info.nmodules++] =
            (struct hal_boot_module){m[i].paddr, m[i].size, modnames[i]};
        mm_reserve(m[i].paddr & ~0xfffULL, m[i].size + (m[i].paddr & 0xfff));
    }
}

static void read_start_info(uint64_t pa)
{
    const struct hvm_start_info *si = boot_phys(pa, sizeof(*si));
    if (!si || si->magic != PVH_MAGIC)
        x86_boot_fail("no PVH start info (boot with a PVH loader, e.g. qemu -kernel)");
    keep_cmdline(si->cmdline_paddr);
    read_memmap(si);
    read_modules(si);
    mm_reserve(pa & ~0xfffULL, 0x1000);
}

/* True when the command line has the word w. */
static bool cmdline_has(const char *w)
{
    size_t n = str_len(w);
    for (const char *p = x86_cmdline; *p;) {
        while (*p == ' ')
            p++;
        const char *s = p;
        while (*p && *p != ' ')
            p++;
        if ((size_t)(p - s) == n) {
            size_t i = 0;
            while (i < n && s[i] == w[i])
                i++;
            if (i == n)
                return true;
        }
    }
    return false;
}

static void put_dec(uint64_t v)
{
    char b[21];
    int n = 0;
    do {
        b[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        hal_console_write(&b[--n], 1);
}

/* A boot failure whose message holds a number: "petrel: boot failed: <a><n><b>". */
static void fail_n(const char *a, uint64_t n, const char *b) __attribute__((noreturn));
static void fail_n(const char *a, uint64_t n, const char *b)
{
    hal_console_write("petrel: boot failed: ", 21);
    hal_console_write(a, str_len(a));
    put_dec(n);
    hal_console_write(b, str_len(b));
    hal_console_write("\n", 1);
    hal_exit(X86_EXIT_BOOT);
}

/*
 * `petrel run` passes its settings as the fw_cfg file opt/petrel/cmdline (fw_cfg.c): no
 * limit of the PVH loader's (~4 KiB on q35) or of the host's per argument (128 KiB). Its words
 * follow the PVH line's, so they win where both give a key (proc_cmdline_override). Both go
 * into one buffer from the early allocator, kept for the VM's life like the PVH line.
 */
static void add_fw_cmdline(void)
{
    uint64_t pvh = str_len(x86_cmdline), pa;
    uint32_t size;
    uint16_t key;
    char *buf;

    if (!fw_cfg_find(FW_CMDLINE, &key, &size) || size == 0)
        return;
    if (size > FW_CMDLINE_MAX)
        fail_n("the command line in fw_cfg " FW_CMDLINE " has ", size,
               " bytes, over the kernel's bound of 1048576 (the manifest parser's)");
    pa = early_alloc_contig((pvh + 1 + size + 1 + 0xfff) >> 12);
    if (!pa)
        fail_n("no memory for the kernel command line of ", pvh + 1 + size,
               " bytes: give the VM more (petrel run -m)");
    buf = (char *)(DIRECT_MAP + pa);
    for (uint64_t i = 0; i < pvh; i++)
        buf[i] = x86_cmdline[i];
    buf[pvh] = ' ';
    if (!fw_cfg_read(key, pa + pvh + 1, size))
        x86_boot_fail("cannot read the fw_cfg file " FW_CMDLINE);
    for (uint32_t i = 0; i < size; i++)
        if (buf[pvh + 1 + i] == 0)
            fail_n("the fw_cfg file " FW_CMDLINE " has a NUL byte at offset ", i,
                   " (a command line is text)");
    buf[pvh + 1 + size] = 0;
    x86_cmdline = buf;
}

/* `x86.verbose` on the command line: one line on how the machine came up. */
static void banner(void)
{
    uint64_t hz, apic_hz;
    const char *src = x86_time_source(&hz, &apic_hz);
    hal_console_write("x86: tsc ", 9);
    put_dec(hz / 1000);
    hal_console_write(" kHz (", 6);
    hal_console_write(src, str_len(src));
    hal_console_write("), apic timer ", 14);
    put_dec(apic_hz / 1000);
    hal_console_write(" kHz, tsc-deadline ", 19);
    put_dec(x86_cpu.tsc_deadline);
    hal_console_write(", regions ", 10);
    put_dec(boot_info.nregions);
    hal_console_write(", ram ", 6);
    uint64_t total = 0;
    for (uint32_t i = 0; i < boot_info.nregions; i++)
        total += boot_info.regions[i].len;
    put_dec(total >> 10);
    hal_console_write(" KiB free, ", 11);
    put_dec((rdtsc() - x86_tsc_at_entry) / (hz / 1000000));
    hal_console_write(" us since entry\n", 16);
    hal_console_write("x86: boot phases (us):", 22);
    for (unsigned i = 0; i < PH_N; i++) {
        uint64_t prev = i ? phase_tsc[i - 1] : x86_tsc_at_entry;
        hal_console_write(" ", 1);
        hal_console_write(phase_names[i], str_len(phase_names[i]));
        hal_console_write(" ", 1);
        put_dec((phase_tsc[i] - prev) / (hz / 1000000));
    }
    hal_console_write("\n", 1);
}

/* With x86.verbose, hal_exit() reports the guest's time from entry to exit. */
void x86_report_exit(int code)
{
    uint64_t hz, apic_hz;
    if (!x86_verbose)
        return;
    x86_time_source(&hz, &apic_hz);
    if (hz < 1000000)
        return;
    hal_console_write("x86: exit ", 10);
    put_dec((unsigned)code & 0xff);
    hal_console_write(" after ", 7);
    put_dec((rdtsc() - x86_tsc_at_entry) / (hz / 1000000));
    hal_console_write(" us since entry\n", 16);
}

void x86_boot(uint64_t start_info_pa)
{
    x86_tsc_at_entry = rdtsc();
    serial_init();
    cpu_init(); /* first: a fault from here on gets a register dump */
    phase_tsc[PH_CPU] = rdtsc();
    read_start_info(start_info_pa);
    phase_tsc[PH_START] = rdtsc();
    mm_init((uint64_t)__kernel_end - KERNEL_VMA);
    if (cmdline_pa)
        x86_cmdline = (const char *)(DIRECT_MAP + cmdline_pa);
    add_fw_cmdline();
    phase_tsc[PH_MM] = rdtsc();
    apic_init();
    phase_tsc[PH_APIC] = rdtsc();
    time_init();
    phase_tsc[PH_TIME] = rdtsc();
    pci_init();
    virtio_mmio_probe_cmdline(x86_cmdline);
    phase_tsc[PH_DEVICES] = rdtsc();

    boot_info.abi_version = HAL_ABI_VERSION;
    boot_info.cmdline = x86_cmdline;
    if (x86_selftest_entry) {
        boot_info.entry = x86_selftest_entry;
        boot_info.entry_arg = (void *)(uintptr_t)x86_cmdline;
    }
    mm_fill_regions(&boot_info);
    x86_verbose = cmdline_has("x86.verbose");
    if (x86_verbose)
        banner();
    kernel_main(&boot_info);
    x86_boot_fail("kernel_main returned");
}
