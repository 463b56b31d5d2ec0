/* epoll_pwait: signals and epoll. A handler installed with SA_RESTART still ends
 * epoll_wait with EINTR (Linux never restarts it); epoll_pwait with a mask blocking the
 * signal is not interrupted (it times out, the signal runs after it returns); epoll_pwait2
 * takes a timespec; bad sigset sizes and timeouts fail. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got;
static pthread_t main_thread;

static void on_usr1(int sig)
{
    (void)sig;
    got++;
}

static void *poke(void *arg)
{
    usleep(30000);
    pthread_kill(main_thread, SIGUSR1);
    return arg;
}

static void show(const char *what, long r)
{
    printf("%s: %ld %s (handler ran %d)\n", what, r, r < 0 ? strerror(errno) : "", (int)got);
    got = 0;
}

int main(void)
{
    struct sigaction sa;
    struct epoll_event ev;
    sigset_t block;
    pthread_t t;
    struct timespec ts = {0, 50 * 1000 * 1000}, bad = {0, 1000000000};
    int ep = epoll_create1(0);

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    main_thread = pthread_self();

    pthread_create(&t, NULL, poke, NULL);
    show("epoll_wait, SA_RESTART handler", epoll_wait(ep, &ev, 1, 5000));
    pthread_join(t, NULL);

    pthread_create(&t, NULL, poke, NULL);
    show("epoll_wait forever", syscall(SYS_epoll_wait, ep, &ev, 1, -1));
    pthread_join(t, NULL);

    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    pthread_create(&t, NULL, poke, NULL);
    show("epoll_pwait blocking it (times out, then the handler)",
         epoll_pwait(ep, &ev, 1, 100, &block));
    pthread_join(t, NULL);

    pthread_create(&t, NULL, poke, NULL);
    show("epoll_pwait2 empty mask", syscall(SYS_epoll_pwait2, ep, &ev, 1, NULL, NULL, 8));
    pthread_join(t, NULL);

    show("epoll_pwait2 50ms", syscall(SYS_epoll_pwait2, ep, &ev, 1, &ts, &block, 8));
    show("epoll_pwait2 bad timeout", syscall(SYS_epoll_pwait2, ep, &ev, 1, &bad, NULL, 8));
    show("epoll_pwait bad size", syscall(SYS_epoll_pwait, ep, &ev, 1, 0, &block, 4));
    show("epoll_pwait bad mask", syscall(SYS_epoll_pwait, ep, &ev, 1, 0, (void *)8, 8));
    return 0;
}
