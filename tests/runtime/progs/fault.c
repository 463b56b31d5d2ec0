/* fault: a fatal fault ends the program with 128 + signal, as a shell sees it on Linux.
 * argv[1]: segv (write to address 16), ill (ud2), wp (write to read-only text). */
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "segv";

    write(1, "before the fault\n", 17);
    if (strcmp(what, "segv") == 0)
        *(volatile int *)16 = 1;
    else if (strcmp(what, "ill") == 0)
        __asm__ __volatile__("ud2");
    else if (strcmp(what, "wp") == 0)
        *(volatile char *)(void *)main = 0;
    write(1, "not reached\n", 12);
    return 0;
}
