/*
 * fileops: the data calls on the files of /proc and /dev, the kinds the syscall case tables
 * cannot reach (the hosted runner has neither; tests/syscall/cases_fileops.c has the rest):
 * which of read, write, pread, pwrite, lseek, ftruncate, fsync and mmap each answers and with
 * which errno, in Linux's order (the description's access mode before the file's missing
 * operation). Then /proc/sys/fs/inotify: the three limits are numbers, and an instance's
 * queue overflows (IN_Q_OVERFLOW) at max_queued_events; /proc/self/fdinfo of an inotify
 * descriptor. Output is the same natively and in Petrel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* musl has no strerrorname_np: the names the probes can meet */
static const char *errname(int e)
{
    static const struct {
        int e;
        const char *name;
    } names[] = {{EBADF, "EBADF"},   {EINVAL, "EINVAL"}, {EISDIR, "EISDIR"}, {ESPIPE, "ESPIPE"},
                 {ENODEV, "ENODEV"}, {EACCES, "EACCES"}, {ENOSPC, "ENOSPC"}, {EIO, "EIO"},
                 {EPERM, "EPERM"},   {ENOENT, "ENOENT"}, {EROFS, "EROFS"},   {EFAULT, "EFAULT"}};
    static char other[16];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].e == e)
            return names[i].name;
    snprintf(other, sizeof(other), "errno %d", e);
    return other;
}

static const char *res(long r)
{
    static char buf[8][32];
    static int i;

    i = (i + 1) % 8;
    if (r < 0)
        snprintf(buf[i], sizeof(buf[i]), "%s", errname(errno));
    else
        snprintf(buf[i], sizeof(buf[i]), "%ld", r);
    return buf[i];
}

static const char *map_res(int fd, int prot, int flags)
{
    void *m = mmap(NULL, 4096, prot, flags, fd, 0);

    if (m == MAP_FAILED)
        return errname(errno);
    munmap(m, 4096);
    return "mapped";
}

#define P_WRITE 1 /* also write(2) */
#define P_NOPWRITE                                                                                 \
    2 /* not pwrite: Linux's seq_file files of /proc say ESPIPE (they drop                         \
         FMODE_PWRITE), Petrel's EBADF (docs/CAVEATS.md) */
#define P_NOSHARED                                                                                 \
    4 /* not a shared mapping: Linux maps /dev/zero shared as anonymous                            \
         memory, Petrel refuses (docs/CAVEATS.md) */

/* One line per file: what each call gives on a fresh descriptor of it. */
static void probe(const char *path, int flags, int what)
{
    char b[8];
    int fd = open(path, flags);

    if (fd < 0) {
        printf("%s: open %s\n", path, errname(errno));
        return;
    }
    printf("%s:", path);
    printf(" read %s", res(read(fd, b, 1)));
    if (what & P_WRITE)
        printf(" write %s", res(write(fd, "1", 1)));
    printf(" pread %s", res(pread(fd, b, 1, 0)));
    if (!(what & P_NOPWRITE))
        printf(" pwrite %s", res(pwrite(fd, "1", 1, 0)));
    printf(" ftruncate %s", res(ftruncate(fd, 0)));
    printf(" fsync %s fdatasync %s", res(fsync(fd)), res(fdatasync(fd)));
    printf(" mmap %s", map_res(fd, PROT_READ, MAP_PRIVATE));
    if (!(what & P_NOSHARED))
        printf(" shared-rw %s", map_res(fd, PROT_READ | PROT_WRITE, MAP_SHARED));
    printf("\n");
    close(fd);
}

