/*
 * devices.c - /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom and /dev/tty: each a
 * few lines over the character device registry, which is all a new device needs. /dev/random
 * reads as /dev/urandom, as on Linux since 5.6 once the pool is initialized (hal_entropy is
 * ready at boot). /dev/tty (5,0) is a node only here: its driver is the open-file layer's
 * (fs/file/console.c file_console_register_tty, an open_file hook that makes a description of
 * the controlling terminal, or -ENXIO); without it an open is -ENXIO, as any node without a
 * driver.
 */
#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "core/lib/kstring.h"
#include "fs/vfs/memfs.h"
#include "hal/hal_errno.h"
#include "hal/hal_rand.h"

static long null_read(struct vfs_file *f, void *priv, void *buf, size_t n, uint64_t off)
{
    return 0;
}

static long sink_write(struct vfs_file *f, void *priv, const void *buf, size_t n, uint64_t off)
{
    return (long)n;
}

static long zero_read(struct vfs_file *f, void *priv, void *buf, size_t n, uint64_t off)
{
    memset(buf, 0, n);
    return (long)n;
}

static long full_write(struct vfs_file *f, void *priv, const void *buf, size_t n, uint64_t off)
{
    return -ENOSPC; /* /dev/full: every write finds the device full */
}

static long urandom_read(struct vfs_file *f, void *priv, void *buf, size_t n, uint64_t off)
{
    hal_entropy(buf, n);
    return (long)n;
}

static const struct vfs_chrdev_ops null_ops = {.read = null_read, .write = sink_write};
static const struct vfs_chrdev_ops zero_ops = {.read = zero_read, .write = sink_write,
                                               .mappable = true};
static const struct vfs_chrdev_ops full_ops = {.read = zero_read, .write = full_write};
static const struct vfs_chrdev_ops urandom_ops = {.read = urandom_read, .write = sink_write};

static const struct {
    const char *name;
    uint64_t rdev;
    const struct vfs_chrdev_ops *ops;
} devices[] = {
    {"null", VFS_DEV_NULL, &null_ops},
    {"zero", VFS_DEV_ZERO, &zero_ops},
    {"full", VFS_DEV_FULL, &full_ops},
    {"random", VFS_DEV_RANDOM, &urandom_ops},
    {"urandom", VFS_DEV_URANDOM, &urandom_ops},
    {"tty", VFS_DEV_TTY, NULL}, /* the node; fs/file registers the driver */
};

#define NDEV (sizeof(devices) / sizeof(devices[0]))

int vfs_devices_register(void)
{
    for (size_t i = 0; i < NDEV; i++) {
        int rc = devices[i].ops ? vfs_chrdev_register(devices[i].rdev, devices[i].ops, NULL) : 0;
        if (rc && rc != -EBUSY)
            return rc;
    }
    return 0;
}

int vfs_devices_populate(struct vfs_file *dirf, const char *dir)
{
    char *path = kmalloc(VFS_PATH_MAX);
    if (!path)
        return -ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < NDEV && rc == 0; i++) {
        if (ksnprintf(path, VFS_PATH_MAX, "%s/%s", dir, devices[i].name) >= VFS_PATH_MAX)
            rc = -ENAMETOOLONG;
        else
            rc = vfs_mknodat(dirf, path, VFS_S_IFCHR | 0666, devices[i].rdev);
    }
    kfree(path);
    return rc;
}
