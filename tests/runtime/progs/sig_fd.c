/*
 * sig_fd: signalfd. Blocked signals read as signalfd_siginfo records: one a helper thread
 * sends while the main thread waits in poll, then in a blocking read; queued real-time
 * signals with their values, several per read; O_NONBLOCK's EAGAIN; a new mask on the fd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

static pthread_t main_thread;

static void *helper(void *arg)
{
    struct timespec ts = {0, 100000000};

    nanosleep(&ts, NULL);
    pthread_kill(main_thread, (int)(long)arg);
    return NULL;
}

static void show(const char *what, const struct signalfd_siginfo *r)
{
    printf("%s: signo %u code %d pid_ok %d int %d\n", what, r->ssi_signo, r->ssi_code,
           r->ssi_pid == (unsigned)getpid(), r->ssi_int);
}

int main(void)
{
    struct signalfd_siginfo r[4];
    sigset_t set;
    pthread_t h;
    struct pollfd pfd;
    int fd, n, rc;

    setvbuf(stdout, NULL, _IOLBF, 0);
    main_thread = pthread_self();
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1), sigaddset(&set, SIGUSR2), sigaddset(&set, SIGRTMIN + 1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    fd = signalfd(-1, &set, SFD_CLOEXEC);
    /* poll until another thread's signal arrives */
    pthread_create(&h, NULL, helper, (void *)(long)SIGUSR1);
    pfd = (struct pollfd){fd, POLLIN, 0};
    rc = poll(&pfd, 1, 5000);
    pthread_join(h, NULL);
    printf("poll -> %d revents %#x\n", rc, pfd.revents);
    n = (int)read(fd, r, sizeof(r));
    printf("read -> %d\n", n);
    show("first", &r[0]);
    /* a blocking read */
    pthread_create(&h, NULL, helper, (void *)(long)SIGUSR2);
    n = (int)read(fd, r, sizeof(r));
    pthread_join(h, NULL);
    printf("blocking read -> %d\n", n);
    show("second", &r[0]);
    /* queued values, several records per read */
    for (int i = 0; i < 3; i++)
        sigqueue(getpid(), SIGRTMIN + 1, (union sigval){.sival_int = 10 + i});
    raise(SIGUSR1);
    n = (int)read(fd, r, sizeof(r));
    printf("read -> %d records\n", n / (int)sizeof(r[0]));
    for (int i = 0; i < n / (int)sizeof(r[0]); i++)
        show("queued", &r[i]);
    /* non-blocking (signalfd's flags on an existing fd change nothing), then a new mask */
    fcntl(fd, F_SETFL, O_NONBLOCK);
    n = (int)read(fd, r, sizeof(r));
    printf("nonblocking read -> %d %s\n", n, n < 0 ? strerror(errno) : "");
    raise(SIGUSR2);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    signalfd(fd, &set, 0);
    n = (int)read(fd, r, sizeof(r));
    printf("other mask -> %d %s\n", n, n < 0 ? strerror(errno) : "");
    sigemptyset(&set);
    sigpending(&set);
    printf("SIGUSR2 still pending %d\n", sigismember(&set, SIGUSR2));
    return 0;
}
