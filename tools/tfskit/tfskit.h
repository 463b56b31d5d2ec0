/*
 * tfskit.h - host-side helpers around fs/tfs shared by the tools, the TFS tests, the fuzzers
 * and the benchmarks: kernel heap setup, a file-backed and a recording tfs_dev, a settable
 * clock, and a walker that turns a mounted volume into a snap (snap.h).
 *
 * Host code (libc). The tfs calls go through fs/tfs/tfs.h only.
 */
#ifndef TOOLS_TFSKIT_TFSKIT_H
#define TOOLS_TFSKIT_TFSKIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/tfs/tfs.h"
#include "tools/tfskit/snap.h"
#include "tools/tfskit/wlog.h"

/*
 * Give the kernel allocator a RAM arena of ram_bytes (0: 256 MiB, or PETREL_TOOL_RAM as a
 * byte count with K/M/G suffix). Once per process; later calls return 0 and do nothing.
 * Returns 0 or -errno.
 */
int tfskit_kernel_init(size_t ram_bytes);
/* Tear the arena down again (tests that start over). */
void tfskit_kernel_fini(void);

/* ---- devices ------------------------------------------------------------------------------ */

/* A tfs_dev over a host file (pread/pwrite; flush = fdatasync unless nosync). */
struct tfskit_filedev {
    struct tfs_dev dev;
    int fd;
    bool nosync; /* skip fdatasync (mkfs: one fsync at the end instead) */
};

#define TFSKIT_OPEN_RDONLY 0x1u
#define TFSKIT_OPEN_CREATE 0x2u /* create or truncate to size bytes */

/* Open path; with CREATE the file is made exactly size bytes (rounded down to blocks).
 * Returns 0 or -errno (the file's size must be a multiple of TFS_BLOCK_SIZE... it is
 * rounded down). */
int tfskit_filedev_open(struct tfskit_filedev *f, const char *path, unsigned flags,
                        uint64_t size);
/* fsync and close; returns 0 or -errno. */
int tfskit_filedev_close(struct tfskit_filedev *f);

/*
 * A pass-through tfs_dev that appends every write and flush to a wlog while recording is on,
 * and can inject errors: the fail_at-th write/flush from now (1-based, 0: never) and all
 * after it return -EIO without reaching the lower device.
 */
struct tfskit_recdev {
    struct tfs_dev dev;
    struct tfs_dev *lower;
    struct wlog *log;
    bool recording;
    uint64_t fail_at, ops;
    uint64_t writes, flushes, reads;
};
void tfskit_recdev_init(struct tfskit_recdev *r, struct tfs_dev *lower, struct wlog *log);

/* ---- time ------------------------------------------------------------------------------------ */

/* A clock that reads ns (since the epoch); the owner moves it. */
struct tfskit_clock {
    int64_t ns;
};
void tfskit_clock_read(void *arg, struct tfs_time *now); /* a tfs_clock_fn over tfskit_clock */
void tfskit_clock_real(void *arg, struct tfs_time *now); /* the host's CLOCK_REALTIME */
int64_t tfskit_time_ns(struct tfs_time t);
struct tfs_time tfskit_ns_time(int64_t ns);

/* Report callbacks: print to stderr with the prefix in arg (a const char *), or collect
 * into a tfskit_msgs. */
void tfskit_report_stderr(void *arg, const char *msg);
struct tfskit_msgs {
    char buf[4096];
    size_t len;
    unsigned count;
};
void tfskit_report_collect(void *arg, const char *msg);

/* ---- walking a volume ------------------------------------------------------------------------ */

struct tfskit_walk_limits {
    size_t max_entries;   /* stop after this many entries (0: unlimited) */
    uint64_t max_data;    /* read at most this many bytes per file (0: all) */
    unsigned max_depth;   /* 0: 4096 */
};

/*
 * Walk the whole tree from the root into s (finished): every entry's attributes, regular file
 * contents, symlink targets and xattrs. A directory seen twice (a loop) or any call failing is
 * an error: returns -errno and describes it in err (may be NULL). s is left finished and
 * valid (holding what was read) on error too.
 */
int tfskit_snap_tfs(struct tfs_vol *vol, struct snap *s, const struct tfskit_walk_limits *lim,
                    char *err, size_t errlen);

/* Fill a snap entry's scalar fields from a tfs_attr. */
void tfskit_attr_to_entry(const struct tfs_attr *a, struct snap_entry *e);

#endif
