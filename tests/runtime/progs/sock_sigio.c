/* sock_sigio: signal-driven I/O and urgent data on TCP and UDP over loopback. The owner
 * commands (F_SETOWN, F_GETOWN, F_SETOWN_EX, F_GETOWN_EX, F_SETSIG, F_GETSIG, SIOCSPGRP,
 * FIOSETOWN, FIOGETOWN, SIOCGPGRP, FIOASYNC, F_SETFL O_ASYNC) with their errors; SIGURG to a
 * process owner and to a thread owner (F_OWNER_TID), none without an owner; O_ASYNC's SIGIO,
 * and F_SETSIG's real-time signal with si_code, si_band and si_fd, for data, urgent data, a
 * connection on a listener, a completed connect, send space coming back, a datagram; recv
 * and MSG_PEEK at the urgent mark. Signals are blocked and taken with sigtimedwait after poll
 * saw the event, so nothing depends on timing. Prints what it saw, with no ids in it. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "rt_check.h"

#define SIGRT (SIGRTMIN + 2)

static const char *ename(int e)
{
    static const struct {
        int e;
        const char *name;
    } names[] = {{EPERM, "EPERM"},   {ESRCH, "ESRCH"},   {EBADF, "EBADF"},
                 {EFAULT, "EFAULT"}, {EINVAL, "EINVAL"}, {ENOTTY, "ENOTTY"},
                 {EAGAIN, "EAGAIN"}, {ENOTCONN, "ENOTCONN"}};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].e == e)
            return names[i].name;
    return "other";
}

/* "= rc" or "= -1 ENAME" for a call's result. */
static void show(const char *what, long rc)
{
    if (rc < 0)
        printf("%-40s = -1 %s\n", what, ename(errno));
    else
        printf("%-40s = %ld\n", what, rc);
}

static int tid(void)
{
    return (int)syscall(SYS_gettid);
}

/* Wait up to ms for sig (blocked); 0 when none came. */
static int take(int sig, int ms, siginfo_t *si)
{
    sigset_t set;
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

    sigemptyset(&set);
    sigaddset(&set, sig);
    memset(si, 0, sizeof(*si));
    return sigtimedwait(&set, si, &ts) == sig ? sig : 0;
}

/* Drop every pending instance of sig. */
static void drain(int sig)
{
    siginfo_t si;

    while (take(sig, 0, &si))
        ;
}

static void wait_poll(int fd, short ev)
{
    struct pollfd p = {fd, ev, 0};

    check(poll(&p, 1, 10000) == 1 && (p.revents & ev), "poll for the event");
}

static int listener(struct sockaddr_in *a, int type)
{
    int l = socket(AF_INET, type, 0);
    socklen_t al = sizeof(*a);

    memset(a, 0, sizeof(*a));
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    check(bind(l, (struct sockaddr *)a, sizeof(*a)) == 0, "bind");
    check(getsockname(l, (struct sockaddr *)a, &al) == 0, "getsockname");
    if (type == SOCK_STREAM)
        check(listen(l, 8) == 0, "listen");
    return l;
}

static void pair(int *c, int *s)
{
    struct sockaddr_in a;
    int l = listener(&a, SOCK_STREAM);

    *c = socket(AF_INET, SOCK_STREAM, 0);
    check(connect(*c, (struct sockaddr *)&a, sizeof(a)) == 0, "connect");
    *s = accept(l, NULL, NULL);
    check(*s >= 0, "accept");
    close(l);
}

/* An id no task has: ESRCH from kill(id, 0). */
static int unused_id(void)
{
    for (int id = 4000000;; id += 7)
        if (kill(id, 0) < 0 && errno == ESRCH)
            return id;
}

