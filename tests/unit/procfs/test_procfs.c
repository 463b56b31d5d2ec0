/*
 * test_procfs.c - /proc against the kernel's own state: a process is created with a known
 * configuration and attached, its initial stack built, and /proc mounted on a memfs root.
 * Each file is read through the VFS and compared with what the kernel holds: the symlinks
 * (self, exe), cmdline and environ (NUL-separated), auxv (the words on the stack up to
 * AT_NULL), maps (every area in order, Linux's columns, [stack] and [heap] names at column
 * 74), meminfo (the page allocator's counts), uptime (the virtual clock), cpuinfo (the flags
 * of AT_HWCAP), the directory listing, read-only refusals, ENOENT; and /dev/full. Then
 * fd/ against the descriptor table (a link per descriptor, Linux's names with the files'
 * own inode numbers, gone once closed), stat/status against the process, mountinfo against
 * the mounts, /proc/sys, /sys served as a sysfs kind, and a tmpfs's statfs; /proc/stat
 * against the scheduler's counters and CPU times read around it, /proc/mounts.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../mm/mt.h"

#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/proc/proc.h"
#include "core/proc/procinfo.h"
#include "core/proc/stack.h"
#include "core/sched/sched.h"
#include "fs/file/file.h"
#include "fs/pipe/eventfd.h"
#include "fs/pipe/pipe.h"
#include "fs/vfs/memfs.h"
#include "hal/hal_errno.h"
#include "hal/hal_cpu.h"
#include "hal/hal_time.h"
#include "hal_hosted/hosted.h"

static char buf[16384];
static struct proc *p;

/* Read the whole file at path into buf (NUL-terminated); its length, or -errno. */
static long slurp(const char *path)
{
    struct vfs_file *f;
    long n, total = 0;
    int rc = vfs_openat(NULL, path, VFS_O_RDONLY, 0, &f);

    if (rc)
        return rc;
    while ((n = vfs_read(f, buf + total, 7)) > 0) /* small reads: offsets must work */
        total += n;
    vfs_file_put(f);
    buf[total] = '\0';
    return n < 0 ? n : total;
}

static int setup(void)
{
    static char *argv[] = {"prog", "a b", ""};
    static char *envp[] = {"HOME=/", "X=1"};
    struct proc_config c = {0};
    struct elf_info info = {0};
    struct stack_layout lay;
    const char *const *sa = (const char *const *)argv;
    const char *const *se = (const char *const *)envp;

    c.program = "/bin/prog";
    c.argv = argv;
    c.argc = 3;
    c.envp = envp;
    c.envc = 2;
    if (proc_create(&c, &p))
        return -1;
    proc_attach(p, NULL);
    info.entry = info.start = 0x200010001000ULL;
    info.phent = 56;
    struct stack_args a = {sa, 3, se, 2, "/bin/prog", &info, 0x11, 0, 2048, 0};
    if (stack_build(p->vm, &a, &lay))
        return -1;
    p->auxv_addr = lay.auxv;
    procinfo_set_hwcap(0x11); /* fpu, tsc */
    if (vfs_mkdirat(NULL, "/proc", 0555) || procfs_mount(NULL, "/proc", procinfo_root))
        return -1;
    return 0;
}

static void teardown(void)
{
    proc_detach(NULL);
    proc_destroy(p);
    p = NULL;
}

MT_CASE(links_cmdline_environ)
{
    MT_EQ(setup(), 0);
    MT_EQ(vfs_readlinkat(NULL, "/proc/self", buf, sizeof(buf)), 1);
    MT_EQ(buf[0], '1');
    MT_EQ(vfs_readlinkat(NULL, "/proc/self/exe", buf, sizeof(buf)), 9);
    MT_CHECK(memcmp(buf, "/bin/prog", 9) == 0);
    MT_EQ(slurp("/proc/self/cmdline"), 10);
    MT_CHECK(memcmp(buf, "prog\0a b\0\0", 10) == 0);
    MT_EQ(slurp("/proc/1/environ"), 11);
    MT_CHECK(memcmp(buf, "HOME=/\0X=1\0", 11) == 0);
    struct vfs_stat st;
    MT_EQ(vfs_statat(NULL, "/proc/self/maps", 0, &st), 0);
    MT_EQ(st.st_mode, VFS_S_IFREG | 0444);
    MT_EQ(st.st_size, 0); /* as Linux */
    MT_EQ(vfs_statat(NULL, "/proc/1", 0, &st), 0);
    MT_EQ(st.st_mode, VFS_S_IFDIR | 0555);
    MT_EQ(slurp("/proc/1/nothing"), -ENOENT);
    struct vfs_file *f;
    MT_CHECK(vfs_openat(NULL, "/proc/meminfo", VFS_O_WRONLY, 0, &f) < 0);
    MT_CHECK(vfs_openat(NULL, "/proc/new", VFS_O_WRONLY | VFS_O_CREAT, 0644, &f) < 0);
    teardown();
}

