/* bench/boot/hello.c - stand-in static hello for bench/boot, used only until examples/hello
 * (the program `make run` boots) is built: bench/boot/run then boots this one as /init of the
 * Linux guest. One line on stdout, exit 0. */
#include <stdio.h>

int main(void)
{
    puts("hello, world");
    return 0;
}
