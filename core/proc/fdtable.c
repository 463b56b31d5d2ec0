/*
 * fdtable.c - the process's descriptor table (fdtable.h).
 *
 * A fixed array of PROC_NOFILE slots under one mutex. A slot holds a reference to an open
 * file description (struct file). Lookups take their own reference under the mutex, so a
 * concurrent close never frees a file under a syscall still using it; the reference a close
 * or a dup2 over a slot drops is put after the mutex is released (a release may write back
 * and sleep, and must not run under the table's lock). Every close of a descriptor (close,
 * dup2 over one, exit, close-on-exec) also drops the process's POSIX record locks on its file
 * (plock_close: the table is their owner token), as Linux's filp_close.
 *
 * RLIMIT_NOFILE (nofile) bounds the descriptors handed out: open, dup, pipe... get -EMFILE
 * when every slot below it is taken, dup2/dup3 to a number at or above it -EBADF, F_DUPFD
 * from one at or above it -EINVAL (all checked against Linux). Descriptors already above a
 * lowered limit stay usable, as on Linux.
 */
#include "core/proc/fdtable.h"

#include "core/lib/kstring.h"
#include "fs/file/file.h"
#include "hal/hal_errno.h"
#include "net/unix.h"

static bool fd_valid(int fd)
{
    return fd >= 0 && fd < PROC_NOFILE;
}

void fdtable_init(struct fdtable *t)
{
    mutex_init(&t->lock, "fdtable");
    t->nofile = PROC_NOFILE;
    memset(t->slots, 0, sizeof(t->slots));
}

unsigned fdtable_limit(struct fdtable *t)
{
    return __atomic_load_n(&t->nofile, __ATOMIC_RELAXED);
}

void fdtable_set_limit(struct fdtable *t, uint64_t n)
{
    mutex_lock(&t->lock);
    __atomic_store_n(&t->nofile, n < PROC_NOFILE ? (unsigned)n : PROC_NOFILE, __ATOMIC_RELAXED);
    mutex_unlock(&t->lock);
}

void fdtable_destroy(struct fdtable *t)
{
    for (int fd = 0; fd < PROC_NOFILE; fd++)
        fd_close(t, fd);
}

int fd_install(struct fdtable *t, int minfd, struct file *f, bool cloexec)
{
    int rc = -EMFILE;

    if (minfd < 0)
        return -EINVAL;
    mutex_lock(&t->lock);
    for (int fd = minfd; fd < (int)t->nofile; fd++) {
        if (!t->slots[fd].file) {
            t->slots[fd] = (struct fd_slot){f, cloexec};
            rc = fd;
            break;
        }
    }
    mutex_unlock(&t->lock);
    return rc;
}

int fd_get(struct fdtable *t, int fd, struct file **out)
{
    int rc = -EBADF;

    *out = NULL;
    if (!fd_valid(fd))
        return -EBADF;
    mutex_lock(&t->lock);
    if (t->slots[fd].file) {
        *out = t->slots[fd].file;
        file_get(*out);
        rc = 0;
    }
    mutex_unlock(&t->lock);
    return rc;
}

int fd_close(struct fdtable *t, int fd)
{
    struct file *old;
    bool unix_sock;

    if (!fd_valid(fd))
        return -EBADF;
    mutex_lock(&t->lock);
    old = t->slots[fd].file;
    t->slots[fd] = (struct fd_slot){NULL, false};
    mutex_unlock(&t->lock);
    if (!old)
        return -EBADF;
    unix_sock = unix_of_file(old) != NULL;
    plock_close(old, t);
    file_put(old);
    if (unix_sock)
        unix_gc(); /* SCM_RIGHTS: sockets in flight may have lost their last descriptor */
    return 0;
}

int fd_dup_to(struct fdtable *t, int oldfd, int newfd, bool cloexec)
{
    struct file *old = NULL;
    int rc = newfd;

    if (!fd_valid(oldfd) || !fd_valid(newfd))
        return -EBADF;
    mutex_lock(&t->lock);
    if (!t->slots[oldfd].file || (oldfd != newfd && (unsigned)newfd >= t->nofile)) {
        rc = -EBADF;
    } else if (oldfd != newfd) {
        old = t->slots[newfd].file;
        t->slots[newfd] = (struct fd_slot){t->slots[oldfd].file, cloexec};
        file_get(t->slots[newfd].file);
    }
    mutex_unlock(&t->lock);
    if (old)
        plock_close(old, t);
    file_put(old);
    return rc;
}

int fd_get_cloexec(struct fdtable *t, int fd)
{
    int rc = -EBADF;

    if (!fd_valid(fd))
        return -EBADF;
    mutex_lock(&t->lock);
    if (t->slots[fd].file)
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
    if (t->slots[fd].file) {
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
        n += t->slots[fd].file != NULL;
    mutex_unlock(&t->lock);
    return n;
}
