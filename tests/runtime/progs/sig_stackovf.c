/*
 * sig_stackovf: a stack overflow caught. A thread with a 64 KiB stack recurses until it runs
 * into the guard page below its stack; the SIGSEGV cannot run on the exhausted stack, so the
 * handler is installed with SA_ONSTACK and the thread has its own sigaltstack: the handler
 * checks it runs on that stack (a local's address, SS_ONSTACK) and siglongjmp's out; the
 * thread then overflows again (the mask was restored by siglongjmp), and a second thread
 * without a sigaltstack shows that the altstack is per thread (sigaltstack reports
 * SS_DISABLE there). Output is the same natively and in Petrel.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALT_SIZE (64 * 1024)

static __thread sigjmp_buf env;
static __thread char *alt;
static volatile int on_alt, ss_onstack, caught;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    char here;
    stack_t ss;

    (void)sig;
    (void)si;
    (void)uc;
    on_alt = alt && &here >= alt && &here < alt + ALT_SIZE;
    ss_onstack = sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK);
    caught++;
    siglongjmp(env, 1);
}

static int depth;
static volatile int limit = 1 << 30; /* never reached: the stack ends first */

static int recurse(int n)
{
    volatile char pad[512];

    pad[0] = (char)n;
    depth = n;
    if (n == limit)
        return 0;
    return recurse(n + 1) + pad[0];
}

static void *overflower(void *arg)
{
    stack_t ss = {0};

    (void)arg;
    alt = malloc(ALT_SIZE);
    ss.ss_sp = alt;
    ss.ss_size = ALT_SIZE;
    sigaltstack(&ss, NULL);
    for (int round = 1; round <= 2; round++) {
        on_alt = ss_onstack = 0;
        if (sigsetjmp(env, 1) == 0) {
            recurse(0);
            printf("round %d: recursion returned?\n", round);
        } else {
            printf("round %d: overflow caught: on the altstack %d, SS_ONSTACK %d, depth > 50 %d\n",
                   round, on_alt, ss_onstack, depth > 50);
        }
    }
    sigaltstack(NULL, &ss);
    printf("after the handlers: SS_ONSTACK %d, size %zu\n", !!(ss.ss_flags & SS_ONSTACK),
           (size_t)ss.ss_size);
    return NULL;
}

static void *no_altstack(void *arg)
{
    stack_t ss;

    (void)arg;
    sigaltstack(NULL, &ss);
    printf("another thread: SS_DISABLE %d\n", !!(ss.ss_flags & SS_DISABLE));
    return NULL;
}

int main(void)
{
    struct sigaction sa;
    pthread_attr_t a;
    pthread_t t;

    setvbuf(stdout, NULL, _IOLBF, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, NULL);
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 64 * 1024);
    pthread_attr_setguardsize(&a, 4096);
    pthread_create(&t, &a, overflower, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, no_altstack, NULL);
    pthread_join(t, NULL);
    printf("caught %d\n", caught);
    return 0;
}
