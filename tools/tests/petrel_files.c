/*
 * petrel_files.c - the files runtimes read, checked against the system's own answers (for
 * tools/tests/petrel_files_test.sh): run natively and under `petrel run`, every check must
 * hold in both. Prints "ok <name>" or "FAIL <name>: ..." per check and exits 1 on a failure.
 *   - /proc/self/fd (and /dev/fd through its link) lists exactly the open descriptors; a
 *     pipe's link reads pipe:[<its st_ino>], an eventfd's anon_inode:[eventfd]
 *   - /dev/stdin, /dev/stdout, /dev/stderr -> /proc/self/fd/0..2
 *   - /proc/self/stat and status: pid, comm/Name, thread count, umask
 *   - /proc/self/mountinfo lists / and /proc (type proc)
 *   - /proc/sys/kernel/{osrelease,hostname} equal uname's release and nodename;
 *     /proc/sys/vm/overcommit_memory is 0, 1 or 2
 *   - /sys/devices/system/cpu/online and possible count at least the online CPUs
 *   - statfs types: /proc proc, /sys sysfs, /dev/shm tmpfs; a file written and read back in
 *     /dev/shm and /tmp
 *   - with "tmpfs" as argv[1]: /tmp is a tmpfs too (Petrel mounts one; a host may not)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

static int fails;

static void check(int ok, const char *name, const char *detail)
{
    if (ok)
        printf("ok %s\n", name);
    else {
        printf("FAIL %s: %s\n", name, detail);
        fails++;
    }
}

static int slurp(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    ssize_t n, total = 0;

    if (fd < 0)
        return -1;
    while ((n = read(fd, buf + total, size - 1 - (size_t)total)) > 0)
        total += n;
    close(fd);
    buf[total] = '\0';
    return (int)total;
}

static int link_is(const char *path, const char *want)
{
    char t[256];
    ssize_t n = readlink(path, t, sizeof(t) - 1);

    if (n < 0)
        return 0;
    t[n] = '\0';
    return strcmp(t, want) == 0;
}

/* Descriptor numbers listed in dir, as a bit set of 0..63 (the dir's own fd included). */
static unsigned long long listed(const char *dir)
{
    unsigned long long set = 0;
    DIR *d = opendir(dir);
    struct dirent *e;

    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.' && atoi(e->d_name) < 64)
            set |= 1ULL << atoi(e->d_name);
    if (d) {
        set &= ~(1ULL << dirfd(d)); /* the listing's own descriptor */
        closedir(d);
    }
    return set;
}

static void check_fds(void)
{
    int p[2], ev;
    struct stat st;
    char want[64], path[64];

    if (pipe(p) || (ev = eventfd(0, 0)) < 0) {
        check(0, "fd setup", "pipe/eventfd failed");
        return;
    }
    fstat(p[0], &st);
    snprintf(want, sizeof(want), "pipe:[%llu]", (unsigned long long)st.st_ino);
    snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
    check(link_is(path, want), "fd pipe link", want);
    snprintf(path, sizeof(path), "/proc/self/fd/%d", ev);
    check(link_is(path, "anon_inode:[eventfd]"), "fd eventfd link", "anon_inode:[eventfd]");
    unsigned long long open_set = 0;
    for (int fd = 0; fd < 64; fd++)
        if (fcntl(fd, F_GETFD) >= 0)
            open_set |= 1ULL << fd;
    check(listed("/proc/self/fd") == open_set, "fd listing", "differs from the open set");
    check(listed("/dev/fd") == open_set, "dev fd listing", "differs from the open set");
    close(p[0]);
    check(listed("/proc/self/fd") == (open_set & ~(1ULL << p[0])), "fd closed", "still listed");
    close(p[1]);
    close(ev);
    check(link_is("/dev/stdin", "/proc/self/fd/0") && link_is("/dev/stdout", "/proc/self/fd/1") &&
              link_is("/dev/stderr", "/proc/self/fd/2"),
          "dev std links", "not /proc/self/fd/0..2");
}

/* The character devices the issue names, with Linux's numbers (mem major 1): random 1:8 and
 * urandom 1:9 give the bytes asked for, full 1:7 refuses writes with ENOSPC. */
static void check_devices(void)
{
    static const struct {
        const char *path;
        unsigned minor;
    } devs[] = {{"/dev/null", 3}, {"/dev/zero", 5}, {"/dev/full", 7}, {"/dev/random", 8},
                {"/dev/urandom", 9}};
    char buf[16];

    for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
        struct stat st;
        int ok = stat(devs[i].path, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 &&
                 minor(st.st_rdev) == devs[i].minor;
        check(ok, devs[i].path, "not the character device 1:N of Linux");
    }
    int fd = open("/dev/random", O_RDONLY);
    check(fd >= 0 && read(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf), "random read",
          "no 16 bytes");
    if (fd >= 0)
        close(fd);
    fd = open("/dev/full", O_WRONLY);
    errno = 0;
    check(fd >= 0 && write(fd, buf, 1) < 0 && errno == ENOSPC, "full write", "not ENOSPC");
    if (fd >= 0)
        close(fd);
}