static long read_num(const char *path)
{
    char buf[32] = "";
    int fd = open(path, O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

    if (fd >= 0)
        close(fd);
    return n > 0 && buf[n - 1] == '\n' ? strtol(buf, NULL, 10) : -1;
}

/* max events queued: open and close a watched file until the queue holds them all, then
 * one more; the read back ends with the overflow event (wd -1) right after max events. */
static void overflow_at(long max, const char *dir)
{
    char path[256];
    int in = inotify_init1(IN_NONBLOCK), wd, fd;
    long events = 0, last_wd = 0, overflow_after = -1;
    static char buf[64 * 1024];

    snprintf(path, sizeof(path), "%s/f", dir);
    fd = open(path, O_CREAT | O_RDWR, 0644);
    close(fd);
    wd = inotify_add_watch(in, path, IN_OPEN | IN_CLOSE_NOWRITE);
    for (long i = 0; i < max / 2 + 1; i++) /* two events each: open, close */
        close(open(path, O_RDONLY));
    for (;;) {
        ssize_t n = read(in, buf, sizeof(buf));

        if (n <= 0)
            break;
        for (ssize_t off = 0; off < n;) {
            struct inotify_event *e = (struct inotify_event *)(buf + off);

            if (e->wd == -1 && (e->mask & IN_Q_OVERFLOW) && overflow_after < 0)
                overflow_after = events;
            else
                events++;
            last_wd = e->wd;
            off += (ssize_t)sizeof(*e) + e->len;
        }
    }
    printf("inotify: watch %d, overflow after max_queued_events events %d, then nothing %d\n",
           wd > 0, overflow_after == max, last_wd == -1);
    close(in);
    unlink(path);
}

/* /proc/self/fdinfo/N of an inotify descriptor: pos, flags and the watches (newest first),
 * printed without the numbers that differ between runs (mnt_id, inode numbers, devices, the
 * file handle Linux adds for filesystems that export one). */
static void fdinfo(const char *dir)
{
    char path[64], line[512], sub[256];
    int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    FILE *f;

    snprintf(sub, sizeof(sub), "%s/sub", dir);
    mkdir(sub, 0755);
    inotify_add_watch(in, dir, IN_CREATE | IN_DELETE);
    inotify_add_watch(in, sub, IN_MODIFY | IN_ONESHOT | IN_EXCL_UNLINK);
    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", in);
    f = fopen(path, "r");
    if (!f) {
        printf("fdinfo: open %s\n", errname(errno));
        return;
    }
    while (fgets(line, sizeof(line), f)) {
        unsigned wd, mask, ign;
        unsigned long ino;
        char *p = strchr(line, '\t');

        if (sscanf(line, "inotify wd:%x ino:%lx sdev:%*x mask:%x ignored_mask:%x", &wd, &ino, &mask,
                   &ign) == 4)
            printf("fdinfo: inotify wd:%x ino:<n> sdev:<n> mask:%x ignored_mask:%x\n", wd, mask,
                   ign);
        else if (strncmp(line, "pos:", 4) == 0 || strncmp(line, "flags:", 6) == 0)
            printf("fdinfo: %s", line);
        else if (p && (strncmp(line, "mnt_id:", 7) == 0 || strncmp(line, "ino:", 4) == 0))
            printf("fdinfo: %.*s <n>\n", (int)(p - line), line);
        else
            printf("fdinfo: other line %s", line);
    }
    fclose(f);
    close(in);
    rmdir(sub);
}

int main(int argc, char **argv)
{
    long q = read_num("/proc/sys/fs/inotify/max_queued_events");
    long inst = read_num("/proc/sys/fs/inotify/max_user_instances");
    long w = read_num("/proc/sys/fs/inotify/max_user_watches");

    setvbuf(stdout, NULL, _IONBF, 0);
    probe("/proc", O_RDONLY | O_DIRECTORY, 0);
    probe("/proc/self/status", O_RDONLY, P_WRITE | P_NOPWRITE);
    probe("/proc/self/maps", O_RDONLY, P_WRITE | P_NOPWRITE);
    probe("/proc/self/cmdline", O_RDONLY, P_WRITE);
    probe("/proc/sys/fs/inotify/max_queued_events", O_RDONLY, P_WRITE);
    probe("/dev", O_RDONLY | O_DIRECTORY, 0);
    probe("/dev/null", O_RDWR, P_WRITE);
    probe("/dev/null", O_RDONLY, P_WRITE);
    probe("/dev/zero", O_RDWR, P_WRITE | P_NOSHARED);
    probe("/dev/full", O_RDWR, P_WRITE);
    probe("/dev/urandom", O_RDONLY, P_WRITE);
    printf("inotify limits: queued events > 0 %d, instances > 0 %d, watches >= 8192 %d\n", q > 0,
           inst > 0, w >= 8192);
    if (argc > 1 && q > 0 && q <= 65536)
        overflow_at(q, argv[1]);
    if (argc > 1)
        fdinfo(argv[1]);
    return 0;
}
