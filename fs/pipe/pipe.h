/*
 * pipe.h - pipes and FIFOs: a kind of open file (fs/file/file.h) over a ring of page-sized
 * buffers, as Linux's pipe (docs/pipes.md).
 *
 * pipe_create makes the two ends of an anonymous pipe (pipe/pipe2); fifo_open makes an end
 * of the pipe of a FIFO inode of the VFS, with Linux's open rules. Reads and writes block on
 * the pipe's wait queues (or fail with -EAGAIN under O_NONBLOCK), writes of at most PIPE_BUF
 * bytes are atomic, a read sees end of file once every writer is gone, and a write with no
 * reader left fails with -EPIPE after file_sigpipe() (fs/file/file.h) raised SIGPIPE.
 */
#ifndef FS_PIPE_PIPE_H
#define FS_PIPE_PIPE_H

#include "fs/file/file.h"

struct vfs_file;

/*
 * The two ends of a new pipe: *rd (O_RDONLY) and *wr (O_WRONLY), each with the status flags
 * of flags & (O_NONBLOCK | O_DIRECT); O_DIRECT: packet mode. 0 or -ENOMEM.
 */
int pipe_create(unsigned flags, struct file **rd, struct file **wr);

/*
 * Open the FIFO of vf (an open VFS description of a FIFO inode; its reference passes to the
 * new file on success) as a pipe end, by vf's access mode: O_RDONLY waits for a writer
 * (not with O_NONBLOCK), O_WRONLY waits for a reader (-ENXIO with O_NONBLOCK and no reader),
 * O_RDWR never waits. 0, -ENOMEM, -ERESTARTSYS (interrupted while waiting). May sleep.
 */
int fifo_open(struct vfs_file *vf, struct file **out);

/* --- splice, tee, vmsplice (splice.c) ------------------------------------------------------ */

/* f is a pipe or FIFO end (never sleeps). */
bool pipe_file_is(struct file *f);
/* a and b (both pipe ends) are ends of one pipe. */
bool pipe_file_same(struct file *a, struct file *b);

/*
 * The other side of a splice: fn(ctx, buf, n) moves up to n bytes out of buf (a sink) or
 * into it (a source) and returns how many, 0 (a source at its end), or -errno. It runs with
 * the pipe's lock held and may sleep.
 */
struct pipe_io {
    long (*fn)(void *ctx, void *buf, size_t n);
    void *ctx;
};

/* Out of the pipe of pf (a reading end) into sink: up to len bytes, consumed as the sink
 * takes them. Waits for data unless nb. Bytes, 0 (no writer and empty), -EAGAIN,
 * -ERESTARTSYS, or the sink's error when nothing moved. */
long pipe_splice_out(struct file *pf, size_t len, bool nb, const struct pipe_io *sink);
/* From source into the pipe of pf (a writing end): up to len bytes, as many as the free
 * slots hold after one wait for room (unless nb). Bytes, 0 (the source is at its end),
 * -EAGAIN, -ERESTARTSYS, -EPIPE (no reader: SIGPIPE raised), or the source's error. */
long pipe_splice_in(struct file *pf, size_t len, bool nb, const struct pipe_io *source);
/* in's pipe to out's (two different pipes): up to len bytes, moved (tee: copied, nothing
 * consumed). Waits for input, then for room, unless nb. Bytes, 0 (end of input), -EAGAIN,
 * -ERESTARTSYS, -EPIPE (SIGPIPE raised), -ENOMEM. */
long pipe_splice_pipe(struct file *in, struct file *out, size_t len, bool nb, bool tee);

#endif
