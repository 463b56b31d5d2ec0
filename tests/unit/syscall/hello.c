/* A program for proc_start tests: its bytes are loaded, never run, in hosted mode. */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("hello from %s, %d arguments\n", argv[0], argc);
    return 7;
}