static void owner_commands(int s)
{
    struct f_owner_ex ox = {7, 7};
    int v = -5, fd, p[2];
    int unused = unused_id();

    printf("-- owner commands\n");
    show("F_GETOWN (none)", fcntl(s, F_GETOWN));
    show("F_GETOWN_EX (none)", fcntl(s, F_GETOWN_EX, &ox));
    printf("  type %d id %d\n", ox.type, ox.pid);
    show("F_GETSIG (none)", fcntl(s, F_GETSIG));
    show("F_SETOWN unused pid", fcntl(s, F_SETOWN, unused));
    show("F_SETOWN unused group", fcntl(s, F_SETOWN, -unused));
    show("F_SETOWN INT_MIN", fcntl(s, F_SETOWN, (int)0x80000000));
    show("F_SETOWN pid", fcntl(s, F_SETOWN, getpid()));
    printf("  F_GETOWN is the pid: %d\n", fcntl(s, F_GETOWN) == getpid());
    show("F_GETOWN_EX", fcntl(s, F_GETOWN_EX, &ox));
    printf("  type %d, the pid: %d\n", ox.type, ox.pid == getpid());
    show("F_SETOWN -group", fcntl(s, F_SETOWN, -getpgrp()));
    printf("  F_GETOWN is -group: %d\n", fcntl(s, F_GETOWN) == -getpgrp());
    show("F_GETOWN_EX", fcntl(s, F_GETOWN_EX, &ox));
    printf("  type %d, the group: %d\n", ox.type, ox.pid == getpgrp());
    ox.type = F_OWNER_TID;
    ox.pid = tid();
    show("F_SETOWN_EX thread", fcntl(s, F_SETOWN_EX, &ox));
    printf("  F_GETOWN is the thread: %d\n", fcntl(s, F_GETOWN) == tid());
    ox.type = 3;
    show("F_SETOWN_EX type 3", fcntl(s, F_SETOWN_EX, &ox));
    ox.type = F_OWNER_PID;
    ox.pid = unused;
    show("F_SETOWN_EX unused pid", fcntl(s, F_SETOWN_EX, &ox));
    ox.pid = 0;
    show("F_SETOWN_EX pid 0", fcntl(s, F_SETOWN_EX, &ox));
    show("F_GETOWN", fcntl(s, F_GETOWN));
    ox.type = ox.pid = 9;
    show("F_GETOWN_EX", fcntl(s, F_GETOWN_EX, &ox));
    printf("  type %d id %d\n", ox.type, ox.pid);
    show("F_SETOWN_EX bad pointer", fcntl(s, F_SETOWN_EX, (void *)8));
    show("F_GETOWN_EX bad pointer", fcntl(s, F_GETOWN_EX, (void *)8));
    show("F_SETSIG 65", fcntl(s, F_SETSIG, 65));
    show("F_SETSIG -1", fcntl(s, F_SETSIG, -1));
    show("F_SETSIG 64", fcntl(s, F_SETSIG, 64));
    show("F_GETSIG", fcntl(s, F_GETSIG));
    show("F_SETSIG 0", fcntl(s, F_SETSIG, 0));
    show("SIOCGPGRP", ioctl(s, SIOCGPGRP, &v));
    printf("  owner %d\n", v);
    v = getpid();
    show("SIOCSPGRP pid", ioctl(s, SIOCSPGRP, &v));
    v = 0;
    show("FIOGETOWN", ioctl(s, FIOGETOWN, &v));
    printf("  the pid: %d\n", v == getpid());
    v = unused;
    show("FIOSETOWN unused pid", ioctl(s, FIOSETOWN, &v));
    show("FIOSETOWN bad pointer", ioctl(s, FIOSETOWN, (void *)8));
    show("SIOCGPGRP bad pointer", ioctl(s, SIOCGPGRP, (void *)8));
    v = 0;
    show("FIOSETOWN 0", ioctl(s, FIOSETOWN, &v));
    show("F_GETOWN", fcntl(s, F_GETOWN));
    v = 1;
    show("FIOASYNC 1", ioctl(s, FIOASYNC, &v));
    printf("  O_ASYNC: %d\n", !!(fcntl(s, F_GETFL) & O_ASYNC));
    v = 0;
    show("FIOASYNC 0", ioctl(s, FIOASYNC, &v));
    printf("  O_ASYNC: %d\n", !!(fcntl(s, F_GETFL) & O_ASYNC));
    show("FIOASYNC bad pointer", ioctl(s, FIOASYNC, (void *)8));
    check(pipe(p) == 0, "pipe");
    v = getpid();
    show("FIOSETOWN on a pipe", ioctl(p[0], FIOSETOWN, &v));
    show("SIOCGPGRP on a pipe", ioctl(p[0], SIOCGPGRP, &v));
    show("F_SETOWN on a pipe", fcntl(p[0], F_SETOWN, getpid()));
    printf("  F_GETOWN is the pid: %d\n", fcntl(p[0], F_GETOWN) == getpid());
    close(p[0]);
    close(p[1]);
    fd = open(".", O_RDONLY | O_DIRECTORY);
    v = 1;
    show("FIOASYNC 1 on a directory", ioctl(fd, FIOASYNC, &v));
    v = 0;
    show("FIOASYNC 0 on a directory", ioctl(fd, FIOASYNC, &v));
    show("F_SETFL O_ASYNC on a directory", fcntl(fd, F_SETFL, O_ASYNC));
    printf("  O_ASYNC: %d\n", !!(fcntl(fd, F_GETFL) & O_ASYNC));
    close(fd);
    fd = open(".", O_PATH);
    show("F_SETOWN on O_PATH", fcntl(fd, F_SETOWN, getpid()));
    show("F_GETSIG on O_PATH", fcntl(fd, F_GETSIG));
    close(fd);
}

