/*
 * sig_flags: what sigaction's flags and mask change. Without SA_NODEFER a signal raised in
 * its own handler stays pending until the handler returns (no nesting, one more run after);
 * with SA_NODEFER it nests at once. sa_mask blocks another signal during the handler only.
 * SA_RESETHAND runs the handler once and then the default action is back (sigaction reads
 * SIG_DFL; for SIGUSR2 the next one ends the program: exit status 128 + 12 checked by the
 * test runner). The mask in the handler's ucontext is the one restored by sigreturn: a
 * handler that adds SIGINT to uc_sigmask leaves SIGINT blocked afterwards.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

static volatile int depth, max_depth, runs, usr2_runs, usr2_blocked_in, usr2_blocked_out;

static void nest(int sig)
{
    depth++;
    if (depth > max_depth)
        max_depth = depth;
    runs++;
    if (runs == 1)
        raise(sig);
    depth--;
}

static void with_mask(int sig)
{
    sigset_t cur;

    (void)sig;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    usr2_blocked_in = sigismember(&cur, SIGUSR2);
    raise(SIGUSR2); /* pending until this handler returns */
    usr2_blocked_out = usr2_runs;
}

static void count_usr2(int sig)
{
    (void)sig;
    usr2_runs++;
}

static void block_int(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;

    (void)sig;
    (void)si;
    sigaddset(&uc->uc_sigmask, SIGINT);
}

static void install(int sig, void (*fn)(int), int flags, int masked)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    if (masked)
        sigaddset(&sa.sa_mask, masked);
    sigaction(sig, &sa, NULL);
}

int main(void)
{
    struct sigaction old;
    sigset_t cur;

    setvbuf(stdout, NULL, _IOLBF, 0);
    install(SIGUSR1, nest, 0, 0);
    raise(SIGUSR1);
    printf("deferred: %d runs, deepest nesting %d\n", runs, max_depth);
    runs = max_depth = 0;
    install(SIGUSR1, nest, SA_NODEFER, 0);
    raise(SIGUSR1);
    printf("SA_NODEFER: %d runs, deepest nesting %d\n", runs, max_depth);

    install(SIGUSR2, count_usr2, 0, 0);
    install(SIGUSR1, with_mask, 0, SIGUSR2);
    raise(SIGUSR1);
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("sa_mask: SIGUSR2 blocked in the handler %d, ran inside %d, ran after %d, "
           "blocked after %d\n",
           usr2_blocked_in, usr2_blocked_out, usr2_runs, sigismember(&cur, SIGUSR2));

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = block_int;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("uc_sigmask: SIGINT blocked after the handler %d\n", sigismember(&cur, SIGINT));
    sigprocmask(SIG_UNBLOCK, &cur, NULL);

    usr2_runs = 0;
    install(SIGUSR2, count_usr2, SA_RESETHAND, 0);
    raise(SIGUSR2);
    sigaction(SIGUSR2, NULL, &old);
    printf("SA_RESETHAND: ran %d, now SIG_DFL %d, SA_RESETHAND still in sa_flags %d\n", usr2_runs,
           old.sa_handler == SIG_DFL, !!(old.sa_flags & SA_RESETHAND));
    raise(SIGUSR2);
    printf("not reached\n");
    return 0;
}
