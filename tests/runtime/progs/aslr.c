/*
 * aslr.c - print where the stack, the heap (brk), an anonymous mapping, the program
 * itself and the vDSO (AT_SYSINFO_EHDR) are (the runtime test boots the same image twice and compares: tests/runtime/aslr.sh).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
    int local;
    void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    printf("stack=%p\n", (void *)&local);
    printf("brk=%p\n", sbrk(0));
    printf("mmap=%p\n", m);
    printf("text=%p\n", (void *)main);
    printf("vdso=%p\n", (void *)getauxval(AT_SYSINFO_EHDR));
    return m == MAP_FAILED;
}
