/*
 * file_io: offsets and sizes of a regular file. O_APPEND writes go to the end whatever the
 * offset (and pwrite on an O_APPEND descriptor too, as Linux does); pread/pwrite leave the
 * offset alone; lseek past the end then write leaves a hole of zeros; SEEK_END with negative
 * and positive offsets, a negative result EINVAL; ftruncate shrinking then growing reads back
 * zeros; SEEK_DATA/SEEK_HOLE over a file with data only at its start (the hole answers are
 * those every filesystem may give: data at 0, a hole at or before the end, ENXIO past the
 * end); two descriptors of one file share the data but not the offset, dup'd ones share it.
 * argv[1]: a scratch file. Output is the same natively and in Petrel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static off_t size_of(int fd)
{
    struct stat st;

    fstat(fd, &st);
    return st.st_size;
}

/* lseek's result, or the errno's name when it fails */
static const char *seek(int fd, off_t off, int whence)
{
    static char b[32];
    off_t r = lseek(fd, off, whence);

    if (r >= 0)
        snprintf(b, sizeof(b), "%lld", (long long)r);
    else
        snprintf(b, sizeof(b), "%s", errno == EINVAL ? "EINVAL" : errno == ENXIO ? "ENXIO" : "?");
    return b;
}

static off_t pos(int fd)
{
    return lseek(fd, 0, SEEK_CUR);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "tmp/file_io.dat";
    char buf[64];
    int fd, ap, fd2, dupfd;
    ssize_t n;

    setvbuf(stdout, NULL, _IOLBF, 0);
    unlink(path);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(fd, "0123456789", 10);
    ap = open(path, O_WRONLY | O_APPEND);
    lseek(ap, 2, SEEK_SET);
    write(ap, "AB", 2);
    printf("O_APPEND write: size %lld, offset after %lld\n", (long long)size_of(fd),
           (long long)pos(ap));
    n = pwrite(ap, "CD", 2, 0);
    memset(buf, 0, sizeof(buf));
    pread(fd, buf, sizeof(buf) - 1, 0);
    printf("pwrite on O_APPEND (%zd): file %s\n", n, buf);

    lseek(fd, 3, SEEK_SET);
    n = pwrite(fd, "xy", 2, 5);
    memset(buf, 0, sizeof(buf));
    pread(fd, buf, 6, 3);
    printf("pwrite/pread at 5 and 3: %zd '%s', offset still %lld\n", n, buf, (long long)pos(fd));
    n = pread(fd, buf, 10, 100);
    printf("pread past the end: %zd\n", n);
    n = pread(fd, buf, 1, -1);
    printf("pread at -1: %zd %s\n", n, n < 0 && errno == EINVAL ? "EINVAL" : "?");

    printf("SEEK_END -4: %lld\n", (long long)lseek(fd, -4, SEEK_END));
    printf("SEEK_END +6: %lld\n", (long long)lseek(fd, 6, SEEK_END));
    write(fd, "!", 1);
    memset(buf, 'z', sizeof(buf));
    n = pread(fd, buf, 32, 14);
    printf("hole: size %lld, bytes 14..19 zero %d, then '%c'\n", (long long)size_of(fd),
           n == 7 && !memcmp(buf, "\0\0\0\0\0\0", 6), buf[6]);
    printf("SEEK_SET -1: %s\n", seek(fd, -1, SEEK_SET));
    printf("SEEK_CUR to -1: %s\n", seek(fd, -(pos(fd) + 1), SEEK_CUR));
    printf("bad whence: %s\n", seek(fd, 0, 77));

    ftruncate(fd, 4);
    ftruncate(fd, 8);
    memset(buf, 'z', sizeof(buf));
    n = pread(fd, buf, 32, 0);
    printf("ftruncate 4 then 8: read %zd, tail zero %d\n", n, !memcmp(buf + 4, "\0\0\0\0", 4));

    ftruncate(fd, 0);
    pwrite(fd, "data", 4, 0);
    ftruncate(fd, 1 << 20);
    off_t d = lseek(fd, 0, SEEK_DATA), h = lseek(fd, 0, SEEK_HOLE);
    printf("SEEK_DATA 0: %lld; SEEK_HOLE 0: at or before the end %d, past the data %d\n",
           (long long)d, h <= (1 << 20), h >= 4);
    printf("SEEK_DATA past the end: %s\n", seek(fd, 2 << 20, SEEK_DATA));
    printf("SEEK_HOLE past the end: %s\n", seek(fd, 2 << 20, SEEK_HOLE));
    printf("SEEK_HOLE at the end: %s\n", seek(fd, 1 << 20, SEEK_HOLE));

    ftruncate(fd, 0);
    lseek(fd, 0, SEEK_SET);
    fd2 = open(path, O_RDWR);
    dupfd = dup(fd);
    write(fd, "abcdef", 6);
    printf("offsets: fd %lld, its dup %lld, another open %lld\n", (long long)pos(fd),
           (long long)pos(dupfd), (long long)pos(fd2));
    n = read(fd2, buf, 3);
    printf("the other open reads '%.3s' from 0\n", buf);
    close(fd);
    close(fd2);
    close(dupfd);
    close(ap);
    unlink(path);
    return 0;
}
