/* args: argv, envp and the auxiliary vector entries that do not depend on the machine. */
#include <elf.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

extern char **environ;

int main(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    for (char **e = environ; *e; e++)
        printf("env %s\n", *e);
    printf("AT_PAGESZ=%lu\n", getauxval(AT_PAGESZ));
    printf("AT_UID=%lu AT_EUID=%lu AT_GID=%lu AT_EGID=%lu\n", getauxval(AT_UID), getauxval(AT_EUID),
           getauxval(AT_GID), getauxval(AT_EGID));
    printf("AT_SECURE=%lu\n", getauxval(AT_SECURE));
    printf("AT_PHENT=%lu AT_PHDR set=%d AT_ENTRY set=%d\n", getauxval(AT_PHENT),
           getauxval(AT_PHDR) != 0, getauxval(AT_ENTRY) != 0);
    const char *plat = (const char *)getauxval(AT_PLATFORM);
    printf("AT_PLATFORM=%s\n", plat ? plat : "(none)");
    const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
    int nonzero = 0;
    for (int i = 0; rnd && i < 16; i++)
        nonzero |= rnd[i];
    printf("AT_RANDOM present=%d nonzero=%d\n", rnd != NULL, nonzero != 0);
    const char *fn = (const char *)getauxval(AT_EXECFN);
    size_t n = fn ? strlen(fn) : 0;
    printf("AT_EXECFN ends with /args: %d\n", n >= 5 && strcmp(fn + n - 5, "/args") == 0);
    return 0;
}
