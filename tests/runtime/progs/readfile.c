/* readfile: read a file that is in the image, with read, fstat, lseek and pread. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
    char buf[512];
    struct stat st;
    int fd = open("data/motd.txt", O_RDONLY);

    if (fd < 0) {
        perror("open");
        return 1;
    }
    if (fstat(fd, &st) != 0)
        return 2;
    printf("size %lld regular %d mode %o\n", (long long)st.st_size, S_ISREG(st.st_mode),
           (unsigned)(st.st_mode & 0777));
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    if (n < 0)
        return 3;
    buf[n] = 0;
    printf("read %zd bytes:\n%s", n, buf);
    printf("read at EOF: %zd\n", read(fd, buf, sizeof(buf)));
    printf("lseek(8, SET)=%lld\n", (long long)lseek(fd, 8, SEEK_SET));
    n = read(fd, buf, 6);
    printf("then read %zd: %.6s\n", n, buf);
    n = pread(fd, buf, 10, 19);
    printf("pread(10 @ 19) %zd: %.10s\n", n, buf);
    printf("offset after pread %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    close(fd);

    /* a larger binary file: checksum it */
    fd = open("data/blob.bin", O_RDONLY);
    unsigned long sum = 0, total = 0;
    while ((n = read(fd, buf, 333)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            sum = sum * 31 + (unsigned char)buf[i];
        total += (unsigned long)n;
    }
    printf("blob.bin: %lu bytes, hash %lx\n", total, sum);
    return close(fd);
}
