/*
 * sig_wait: waiting for signals. sigsuspend with a temporary mask (the handler runs under
 * it, the old mask is back afterwards); pause until a helper thread's signal; sigtimedwait
 * taking a signal a helper sends later, timing out with EAGAIN, and interrupted (EINTR) by a
 * handled signal outside its set; sigqueue with real-time signals delivered to a handler in
 * order (lowest number first, each queued value in turn) and standard signals merging.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_t main_thread;
static volatile sig_atomic_t handled, in_handler_blocked_usr2;
static int order[16], norder;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
    sigset_t now;

    (void)uc;
    handled++;
    pthread_sigmask(SIG_BLOCK, NULL, &now);
    in_handler_blocked_usr2 = sigismember(&now, SIGUSR2);
    if (norder < 16)
        order[norder++] = sig * 100 + (si->si_code == SI_QUEUE ? si->si_value.sival_int : 99);
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static int helper_sig;
static void *helper(void *arg)
{
    (void)arg;
    pause_ms(100);
    pthread_kill(main_thread, helper_sig);
    return NULL;
}

static void later(int sig, pthread_t *h)
{
    helper_sig = sig;
    pthread_create(h, NULL, helper, NULL);
}

static void handle(int sig)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sig;
    sa.sa_flags = SA_SIGINFO;
    sigaction(sig, &sa, NULL);
}

int main(void)
{
    sigset_t usr1, usr2, both, none, old, set;
    siginfo_t si;
    struct timespec ts = {0, 50000000};
    pthread_t h;
    int rc;

    setvbuf(stdout, NULL, _IOLBF, 0);
    main_thread = pthread_self();
    sigemptyset(&none);
    sigemptyset(&usr1), sigaddset(&usr1, SIGUSR1);
    sigemptyset(&usr2), sigaddset(&usr2, SIGUSR2);
    sigemptyset(&both), sigaddset(&both, SIGUSR1), sigaddset(&both, SIGUSR2);
    handle(SIGUSR1);

    /* sigsuspend: SIGUSR1 blocked and pending; the temporary mask lets it in */
    sigprocmask(SIG_BLOCK, &usr1, &old);
    raise(SIGUSR1);
    rc = sigsuspend(&usr2);
    pthread_sigmask(SIG_BLOCK, NULL, &set);
    printf("sigsuspend -> %d %s, handled %d, usr2 blocked in handler %d, usr1 blocked after %d\n",
           rc, strerror(errno), (int)handled, (int)in_handler_blocked_usr2,
           sigismember(&set, SIGUSR1));
    /* sigsuspend until another thread's signal */
    later(SIGUSR1, &h);
    rc = sigsuspend(&none);
    pthread_join(h, NULL);
    printf("sigsuspend (later) -> %d %s, handled %d\n", rc, strerror(errno), (int)handled);
    sigprocmask(SIG_SETMASK, &old, NULL);

    /* pause */
    later(SIGUSR1, &h);
    rc = pause();
    pthread_join(h, NULL);
    printf("pause -> %d %s, handled %d\n", rc, strerror(errno), (int)handled);

    /* sigtimedwait: a signal that arrives later, a timeout, an interruption */
    sigprocmask(SIG_BLOCK, &usr2, NULL);
    later(SIGUSR2, &h);
    rc = sigtimedwait(&usr2, &si, NULL);
    pthread_join(h, NULL);
    printf("sigtimedwait -> %d code %d (SI_TKILL %d)\n", rc, si.si_code, SI_TKILL);
    rc = sigtimedwait(&usr2, &si, &ts);
    printf("sigtimedwait (timeout) -> %d %s\n", rc, strerror(errno));
    later(SIGUSR1, &h);
    ts.tv_sec = 5;
    rc = sigtimedwait(&usr2, &si, &ts);
    pthread_join(h, NULL);
    printf("sigtimedwait (other signal) -> %d %s, handled %d\n", rc, strerror(errno),
           (int)handled);

    /* queued real-time signals: delivered in order on unblock */
    handle(SIGRTMIN + 2);
    handle(SIGRTMIN + 3);
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN + 2), sigaddset(&set, SIGRTMIN + 3), sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    for (int i = 0; i < 3; i++)
        sigqueue(getpid(), SIGRTMIN + 3, (union sigval){.sival_int = i});
    sigqueue(getpid(), SIGRTMIN + 2, (union sigval){.sival_int = 7});
    sigqueue(getpid(), SIGUSR1, (union sigval){.sival_int = 1});
    sigqueue(getpid(), SIGUSR1, (union sigval){.sival_int = 2});
    norder = 0;
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("order:");
    for (int i = 0; i < norder; i++)
        printf(" %d:%d", order[i] / 100 == SIGUSR1 ? 0 : order[i] / 100 - SIGRTMIN,
               order[i] % 100);
    printf(" (signal - SIGRTMIN : value; 0 is SIGUSR1)\n");
    return 0;
}