/* recv with flags, printed with what it read. */
static void rd(int s, int n, int flags, const char *what)
{
    char b[64];
    long r = recv(s, b, (size_t)n, flags);

    if (r < 0)
        show(what, r);
    else
        printf("%-40s = %ld '%.*s'\n", what, r, (int)r, b);
}

static void peek_at_mark(int c, int s)
{
    printf("-- MSG_PEEK and the urgent mark\n");
    check(send(c, "abc", 3, 0) == 3 && send(c, "D", 1, MSG_OOB) == 1 && send(c, "efg", 3, 0) == 3,
          "send");
    wait_poll(s, POLLPRI);
    rd(s, 10, MSG_PEEK, "peek before the mark");
    rd(s, 2, MSG_PEEK, "peek 2");
    rd(s, 10, MSG_DONTWAIT, "read to the mark");
    wait_poll(s, POLLIN); /* "efg": only data past the urgent byte makes it readable */
    rd(s, 10, MSG_PEEK | MSG_DONTWAIT, "peek at the mark (byte waiting)");
    rd(s, 1, MSG_PEEK | MSG_DONTWAIT, "peek 1 at the mark");
    rd(s, 10, MSG_OOB | MSG_PEEK, "peek MSG_OOB");
    rd(s, 10, MSG_OOB, "recv MSG_OOB");
    rd(s, 10, MSG_PEEK | MSG_DONTWAIT, "peek at the mark (byte read)");
    rd(s, 2, MSG_DONTWAIT, "read 2");
    rd(s, 10, MSG_DONTWAIT, "read the rest");
    check(send(c, "X", 1, MSG_OOB) == 1, "send X");
    wait_poll(s, POLLPRI);
    rd(s, 10, MSG_PEEK | MSG_DONTWAIT, "peek: only the urgent byte");
    rd(s, 1, MSG_OOB, "recv MSG_OOB");
    rd(s, 10, MSG_PEEK | MSG_DONTWAIT, "peek: only the read urgent byte");
    check(send(c, "yz", 2, 0) == 2, "send yz");
    wait_poll(s, POLLIN);
    rd(s, 10, MSG_PEEK, "peek past it");
    rd(s, 10, 0, "read past it");
    drain(SIGURG);
}

static int urg_thread_tid;
static volatile int urg_thread_got;

static void *urg_thread(void *arg)
{
    siginfo_t si;

    (void)arg;
    __atomic_store_n(&urg_thread_tid, tid(), __ATOMIC_RELEASE);
    urg_thread_got = take(SIGURG, 10000, &si) == SIGURG && si.si_code == SI_KERNEL;
    return NULL;
}

/* Send one urgent byte and wait until it is there; read it and the stream empty. */
static void urgent(int c, int s, char b)
{
    char buf[16];

    check(send(c, &b, 1, MSG_OOB) == 1, "send MSG_OOB");
    wait_poll(s, POLLPRI);
    check(recv(s, buf, 1, MSG_OOB) == 1 && buf[0] == b, "recv MSG_OOB");
}

