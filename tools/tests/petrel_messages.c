/*
 * petrel_messages.c - a program that ends in the ways petrel_messages_test.sh checks the
 * messages of (docs/petrel.md, Messages): run natively and in Petrel.
 *
 *   kill SIG    sends itself signal SIG (a number) with its default action
 *   abort       abort() (SIGABRT)
 *   oom         touches memory 1 MiB at a time until something stops it; prints how much
 *   write FILE N   writes N MiB to FILE (ENOSPC: says so, exit 28)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int grow(void)
{
    size_t mib = 0;

    for (;;) {
        char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                       0);
        if (p == MAP_FAILED) {
            printf("mmap failed after %zu MiB: %s\n", mib, strerror(errno));
            return 3;
        }
        memset(p, 1, 1 << 20);
        mib++;
    }
}

static int write_mib(const char *path, long n)
{
    static char buf[1 << 20];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    if (fd < 0) {
        perror(path);
        return 1;
    }
    memset(buf, 'x', sizeof(buf));
    for (long i = 0; i < n; i++) {
        size_t done = 0;
        while (done < sizeof(buf)) {
            ssize_t w = write(fd, buf + done, sizeof(buf) - done);
            if (w < 0) {
                printf("write failed after %ld MiB: %s\n", i, strerror(errno));
                return errno == ENOSPC ? 28 : 1;
            }
            done += (size_t)w;
        }
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        printf("fsync/close failed: %s\n", strerror(errno));
        return errno == ENOSPC ? 28 : 1;
    }
    printf("wrote %ld MiB\n", n);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "kill") == 0) {
        kill(getpid(), atoi(argv[2]));
        pause();
    }
    if (argc >= 2 && strcmp(argv[1], "abort") == 0)
        abort();
    if (argc >= 2 && strcmp(argv[1], "oom") == 0)
        return grow();
    if (argc >= 4 && strcmp(argv[1], "write") == 0)
        return write_mib(argv[2], atol(argv[3]));
    fprintf(stderr, "usage: petrel_messages kill SIG | abort | oom | write FILE MIB\n");
    return 2;
}
