/* random: getrandom fills buffers, two draws differ, flags are checked. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

int main(void)
{
    unsigned char a[64], b[64];

    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    printf("getrandom a: %zd\n", getrandom(a, sizeof(a), 0));
    printf("getrandom b: %zd\n", getrandom(b, sizeof(b), GRND_NONBLOCK));
    int nz = 0;
    for (size_t i = 0; i < sizeof(a); i++)
        nz += a[i] != 0;
    printf("mostly non-zero: %d\n", nz > 48);
    printf("draws differ: %d\n", memcmp(a, b, sizeof(a)) != 0);
    errno = 0;
    printf("bad flags: %zd %s\n", getrandom(a, 8, 0x100), strerror(errno));
    printf("zero length: %zd\n", getrandom(a, 0, 0));
    return 0;
}
