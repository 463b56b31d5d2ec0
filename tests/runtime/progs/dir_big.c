/*
 * dir_big: a directory of 1500 entries read back with getdents64 in small buffers (many
 * calls, each record whole: d_reclen 8-aligned, d_name NUL-terminated, d_type DT_REG or
 * DT_DIR), every name seen exactly once plus "." and ".."; readdir/rewinddir agree; telldir
 * and seekdir return to a position; names removed between two reads are not returned twice;
 * a getdents64 buffer too small for one record is EINVAL. argv[1]: a scratch directory.
 * Output is the same natively and in Petrel.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define N 1500

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static unsigned char seen[N];

static int index_of(const char *name)
{
    char *end;
    long v;

    if (name[0] != 'f')
        return -1;
    v = strtol(name + 1, &end, 10);
    return *end == 0 && v >= 0 && v < N ? (int)v : -1;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "tmp/big";
    char path[300], buf[300];
    int dfd, calls = 0, dots = 0, dirs = 0, bad = 0, twice = 0, total = 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    mkdir(dir, 0755);
    for (int i = 0; i < N; i++) {
        snprintf(path, sizeof(path), "%s/f%d", dir, i);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) {
            perror(path);
            return 1;
        }
        close(fd);
    }
    snprintf(path, sizeof(path), "%s/sub", dir);
    mkdir(path, 0755);

    dfd = open(dir, O_RDONLY | O_DIRECTORY);
    for (;;) {
        long n = syscall(SYS_getdents64, dfd, buf, sizeof(buf));
        if (n <= 0)
            break;
        calls++;
        for (long off = 0; off < n;) {
            struct linux_dirent64 *d = (void *)(buf + off);
            if (d->d_reclen % 8 || off + d->d_reclen > n ||
                strnlen(d->d_name, d->d_reclen) >= d->d_reclen - 19u)
                bad++;
            int k = index_of(d->d_name);
            if (k >= 0) {
                twice += seen[k];
                seen[k] = 1;
                bad += d->d_type != DT_REG;
            } else if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..")) {
                dots++;
                bad += d->d_type != DT_DIR;
            } else if (!strcmp(d->d_name, "sub")) {
                dirs++;
                bad += d->d_type != DT_DIR;
            } else {
                bad++;
            }
            total++;
            off += d->d_reclen;
        }
    }
    int missing = 0;
    for (int i = 0; i < N; i++)
        missing += !seen[i];
    printf("getdents64: %d entries in more than 100 calls %d; dots %d, subdirs %d, missing %d, "
           "twice %d, malformed %d\n",
           total, calls > 100, dots, dirs, missing, twice, bad);
    printf("buffer of 8 bytes: %s\n", lseek(dfd, 0, SEEK_SET) == 0 &&
                                              syscall(SYS_getdents64, dfd, buf, 8) < 0 &&
                                              errno == EINVAL
                                          ? "EINVAL"
                                          : "?");
    close(dfd);

    DIR *d = opendir(dir);
    struct dirent *de;
    int count = 0;
    long mark = -1;
    char mark_name[256] = "";
    while ((de = readdir(d))) {
        if (++count == 700) {
            mark = telldir(d);
        } else if (count == 701)
            snprintf(mark_name, sizeof(mark_name), "%s", de->d_name);
    }
    seekdir(d, mark);
    de = readdir(d);
    printf("readdir: %d entries; seekdir back to entry 701 gives the same name %d\n", count,
           de && !strcmp(de->d_name, mark_name));
    rewinddir(d);
    int again = 0;
    while (readdir(d))
        again++;
    printf("rewinddir: %d entries again\n", again);

    /* remove every name while reading: none comes back, nothing is skipped that stays */
    rewinddir(d);
    int removed = 0, errors = 0;
    memset(seen, 0, sizeof(seen));
    while ((de = readdir(d))) {
        int k = index_of(de->d_name);
        if (k < 0)
            continue;
        if (seen[k])
            errors++;
        seen[k] = 1;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        errors += unlink(path) != 0;
        removed++;
    }
    closedir(d);
    printf("removed %d while reading, errors %d\n", removed, errors);
    snprintf(path, sizeof(path), "%s/sub", dir);
    rmdir(path);
    printf("rmdir: %s\n", rmdir(dir) == 0 ? "ok" : "failed");
    return 0;
}
