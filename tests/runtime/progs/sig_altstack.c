/* sig_altstack: an SA_ONSTACK handler runs on the sigaltstack (its local variable's address
 * is inside it, and sigaltstack reports SS_ONSTACK there); with SA_RESETHAND the second
 * SIGUSR2 takes the default action and ends the program (128 + 12). */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALT_SIZE (64 * 1024)

static char *alt;
static volatile sig_atomic_t ran, inside, onstack;

static void on_usr2(int sig)
{
    volatile char here;
    stack_t now;

    (void)sig;
    ran++;
    inside = (uintptr_t)&here >= (uintptr_t)alt && (uintptr_t)&here < (uintptr_t)alt + ALT_SIZE;
    onstack = sigaltstack(NULL, &now) == 0 && (now.ss_flags & SS_ONSTACK);
}

int main(void)
{
    struct sigaction sa;
    stack_t ss;
    volatile char mine;

    alt = malloc(ALT_SIZE);
    ss.ss_sp = alt, ss.ss_size = ALT_SIZE, ss.ss_flags = 0;
    if (!alt || sigaltstack(&ss, NULL))
        return 1;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr2;
    sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
    if (sigaction(SIGUSR2, &sa, NULL))
        return 2;
    raise(SIGUSR2);
    printf("ran %d inside %d onstack %d main-outside %d\n", (int)ran, (int)inside,
           (int)onstack,
           !((uintptr_t)&mine >= (uintptr_t)alt && (uintptr_t)&mine < (uintptr_t)alt + ALT_SIZE));
    sigaction(SIGUSR2, NULL, &sa);
    printf("reset to default %d\n", sa.sa_handler == SIG_DFL);
    fflush(stdout);
    raise(SIGUSR2);
    printf("survived\n");
    return 0;
}
