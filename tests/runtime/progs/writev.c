/* writev: gather writes to stdout and to a file, readv back. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static volatile int bad_count = -1;

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "tmp/writev.txt";
    struct iovec v[4] = {
        {"one ", 4},
        {"two ", 4},
        {"", 0},
        {"three\n", 6},
    };
    ssize_t n = writev(1, v, 4);
    char a[5] = {0}, b[20] = {0};

    printf("writev to stdout returned %zd\n", n);
    int fd = open(name, O_CREAT | O_TRUNC | O_RDWR, 0600);
    printf("writev to file %zd\n", writev(fd, v, 4));
    struct iovec r[2] = {{a, 4}, {b, sizeof(b) - 1}};
    printf("lseek %lld\n", (long long)lseek(fd, 0, SEEK_SET));
    printf("readv %zd: [%s] [%s]\n", readv(fd, r, 2), a, b);
    close(fd);
    unlink(name);
    printf("writev bad iov count: %zd\n", writev(1, v, bad_count));
    return 0;
}
