/*
 * rlimit_as.c - RLIMIT_AS enforced (docs/memory.md): under a 256 MiB limit a 512 MiB mmap, a
 * brk growth past it, a mremap growing past it and a 512 MiB malloc fail with ENOMEM while a
 * 64 MiB mapping works; raising the limit again lets the big mapping through.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define MIB (1024UL * 1024)

static void *map(size_t len)
{
    return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

int main(void)
{
    struct rlimit rl = {256 * MIB, RLIM_INFINITY}, inf = {RLIM_INFINITY, RLIM_INFINITY};
    void *small, *big, *p;

    setvbuf(stdout, NULL, _IONBF, 0);
    printf("setrlimit AS 256 MiB: %d\n", setrlimit(RLIMIT_AS, &rl));
    small = map(64 * MIB);
    printf("mmap 64 MiB: %s\n", small == MAP_FAILED ? strerror(errno) : "ok");
    big = map(512 * MIB);
    printf("mmap 512 MiB: %s\n", big == MAP_FAILED ? strerror(errno) : "ok");
    p = mmap(NULL, 512 * MIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    printf("mmap 512 MiB PROT_NONE NORESERVE: %s\n", p == MAP_FAILED ? strerror(errno) : "ok");
    p = mremap(small, 64 * MIB, 512 * MIB, MREMAP_MAYMOVE);
    printf("mremap 64 -> 512 MiB: %s\n", p == MAP_FAILED ? strerror(errno) : "ok");
    p = mremap(small, 64 * MIB, 32 * MIB, 0);
    printf("mremap 64 -> 32 MiB: %s\n", p == MAP_FAILED ? strerror(errno) : "ok");
    errno = 0;
    p = sbrk((intptr_t)(512 * MIB));
    printf("sbrk 512 MiB: %s\n", p == (void *)-1 ? strerror(errno) : "ok");
    p = malloc(512 * MIB);
    printf("malloc 512 MiB: %s\n", p ? "ok" : "NULL");
    free(p);
    printf("setrlimit AS infinity: %d\n", setrlimit(RLIMIT_AS, &inf));
    big = map(512 * MIB);
    printf("mmap 512 MiB: %s\n", big == MAP_FAILED ? strerror(errno) : "ok");
    return 0;
}
