/* hello - the first program Petrel runs (make run): one line on stdout, then exit with the
 * code given as the second argument (0 without one), which reaches the shell through QEMU
 * (docs/running.md). `make run` exits 0 only when the program does: make turns any other
 * code into its own 2, while scripts/run and scripts/qemu return it exactly. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    printf("Hello from %s, running on Petrel (argc %d)\n", argc > 0 ? argv[0] : "?", argc);
    return argc > 2 ? atoi(argv[2]) : 0;
}