MT_CASE(auxv_is_the_stack_s)
{
    uint64_t words[2 * STACK_AUXV_PAIRS];
    long n;

    MT_EQ(setup(), 0);
    n = slurp("/proc/self/auxv");
    MT_CHECK(n > 16 && n % 16 == 0);
    MT_EQ(copy_from_user(words, uptr_make(p->auxv_addr), (size_t)n), 0);
    MT_CHECK(memcmp(words, buf, (size_t)n) == 0);
    memcpy(words, buf, (size_t)n);
    MT_EQ(words[0], AT_MINSIGSTKSZ);
    MT_EQ(words[1], 2048);
    MT_EQ(words[n / 8 - 2], AT_NULL);
    teardown();
}

/* Every area in order, with Linux's columns; the stack and heap named at column 74. */
MT_CASE(maps_lists_every_area)
{
    struct vm_area a;
    char want[160];
    uint64_t at, m;
    char *line;
    size_t areas = 0;

    MT_EQ(setup(), 0);
    MT_EQ(vm_mmap(p->vm, 0, 3 * PG, VM_PROT_READ | VM_PROT_WRITE, VM_MAP_PRIVATE | VM_MAP_ANONYMOUS,
                  NULL, 0, &m),
          0);
    vm_brk_init(p->vm, 0x200020000000ULL);
    MT_EQ(vm_brk(p->vm, 0x200020002000ULL), 0x200020002000ULL);
    MT_CHECK(slurp("/proc/self/maps") > 0);
    line = buf;
    for (at = 0; vm_area_query_from(p->vm, at, &a) == 0; at = a.end, areas++) {
        char *nl = strchr(line, '\n');
        const char *name = a.kind == VM_STACK             ? "[stack]"
                           : a.start == 0x200020000000ULL ? "[heap]"
                                                          : "";

        MT_CHECK(nl);
        *nl = '\0';
        snprintf(want, sizeof(want), "%08llx-%08llx %c%c%cp 00000000 00:00 0",
                 (unsigned long long)a.start, (unsigned long long)a.end,
                 (a.prot & VM_PROT_READ) ? 'r' : '-', (a.prot & VM_PROT_WRITE) ? 'w' : '-',
                 (a.prot & VM_PROT_EXEC) ? 'x' : '-');
        if (name[0]) {
            MT_EQ(strlen(line), 73 + strlen(name));
            MT_CHECK(strcmp(line + 73, name) == 0);
            line[strlen(want)] = '\0';
        }
        if (strcmp(line, want) != 0) {
            printf("maps line \"%s\", want \"%s\"\n", line, want);
            MT_CHECK(0);
        }
        line = nl + 1;
    }
    /* Linux's last line, the vsyscall page (emulated, never mapped: core/signal/vsyscall.h) */
    MT_CHECK(strncmp(line, "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 ", 56) == 0);
    MT_CHECK(strlen(line) == 73 + strlen("[vsyscall]\n") && strcmp(line + 73, "[vsyscall]\n") == 0);
    MT_EQ(areas, vm_area_count(p->vm));
    MT_CHECK(areas >= 3); /* stack, the mapping, the heap */
    teardown();
}

