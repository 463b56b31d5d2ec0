/*
 * eventfd.h - eventfd: a kind of open file (fs/file/file.h) holding a 64-bit counter, as
 * Linux's eventfd (docs/files.md). Lives in the pipe library: same layer, same wait model.
 *
 * A write of 8 bytes adds to the counter (blocking while the sum would exceed 2^64 - 2); a
 * read of 8 bytes takes the whole counter, or 1 in semaphore mode, blocking while it is 0.
 * O_NONBLOCK gives -EAGAIN instead of blocking; waits are interruptible (-ERESTARTSYS,
 * Linux's code: restarted after a SA_RESTART handler).
 */
#ifndef FS_PIPE_EVENTFD_H
#define FS_PIPE_EVENTFD_H

#include "fs/file/file.h"

/* EVENTFD_SEMAPHORE: each read takes 1 (Linux's EFD_SEMAPHORE). */
#define EVENTFD_SEMAPHORE 0x1u

/* A new O_RDWR eventfd with counter initval, status flags nb (VFS_O_NONBLOCK or 0) and the
 * mode bits above. 0 or -ENOMEM. */
int eventfd_create(uint64_t initval, unsigned nb, unsigned mode, struct file **out);

#endif
