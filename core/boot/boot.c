/*
 * boot.c - the boot and mount policy (boot.h): block device 0 -> its stored configuration ->
 * "/", "/dev" and "/proc" mounted -> the flusher started -> the process created, started,
 * entered.
 *
 * The volume is mounted once, as "/", and the configuration read from that mount through
 * the TFS adapter (its xattr name has no Linux namespace, so the VFS's xattr calls would
 * refuse it): a second mount cost a second log replay (~0.4 s under TCG). The flusher
 * runs from the moment the volume is mounted, so a program that never calls fsync still has
 * its data on disk within BOOT_FLUSH_INTERVAL_NS (+ the interval's age) of writing it.
 */
#include "core/boot/boot.h"

#include "core/config/config.h"
#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "core/lib/names.h"
#include "core/lib/kstring.h"
#include "core/mm/vm.h"
#include "core/proc/proc.h"
#include "core/proc/procinfo.h"
#include "core/signal/signal.h"
#include "core/syscall/syscall.h"
#include "fs/file/file.h"
#include "fs/tfs/tfs.h"
#include "fs/vfs/memfs.h"
#include "fs/vfs/vfs.h"
#include "fs/vfs/vfs_tfs.h"
#include "hal/hal_errno.h"
#include "hal/hal_stdio.h"
#include "hal/hal_time.h"
#include "hal/hal_user.h"
#include "net/net.h"

/* Mount block device 0's volume as "/" (one mount: the configuration is read from it too). */
static int mount_root(struct vfs_blkdev *bd, struct vfs_sb **sb)
{
    int rc = vfs_tfs_mount(NULL, "/", &bd->dev, NULL, sb);

    if (rc == -ENOMEM) { /* not the volume's fault: say what to change */
        struct page_stats ps;
        page_get_stats(&ps);
        kprintf("petrel: not enough memory to mount the image's volume (the VM has %llu "
                "KiB of usable RAM): give it more (petrel run -m)\n",
                (unsigned long long)(ps.total_pages * PAGE_SIZE >> 10));
    } else if (rc) {
        kprintf("petrel: block device 0 holds no mountable TFS volume: %s\n", KERR(rc));
    }
    return rc;
}

/* The configuration stored in the mounted image (parsed into *out). */
static int read_stored_config(struct vfs_sb *sb, struct config_value **out)
{
    struct config_error err = {0, 0, NULL};
    char *text = kmalloc(BOOT_CONFIG_MAX);
    long n = text ? vfs_tfs_getxattr_raw(sb, TFS_ROOT_INO, BOOT_CONFIG_XATTR, text,
                                         BOOT_CONFIG_MAX)
                  : -ENOMEM;
    int rc = n < 0 ? (int)n : config_parse(text, (size_t)n, out, &err);

    if (n < 0)
        kprintf("petrel: the image stores no configuration (%s)\n", KERR((int)n));
    else if (rc)
        kprintf("petrel: stored configuration %u:%u: %s\n", err.line, err.column,
                err.message ? err.message : "error");
    kfree(text);
    return rc;
}

/* A memfs with the standard devices on /dev when the image has that directory, and Linux's
 * links into /proc: fd -> /proc/self/fd, stdin/stdout/stderr -> /proc/self/fd/0..2. */
static void mount_dev(void)
{
    static const char *const links[][2] = {{"/proc/self/fd", "/dev/fd"},
                                           {"/proc/self/fd/0", "/dev/stdin"},
                                           {"/proc/self/fd/1", "/dev/stdout"},
                                           {"/proc/self/fd/2", "/dev/stderr"}};
    struct vfs_stat st;

    if (vfs_statat(NULL, "/dev", 0, &st) || !VFS_S_ISTYPE(st.st_mode, VFS_S_IFDIR))
        return;
    if (memfs_mount(NULL, "/dev", NULL, NULL) == 0 && vfs_devices_register() == 0 &&
        file_console_register_tty() == 0)
        vfs_devices_populate(NULL, "/dev");
    for (unsigned i = 0; i < sizeof(links) / sizeof(links[0]); i++)
        vfs_symlinkat(links[i][0], NULL, links[i][1]);
}

/* True when the directory at path holds anything besides "." and "..". */
static bool dir_has_entries(const char *path)
{
    struct vfs_file *d;
    char buf[512];
    bool any = false;
    long n;

    if (vfs_openat(NULL, path, VFS_O_RDONLY | VFS_O_DIRECTORY, 0, &d))
        return false;
    while (!any && (n = vfs_getdents(d, buf, sizeof(buf))) > 0)
        for (long off = 0; off + 19 < n && !any;) { /* struct linux_dirent64 */
            uint16_t reclen;
            const char *name = buf + off + 19;

            memcpy(&reclen, buf + off + 16, sizeof(reclen));
            any = strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
            if (reclen == 0)
                break;
            off += reclen;
        }
    vfs_file_put(d);
    return any;
}

