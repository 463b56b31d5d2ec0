/*
 * enospc.c - a full filesystem, as a program sees it (docs/files.md, "Space").
 *
 *   enospc DIR
 *
 * Fills the filesystem of DIR and checks what Linux does: write(2) returns full counts, then
 * a short count, then -1 ENOSPC (until an fsync gives nothing back); the size is what was written; overwriting works; a write
 * into a new page, pwrite into a hole, writev and fallocate fail with ENOSPC; a store into a
 * hole of a shared mapping is SIGBUS (BUS_ADRERR, at the address); fsync and close succeed
 * (nothing fails later, at write-back); after the file is removed, writes and the store work
 * again. Then the program keeps running code it has not run yet (page-in of its text on a full
 * volume). Only these facts are printed, never sizes, so the output is the same on any small
 * filesystem.
 *
 * DIR must be on a small filesystem: in Petrel the image has a few MiB free. Natively, when
 * DIR's filesystem is large (the build tree's disk), the program mounts a 4 MiB tmpfs on DIR
 * in a private mount namespace first (root needed; the harness runs as root).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <unistd.h>

#define CHUNK 100000
#define PG 4096

static char buf[CHUNK];
static sigjmp_buf jb;
static volatile sig_atomic_t got_sig, got_code;
static void *volatile got_addr;

static void on_bus(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    got_sig = sig;
    got_code = si->si_code;
    got_addr = si->si_addr;
    siglongjmp(jb, 1);
}

static int check(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "WRONG");
    return ok ? 0 : 1;
}

/* A small filesystem at dir: the one there (Petrel's image), or a tmpfs mounted natively. */
static int small_fs(const char *dir)
{
    struct statfs sf;
    if (mkdir(dir, 0755) && errno != EEXIST)
        return perror("mkdir"), -1;
    if (statfs(dir, &sf))
        return perror("statfs"), -1;
    if ((unsigned long long)sf.f_blocks * sf.f_bsize <= 64ull << 20)
        return 0;
    if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
        mount("tmpfs", dir, "tmpfs", 0, "size=4m")) {
        perror("a 4 MiB tmpfs for the native run");
        return -1;
    }
    return 0;
}

/* Store one byte at p; returns the signal it raised (0: none). */
static int store(char *p)
{
    got_sig = 0;
    if (sigsetjmp(jb, 1) == 0)
        *(volatile char *)p = 'm';
    return got_sig;
}

/*
 * Fill with CHUNK-byte writes: full counts, then a short one or none, then ENOSPC; fsync and
 * again until the first write after an fsync fits nothing. (tmpfs stops after one round; a
 * filesystem that reserves metadata conservatively, as Petrel's TFS or ext4, gives some back
 * once the data is written, so a few rounds may fill it up.)
 */
static int fill(int fd, long long *total)
{
    long n = 0;
    int bad = 0, short_then_more = 0, rounds = 0;
    *total = 0;
    for (bool first = false; !first && rounds < 64; rounds++) {
        long shorts = 0;
        first = true;
        for (int i = 0; i < 100000; i++) {
            n = write(fd, buf, CHUNK);
            if (n < 0)
                break;
            first = false;
            short_then_more |= shorts != 0; /* a write after a short one succeeded */
            shorts += n < CHUNK;
            *total += n;
        }
        bad |= n != -1 || errno != ENOSPC;
        if (fsync(fd))
            bad = 1;
    }
    bad |= check(!bad && rounds < 64, "fill ends with ENOSPC, also after fsync");
    bad |= check(!short_then_more, "a short count is the last before ENOSPC");
    struct stat st;
    bad |= check(fstat(fd, &st) == 0 && st.st_size == *total, "size is what was written");
    bad |= check(*total % PG == 0, "the short counts end on a page");
    return bad;
}

static int full_checks(const char *dir, int fd, long long total)
{
    int bad = 0;
    char path[4096];
    struct statfs sf;
    bad |= check(statfs(dir, &sf) == 0 && (unsigned long long)sf.f_bavail * sf.f_bsize < CHUNK,
                 "statfs: less than a write available");
    errno = 0;
    bad |= check(write(fd, buf, 1) == -1 && errno == ENOSPC, "write of a new page: ENOSPC");
    errno = 0;
    bad |= check(pwrite(fd, buf, 10, total + 10 * PG) == -1 && errno == ENOSPC,
                 "pwrite into a hole: ENOSPC");
    struct iovec iov[2] = {{buf, 300}, {buf, 5000}};
    errno = 0;
    bad |= check(writev(fd, iov, 2) == -1 && errno == ENOSPC, "writev: ENOSPC");
    errno = 0;
    bad |= check(fallocate(fd, 0, total, 3 * PG) == -1 && errno == ENOSPC, "fallocate: ENOSPC");
    bad |= check(pwrite(fd, buf, PG, 0) == PG, "overwrite");
    bad |= check(ftruncate(fd, total - 10) == 0 && lseek(fd, total - 10, SEEK_SET) == total - 10,
                 "ftruncate");
    bad |= check(write(fd, buf, CHUNK) == 10, "a write filling the last page: 10 bytes");

    snprintf(path, sizeof(path), "%s/map", dir);
    int mf = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    bad |= check(mf >= 0 && ftruncate(mf, 4 * PG) == 0, "a sparse file to map");
    char *m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, mf, 0);
    bad |= check(m != MAP_FAILED, "mmap MAP_SHARED");
    if (m == MAP_FAILED)
        return 1;
    int sig = store(m + PG + 5);
    bad |= check(sig == SIGBUS && got_code == BUS_ADRERR && got_addr == m + PG + 5,
                 "store into a hole: SIGBUS BUS_ADRERR at the address");
    bad |= check(fsync(fd) == 0 && close(fd) == 0, "fsync and close of the full file");

    snprintf(path, sizeof(path), "%s/big", dir);
    bad |= check(unlink(path) == 0, "unlink the full file");
    bad |= check(store(m + PG + 5) == 0 && m[PG + 5] == 'm', "the store after it");
    bad |= check(msync(m, 4 * PG, MS_SYNC) == 0 && munmap(m, 4 * PG) == 0, "msync, munmap");
    bad |= check(pwrite(mf, buf, CHUNK, 8 * PG) == CHUNK, "a write after it");
    bad |= check(fsync(mf) == 0 && close(mf) == 0, "fsync and close");
    snprintf(path, sizeof(path), "%s/map", dir);
    bad |= check(unlink(path) == 0, "unlink the mapped file");
    return bad;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: enospc DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    char path[4096];
    if (small_fs(dir))
        return 2;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_bus;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);
    for (int i = 0; i < CHUNK; i++)
        buf[i] = (char)(i * 7 + 1);
    snprintf(path, sizeof(path), "%s/big", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return perror("open"), 2;
    long long total;
    int bad = fill(fd, &total);
    bad |= full_checks(dir, fd, total);
    printf("%s\n", bad ? "FAILED" : "all ok");
    return bad;
}
