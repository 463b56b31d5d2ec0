/* A real program for the loader tests (built static / static-PIE at build time). */
#include <stdio.h>

static int data_word = 42;
static char bss_buf[8192];

int main(int argc, char **argv)
{
    bss_buf[argc] = (char)data_word;
    printf("hello from %s (%d)\n", argc > 0 ? argv[0] : "?", bss_buf[argc]);
    return 3;
}