/*
 * tmpfs (a memfs, statfs f_type TMPFS_MAGIC) on /tmp and /dev/shm, as a Linux distribution
 * mounts them, unless the image brings its own: a /tmp with content stays the image's (and
 * /dev/shm exists only when /dev is mounted), and an existing /tmp keeps its permissions
 * (a created one is 01777, as /dev/shm). Each holds at most the manifest's tmpfs_size
 * bytes of file data (K/M/G suffixes; 0: no tmpfs), by default half the RAM, as Linux's
 * default.
 */
static void mount_tmpfs(const struct config_value *root)
{
    struct memfs_opts o = {0, 01777, 0};
    struct config_value *v = config_get(root, "tmpfs_size");
    struct page_stats ps;
    struct vfs_stat st;

    page_get_stats(&ps);
    o.max_bytes = ps.total_pages * PAGE_SIZE / 2;
    if (v && config_string_to_size(v, &o.max_bytes)) {
        kprintf("petrel: tmpfs_size %s is not a size: no tmpfs\n",
                config_is_string(v) ? config_string(v) : "(not a string)");
        return;
    }
    if (o.max_bytes == 0)
        return;
    struct memfs_opts tmp = o;
    if (vfs_statat(NULL, "/tmp", 0, &st) == 0)
        tmp.root_mode = st.st_mode & 07777; /* the image's /tmp keeps its permissions */
    else if (vfs_mkdirat(NULL, "/tmp", 01777) != 0)
        tmp.max_bytes = 0; /* a read-only image without /tmp: none */
    if (tmp.max_bytes && !dir_has_entries("/tmp") && memfs_mount(NULL, "/tmp", &tmp, NULL) != 0)
        kprintf("petrel: cannot mount a tmpfs on /tmp\n");
    if (vfs_statat(NULL, "/dev", 0, &st) == 0 && vfs_mkdirat(NULL, "/dev/shm", 01777) == 0 &&
        memfs_mount(NULL, "/dev/shm", &o, NULL) != 0)
        kprintf("petrel: cannot mount a tmpfs on /dev/shm\n");
}

/*
 * The manifest's network keys (en1:(ipaddr:... ), exec_wait_for_ip4_secs...: docs/net.md):
 * net_start() uses them whenever the stack starts (the first socket, or here). A wait asked
 * for starts the stack now and holds the program back until the address is there or the
 * time is up. A malformed value stops the boot.
 */
static int boot_network(const struct config_value *root)
{
    static struct net_config nc;
    char err[160];
    int rc = net_config_read(root, &nc, err, sizeof(err));

    if (rc) {
        kprintf("petrel: manifest: %s\n", err);
        return rc;
    }
    net_config_use(&nc);
    if (!net_config_waits(&nc))
        return 0;
    rc = net_start();
    if (rc)
        kprintf("petrel: cannot start the network: %s\n", KERR(rc));
    else
        net_wait_addresses(&nc); /* a timeout is reported and the program starts anyway */
    return 0;
}

/* `terminal:ROWSxCOLS` (petrel run -t puts it on the command line): the host terminal is in
 * raw mode and the kernel's line discipline serves a terminal stdin (fs/file/ldisc.c). */
static void boot_terminal(const struct config_value *root)
{
    const struct config_value *v = config_get(root, "terminal");
    const char *s = v && config_is_string(v) ? config_string(v) : NULL;
    unsigned rows = 0, cols = 0;

    if (!v)
        return;
    while (s && *s >= '0' && *s <= '9' && rows < 10000)
        rows = rows * 10 + (unsigned)(*s++ - '0');
    if (s && *s == 'x')
        for (s++; *s >= '0' && *s <= '9' && cols < 10000; s++)
            cols = cols * 10 + (unsigned)(*s - '0');
    if (!s || *s || rows == 0 || cols == 0 || rows > 9999 || cols > 9999) {
        kprintf("petrel: terminal %s is not ROWSxCOLS: no terminal\n", s ? config_string(v) : "?");
        return;
    }
    file_console_set_terminal(rows, cols);
}

/* What the boot measured, for the report at exit (boot_exit_report). */
static struct {
    struct vfs_blkdev bd;
    struct vfs_sb *sb;
    uint64_t t_mount, t_mounted, t_started; /* hal_clock_ns */
} bs;

int boot_mount(const char *cmdline, struct proc_config *cfg)
{
    struct vfs_blkdev *bd = &bs.bd;
    struct config_value *root = NULL;
    struct vfs_sb *sb = NULL;
    int rc;

    memset(cfg, 0, sizeof(*cfg));
    vfs_init();
    rc = vfs_blkdev_open(0, bd);
    if (rc) {
        kprintf("petrel: no program configured (no block device)\n");
        return rc;
    }
    bs.t_mount = hal_clock_ns();
    rc = mount_root(bd, &sb);
    if (rc)
        return rc;
    bs.t_mounted = hal_clock_ns();
    bs.sb = sb;
    rc = read_stored_config(sb, &root);
    if (rc == 0)
        rc = proc_cmdline_override(root, cmdline ? cmdline : "");
    if (rc == 0)
        rc = proc_config_from_tree(root, cfg);
    if (rc == 0)
        rc = boot_network(root);
    if (rc == 0)
        mount_dev();
    if (rc == 0)
        mount_tmpfs(root);
    if (rc == 0)
        boot_terminal(root);
    config_free(root);
    if (rc == 0 && (rc = procinfo_mount()))
        kprintf("petrel: cannot mount /proc: %s\n", KERR(rc));
    if (rc == 0 && (rc = procinfo_mount_sys()))
        kprintf("petrel: cannot mount /sys: %s\n", KERR(rc));
    if (rc == 0) {
        rc = vfs_flusher_start(BOOT_FLUSH_INTERVAL_NS);
        if (rc)
            kprintf("petrel: cannot start the page-cache flusher: %s\n", KERR(rc));
    }
    if (rc)
        proc_config_free(cfg); /* zeroed or filled: either is safe */
    return rc;
}

