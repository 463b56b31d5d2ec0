/* rt_exec <binary> <argv0> [args...]: exec binary with argv = { argv0, args... } and this
 * process's environment unchanged (run.sh: `env -i VARS... rt_exec ...`, so the native run
 * gets exactly the variables, in the order, that the Petrel manifest gives). */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: rt_exec <binary> <argv0> [args...]\n");
        return 127;
    }
    execv(argv[1], argv + 2);
    perror(argv[1]);
    return 127;
}
