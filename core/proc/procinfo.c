/*
 * procinfo.c - the /proc tree (procinfo.h) over fs/procfs: each show() reads the kernel's
 * state at that moment (the current process's configuration, address space and initial
 * stack; the page allocator; the clock).
 *
 * cmdline and environ come from the configuration the process was started with (Linux reads
 * the process's memory, so a program that rewrites its argv sees the change there; here it
 * does not). maps has no device, inode or path for file mappings (the VM keeps the file, not
 * its name): those columns read 00:00 0 and the name is empty.
 *
 * fd/ is a dynamic directory: one link per open descriptor, named as Linux names them
 * (fd_target), except VFS files, whose path is not known: "(unknown)".
 * stat and status report what the kernel keeps (no CPU time, no page-fault counts: zeros).
 * /sys is a second tree served by the same kind as a sysfs (procinfo_mount_sys).
 */
#include "core/proc/procinfo.h"

#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/mm/uaccess.h"
#include "core/proc/proc.h"
#include "core/proc/stack.h"
#include "core/vdso/vdso.h"
#include "fs/file/file.h"
#include "fs/file/inotify.h"
#include "fs/vfs/notify.h"
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
    const char *name = "", *special = vdso_area_name(a);
    size_t start = b->len;

    if (special)
        name = special; /* Linux's special mappings are never VM_SHARED: 'p' below */
    else if (a->kind == VM_STACK)
        name = "[stack]";
    else if (a->kind == VM_ANON && s->brk_start && a->start == s->brk_start)
        name = "[heap]";
    else if (a->start == VSYSCALL_ADDR)
        name = "[vsyscall]";
    procfs_printf(b, "%08llx-%08llx %c%c%c%c %08llx 00:00 0", (unsigned long long)a->start,
                  (unsigned long long)a->end, (a->prot & VM_PROT_READ) ? 'r' : '-',
                  (a->prot & VM_PROT_WRITE) ? 'w' : '-', (a->prot & VM_PROT_EXEC) ? 'x' : '-',
                  a->shared && !special ? 's' : 'p',
                  (unsigned long long)(a->kind == VM_FILE ? a->file_off : 0));
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
    /* Linux's last line: the vsyscall page, execute-only (its calls are emulated) */
    a = (struct vm_area){.start = VSYSCALL_ADDR, .end = VSYSCALL_ADDR + VSYSCALL_SIZE,
                         .prot = VM_PROT_EXEC, .kind = VM_GUARD};
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

/* --- fd/: one link per descriptor ------------------------------------------------------- */

static int fd_next(uint64_t from, uint64_t *key)
{
    struct proc *p = proc_current();
    struct file *f;

    for (uint64_t fd = from; p && fd < PROC_NOFILE; fd++)
        if (fd_get(&p->fds, (int)fd, &f) == 0) {
            file_put(f);
            *key = fd;
            return 0;
        }
    return -ENOENT;
}

/*
 * Linux's names: "pipe:[ino]", "socket:[ino]", "anon_inode:[kind]", the console's tty. A VFS
 * file's path is not known (inodes keep no names, and rebuilding a directory's path here
 * would take VFS locks the caller may hold: the procfs sb's, the namespace's): "(unknown)".
 */
static void fd_target(struct procfs_buf *b, struct file *f)
{
    struct vfs_stat st;

    if (file_vfs(f)) {
        procfs_printf(b, "(unknown)");
        return;
    }
    if (file_stat(f, &st)) /* the other kinds take no VFS lock */
        memset(&st, 0, sizeof(st));
    if (VFS_S_ISTYPE(st.st_mode, VFS_S_IFIFO)) {
        procfs_printf(b, "pipe:[%llu]", (unsigned long long)st.st_ino);
    } else if (VFS_S_ISTYPE(st.st_mode, VFS_S_IFSOCK)) {
        procfs_printf(b, "socket:[%llu]", (unsigned long long)st.st_ino);
    } else if (VFS_S_ISTYPE(st.st_mode, VFS_S_IFCHR)) {
        procfs_printf(b, "/dev/pts/0"); /* the console, a tty */
    } else {
        const char *k = f->ops->name;
        if (strcmp(k, "inotify") == 0) /* Linux names this one without brackets */
            procfs_printf(b, "anon_inode:inotify");
        else
            procfs_printf(b, "anon_inode:[%s]", strcmp(k, "epoll") == 0 ? "eventpoll" : k);
    }
}

static int fd_show(uint64_t key, struct procfs_buf *b)
{
    struct proc *p = proc_current();
    struct file *f;

    if (!p || key >= PROC_NOFILE || fd_get(&p->fds, (int)key, &f))
        return -ENOENT;
    fd_target(b, f);
    file_put(f);
    return 0;
}

static const struct procfs_dyn fd_dyn = {fd_next, fd_show, false};

