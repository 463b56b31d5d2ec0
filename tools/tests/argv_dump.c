/*
 * argv_dump: argc, then each argument and each environment string with its length and its
 * bytes (printable ASCII as is, the rest \xHH), one per line - so an argument holding a
 * newline, a quote, a byte over 0x7f or nothing at all is told apart from any other
 * (tools/tests/petrel_image_test.sh compares this with the native run).
 */
#include <stdio.h>
#include <string.h>

extern char **environ;

static void dump(const char *what, int i, const char *s)
{
    printf("%s[%d] %zu ", what, i, strlen(s));
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (*c >= 0x20 && *c < 0x7f && *c != '\\')
            putchar(*c);
        else
            printf("\\x%02x", *c);
    putchar('\n');
}

int main(int argc, char **argv)
{
    int n = 0;

    printf("argc %d\n", argc);
    for (int i = 0; i < argc; i++)
        dump("argv", i, argv[i]);
    for (char **e = environ; *e; e++)
        dump("env", n++, *e);
    return 0;
}
