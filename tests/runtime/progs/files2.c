/* files2: memfd with seals, sendfile file -> pipe, copy_file_range, flock between two
 * descriptions, RLIMIT_NOFILE and RLIMIT_FSIZE. argv[1]: a scratch file name. Raw syscalls
 * where a libc may lack the wrapper. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SHOW(what, expr)                                                                           \
    do {                                                                                           \
        errno = 0;                                                                                 \
        long _r = (long)(expr);                                                                    \
        printf("%s = %ld%s%s\n", what, _r, _r < 0 ? " " : "", _r < 0 ? strerror(errno) : "");    \
    } while (0)

static void memfd(void)
{
    int fd = (int)syscall(SYS_memfd_create, "rt", 3 /* CLOEXEC | ALLOW_SEALING */);
    char buf[16] = {0};
    char *m;

    SHOW("memfd write", write(fd, "sealed data", 11));
    SHOW("add SHRINK|GROW", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW));
    SHOW("ftruncate 4", ftruncate(fd, 4));
    SHOW("pwrite past end", pwrite(fd, "xx", 2, 10));
    m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    printf("private map %s [%.6s]\n", m == MAP_FAILED ? "failed" : "ok", m == MAP_FAILED ? "" : m);
    SHOW("add WRITE", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SEAL));
    SHOW("write sealed", write(fd, "x", 1));
    SHOW("shared writable map",
         mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED ? -1 : 0);
    SHOW("seals", fcntl(fd, F_GET_SEALS));
    SHOW("pread", pread(fd, buf, sizeof(buf), 0));
    printf("read back [%s]\n", buf);
    close(fd);
}

static void copies(const char *name)
{
    int f = open(name, O_CREAT | O_TRUNC | O_RDWR, 0644), p[2];
    off_t in = 0, out = 100;
    char buf[32] = {0};

    SHOW("write", write(f, "0123456789", 10));
    SHOW("pipe", pipe(p));
    SHOW("sendfile at offset", sendfile(p[1], f, &in, 6));
    printf("offset now %ld\n", (long)in);
    SHOW("read pipe", read(p[0], buf, sizeof(buf)));
    printf("pipe had [%s]\n", buf);
    in = 2;
    SHOW("copy_file_range", syscall(SYS_copy_file_range, f, &in, f, &out, 5, 0));
    memset(buf, 0, sizeof(buf));
    SHOW("pread copy", pread(f, buf, 5, 100));
    printf("copied [%s] in %ld out %ld\n", buf, (long)in, (long)out);
    in = 0;
    out = 3;
    SHOW("overlap", syscall(SYS_copy_file_range, f, &in, f, &out, 5, 0));
    close(p[0]);
    close(p[1]);
    close(f);
}

static void locks(const char *name)
{
    int a = open(name, O_RDWR), b = open(name, O_RDONLY), c = dup(a);

    SHOW("flock a EX", flock(a, LOCK_EX));
    SHOW("flock b SH|NB", flock(b, LOCK_SH | LOCK_NB));
    SHOW("close dup", close(c));
    SHOW("flock b still", flock(b, LOCK_SH | LOCK_NB));
    SHOW("close a", close(a));
    SHOW("flock b after close", flock(b, LOCK_EX | LOCK_NB));
    close(b);
}

/* Descriptor numbers relative to the first free one (the native runner may hold more than
 * 0-2 open); the file-size results printed once the limit is lifted again (a native stdout
 * redirected to a file obeys it too). */
static void limits(const char *name)
{
    int base = dup(0), f;
    struct rlimit r = {(rlim_t)base + 2, (rlim_t)base + 2};
    long w1, w2;

    close(base);
    SHOW("setrlimit NOFILE base+2", setrlimit(RLIMIT_NOFILE, &r));
    SHOW("open base", open(name, O_RDONLY) - base);
    SHOW("open base+1", open(name, O_RDONLY) - base);
    SHOW("open base+2", open(name, O_RDONLY));
    SHOW("dup2 to base+2", dup2(0, base + 2));
    close(base);
    close(base + 1);
    signal(SIGXFSZ, SIG_IGN);
    f = open(name, O_WRONLY | O_TRUNC);
    r.rlim_cur = 4;
    r.rlim_max = RLIM_INFINITY;
    setrlimit(RLIMIT_FSIZE, &r);
    w1 = write(f, "abcdef", 6);
    w2 = write(f, "x", 1) < 0 ? -errno : 0;
    r.rlim_cur = RLIM_INFINITY;
    setrlimit(RLIMIT_FSIZE, &r);
    printf("FSIZE 4: write 6 -> %ld, then -> %s\n", w1, strerror((int)-w2));
    close(f);
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "tmp/files2.txt";

    setvbuf(stdout, NULL, _IONBF, 0);
    memfd();
    copies(name);
    locks(name);
    limits(name);
    unlink(name);
    return 0;
}