MT_CASE(machine_files)
{
    struct page_stats ps;
    unsigned long long total = 0, up = 0, upc = 0;

    MT_EQ(setup(), 0);
    MT_CHECK(slurp("/proc/meminfo") > 0);
    page_get_stats(&ps);
    MT_EQ(sscanf(buf, "MemTotal: %llu kB", &total), 1);
    MT_EQ(total, ps.total_pages * 4);
    MT_CHECK(strstr(buf, "\nMemFree:") && strstr(buf, "\nMemAvailable:"));
    MT_CHECK(slurp("/proc/uptime") > 0);
    MT_EQ(sscanf(buf, "%llu.%llu 0.00\n", &up, &upc), 2);
    MT_EQ(up * 100 + upc, hal_clock_ns() / 10000000u);
    MT_CHECK(slurp("/proc/cpuinfo") > 0);
    MT_CHECK(strncmp(buf, "processor\t: 0\n", 14) == 0);
    MT_CHECK(strstr(buf, "flags\t\t: fpu tsc\n"));
    /* the listing */
    struct vfs_file *d;
    long n;
    MT_EQ(vfs_openat(NULL, "/proc", VFS_O_RDONLY | VFS_O_DIRECTORY, 0, &d), 0);
    n = vfs_getdents(d, buf, sizeof(buf));
    vfs_file_put(d);
    MT_CHECK(n > 0);
    const char *want[] = {".", "..", "self", "1", "cpuinfo", "meminfo", "uptime", "sys",
                          "stat", "mounts"};
    long off = 0;
    for (size_t i = 0; i < 10; i++) {
        struct vfs_dirent64 *e = (struct vfs_dirent64 *)(buf + off);
        MT_CHECK(off < n);
        MT_CHECK(strcmp(e->d_name, want[i]) == 0);
        off += e->d_reclen;
    }
    MT_EQ(off, n);
    teardown();
}

MT_CASE(dev_full)
{
    struct vfs_file *f;
    char b[16];

    MT_EQ(vfs_mkdirat(NULL, "/dev", 0755), 0);
    MT_EQ(memfs_mount(NULL, "/dev", NULL, NULL), 0);
    MT_EQ(vfs_devices_register(), 0);
    MT_EQ(vfs_devices_populate(NULL, "/dev"), 0);
    MT_EQ(vfs_openat(NULL, "/dev/full", VFS_O_RDWR, 0, &f), 0);
    MT_EQ(vfs_write(f, "x", 1), -ENOSPC);
    memset(b, 'x', sizeof(b));
    MT_EQ(vfs_read(f, b, sizeof(b)), 16);
    for (int i = 0; i < 16; i++)
        MT_EQ(b[i], 0);
    vfs_file_put(f);
    struct vfs_stat st;
    MT_EQ(vfs_statat(NULL, "/dev/full", 0, &st), 0);
    MT_EQ(st.st_rdev, 0x107);
}

/* The names in the directory at path, space-separated, into out. */
static void list_dir(const char *path, char *out, size_t size)
{
    struct vfs_file *d;
    char dents[4096];
    long n;

    out[0] = '\0';
    MT_EQ(vfs_openat(NULL, path, VFS_O_RDONLY | VFS_O_DIRECTORY, 0, &d), 0);
    while ((n = vfs_getdents(d, dents, sizeof(dents))) > 0)
        for (long off = 0; off < n;) {
            struct vfs_dirent64 *e = (struct vfs_dirent64 *)(dents + off);
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                snprintf(out + strlen(out), size - strlen(out), "%s%s", out[0] ? " " : "",
                         e->d_name);
            off += e->d_reclen;
        }
    vfs_file_put(d);
}

MT_CASE(fd_dir_is_the_descriptor_table)
{
    struct file *r, *w, *ev;
    struct vfs_stat st;
    char names[256], want[64];

    MT_EQ(setup(), 0);
    MT_EQ(pipe_create(0, &r, &w), 0);
    MT_EQ(eventfd_create(0, 0, 0, &ev), 0);
    MT_EQ(fd_install(&p->fds, 5, r, false), 5);
    MT_EQ(fd_install(&p->fds, 7, w, false), 7);
    MT_EQ(fd_install(&p->fds, 0, ev, false), 3);
    list_dir("/proc/self/fd", names, sizeof(names));
    MT_CHECK(strcmp(names, "0 1 2 3 5 7") == 0);
    MT_EQ(file_stat(r, &st), 0);
    snprintf(want, sizeof(want), "pipe:[%llu]", (unsigned long long)st.st_ino);
    MT_EQ(vfs_readlinkat(NULL, "/proc/self/fd/5", buf, sizeof(buf)), (long)strlen(want));
    MT_CHECK(memcmp(buf, want, strlen(want)) == 0);
    MT_EQ(vfs_readlinkat(NULL, "/proc/1/fd/3", buf, sizeof(buf)), 20);
    MT_CHECK(memcmp(buf, "anon_inode:[eventfd]", 20) == 0);
    MT_EQ(vfs_readlinkat(NULL, "/proc/1/fd/0", buf, sizeof(buf)), 10);
    MT_CHECK(memcmp(buf, "/dev/pts/0", 10) == 0); /* the console, a tty */
    MT_EQ(vfs_statat(NULL, "/proc/self/fd/7", VFS_AT_SYMLINK_NOFOLLOW, &st), 0);
    MT_EQ(st.st_mode, VFS_S_IFLNK | 0700);
    MT_EQ(fd_close(&p->fds, 5), 0);
    MT_EQ(vfs_readlinkat(NULL, "/proc/self/fd/5", buf, sizeof(buf)), -ENOENT);
    MT_EQ(vfs_readlinkat(NULL, "/proc/self/fd/05", buf, sizeof(buf)), -ENOENT);
    MT_EQ(vfs_readlinkat(NULL, "/proc/self/fd/x", buf, sizeof(buf)), -ENOENT);
    list_dir("/proc/self/fd", names, sizeof(names));
    MT_CHECK(strcmp(names, "0 1 2 3 7") == 0);
    teardown();
}

