/* fpu: SSE/x87 arithmetic, and the rounding mode (MXCSR / x87 control word) kept across
 * system calls that sleep and switch threads in the kernel. */
#include <fenv.h>
#include <math.h>
#include <stdio.h>
#include <time.h>

static volatile double one = 1.0, three = 3.0;

int main(void)
{
    struct timespec ts = {0, 10 * 1000 * 1000};
    double x = 0;

    for (int i = 1; i <= 1000; i++)
        x += 1.0 / ((double)i * i);
    printf("sum 1/i^2 = %.12f\n", x);
    printf("sqrt(2) = %.15f\n", sqrt(2.0));
    long double ld = 1.0L / 3.0L;
    printf("1/3 (long double) = %.18Lf\n", ld);

    fesetround(FE_UPWARD);
    nanosleep(&ts, NULL);
    double up = one / three;
    printf("round upward kept: %d\n", fegetround() == FE_UPWARD);
    fesetround(FE_DOWNWARD);
    nanosleep(&ts, NULL);
    double down = one / three;
    printf("round downward kept: %d, up > down: %d\n", fegetround() == FE_DOWNWARD, up > down);
    fesetround(FE_TONEAREST);

    volatile double regs[8];
    for (int i = 0; i < 8; i++)
        regs[i] = i * 1.5;
    nanosleep(&ts, NULL);
    double s = 0;
    for (int i = 0; i < 8; i++)
        s += regs[i];
    printf("values kept: %.1f\n", s);
    return 0;
}
