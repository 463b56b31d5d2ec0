/*
 * boot.c - the boot and mount policy (boot.h): block device 0 -> its stored configuration ->
 * "/", "/dev" and "/proc" mounted -> the flusher started -> the process created, started,
 * entered.
 *
 * The configuration is read through a read-only TFS mount of its own before the VFS mounts
 * the volume: its xattr name has no Linux namespace, so the VFS would refuse it. The flusher
 * runs from the moment the volume is mounted, so a program that never calls fsync still has
 * its data on disk within BOOT_FLUSH_INTERVAL_NS (+ the interval's age) of writing it.
 */
#include "core/boot/boot.h"

#include "core/config/config.h"
#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "core/lib/kstring.h"
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
#include "hal/hal_time.h"
#include "hal/hal_user.h"

static void boot_clock(void *arg, struct tfs_time *now)
{
    uint64_t ns = hal_wallclock_ns();

    (void)arg;
    now->sec = (int64_t)(ns / 1000000000ULL);
    now->nsec = (uint32_t)(ns % 1000000000ULL);
}

static void boot_report(void *arg, const char *msg)
{
    (void)arg;
    kprintf("petrel: tfs: %s\n", msg);
}

/* The configuration stored in the image (parsed into *out). */
static int read_stored_config(struct tfs_dev *dev, struct config_value **out)
{
    struct tfs_mount_opts o = {true, boot_clock, NULL, boot_report, NULL};
    struct config_error err = {0, 0, NULL};
    struct tfs_vol *vol;
    char *text = kmalloc(BOOT_CONFIG_MAX);
    int rc, n;

    if (!text)
        return -ENOMEM;
    rc = tfs_mount(dev, &o, &vol);
    if (rc) {
        kprintf("petrel: block device 0 holds no mountable TFS volume: error %d\n", -rc);
        kfree(text);
        return rc;
    }
    n = tfs_getxattr(vol, TFS_ROOT_INO, BOOT_CONFIG_XATTR, text, BOOT_CONFIG_MAX);
    tfs_unmount(vol);
    rc = n < 0 ? n : config_parse(text, (size_t)n, out, &err);
    if (n < 0)
        kprintf("petrel: the image stores no configuration (error %d)\n", -n);
    else if (rc)
        kprintf("petrel: stored configuration %u:%u: %s\n", err.line, err.column,
                err.message ? err.message : "error");
    kfree(text);
    return rc;
}

/* A memfs with the standard devices on /dev when the image has that directory. */
static void mount_dev(void)
{
    struct vfs_stat st;

    if (vfs_statat(NULL, "/dev", 0, &st) || !VFS_S_ISTYPE(st.st_mode, VFS_S_IFDIR))
        return;
    if (memfs_mount(NULL, "/dev", NULL, NULL) == 0 && vfs_devices_register() == 0)
        vfs_devices_populate(NULL, "/dev");
}

int boot_mount(const char *cmdline, struct proc_config *cfg)
{
    static struct vfs_blkdev bd;
    struct config_value *root = NULL;
    int rc;

    memset(cfg, 0, sizeof(*cfg));
    vfs_init();
    rc = vfs_blkdev_open(0, &bd);
    if (rc) {
        kprintf("petrel: no program configured (no block device)\n");
        return rc;
    }
    rc = read_stored_config(&bd.dev, &root);
    if (rc == 0)
        rc = proc_cmdline_override(root, cmdline ? cmdline : "");
    if (rc == 0)
        rc = proc_config_from_tree(root, cfg);
    config_free(root);
    if (rc == 0)
        rc = vfs_tfs_mount(NULL, "/", &bd.dev, NULL, NULL);
    if (rc == 0)
        mount_dev();
    if (rc == 0 && (rc = procinfo_mount()))
        kprintf("petrel: cannot mount /proc: error %d\n", -rc);
    if (rc == 0) {
        rc = vfs_flusher_start(BOOT_FLUSH_INTERVAL_NS);
        if (rc)
            kprintf("petrel: cannot start the page-cache flusher: error %d\n", -rc);
    }
    if (rc)
        proc_config_free(cfg); /* zeroed or filled: either is safe */
    return rc;
}

/* The host's Ctrl-C (fs/file/console.c, interrupt context): SIGINT to the process, as a
 * terminal's line discipline sends it (si_code SI_KERNEL). */
static void boot_sigint(void *arg)
{
    signal_send(arg, NULL, LINUX_SIGINT, NULL);
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
        kprintf("petrel: cannot create the process: error %d\n", -rc);
        return 1;
    }
    file_console_set_intr_hook(boot_sigint, p);
    rc = proc_attach(p, NULL); /* binds the main thread: allocates nothing */
    if (rc == 0)
        rc = proc_start(p, hwcap, hwcap2, &regs);
    if (rc == 0) {
        sys_trace_set(p->cfg.debugsyscalls);
        rc = hal_user_enter(&regs);
        kprintf("petrel: cannot enter user mode: error %d\n", -rc);
    }
    sys_trace_set(false);
    file_console_set_intr_hook(NULL, NULL);
    proc_detach(NULL);
    proc_destroy(p);
    return 1;
}