MT_CASE(stat_status_mountinfo_sys)
{
    int pid = 0, threads = 0;
    char comm[32], state = 0;
    unsigned mask = 0;

    MT_EQ(setup(), 0);
    MT_CHECK(slurp("/proc/self/stat") > 0);
    MT_EQ(sscanf(buf, "%d (%31[^)]) %c", &pid, comm, &state), 3);
    MT_EQ(pid, PROC_PID);
    MT_CHECK(strcmp(comm, "prog") == 0);
    /* field 20 is num_threads */
    char *f = buf;
    for (int i = 1; i < 20; i++)
        f = strchr(f, ' ') + 1;
    MT_EQ(atoi(f), (int)proc_thread_count(p));
    MT_CHECK(slurp("/proc/self/status") > 0);
    MT_CHECK(strstr(buf, "Name:\tprog\n"));
    /* PR_SET_NAME of the main thread (the leader): both files name it, as Linux's */
    kstrlcpy(uthread_current()->comm, "renamed", LINUX_TASK_COMM_LEN);
    MT_CHECK(slurp("/proc/self/status") > 0);
    MT_CHECK(strstr(buf, "Name:\trenamed\n"));
    MT_CHECK(slurp("/proc/self/stat") > 0);
    MT_CHECK(strncmp(buf, "1 (renamed) ", 12) == 0);
    uthread_current()->comm[0] = '\0';
    MT_CHECK(slurp("/proc/self/status") > 0);
    MT_EQ(sscanf(strstr(buf, "Umask:"), "Umask:\t%o", &mask), 1);
    MT_EQ(mask, p->umask);
    MT_EQ(sscanf(strstr(buf, "Threads:"), "Threads:\t%d", &threads), 1);
    MT_EQ(threads, (int)proc_thread_count(p));
    MT_CHECK(slurp("/proc/self/mountinfo") > 0);
    MT_CHECK(strstr(buf, "1 1 ") == buf && strstr(buf, " / / rw - tmpfs tmpfs rw\n"));
    MT_CHECK(strstr(buf, "\n2 1 ") && strstr(buf, " / /proc ro - proc proc ro\n"));
    MT_EQ(slurp("/proc/sys/kernel/osrelease"), (long)strlen(PROCINFO_OSRELEASE) + 1);
    MT_CHECK(strncmp(buf, PROCINFO_OSRELEASE "\n", sizeof(PROCINFO_OSRELEASE)) == 0);
    MT_EQ(slurp("/proc/sys/kernel/hostname"), 7);
    MT_EQ(slurp("/proc/sys/vm/overcommit_memory"), 2);
    MT_CHECK(strcmp(buf, "1\n") == 0);
    /* /sys: its own kind */
    struct vfs_statfs sf;
    MT_EQ(vfs_mkdirat(NULL, "/sys", 0555), 0);
    MT_EQ(procinfo_mount_sys(), 0);
    MT_EQ(vfs_statfs(NULL, "/sys/devices", &sf), 0);
    MT_EQ(sf.f_type, PROCFS_SYSFS_MAGIC);
    MT_EQ(slurp("/sys/devices/system/cpu/online"), 2);
    MT_CHECK(strcmp(buf, "0\n") == 0); /* hosted: one CPU */
    MT_EQ(slurp("/sys/devices/system/cpu/possible"), 2);
    MT_EQ(vfs_statfs(NULL, "/proc/self", &sf), 0);
    MT_EQ(sf.f_type, PROCFS_MAGIC);
    /* a tmpfs: memfs, with Linux's TMPFS_MAGIC */
    MT_EQ(vfs_mkdirat(NULL, "/tmp", 01777), 0);
    struct memfs_opts o = {4096, 01777, 0};
    MT_EQ(memfs_mount(NULL, "/tmp", &o, NULL), 0);
    MT_EQ(vfs_statfs(NULL, "/tmp", &sf), 0);
    MT_EQ(sf.f_type, 0x01021994);
    MT_CHECK(slurp("/proc/self/mountinfo") > 0);
    MT_CHECK(strstr(buf, " / /tmp rw - tmpfs tmpfs rw\n"));
    MT_CHECK(strstr(buf, " / /sys ro - sysfs sysfs ro\n"));
    teardown();
}