/* --- fdinfo/: one file per descriptor, in Linux's format ------------------------------------ */

struct mnt_find {
    uint64_t dev;
    unsigned id;
};

static int mnt_match(void *arg, const struct vfs_mount_info *mi)
{
    struct mnt_find *m = arg;

    if (mi->dev != m->dev)
        return 0;
    m->id = mi->id;
    return 1;
}

/* "inotify wd:%x ino:%lx sdev:%x mask:%x ignored_mask:0" with the kernel's dev_t encoding
 * (major << 20 | minor); no file handle (Petrel has no name_to_handle_at: Linux leaves
 * those fields out for filesystems that cannot export one). */
static void fdinfo_watch(void *arg, int wd, uint64_t ino, uint64_t dev, uint32_t mask)
{
    uint64_t major = (dev >> 8 & 0xfff) | (dev >> 32 & ~0xfffULL);
    uint64_t minor = (dev & 0xff) | (dev >> 12 & ~0xffULL);

    procfs_printf(arg, "inotify wd:%x ino:%llx sdev:%llx mask:%x ignored_mask:0\n", (unsigned)wd,
                  (unsigned long long)ino, (unsigned long long)(major << 20 | minor), mask);
}

/*
 * pos, flags (octal, with O_CLOEXEC when the descriptor has it), mnt_id (the mount's id in
 * mountinfo; 0 for the kinds Linux keeps on internal mounts: pipes, sockets, anonymous
 * inodes), ino; then an inotify instance's watches. The position is read without its lock
 * (this read may hold it: fdinfo of its own descriptor), and a VFS file's inode number
 * without a stat (that would take the sb lock this procfs read holds, for a /proc file).
 */
static int fdinfo_show(uint64_t key, struct procfs_buf *b)
{
    struct proc *p = proc_current();
    struct mnt_find m = {0, 0};
    struct vfs_stat st;
    struct file *f;
    unsigned flags;

    if (!p || key >= PROC_NOFILE || fd_get(&p->fds, (int)key, &f))
        return -ENOENT;
    flags = file_flags(f) | (fd_get_cloexec(&p->fds, (int)key) > 0 ? VFS_O_CLOEXEC : 0);
    memset(&st, 0, sizeof(st));
    if (file_vfs(f)) {
        st.st_ino = file_vfs(f)->inode->ino;
        m.dev = file_vfs(f)->inode->sb->dev;
        vfs_mounts_each(mnt_match, &m);
    } else if (file_stat(f, &st)) { /* the other kinds take no VFS lock */
        memset(&st, 0, sizeof(st));
    }
    procfs_printf(b, "pos:\t%llu\nflags:\t0%o\nmnt_id:\t%u\nino:\t%llu\n",
                  (unsigned long long)__atomic_load_n(&f->pos, __ATOMIC_RELAXED), flags, m.id,
                  (unsigned long long)st.st_ino);
    if (inotify_group(f))
        vfs_notify_watches_each(inotify_group(f), fdinfo_watch, b);
    file_put(f);
    return 0;
}

static const struct procfs_dyn fdinfo_dyn = {fd_next, fdinfo_show, true};

/* --- stat, status ------------------------------------------------------------------------- */

/* Linux's /proc/<pid>/{stat,status} name the thread-group leader's comm: the name its
 * PR_SET_NAME gave (the live thread whose tid is the pid, else the main thread's record
 * once it has ended), or the program's file name before any. */
static const char *comm_of(struct proc *p, char out[LINUX_TASK_COMM_LEN])
{
    struct uthread *leader = proc_find_thread(p, PROC_PID);
    const char *s = p->cfg.program ? p->cfg.program : "";
    const char *slash = strrchr(s, '/');

    memcpy(out, leader ? leader->comm : p->main.comm, LINUX_TASK_COMM_LEN);
    out[LINUX_TASK_COMM_LEN - 1] = '\0';
    if (leader)
        uthread_put(leader);
    if (!out[0])
        kstrlcpy(out, slash ? slash + 1 : s, LINUX_TASK_COMM_LEN);
    return out;
}

static uint64_t vm_bytes(struct proc *p)
{
    struct vm_area a;
    uint64_t sum = 0;

    for (uint64_t at = 0; p->vm && vm_area_query_from(p->vm, at, &a) == 0; at = a.end)
        sum += a.end - a.start;
    return sum;
}

/* Linux's 52 fields; times and fault counts are 0 (not kept), rss is not kept either. */
static int show_stat(struct procfs_buf *b)
{
    struct proc *p = proc_current();
    char comm[LINUX_TASK_COMM_LEN];

    if (!p)
        return -ENOENT;
    procfs_printf(b, "%d (%.15s) R 0 %d %d 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 %u 0 0 %llu 0 ",
                  PROC_PID, comm_of(p, comm), PROC_PID, PROC_PID, proc_thread_count(p),
                  (unsigned long long)vm_bytes(p));
    procfs_printf(b, "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 "
                     "0 0\n");
    return 0;
}

