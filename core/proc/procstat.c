/*
 * procstat.c - /proc/stat and /proc/mounts (procinfo.h; docs/procfs.md), from the scheduler's
 * and the VFS's own state at each read.
 *
 * /proc/stat has Linux's lines: `cpu` (the sum) and `cpuN` in USER_HZ (100 a second) ticks,
 * from each CPU's measured run time split into user and system by the timer samples (the
 * method of the threads' clocks, core/sched/cputime.c) and the idle loop's measured waits;
 * nice, iowait, irq, softirq, steal, guest and guest_nice are 0 because Petrel has no such
 * states (no nice levels applied, interrupts are charged to what they interrupt, no
 * hypervisor accounting). `intr` is the total of interrupts taken (Linux adds one count per
 * interrupt line, which Petrel does not keep), `ctxt` the context switches, `btime` the wall
 * clock at boot, `processes` the threads created since boot (Linux counts every fork and
 * clone, kernel threads included), `procs_running` the threads running or runnable now,
 * `procs_blocked` 0 (Linux counts tasks in I/O wait; Petrel does not tell I/O waits from
 * others), `softirq` zeros (no softirqs).
 *
 * /proc/mounts (-> self/mounts) is Linux's fstab-like view of the mount table: `source
 * mountpoint kind options 0 0`, one line per mount in mount order, the same mounts as
 * mountinfo; Petrel's mounts have no source device, so the source is the kind, as mountinfo's
 * source field already is.
 */
#include "core/proc/procinfo.h"
#include "core/lib/kprintf.h"
#include "core/sched/sched.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_cpu.h"
#include "hal/hal_time.h"

#define NS_PER_TICK 10000000ull /* USER_HZ 100 */

struct cpu_ticks {
    uint64_t user, sys, idle;
};

static void cpu_ticks(unsigned cpu, struct cpu_ticks *t)
{
    struct sched_cputime ct;
    uint64_t idle;

    sched_cpu_cputime(cpu, &ct, &idle);
    t->user = ct.user_ns / NS_PER_TICK;
    t->sys = ct.sys_ns / NS_PER_TICK;
    t->idle = idle / NS_PER_TICK;
}

static void cpu_line(struct procfs_buf *b, const char *name, const struct cpu_ticks *t)
{
    procfs_printf(b, "%s %llu 0 %llu %llu 0 0 0 0 0 0\n", name, (unsigned long long)t->user,
                  (unsigned long long)t->sys, (unsigned long long)t->idle);
}

static void cpu_lines(struct procfs_buf *b)
{
    unsigned n = hal_cpu_count() < SCHED_MAX_CPUS ? hal_cpu_count() : SCHED_MAX_CPUS;
    struct cpu_ticks per[SCHED_MAX_CPUS], sum = {0, 0, 0};
    char name[16];

    for (unsigned i = 0; i < n; i++) { /* the sum of the ticks, as Linux sums per CPU */
        cpu_ticks(i, &per[i]);
        sum.user += per[i].user;
        sum.sys += per[i].sys;
        sum.idle += per[i].idle;
    }
    cpu_line(b, "cpu ", &sum); /* Linux: "cpu" and two spaces */
    for (unsigned i = 0; i < n; i++) {
        ksnprintf(name, sizeof(name), "cpu%u", i);
        cpu_line(b, name, &per[i]);
    }
}

int procinfo_show_stat(struct procfs_buf *b)
{
    struct sched_stats st;
    uint64_t wall = hal_wallclock_ns(), mono = hal_clock_ns();

    cpu_lines(b);
    sched_get_stats(&st);
    procfs_printf(b, "intr %llu\nctxt %llu\nbtime %llu\n", (unsigned long long)st.interrupts,
                  (unsigned long long)st.context_switches,
                  (unsigned long long)((wall > mono ? wall - mono : 0) / 1000000000ull));
    procfs_printf(b, "processes %llu\nprocs_running %u\nprocs_blocked 0\n",
                  (unsigned long long)st.threads_created, st.runnable);
    procfs_printf(b, "softirq 0 0 0 0 0 0 0 0 0 0 0\n");
    return 0;
}

static int mounts_line(void *arg, const struct vfs_mount_info *mi)
{
    procfs_printf(arg, "%s %s %s %s 0 0\n", mi->kind, mi->path, mi->kind,
                  mi->rdonly ? "ro" : "rw");
    return 0;
}

int procinfo_show_mounts(struct procfs_buf *b)
{
    return vfs_mounts_each(mounts_line, b);
}