/* One /proc/stat line "name v1 v2 ..." at *pos: its name and up to max values; the count, or
 * -1 when the line is not name + numbers. *pos moves past the line. */
static int stat_line(const char **pos, char *name, unsigned long long *v, int max)
{
    const char *s = *pos, *end = strchr(s, '\n');
    int n = 0, used;

    if (!end || sscanf(s, "%31s%n", name, &used) != 1)
        return -1;
    for (s += used; s < end; s += used)
        if (n >= max || sscanf(s, " %llu%n", &v[n++], &used) != 1)
            return -1;
    *pos = end + 1;
    return n;
}

struct stat_seen {
    unsigned long long cpu[10], cpus[10], intr, ctxt, btime, processes, running, blocked;
    unsigned ncpu;
};

/* Parse the whole of /proc/stat (in buf) strictly: Linux's keys, in Linux's order. */
static int parse_stat(struct stat_seen *st)
{
    const char *pos = buf;
    char name[32];
    unsigned long long v[16];
    int n;

    memset(st, 0, sizeof(*st));
    if (strncmp(buf, "cpu  ", 5) || stat_line(&pos, name, st->cpu, 10) != 10)
        return -1;
    while ((n = stat_line(&pos, name, v, 16)) == 10 && !strncmp(name, "cpu", 3)) {
        if (atoi(name + 3) != (int)st->ncpu++)
            return -2;
        for (int i = 0; i < 10; i++)
            st->cpus[i] += v[i];
    }
    unsigned long long *dst[] = {&st->intr, &st->ctxt, &st->btime, &st->processes,
                                 &st->running, &st->blocked};
    const char *keys[] = {"intr", "ctxt", "btime", "processes", "procs_running",
                          "procs_blocked"};
    for (int i = 0; i < 6; i++, n = stat_line(&pos, name, v, 16)) {
        if (n < 1 || strcmp(name, keys[i]))
            return -3 - i;
        *dst[i] = v[0];
    }
    return n == 11 && !strcmp(name, "softirq") && *pos == '\0' ? 0 : -10;
}

#define TICK 10000000ull

/* A file whose text grows at every generation (9, 10, 11...: a counter gaining a digit, as
 * /proc/stat's do): read in pieces, an open file gives one text and then 0, never the tail of
 * a longer later text (runtime.musl.procstat once read "/proc/stat" with a stray byte after
 * the end); a pread at 0 starts a new text. Linux's seq_file behaves the same way. */
static unsigned grow_n = 9;

static int show_grow(struct procfs_buf *b)
{
    procfs_printf(b, "count %u\n", grow_n++);
    return 0;
}

static const struct procfs_entry grow_root[] = {
    {.name = "grow", .kind = PROCFS_FILE, .show = show_grow},
    {.name = NULL},
};