static void check_self(const char *argv0)
{
    char buf[8192], comm[64], want[32];
    const char *base = strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0;
    int pid = 0, threads = -1;
    unsigned mask = 0;
    mode_t um = umask(022);

    umask(um);
    snprintf(want, sizeof(want), "%.15s", base);
    if (slurp("/proc/self/stat", buf, sizeof(buf)) <= 0 ||
        sscanf(buf, "%d (%63[^)])", &pid, comm) != 2) {
        check(0, "stat", "unreadable");
    } else {
        char *f = strrchr(buf, ')') + 2; /* field 3 */
        for (int i = 3; i < 20 && f; i++)
            f = strchr(f, ' ') ? strchr(f, ' ') + 1 : NULL;
        check(pid == getpid() && strcmp(comm, want) == 0, "stat pid comm", buf);
        check(f && atoi(f) == 1, "stat num_threads", buf);
    }
    if (slurp("/proc/self/status", buf, sizeof(buf)) <= 0) {
        check(0, "status", "unreadable");
        return;
    }
    char *pl = strstr(buf, "\nPid:"), *tl = strstr(buf, "\nThreads:"), *ul = strstr(buf, "Umask:");
    check(pl && sscanf(pl, "\nPid:\t%d", &pid) == 1 && pid == getpid(), "status pid", buf);
    check(tl && sscanf(tl, "\nThreads:\t%d", &threads) == 1 && threads == 1, "status threads",
          buf);
    check(ul && sscanf(ul, "Umask:\t%o", &mask) == 1 && mask == um, "status umask", buf);
    snprintf(comm, sizeof(comm), "Name:\t%s\n", want);
    check(strncmp(buf, comm, strlen(comm)) == 0, "status name", buf);
}

static void check_system(void)
{
    char buf[16384], want[128];
    struct utsname u;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    uname(&u);
    check(slurp("/proc/self/mountinfo", buf, sizeof(buf)) > 0 && strstr(buf, " / / ") &&
              strstr(buf, " /proc ") && strstr(buf, " - proc "),
          "mountinfo", buf);
    snprintf(want, sizeof(want), "%s\n", u.release);
    check(slurp("/proc/sys/kernel/osrelease", buf, sizeof(buf)) > 0 && !strcmp(buf, want),
          "osrelease", buf);
    snprintf(want, sizeof(want), "%s\n", u.nodename);
    check(slurp("/proc/sys/kernel/hostname", buf, sizeof(buf)) > 0 && !strcmp(buf, want),
          "hostname", buf);
    check(slurp("/proc/sys/vm/overcommit_memory", buf, sizeof(buf)) == 2 && buf[0] >= '0' &&
              buf[0] <= '2',
          "overcommit_memory", buf);
    for (int i = 0; i < 2; i++) {
        const char *f = i ? "/sys/devices/system/cpu/possible" : "/sys/devices/system/cpu/online";
        int a = 0, b = -1, n = slurp(f, buf, sizeof(buf)) > 0 ? sscanf(buf, "%d-%d", &a, &b) : 0;
        check(n >= 1 && a == 0 && (n == 1 ? 1 : b + 1) >= cpus, f, buf);
    }
}

static void check_fs(int tmp_is_tmpfs)
{
    static const struct {
        const char *path;
        long type;
    } types[] = {{"/proc", 0x9fa0}, {"/sys", 0x62656572}, {"/dev/shm", 0x01021994}};
    struct statfs sf;
    char buf[64];

    for (unsigned i = 0; i < 3; i++)
        check(statfs(types[i].path, &sf) == 0 && sf.f_type == types[i].type, types[i].path,
              "statfs f_type differs");
    if (tmp_is_tmpfs)
        check(statfs("/tmp", &sf) == 0 && sf.f_type == 0x01021994, "/tmp", "not a tmpfs");
    for (int i = 0; i < 2; i++) {
        const char *path = i ? "/tmp/petrel_files.txt" : "/dev/shm/petrel_files.txt";
        FILE *f = fopen(path, "w");
        int ok = f && fputs("tmpfs data\n", f) >= 0 && fclose(f) == 0;
        ok = ok && slurp(path, buf, sizeof(buf)) == 11 && !strcmp(buf, "tmpfs data\n");
        check(ok && unlink(path) == 0, path, "write, read back, unlink");
    }
}

int main(int argc, char **argv)
{
    check_fds();
    check_devices();
    check_self(argv[0]);
    check_system();
    check_fs(argc > 1 && !strcmp(argv[1], "tmpfs"));
    printf("%s\n", fails ? "some checks failed" : "all checks passed");
    return fails != 0;
}