static uint64_t caught_or_ignored(struct proc *p, bool ignored)
{
    uint64_t set = 0;

    for (int sig = 1; sig <= PROC_NSIG; sig++) {
        uint64_t h = p->sigactions[sig - 1].handler;
        if (ignored ? h == LINUX_SIG_IGN : (h != LINUX_SIG_IGN && h != LINUX_SIG_DFL))
            set |= 1ULL << (sig - 1);
    }
    return set;
}

static int show_status(struct procfs_buf *b)
{
    struct proc *p = proc_current();
    struct uthread *ut = uthread_current();
    char comm[LINUX_TASK_COMM_LEN];

    if (!p)
        return -ENOENT;
    mutex_lock(&p->lock);
    procfs_printf(b, "Name:\t%.15s\nUmask:\t%04o\nState:\tR (running)\nTgid:\t%d\n",
                  comm_of(p, comm), p->umask, PROC_PID);
    procfs_printf(b, "Ngid:\t0\nPid:\t%d\nPPid:\t0\nTracerPid:\t0\n", PROC_PID);
    procfs_printf(b, "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t%d\n", PROC_NOFILE);
    procfs_printf(b, "VmSize:\t%8llu kB\nThreads:\t%u\n", (unsigned long long)(vm_bytes(p) >> 10),
                  proc_thread_count(p));
    procfs_printf(b, "SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\n",
                  (unsigned long long)(ut ? ut->sigpending.set : 0),
                  (unsigned long long)p->sigpending.set,
                  (unsigned long long)(ut ? ut->sigmask : 0));
    procfs_printf(b, "SigIgn:\t%016llx\nSigCgt:\t%016llx\n",
                  (unsigned long long)caught_or_ignored(p, true),
                  (unsigned long long)caught_or_ignored(p, false));
    mutex_unlock(&p->lock);
    procfs_printf(b, "Cpus_allowed_list:\t0-%u\n", hal_cpu_count() - 1);
    return 0;
}

static int mountinfo_line(void *arg, const struct vfs_mount_info *mi)
{
    const char *ro = mi->rdonly ? "ro" : "rw";

    procfs_printf(arg, "%u %u %llu:%llu / %s %s - %s %s %s\n", mi->id, mi->parent_id,
                  (unsigned long long)(mi->dev >> 8 & 0xfff),
                  (unsigned long long)((mi->dev & 0xff) | (mi->dev >> 12 & 0xfff00)), mi->path,
                  ro, mi->kind, mi->kind, ro);
    return 0;
}

static int show_mountinfo(struct procfs_buf *b)
{
    return vfs_mounts_each(mountinfo_line, b);
}

/* --- /proc/sys -------------------------------------------------------------------------- */

static int show_hostname(struct procfs_buf *b)
{
    procfs_printf(b, "%s\n", PROCINFO_HOSTNAME);
    return 0;
}

static int show_osrelease(struct procfs_buf *b)
{
    procfs_printf(b, "%s\n", PROCINFO_OSRELEASE);
    return 0;
}

/* 1 ("always"): core/mm never refuses an anonymous mapping for lack of memory; pages come
 * at the first touch, and running out then ends the program (proc_fault_signal). */
static int show_overcommit(struct procfs_buf *b)
{
    procfs_printf(b, "1\n");
    return 0;
}

static const struct procfs_entry sys_kernel[] = {
    {"hostname", PROCFS_FILE, show_hostname, NULL, NULL},
    {"osrelease", PROCFS_FILE, show_osrelease, NULL, NULL},
    {NULL, PROCFS_FILE, NULL, NULL, NULL},
};

static const struct procfs_entry sys_vm[] = {
    {"overcommit_memory", PROCFS_FILE, show_overcommit, NULL, NULL},
    {NULL, PROCFS_FILE, NULL, NULL, NULL},
};

/* /proc/sys/fs/inotify: the limits fs/vfs/notify.c enforces (fixed; Linux's are tunable, and
 * its max_user_watches is computed from memory: 8,192 up to about 1 GiB of RAM). */
static int show_inotify_events(struct procfs_buf *b)
{
    procfs_printf(b, "%u\n", LINUX_INOTIFY_MAX_QUEUED_EVENTS);
    return 0;
}

static int show_inotify_instances(struct procfs_buf *b)
{
    procfs_printf(b, "%u\n", VFS_NOTIFY_MAX_GROUPS);
    return 0;
}

static int show_inotify_watches(struct procfs_buf *b)
{
    procfs_printf(b, "%u\n", VFS_NOTIFY_MAX_WATCHES);
    return 0;
}