MT_CASE(read_in_pieces_is_one_text)
{
    struct vfs_file *f;
    long n, total = 0;
    uint64_t pos = 0;

    MT_EQ(setup(), 0);
    MT_EQ(vfs_mkdirat(NULL, "/seq", 0555), 0);
    MT_EQ(procfs_mount(NULL, "/seq", grow_root), 0);
    grow_n = 9;
    MT_EQ(vfs_openat(NULL, "/seq/grow", VFS_O_RDONLY, 0, &f), 0);
    while ((n = vfs_read(f, buf + total, 3)) > 0)
        total += n;
    MT_EQ(n, 0);
    MT_EQ(total, 8);
    MT_CHECK(memcmp(buf, "count 9\n", 8) == 0);
    MT_EQ(vfs_read(f, buf, sizeof(buf)), 0); /* still 0: "count 10\n" is not read at 8 */
    MT_EQ(vfs_read_at(f, buf, sizeof(buf), &pos), 9); /* from 0: a new text */
    MT_CHECK(memcmp(buf, "count 10\n", 9) == 0);
    vfs_file_put(f);
    MT_EQ(vfs_openat(NULL, "/seq/grow", VFS_O_RDONLY, 0, &f), 0); /* a new open: its own */
    MT_EQ(vfs_read(f, buf, 4), 4);
    MT_CHECK(memcmp(buf, "coun", 4) == 0);
    vfs_file_put(f); /* closed mid-text: release frees it (ASan: no leak) */
    MT_EQ(vfs_umount(NULL, "/seq"), 0);
    teardown();
}

MT_CASE(proc_stat_is_the_scheduler)
{
    struct sched_stats a, z;
    struct sched_cputime c0, c1;
    uint64_t i0, i1;
    struct stat_seen st;

    MT_EQ(setup(), 0);
    hosted_clock_advance(50 * 1000000ull); /* this thread "runs" 50 ms: 5 ticks at least */
    sched_get_stats(&a);
    sched_cpu_cputime(0, &c0, &i0);
    MT_CHECK(slurp("/proc/stat") > 0);
    sched_cpu_cputime(0, &c1, &i1);
    sched_get_stats(&z);
    MT_EQ(parse_stat(&st), 0);
    MT_EQ(st.ncpu, hal_cpu_count());
    for (int i = 0; i < 10; i++) /* "cpu" is the sum of the cpuN lines */
        MT_EQ(st.cpu[i], st.cpus[i]);
    MT_CHECK(st.cpu[0] >= c0.user_ns / TICK && st.cpu[0] <= c1.user_ns / TICK);
    MT_CHECK(st.cpu[2] >= c0.sys_ns / TICK && st.cpu[2] <= c1.sys_ns / TICK);
    MT_CHECK(st.cpu[3] >= i0 / TICK && st.cpu[3] <= i1 / TICK);
    MT_CHECK(st.cpu[0] + st.cpu[2] >= 5);
    MT_EQ(st.cpu[1] + st.cpu[4] + st.cpu[5] + st.cpu[6] + st.cpu[7] + st.cpu[8] + st.cpu[9], 0);
    MT_CHECK(st.intr >= a.interrupts && st.intr <= z.interrupts);
    MT_CHECK(st.ctxt >= a.context_switches && st.ctxt <= z.context_switches && st.ctxt > 0);
    MT_CHECK(st.processes >= a.threads_created && st.processes <= z.threads_created);
    MT_CHECK(st.processes >= 1 && st.running >= 1 && st.blocked == 0);
    uint64_t boot = (hal_wallclock_ns() - hal_clock_ns()) / 1000000000ull;
    MT_CHECK(st.btime == boot || st.btime + 1 == boot);
    /* /proc/mounts: a link to self/mounts, Linux's fstab format, the mounts of mountinfo */
    MT_EQ(vfs_readlinkat(NULL, "/proc/mounts", buf, sizeof(buf)), 11);
    MT_CHECK(memcmp(buf, "self/mounts", 11) == 0);
    MT_CHECK(slurp("/proc/mounts") > 0);
    MT_CHECK(strcmp(buf, "tmpfs / tmpfs rw 0 0\nproc /proc proc ro 0 0\n") == 0);
    MT_CHECK(slurp("/proc/self/mounts") > 0);
    MT_CHECK(strcmp(buf, "tmpfs / tmpfs rw 0 0\nproc /proc proc ro 0 0\n") == 0);
    teardown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(links_cmdline_environ),
        cmocka_unit_test(auxv_is_the_stack_s),
        cmocka_unit_test(maps_lists_every_area),
        cmocka_unit_test(machine_files),
        cmocka_unit_test(dev_full),
        cmocka_unit_test(fd_dir_is_the_descriptor_table),
        cmocka_unit_test(stat_status_mountinfo_sys),
        cmocka_unit_test(proc_stat_is_the_scheduler),
        cmocka_unit_test(read_in_pieces_is_one_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
