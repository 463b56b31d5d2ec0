/* hello - the first program Petrel runs (make run): one line on stdout, then an exit code the
 * kernel hands back to the shell through QEMU (docs/running.md). */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    printf("Hello from %s, running on Petrel (argc %d)\n", argc > 0 ? argv[0] : "?", argc);
    return argc > 1 ? 3 : 0;
}