static void sigurg(int c, int s)
{
    siginfo_t si;
    sigset_t pend;
    pthread_t t;
    int got;
    struct f_owner_ex ox = {F_OWNER_TID, 0};

    printf("-- SIGURG\n");
    check(fcntl(s, F_SETOWN, 0) == 0, "F_SETOWN 0");
    urgent(c, s, 'a');
    printf("no owner: SIGURG %d\n", take(SIGURG, 0, &si));
    check(fcntl(s, F_SETOWN, getpid()) == 0, "F_SETOWN");
    urgent(c, s, 'b');
    got = take(SIGURG, 10000, &si);
    printf("process owner: SIGURG %d, si_code %d\n", got, si.si_code);
    check(fcntl(s, F_SETOWN, -getpgrp()) == 0, "F_SETOWN -group");
    urgent(c, s, 'c');
    got = take(SIGURG, 10000, &si);
    printf("group owner: SIGURG %d, si_code %d\n", got, si.si_code);
    check(pthread_create(&t, NULL, urg_thread, NULL) == 0, "pthread_create");
    while (!__atomic_load_n(&urg_thread_tid, __ATOMIC_ACQUIRE))
        usleep(1000);
    ox.pid = urg_thread_tid;
    check(fcntl(s, F_SETOWN_EX, &ox) == 0, "F_SETOWN_EX thread");
    urgent(c, s, 'd');
    pthread_join(t, NULL);
    sigpending(&pend);
    printf("thread owner: the thread got it %d, pending here %d\n", urg_thread_got,
           sigismember(&pend, SIGURG));
    /* pthread_join returns once the thread cleared its tid word, a little before the kernel
     * forgets it, on Linux too: give it a moment (libcs make F_GETOWN with F_GETOWN_EX) */
    for (int i = 0; i < 200 && fcntl(s, F_GETOWN) != 0; i++)
        usleep(10000);
    printf("owner thread gone: F_GETOWN %d\n", fcntl(s, F_GETOWN));
    check(fcntl(s, F_GETOWN_EX, &ox) == 0, "F_GETOWN_EX");
    printf("owner thread gone: F_GETOWN_EX type %d id %d\n", ox.type, ox.pid);
    drain(SIGURG);
}

/* After an event on fd: the first F_SETSIG signal queued for fd (code and band) and whether
 * one with reason `want` came among all of them (others are Linux's business: how many it
 * queues per event is not specified). */
static void rt_report(const char *what, int fd, int want)
{
    siginfo_t si;
    int first = 1, seen = 0;

    while (take(SIGRT, first ? 10000 : 300, &si)) {
        if (si.si_fd != fd)
            continue;
        if (first)
            printf("%s: first si_code %d band 0x%lx\n", what, si.si_code, si.si_band);
        seen |= si.si_code == want;
        first = 0;
    }
    if (first)
        printf("%s: no signal\n", what);
    printf("%s: reason %d seen %d\n", what, want, seen);
}

static void async_tcp(int c, int s)
{
    siginfo_t si;
    char buf[64];
    int v = 1, got;

    printf("-- O_ASYNC on TCP\n");
    check(fcntl(s, F_SETOWN, getpid()) == 0, "F_SETOWN");
    check(send(c, "xy", 2, 0) == 2, "send");
    wait_poll(s, POLLIN);
    printf("without O_ASYNC: SIGIO %d\n", take(SIGIO, 0, &si));
    check(recv(s, buf, sizeof(buf), 0) == 2, "recv");
    check(ioctl(s, FIOASYNC, &v) == 0, "FIOASYNC");
    check(send(c, "xy", 2, 0) == 2, "send");
    wait_poll(s, POLLIN);
    got = take(SIGIO, 10000, &si);
    printf("data: SIGIO %d si_code %d\n", got, si.si_code);
    check(recv(s, buf, sizeof(buf), 0) == 2, "recv");
    drain(SIGIO);
    check(fcntl(s, F_SETSIG, SIGRT) == 0, "F_SETSIG");
    check(send(c, "zz", 2, 0) == 2, "send");
    wait_poll(s, POLLIN);
    rt_report("data", s, POLL_IN);
    check(recv(s, buf, sizeof(buf), 0) == 2, "recv");
    check(send(c, "u", 1, MSG_OOB) == 1, "send MSG_OOB");
    wait_poll(s, POLLPRI);
    printf("urgent: SIGURG %d\n", take(SIGURG, 10000, &si));
    rt_report("urgent", s, POLL_PRI);
    check(recv(s, buf, 1, MSG_OOB) == 1, "recv MSG_OOB");
    v = 0;
    check(ioctl(s, FIOASYNC, &v) == 0, "FIOASYNC off");
    drain(SIGIO);
    drain(SIGRT);
}

