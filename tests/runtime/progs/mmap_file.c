/*
 * mmap_file: file mappings beyond mem_maps' checks. Two MAP_SHARED mappings of one file (at
 * two addresses) see each other's stores at once, and write(2) to the file is seen through
 * both; a MAP_PRIVATE mapping sees the file's data, and a page it has written is its own
 * (a later write(2) to the file does not show there); a mapping at a non-zero page offset;
 * msync(MS_SYNC) then read(2) agrees; munmap then read(2) keeps the stores; a file extended
 * with ftruncate is mapped over its new pages (zeros); msync with bad flags is EINVAL and on
 * an unaligned address EINVAL; mapping a file opened O_WRONLY is EACCES, PROT_WRITE shared
 * over O_RDONLY is EACCES. argv[1]: a scratch file.
 * Output is the same natively and in Petrel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PG 4096

static const char *err(void *p)
{
    if (p != MAP_FAILED)
        return "mapped";
    return errno == EACCES ? "EACCES" : errno == EINVAL ? "EINVAL" : "other";
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "tmp/mmap_file.dat";
    char buf[32];
    int fd;

    setvbuf(stdout, NULL, _IOLBF, 0);
    unlink(path);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    ftruncate(fd, 4 * PG);
    pwrite(fd, "page0", 5, 0);
    pwrite(fd, "page2", 5, 2 * PG);

    char *a = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *b = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *pv = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    char *off = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 2 * PG);
    printf("mapped: two shared at different addresses %d, private, offset %d\n",
           a != MAP_FAILED && b != MAP_FAILED && a != b, off != MAP_FAILED);
    memcpy(a + 100, "via a", 5);
    printf("store through a, seen through b: %.5s; private sees it too (page untouched): %.5s\n",
           b + 100, pv + 100);
    pwrite(fd, "via write", 9, 200);
    /* (not through pv: its page 0 is touched, and Petrel copies a private page at the first
     * touch, where Linux shares it until it is written - docs/CAVEATS.md) */
    printf("write(2) seen by a: %.9s, b: %.9s\n", a + 200, b + 200);
    memcpy(pv + PG + 10, "private", 7); /* page 1 becomes the private mapping's own */
    pwrite(fd, "file!!!", 7, PG + 10);
    printf("private page after its own store: %.7s; shared: %.7s\n", pv + PG + 10, a + PG + 10);
    printf("offset mapping reads page 2: %.5s\n", off);
    memcpy(b + 2 * PG + 6, "shared", 6);
    printf("store to page 2 through b, seen at the offset mapping: %.6s\n", off + 6);

    printf("msync(MS_SYNC): %d\n", msync(a, 4 * PG, MS_SYNC));
    pread(fd, buf, 5, 100);
    printf("read(2) after msync: %.5s\n", buf);
    printf("msync bad flags: %s\n",
           msync(a, PG, MS_SYNC | MS_ASYNC) ? (errno == EINVAL ? "EINVAL" : "other") : "0");
    printf("msync unaligned: %s\n",
           msync(a + 1, PG, MS_SYNC) ? (errno == EINVAL ? "EINVAL" : "other") : "0");
    memcpy(a + 3 * PG, "last page", 9);
    munmap(a, 4 * PG);
    munmap(b, 4 * PG);
    pread(fd, buf, 9, 3 * PG);
    printf("read(2) after munmap: %.9s\n", buf);

    ftruncate(fd, 6 * PG);
    char *grown = mmap(NULL, 6 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int zero = 1;
    for (int i = 4 * PG; i < 6 * PG; i++)
        zero &= grown[i] == 0;
    grown[5 * PG + 1] = 'Z';
    pread(fd, buf, 1, 5 * PG + 1);
    printf("after ftruncate to 6 pages: new pages zero %d, a store there reaches the file %c\n",
           zero, buf[0]);
    munmap(grown, 6 * PG);
    munmap(pv, 4 * PG);
    munmap(off, PG);
    close(fd);

    int wo = open(path, O_WRONLY);
    printf("map a write-only file: %s\n", err(mmap(NULL, PG, PROT_READ, MAP_SHARED, wo, 0)));
    close(wo);
    int ro = open(path, O_RDONLY);
    printf("shared PROT_WRITE over O_RDONLY: %s\n",
           err(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0)));
    void *prw = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
    printf("private PROT_WRITE over O_RDONLY: %s\n", err(prw));
    printf("unaligned offset: %s\n", err(mmap(NULL, PG, PROT_READ, MAP_SHARED, ro, 100)));
    close(ro);
    unlink(path);
    return 0;
}