static const struct procfs_entry sys_fs_inotify[] = {
    {"max_queued_events", PROCFS_FILE, show_inotify_events, NULL, NULL},
    {"max_user_instances", PROCFS_FILE, show_inotify_instances, NULL, NULL},
    {"max_user_watches", PROCFS_FILE, show_inotify_watches, NULL, NULL},
    {NULL, PROCFS_FILE, NULL, NULL, NULL},
};

static const struct procfs_entry sys_fs[] = {
    {"inotify", PROCFS_DIR, NULL, sys_fs_inotify, NULL},
    {NULL, PROCFS_FILE, NULL, NULL, NULL},
};

static const struct procfs_entry sys_dir[] = {
    {"fs", PROCFS_DIR, NULL, sys_fs, NULL},
    {"kernel", PROCFS_DIR, NULL, sys_kernel, NULL},
    {"vm", PROCFS_DIR, NULL, sys_vm, NULL},
    {NULL, PROCFS_FILE, NULL, NULL, NULL},
};

static const struct procfs_entry pid_dir[] = {
    {"exe", PROCFS_LINK, show_exe, NULL, NULL},         {"cmdline", PROCFS_FILE, show_cmdline, NULL, NULL},
    {"environ", PROCFS_FILE, show_environ, NULL, NULL}, {"auxv", PROCFS_FILE, show_auxv, NULL, NULL},
    {"maps", PROCFS_FILE, show_maps, NULL, NULL},       {"fd", PROCFS_DYNDIR, NULL, NULL, &fd_dyn},
    {"fdinfo", PROCFS_DYNDIR, NULL, NULL, &fdinfo_dyn},
    {"stat", PROCFS_FILE, show_stat, NULL, NULL},       {"status", PROCFS_FILE, show_status, NULL, NULL},
    {"mountinfo", PROCFS_FILE, show_mountinfo, NULL, NULL},
    {"mounts", PROCFS_FILE, procinfo_show_mounts, NULL, NULL},
    {NULL, PROCFS_FILE, NULL, NULL, NULL},
};

static int show_mounts_link(struct procfs_buf *b)
{
    procfs_printf(b, "self/mounts");
    return 0;
}

const struct procfs_entry procinfo_root[] = {
    {"self", PROCFS_LINK, show_self, NULL, NULL},       {"1", PROCFS_DIR, NULL, pid_dir, NULL},
    {"cpuinfo", PROCFS_FILE, show_cpuinfo, NULL, NULL}, {"meminfo", PROCFS_FILE, show_meminfo, NULL, NULL},
    {"uptime", PROCFS_FILE, show_uptime, NULL, NULL},   {"sys", PROCFS_DIR, NULL, sys_dir, NULL},
    {"stat", PROCFS_FILE, procinfo_show_stat, NULL, NULL},
    {"mounts", PROCFS_LINK, show_mounts_link, NULL, NULL},
    {NULL, PROCFS_FILE, NULL, NULL, NULL},
};

/* /sys: what runtimes read at start-up (glibc's and Go's CPU counts). One CPU is online. */
static int show_cpus(struct procfs_buf *b)
{
    unsigned n = hal_cpu_count();

    if (n > 1)
        procfs_printf(b, "0-%u\n", n - 1);
    else
        procfs_printf(b, "0\n");
    return 0;
}

static const struct procfs_entry sys_cpu[] = {
    {"online", PROCFS_FILE, show_cpus, NULL, NULL},
    {"possible", PROCFS_FILE, show_cpus, NULL, NULL},
    {NULL, PROCFS_FILE, NULL, NULL, NULL},
};
static const struct procfs_entry sys_system[] = {{"cpu", PROCFS_DIR, NULL, sys_cpu, NULL},
                                                 {NULL, PROCFS_FILE, NULL, NULL, NULL}};
static const struct procfs_entry sys_devices[] = {{"system", PROCFS_DIR, NULL, sys_system, NULL},
                                                  {NULL, PROCFS_FILE, NULL, NULL, NULL}};
const struct procfs_entry procinfo_sys_root[] = {{"devices", PROCFS_DIR, NULL, sys_devices, NULL},
                                                 {NULL, PROCFS_FILE, NULL, NULL, NULL}};

int procinfo_mount_sys(void)
{
    struct vfs_stat st;

    if (vfs_statat(NULL, "/sys", 0, &st) || !VFS_S_ISTYPE(st.st_mode, VFS_S_IFDIR))
        return 0;
    return procfs_mount_kind(NULL, "/sys", procinfo_sys_root, "sysfs", PROCFS_SYSFS_MAGIC);
}

int procinfo_mount(void)
{
    struct vfs_stat st;

    if (vfs_statat(NULL, "/proc", 0, &st) || !VFS_S_ISTYPE(st.st_mode, VFS_S_IFDIR))
        return 0;
    return procfs_mount(NULL, "/proc", procinfo_root);
}