static void async_accept_connect(void)
{
    struct sockaddr_in a;
    int l = listener(&a, SOCK_STREAM), c, s, fl;

    printf("-- O_ASYNC on a listener and a connecting socket\n");
    check(fcntl(l, F_SETOWN, getpid()) == 0 && fcntl(l, F_SETSIG, SIGRT) == 0 &&
              fcntl(l, F_SETFL, O_ASYNC) == 0, "listener O_ASYNC");
    c = socket(AF_INET, SOCK_STREAM, 0);
    fl = fcntl(c, F_GETFL);
    check(fcntl(c, F_SETOWN, getpid()) == 0 && fcntl(c, F_SETSIG, SIGRT + 1) == 0 &&
              fcntl(c, F_SETFL, fl | O_ASYNC | O_NONBLOCK) == 0, "connecting O_ASYNC");
    check(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0 || errno == EINPROGRESS, "connect");
    wait_poll(l, POLLIN);
    rt_report("connection", l, POLL_IN);
    s = accept(l, NULL, NULL);
    check(s >= 0, "accept");
    wait_poll(c, POLLOUT);
    {
        siginfo_t si;
        int first = take(SIGRT + 1, 10000, &si);

        printf("connected: signal %d si_code %d fd ok %d\n", first == SIGRT + 1, si.si_code,
               si.si_fd == c);
        drain(SIGRT + 1);
    }
    close(s);
    close(c);
    close(l);
    drain(SIGIO);
}

static void async_space(int c, int s)
{
    static char big[65536];
    char buf[65536];
    long n = 0, r;

    printf("-- O_ASYNC and send space\n");
    check(fcntl(c, F_SETOWN, getpid()) == 0 && fcntl(c, F_SETSIG, SIGRT) == 0 &&
              fcntl(c, F_SETFL, O_ASYNC | O_NONBLOCK) == 0, "sender O_ASYNC");
    drain(SIGRT);
    while ((r = send(c, big, sizeof(big), 0)) > 0 || (r < 0 && errno == EINTR))
        n += r > 0 ? r : 0;
    printf("send filled the buffer: %d\n", r < 0 && errno == EAGAIN && n > 0);
    drain(SIGRT);
    while (n > 0 && (r = recv(s, buf, sizeof(buf), 0)) > 0)
        n -= r;
    wait_poll(c, POLLOUT);
    rt_report("space", c, POLL_OUT);
    check(fcntl(c, F_SETFL, 0) == 0, "O_ASYNC off");
}

static void async_udp(void)
{
    struct sockaddr_in a;
    int u = listener(&a, SOCK_DGRAM), c = socket(AF_INET, SOCK_DGRAM, 0);
    char buf[16];

    printf("-- O_ASYNC on UDP\n");
    check(fcntl(u, F_SETOWN, getpid()) == 0 && fcntl(u, F_SETSIG, SIGRT) == 0 &&
              fcntl(u, F_SETFL, O_ASYNC) == 0, "UDP O_ASYNC");
    check(sendto(c, "d1", 2, 0, (struct sockaddr *)&a, sizeof(a)) == 2, "sendto");
    wait_poll(u, POLLIN);
    rt_report("datagram", u, POLL_IN);
    check(sendto(c, "d2", 2, 0, (struct sockaddr *)&a, sizeof(a)) == 2, "sendto");
    usleep(100000);
    rt_report("second datagram", u, POLL_IN);
    check(recv(u, buf, sizeof(buf), 0) == 2 && recv(u, buf, sizeof(buf), 0) == 2, "recv");
    close(u);
    close(c);
}

int main(void)
{
    sigset_t set;
    int c, s;

    setvbuf(stdout, NULL, _IONBF, 0);
    setpgid(0, 0); /* natively, a group of its own (Petrel's process is one already) */
    sigemptyset(&set);
    sigaddset(&set, SIGURG);
    sigaddset(&set, SIGIO);
    sigaddset(&set, SIGRT);
    sigaddset(&set, SIGRT + 1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    pair(&c, &s);
    owner_commands(s);
    peek_at_mark(c, s);
    sigurg(c, s);
    async_tcp(c, s);
    async_accept_connect();
    async_space(c, s);
    async_udp();
    printf("done, %d failures\n", fails);
    return fails != 0;
}
