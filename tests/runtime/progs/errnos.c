/* errnos: error cases return -1 with Linux's errno. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define CHECK(expr) report(#expr, (long)(expr))

static void report(const char *what, long r)
{
    printf("%-45s -> %ld %s\n", what, r, r < 0 ? strerror(errno) : "");
    errno = 0;
}

static void *volatile bad_ptr = (void *)8;

int main(void)
{
    struct stat st;
    struct termios t;
    char buf[16];
    int fd = open("data/motd.txt", O_RDONLY);

    CHECK(open("data/missing.txt", O_RDONLY));
    CHECK(open("data/motd.txt/x", O_RDONLY));
    CHECK(open("data", O_WRONLY));
    CHECK(open("data/motd.txt", O_RDONLY | O_DIRECTORY));
    CHECK(open("data/motd.txt", O_CREAT | O_EXCL | O_WRONLY, 0644));
    CHECK(read(99, buf, 1));
    CHECK(close(99));
    CHECK(write(fd, "x", 1));
    CHECK(read(fd, bad_ptr, 4));
    CHECK(lseek(fd, -1, SEEK_SET));
    CHECK(ioctl(fd, TCGETS, &t));
    CHECK(stat("no/such/path", &st));
    CHECK(mkdir("data", 0755));
    CHECK(rmdir("data/sub"));
    CHECK(unlink("data/missing.txt"));
    CHECK(unlink("data/sub"));
    CHECK(chdir("data/motd.txt"));
    CHECK(dup2(fd, -1));
    CHECK(readlink("data/motd.txt", buf, sizeof(buf)));
    CHECK(access("data/missing.txt", F_OK));
    CHECK(access("data/motd.txt", R_OK));
    return 0;
}
