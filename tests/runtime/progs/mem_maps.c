/*
 * mem_maps.c - file and anonymous mappings as programs use them (docs/memory.md): a shared
 * file mapping written then read back with read(2) and after msync/munmap, MAP_PRIVATE
 * copy-on-write isolation, shared anonymous memory written by a thread, mremap growing and
 * moving with the contents kept, madvise(MADV_DONTNEED) zeroing, mincore, SIGBUS past the end
 * of a file, a MAP_GROWSDOWN area growing on a fault, MAP_FIXED_NOREPLACE.
 *
 * usage: mem_maps <scratch file>   (prints one line per check; exit 0 when all hold)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PG 4096
static int failures;

static void check(const char *what, int ok)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAILED");
    failures += !ok;
}

static void shared_file(const char *path)
{
    char buf[16] = {0};
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    char *m;

    check("write file", fd >= 0 && write(fd, "hello world", 11) == 11);
    m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check("mmap shared", m != MAP_FAILED);
    memcpy(m, "HELLO", 5);
    check("read sees the store", pread(fd, buf, 11, 0) == 11 && !memcmp(buf, "HELLO world", 11));
    check("write reaches the mapping", pwrite(fd, "W", 1, 6) == 1 && m[6] == 'W');
    check("msync", msync(m, PG, MS_SYNC) == 0);
    check("msync bad flags", msync(m, PG, MS_SYNC | MS_ASYNC) == -1 && errno == EINVAL);
    memcpy(m + 8, "RLD", 3);
    check("munmap", munmap(m, PG) == 0);
    close(fd);
    fd = open(path, O_RDONLY);
    memset(buf, 0, sizeof(buf));
    check("reopened file has the stores", read(fd, buf, 16) == 11 && !memcmp(buf, "HELLO WoRLD", 11));
    check("shared writable on O_RDONLY: EACCES",
          mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EACCES);
    close(fd);
}

static void private_file(const char *path)
{
    char buf[16] = {0};
    int fd = open(path, O_RDWR);
    char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    char *q = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0);

    check("mmap private", p != MAP_FAILED && q != MAP_FAILED);
    p[0] = 'x';
    check("private store stays private", pread(fd, buf, 5, 0) == 5 && !memcmp(buf, "HELLO", 5));
    check("other private mapping unchanged", q[0] == 'H');
    check("own copy kept", p[0] == 'x' && p[1] == 'E');
    munmap(p, PG);
    munmap(q, PG);
    close(fd);
}

static char *shared_anon;

static void *writer(void *arg)
{
    (void)arg;
    strcpy(shared_anon, "from the thread");
    return NULL;
}

static void shared_anonymous(void)
{
    pthread_t t;

    shared_anon = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    check("mmap shared anonymous", shared_anon != MAP_FAILED);
    pthread_create(&t, NULL, writer, NULL);
    pthread_join(t, NULL);
    check("thread's store seen", strcmp(shared_anon, "from the thread") == 0);
    check("mprotect half", mprotect(shared_anon + PG, PG, PROT_READ) == 0);
    check("DONTNEED keeps shared data",
          madvise(shared_anon, PG, MADV_DONTNEED) == 0 && shared_anon[0] == 'f');
    check("MADV_FREE on shared: EINVAL", madvise(shared_anon, PG, MADV_FREE) == -1 && errno == EINVAL);
    munmap(shared_anon, 2 * PG);
}

static void remap(void)
{
    char *a = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *b;
    int same = 1;

    munmap(a + 2 * PG, PG); /* a hole of ours for MAP_FIXED_NOREPLACE */

    for (int i = 0; i < 2 * PG; i++)
        a[i] = (char)(i * 7);
    /* a page right above blocks growth in place */
    b = mmap(a + 2 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    check("MAP_FIXED_NOREPLACE", b == a + 2 * PG);
    check("MAP_FIXED_NOREPLACE over a mapping: EEXIST",
          mmap(a, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) ==
                  MAP_FAILED &&
              errno == EEXIST);
    check("mremap without MAYMOVE: ENOMEM", mremap(a, 2 * PG, 64 * PG, 0) == MAP_FAILED && errno == ENOMEM);
    b = mremap(a, 2 * PG, 64 * PG, MREMAP_MAYMOVE);
    check("mremap moves", b != MAP_FAILED && b != a);
    for (int i = 0; i < 2 * PG; i++)
        same &= b[i] == (char)(i * 7);
    check("contents kept", same);
    check("new pages zero", b[63 * PG] == 0);
    check("shrink in place", mremap(b, 64 * PG, PG, 0) == b);
    check("grow in place", mremap(b, PG, 3 * PG, 0) == b && b[PG] == 0 && b[10] == (char)70);
    munmap(b, 3 * PG);
    munmap(a + 2 * PG, PG);
}

static void dontneed_and_mincore(const char *path)
{
    char *a = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char vec[4];
    int fd = open(path, O_RDONLY);
    char *f = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

    a[PG] = 1;
    a[3 * PG] = 3;
    check("mincore", mincore(a, 4 * PG, vec) == 0);
    printf("mincore: %d %d %d %d\n", vec[0], vec[1], vec[2], vec[3]);
    check("DONTNEED zeroes private anonymous memory",
          madvise(a, 4 * PG, MADV_DONTNEED) == 0 && a[PG] == 0 && a[3 * PG] == 0);
    f[0] = 'z';
    check("DONTNEED refetches a private file page", madvise(f, PG, MADV_DONTNEED) == 0 && f[0] == 'H');
    check("unknown advice: EINVAL", madvise(a, PG, 999) == -1 && errno == EINVAL);
    munmap(a, 4 * PG);
    munmap(f, PG);
    close(fd);
}

static sigjmp_buf jb;
static volatile void *fault_addr;
static volatile int fault_sig, fault_code;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    fault_sig = sig;
    fault_code = si->si_code;
    fault_addr = si->si_addr;
    siglongjmp(jb, 1);
}

static void sigbus_and_growsdown(const char *path)
{
    struct sigaction sa;
    int fd = open(path, O_RDONLY);
    char *m = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0), *g;
    volatile char c = 0;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    check("tail of the last page is zero", m[100] == 0);
    if (sigsetjmp(jb, 1) == 0)
        c = m[PG + 1];
    check("past EOF: SIGBUS BUS_ADRERR",
          fault_sig == SIGBUS && fault_code == BUS_ADRERR && fault_addr == m + PG + 1);
    munmap(m, 2 * PG);
    close(fd);
    g = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
    fault_sig = 0;
    if (sigsetjmp(jb, 1) == 0)
        g[-3 * PG] = 5;
    check("MAP_GROWSDOWN grows on a fault below", fault_sig == 0 && g[-3 * PG] == 5);
    (void)c;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    setvbuf(stdout, NULL, _IONBF, 0);
    shared_file(argv[1]);
    private_file(argv[1]);
    shared_anonymous();
    remap();
    dontneed_and_mincore(argv[1]);
    sigbus_and_growsdown(argv[1]);
    printf("%s\n", failures ? "FAILED" : "all ok");
    return failures != 0;
}
