/* memory: mmap/munmap/mprotect (anonymous and a private file mapping), brk, malloc. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    size_t len = 64 * 4096;
    unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    setvbuf(stdout, NULL, _IOLBF, 0); /* a crash loses no line, natively too */
    if (p == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    int zero = 1;
    for (size_t i = 0; i < len; i++)
        zero &= p[i] == 0;
    printf("anonymous pages zeroed: %d, page aligned: %d\n", zero, ((uintptr_t)p & 4095) == 0);
    for (size_t i = 0; i < len; i += 4096)
        p[i] = (unsigned char)(i / 4096);
    printf("mprotect read-only: %d\n", mprotect(p, len, PROT_READ));
    unsigned sum = 0;
    for (size_t i = 0; i < len; i += 4096)
        sum += p[i];
    printf("sum after mprotect %u\n", sum);
    printf("munmap middle: %d\n", munmap(p + 16 * 4096, 16 * 4096));
    printf("munmap rest: %d %d\n", munmap(p, 16 * 4096), munmap(p + 32 * 4096, 32 * 4096));
    printf("mmap len 0 fails: %d\n",
           mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED);

    int fd = open("data/motd.txt", O_RDONLY);
    char *f = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    if (f == MAP_FAILED) {
        perror("mmap file");
        return 2;
    }
    printf("file mapping: %.18s, byte past EOF %d\n", f, f[200]);
    f[0] = 'w'; /* private: the file does not change */
    printf("after private write: %.18s\n", f);
    munmap(f, 4096);

    /* brk as the kernel offers it (musl's sbrk refuses to grow; malloc does not use it) */
    char *b0 = (char *)syscall(SYS_brk, 0);
    char *b1 = (char *)syscall(SYS_brk, b0 + (1 << 20));
    printf("brk grew by 1 MiB: %d\n", b1 == b0 + (1 << 20));
    memset(b0, 0xab, 1 << 20);
    printf("brk shrink: %d\n", (char *)syscall(SYS_brk, b0) == b0);
    printf("brk below start refused: %d\n", (char *)syscall(SYS_brk, b0 - (64 << 20)) == b0);

    size_t total = 0;
    for (int i = 0; i < 64; i++) {
        char *m = malloc(100000);
        memset(m, i, 100000);
        total += m[99999] == (char)i;
        free(m);
    }
    char *big = malloc(16 << 20);
    memset(big, 1, 16 << 20);
    printf("malloc ok %zu, big %d\n", total, big[(16 << 20) - 1]);
    free(big);
    return 0;
}
