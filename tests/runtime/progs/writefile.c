/* writefile: create a new file (name from argv[1]), write, read back, stat, rename, unlink. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "tmp/new.txt";
    char other[256], buf[8192];
    struct stat st;
    int fd = open(name, O_CREAT | O_TRUNC | O_WRONLY, 0644);

    if (fd < 0) {
        printf("create failed: %s\n", strerror(errno));
        return 1;
    }
    for (int i = 0; i < 100; i++)
        dprintf(fd, "line %03d of the new file\n", i);
    printf("size after writes %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    if (fsync(fd) != 0)
        printf("fsync: %s\n", strerror(errno));
    close(fd);

    fd = open(name, O_RDWR);
    ssize_t n = read(fd, buf, sizeof(buf));
    printf("read back %zd bytes, line 42: %.25s", n, buf + 42 * 26);
    printf("\n");
    pwrite(fd, "LINE", 4, 0);
    ftruncate(fd, 26 * 10);
    fstat(fd, &st);
    printf("after ftruncate size %lld\n", (long long)st.st_size);
    n = pread(fd, buf, 30, 0);
    printf("first line now: %.25s\n", buf);
    close(fd);

    snprintf(other, sizeof(other), "%s.renamed", name);
    printf("rename %d\n", rename(name, other));
    printf("stat old: %s\n", stat(name, &st) == 0 ? "exists" : strerror(errno));
    printf("stat new: %s size %lld\n", stat(other, &st) == 0 ? "exists" : strerror(errno),
           (long long)st.st_size);
    printf("unlink %d\n", unlink(other));
    printf("stat after unlink: %s\n", stat(other, &st) == 0 ? "exists" : strerror(errno));
    return 0;
}