static unsigned long long ms(uint64_t ns)
{
    return (unsigned long long)(ns / 1000000);
}

/*
 * At exit, after the syscall diagnostics: with the summary on (petrel run --summary), where
 * the start-up went - the boot's times and the page cache's and the block device's counts
 * (how many reads filled the program's files; docs/readahead.md).
 */
static void boot_exit_report(void)
{
    struct vfs_pcache_stats ps;
    struct vm_fault_stats fs;

    sys_diag_report();
    if (!(sys_diag_flags() & SYS_DIAG_SUMMARY) || !bs.sb)
        return;
    vfs_pcache_get_stats(bs.sb, &ps);
    vm_get_fault_stats(&fs);
    kprintf("petrel: boot: mount %llu-%llu ms, program started at %llu ms, exit at %llu ms\n",
            ms(bs.t_mount), ms(bs.t_mounted), ms(bs.t_started), ms(hal_clock_ns()));
    kprintf("petrel: page cache: %llu pages filled by %llu reads (%llu read ahead), %llu hits, "
            "%llu misses, %llu evictions\n",
            (unsigned long long)ps.fills, (unsigned long long)ps.fill_reads,
            (unsigned long long)ps.ahead, (unsigned long long)ps.hits,
            (unsigned long long)ps.misses, (unsigned long long)ps.evictions);
    kprintf("petrel: block device: %llu reads in %llu ms, %llu writes, %llu requests\n",
            (unsigned long long)bs.bd.reads, ms(bs.bd.busy_ns), (unsigned long long)bs.bd.writes,
            (unsigned long long)bs.bd.requests);
    kprintf("petrel: faults: %llu from user code in %llu ms; pages mapped: %llu private file "
            "(%llu of them around a fault, %llu the page cache's read-only; %llu copied on "
            "write), %llu shared, %llu anonymous\n",
            (unsigned long long)fs.user_faults, ms(fs.user_ns), (unsigned long long)fs.file,
            (unsigned long long)fs.around, (unsigned long long)fs.file_ro,
            (unsigned long long)fs.cow, (unsigned long long)fs.shared,
            (unsigned long long)fs.anon);
}

/* The host's Ctrl-C (fs/file/console.c, interrupt context): SIGINT to the process, as a
 * terminal's line discipline sends it (si_code SI_KERNEL). */
static void boot_sigint(void *arg)
{
    signal_send(arg, NULL, LINUX_SIGINT, NULL);
}

/* The line discipline's VINTR/VQUIT (petrel run -t), interrupt context too. */
static void boot_tty_signal(void *arg, int sig)
{
    signal_send(arg, NULL, sig, NULL);
}

int boot_run_configured(const char *cmdline, uint64_t hwcap, uint64_t hwcap2)
{
    struct proc_config cfg;
    struct hal_uregs regs;
    struct proc *p;
    int rc;

    procinfo_set_hwcap(hwcap); /* /proc/cpuinfo's flags */
    rc = boot_mount(cmdline, &cfg);
    if (rc)
        return 1;
    rc = proc_create(&cfg, &p);
    proc_config_free(&cfg);
    if (rc) {
        kprintf("petrel: cannot create the process: %s\n", KERR(rc));
        return 1;
    }
    file_console_set_intr_hook(boot_sigint, p);
    file_console_set_signal_hook(boot_tty_signal, p);
    rc = proc_attach(p, NULL); /* binds the main thread: allocates nothing */
    if (rc == 0)
        rc = proc_start(p, hwcap, hwcap2, &regs);
    if (rc == 0) {
        sys_trace_set(p->cfg.debugsyscalls);
        proc_set_exit_hook(boot_exit_report);
        sys_diag_set((p->cfg.syscall_summary ? SYS_DIAG_SUMMARY : 0) |
                     (p->cfg.missing_files ? SYS_DIAG_MISSING : 0) |
                     (p->cfg.futex_trace ? SYS_DIAG_FUTEX : 0));
        bs.t_started = hal_clock_ns();
        hal_stdio_control("started\n", 8); /* `petrel run`: the boot went well */
        rc = hal_user_enter(&regs);
        kprintf("petrel: cannot enter user mode: %s\n", KERR(rc));
    }
    sys_trace_set(false);
    file_console_set_intr_hook(NULL, NULL);
    file_console_set_signal_hook(NULL, NULL);
    proc_detach(NULL);
    proc_destroy(p);
    return 1;
}
