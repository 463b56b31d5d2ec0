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
 * O_RDWR never waits. 0, -ENOMEM, -EINTR (interrupted while waiting). May sleep.
 */
int fifo_open(struct vfs_file *vf, struct file **out);

#endif
