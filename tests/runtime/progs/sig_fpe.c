/* sig_fpe: an integer division by zero raises SIGFPE (FPE_INTDIV), caught and left with
 * siglongjmp; then, without a handler, it ends the program (136). */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static sigjmp_buf env;
static volatile sig_atomic_t code, signo;
static volatile int zero;

static void on_fpe(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    signo = sig;
    code = si->si_code;
    siglongjmp(env, 1);
}

int main(void)
{
    struct sigaction sa;
    volatile int r = 0;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fpe;
    sa.sa_flags = SA_SIGINFO;
    if (sigaction(SIGFPE, &sa, NULL))
        return 1;
    if (sigsetjmp(env, 1) == 0)
        r = 7 / zero;
    printf("caught signo %d code %d intdiv %d r %d\n", (int)signo, (int)code,
           code == FPE_INTDIV, r);
    fflush(stdout);
    signal(SIGFPE, SIG_DFL);
    r = 9 / zero;
    printf("survived %d\n", r);
    return 0;
}
