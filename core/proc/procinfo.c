/*
 * procinfo.c - the /proc tree (procinfo.h) over fs/procfs: each show() reads the kernel's
 * state at that moment (the current process's configuration, address space and initial
 * stack; the page allocator; the clock).
 *
 * cmdline and environ come from the configuration the process was started with (Linux reads
 * the process's memory, so a program that rewrites its argv sees the change there; here it
 * does not). maps has no device, inode or path for file mappings (the VM keeps the file, not
 * its name): those columns read 00:00 0 and the name is empty.
 */
#include "core/proc/procinfo.h"

#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/mm/uaccess.h"
#include "core/proc/proc.h"
#include "core/proc/stack.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_cpu.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

#define MAPS_NAME_COLUMN 73 /* Linux pads the fixed part to 25 + 6 * sizeof(void *) - 1 */

static uint64_t cpu_hwcap;

void procinfo_set_hwcap(uint64_t hwcap)
{
    cpu_hwcap = hwcap;
}

static int show_self(struct procfs_buf *b)
{
    procfs_printf(b, "%d", PROC_PID);
    return 0;
}

static int show_exe(struct procfs_buf *b)
{
    struct proc *p = proc_current();

    if (!p || !p->cfg.program)
        return -ENOENT;
    procfs_printf(b, "%s%s", p->cfg.program[0] == '/' ? "" : "/", p->cfg.program);
    return 0;
}

static void put_strings(struct procfs_buf *b, char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        procfs_put(b, v[i], strlen(v[i]) + 1);
}

static int show_cmdline(struct procfs_buf *b)
{
    struct proc *p = proc_current();

    if (!p)
        return -ENOENT;
    put_strings(b, p->cfg.argv, p->cfg.argc);
    return 0;
}

static int show_environ(struct procfs_buf *b)
{
    struct proc *p = proc_current();

    if (!p)
        return -ENOENT;
    put_strings(b, p->cfg.envp, p->cfg.envc);
    return 0;
}

/* The pairs stack_build wrote, read back from the program's stack up to AT_NULL. */
static int show_auxv(struct procfs_buf *b)
{
    struct proc *p = proc_current();
    uint64_t pair[2];

    if (!p || !p->auxv_addr)
        return -ENOENT;
    for (unsigned i = 0; i < STACK_AUXV_PAIRS; i++) {
        if (copy_from_user(pair, uptr_make(p->auxv_addr + i * sizeof(pair)), sizeof(pair)))
            return -EFAULT;
        procfs_put(b, pair, sizeof(pair));
        if (pair[0] == AT_NULL)
            break;
    }
    return 0;
}

static void maps_line(struct procfs_buf *b, const struct vm_area *a, const struct vm_space *s)
{
    const char *name = "";
    size_t start = b->len;

    if (a->kind == VM_STACK)
        name = "[stack]";
    else if (a->kind == VM_ANON && s->brk_start && a->start == s->brk_start)
        name = "[heap]";
    procfs_printf(b, "%08llx-%08llx %c%c%c%c %08llx 00:00 0", (unsigned long long)a->start,
                  (unsigned long long)a->end, (a->prot & VM_PROT_READ) ? 'r' : '-',
                  (a->prot & VM_PROT_WRITE) ? 'w' : '-', (a->prot & VM_PROT_EXEC) ? 'x' : '-',
                  a->shared ? 's' : 'p', (unsigned long long)(a->kind == VM_FILE ? a->file_off : 0));
    if (name[0]) {
        while (b->len - start < MAPS_NAME_COLUMN - 1 && !b->err)
            procfs_put(b, " ", 1);
        procfs_printf(b, " %s", name);
    }
    procfs_put(b, "\n", 1);
}

static int show_maps(struct procfs_buf *b)
{
    struct proc *p = proc_current();
    struct vm_area a;

    if (!p || !p->vm)
        return -ENOENT;
    for (uint64_t at = 0; !b->err && vm_area_query_from(p->vm, at, &a) == 0; at = a.end)
        maps_line(b, &a, p->vm);
    return 0;
}

/* Linux's names for the CPUID.1:EDX bits that AT_HWCAP carries (arch/x86 cpufeatures). */
static const char *const edx_flags[32] = {
    "fpu",  "vme",  "de",   "pse", "tsc",  "msr", "pae",   "mce", "cx8",     "apic", NULL,
    "sep",  "mtrr", "pge",  "mca", "cmov", "pat", "pse36", "pn",  "clflush", NULL,   "dts",
    "acpi", "mmx",  "fxsr", "sse", "sse2", "ss",  "ht",    "tm",  "ia64",    "pbe",
};

static int show_cpuinfo(struct procfs_buf *b)
{
    for (unsigned cpu = 0; cpu < hal_cpu_count(); cpu++) {
        procfs_printf(b, "processor\t: %u\nvendor_id\t: unknown\nmodel name\t: x86-64 (Petrel)\n",
                      cpu);
        procfs_printf(b, "physical id\t: 0\ncore id\t\t: %u\ncpu cores\t: %u\nflags\t\t:", cpu,
                      hal_cpu_count());
        for (unsigned bit = 0; bit < 32; bit++)
            if ((cpu_hwcap >> bit & 1) && edx_flags[bit])
                procfs_printf(b, " %s", edx_flags[bit]);
        procfs_printf(b, "\n\n");
    }
    return 0;
}

static int show_meminfo(struct procfs_buf *b)
{
    struct page_stats st;

    page_get_stats(&st);
    procfs_printf(b, "MemTotal:       %8llu kB\n", (unsigned long long)(st.total_pages * 4));
    procfs_printf(b, "MemFree:        %8llu kB\n", (unsigned long long)(st.free_pages * 4));
    procfs_printf(b, "MemAvailable:   %8llu kB\n", (unsigned long long)(st.free_pages * 4));
    return 0;
}

static int show_uptime(struct procfs_buf *b)
{
    uint64_t cs = hal_clock_ns() / 10000000u; /* hundredths of a second */

    /* idle: Petrel does not account idle time, so it reports none */
    procfs_printf(b, "%llu.%02llu 0.00\n", (unsigned long long)(cs / 100),
                  (unsigned long long)(cs % 100));
    return 0;
}

static const struct procfs_entry pid_dir[] = {
    {"exe", PROCFS_LINK, show_exe, NULL},         {"cmdline", PROCFS_FILE, show_cmdline, NULL},
    {"environ", PROCFS_FILE, show_environ, NULL}, {"auxv", PROCFS_FILE, show_auxv, NULL},
    {"maps", PROCFS_FILE, show_maps, NULL},       {NULL, PROCFS_FILE, NULL, NULL},
};

const struct procfs_entry procinfo_root[] = {
    {"self", PROCFS_LINK, show_self, NULL},       {"1", PROCFS_DIR, NULL, pid_dir},
    {"cpuinfo", PROCFS_FILE, show_cpuinfo, NULL}, {"meminfo", PROCFS_FILE, show_meminfo, NULL},
    {"uptime", PROCFS_FILE, show_uptime, NULL},   {NULL, PROCFS_FILE, NULL, NULL},
};

int procinfo_mount(void)
{
    struct vfs_stat st;

    if (vfs_statat(NULL, "/proc", 0, &st) || !VFS_S_ISTYPE(st.st_mode, VFS_S_IFDIR))
        return 0;
    return procfs_mount(NULL, "/proc", procinfo_root);
}
