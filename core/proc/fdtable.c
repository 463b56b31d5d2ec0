/*
 * fdtable.c - the process's descriptor table (proc.h).
 *
 * A fixed array of PROC_NOFILE slots under one mutex. A slot holds a reference to a VFS open
 * file description, or marks the console (which has no VFS description: its status flags
 * live in the process). Lookups copy the slot and take their own file reference, so a
 * concurrent close never frees a file under a syscall still using it; the reference a
 * close drops is put after the mutex is released (vfs_file_put may write back and sleep).
 */
#include "core/proc/proc.h"

#include "core/lib/kstring.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"

static bool slot_used(const struct fd_slot *s)
{
    return s->file || s->console;
}

static bool fd_valid(int fd)
{
    return fd >= 0 && fd < PROC_NOFILE;
}

void fdtable_init(struct fdtable *t)
{
    mutex_init(&t->lock, "fdtable");
    memset(t->slots, 0, sizeof(t->slots));
}

void fdtable_destroy(struct fdtable *t)
{
    for (int fd = 0; fd < PROC_NOFILE; fd++)
        fd_close(t, fd);
}

int fd_install(struct fdtable *t, int minfd, struct fd_slot s)
{
    int rc = -EMFILE;

    if (minfd < 0 || minfd >= PROC_NOFILE)
        return minfd < 0 ? -EINVAL : -EMFILE;
    mutex_lock(&t->lock);
    for (int fd = minfd; fd < PROC_NOFILE; fd++) {
        if (!slot_used(&t->slots[fd])) {
            t->slots[fd] = s;
            rc = fd;
            break;
        }
    }
    mutex_unlock(&t->lock);
    return rc;
}

int fd_get(struct fdtable *t, int fd, struct fd_slot *out)
{
    int rc = -EBADF;

    if (!fd_valid(fd))
        return -EBADF;
    mutex_lock(&t->lock);
    if (slot_used(&t->slots[fd])) {
        *out = t->slots[fd];
        if (out->file)
            vfs_file_get(out->file);
        rc = 0;
    }
    mutex_unlock(&t->lock);
    return rc;
}

void fd_put(struct fd_slot *s)
{
    if (s->file)
        vfs_file_put(s->file);
    s->file = NULL;
}

int fd_close(struct fdtable *t, int fd)
{
    struct fd_slot old;

    if (!fd_valid(fd))
        return -EBADF;
    mutex_lock(&t->lock);
    old = t->slots[fd];
    memset(&t->slots[fd], 0, sizeof(t->slots[fd]));
    mutex_unlock(&t->lock);
    if (!slot_used(&old))
        return -EBADF;
    fd_put(&old);
    return 0;
}

int fd_dup_to(struct fdtable *t, int oldfd, int newfd, bool cloexec)
{
    struct fd_slot old = {0};
    int rc = newfd;

    if (!fd_valid(oldfd) || !fd_valid(newfd))
        return -EBADF;
    mutex_lock(&t->lock);
    if (!slot_used(&t->slots[oldfd])) {
        rc = -EBADF;
    } else if (oldfd != newfd) {
        old = t->slots[newfd];
        t->slots[newfd] = t->slots[oldfd];
        t->slots[newfd].cloexec = cloexec;
        if (t->slots[newfd].file)
            vfs_file_get(t->slots[newfd].file);
    }
    mutex_unlock(&t->lock);
    fd_put(&old);
    return rc;
}

int fd_get_cloexec(struct fdtable *t, int fd)
{
    int rc = -EBADF;

    if (!fd_valid(fd))
        return -EBADF;
    mutex_lock(&t->lock);
    if (slot_used(&t->slots[fd]))
        rc = t->slots[fd].cloexec ? 1 : 0;
    mutex_unlock(&t->lock);
    return rc;
}

int fd_set_cloexec(struct fdtable *t, int fd, bool on)
{
    int rc = -EBADF;

    if (!fd_valid(fd))
        return -EBADF;
    mutex_lock(&t->lock);
    if (slot_used(&t->slots[fd])) {
        t->slots[fd].cloexec = on;
        rc = 0;
    }
    mutex_unlock(&t->lock);
    return rc;
}

unsigned fd_count(struct fdtable *t)
{
    unsigned n = 0;

    mutex_lock(&t->lock);
    for (int fd = 0; fd < PROC_NOFILE; fd++)
        n += slot_used(&t->slots[fd]);
    mutex_unlock(&t->lock);
    return n;
}
