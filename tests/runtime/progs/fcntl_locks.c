/* fcntl_locks: POSIX record locks and OFD locks across threads. A thread's F_OFD_SETLKW
 * waits for the process's POSIX lock and goes on when a close of ANY descriptor of the file
 * drops it; two descriptions' OFD locks exclude each other between threads; a wait is
 * interrupted by a signal without SA_RESTART (EINTR) and restarted with it; flock(2) locks
 * never meet fcntl locks. argv[1]: a scratch file name. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#define SHOW(what, expr)                                                                           \
    do {                                                                                           \
        errno = 0;                                                                                 \
        long _r = (long)(expr);                                                                    \
        printf("%s = %ld%s%s\n", what, _r, _r < 0 ? " " : "", _r < 0 ? strerror(errno) : "");      \
    } while (0)

static int lk(int fd, int cmd, int type, off_t start, off_t len)
{
    struct flock fl = {.l_type = (short)type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};

    return fcntl(fd, cmd, &fl);
}

static void getlk(const char *what, int fd, int cmd, int type)
{
    struct flock fl = {.l_type = (short)type, .l_whence = SEEK_SET};

    if (fcntl(fd, cmd, &fl) < 0) {
        printf("%s: %s\n", what, strerror(errno));
        return;
    }
    printf("%s: type %s start %ld len %ld pid %s\n", what,
           fl.l_type == F_UNLCK   ? "unlck"
           : fl.l_type == F_WRLCK ? "wrlck"
                                  : "rdlck",
           (long)fl.l_start, (long)fl.l_len,
           fl.l_type == F_UNLCK   ? "-"
           : fl.l_pid == getpid() ? "self"
           : fl.l_pid == -1       ? "-1"
                                  : "other");
}

static void msleep(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

struct waiter {
    int fd, cmd, type;
    off_t start, len;
    volatile int done;
    int rc, err;
};

static void *wait_lock(void *arg)
{
    struct waiter *w = arg;

    w->rc = lk(w->fd, w->cmd, w->type, w->start, w->len);
    w->err = errno;
    w->done = 1;
    return NULL;
}

static void join(pthread_t t, struct waiter *w, const char *what)
{
    pthread_join(t, NULL);
    printf("%s: %d%s%s\n", what, w->rc, w->rc < 0 ? " " : "", w->rc < 0 ? strerror(w->err) : "");
}

static void on_alarm(int sig)
{
    (void)sig;
}

static void interrupted(int a, int b)
{
    struct sigaction sa;
    struct waiter w = {.fd = b, .cmd = F_SETLKW, .type = F_WRLCK, .start = 0, .len = 1};
    pthread_t t;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    SHOW("OFD write lock on a", lk(a, F_OFD_SETLK, F_WRLCK, 0, 0));
    alarm(1);
    SHOW("F_SETLKW, no SA_RESTART", lk(b, F_SETLKW, F_WRLCK, 0, 1));
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    pthread_create(&t, NULL, wait_lock, &w);
    msleep(50);
    pthread_kill(t, SIGALRM); /* restarted: still waiting */
    msleep(50);
    printf("waiter after a restarted signal: %s\n", w.done ? "done" : "waiting");
    SHOW("close a (the description's last descriptor)", close(a));
    join(t, &w, "F_SETLKW with SA_RESTART");
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "fcntl_locks.tmp";
    int a = open(name, O_CREAT | O_TRUNC | O_RDWR, 0644), b = open(name, O_RDWR);
    int c = open(name, O_RDONLY);
    struct waiter w = {.fd = b, .cmd = F_OFD_SETLKW, .type = F_WRLCK, .start = 10, .len = 10};
    struct waiter w2 = {.fd = a, .cmd = F_OFD_SETLKW, .type = F_RDLCK, .start = 0, .len = 0};
    pthread_t t, t2;

    setvbuf(stdout, NULL, _IONBF, 0);
    SHOW("write", write(a, "0123456789012345678901234567890123456789", 40));
    SHOW("POSIX write lock [0,50)", lk(a, F_SETLK, F_WRLCK, 0, 50));
    SHOW("POSIX read lock [60,EOF) through b", lk(b, F_SETLK, F_RDLCK, 60, 0));
    getlk("OFD view from b", b, F_OFD_GETLK, F_RDLCK);
    getlk("POSIX view from b", b, F_GETLK, F_WRLCK);
    pthread_create(&t, NULL, wait_lock, &w);
    msleep(50);
    printf("OFD waiter: %s\n", w.done ? "done" : "waiting");
    SHOW("close c (never locked through)", close(c));
    join(t, &w, "OFD F_SETLKW on b [10,20)");
    getlk("POSIX view from a", a, F_GETLK, F_RDLCK);
    SHOW("POSIX lock again", lk(a, F_SETLK, F_RDLCK, 15, 1));
    pthread_create(&t2, NULL, wait_lock, &w2);
    msleep(50);
    printf("OFD reader on a: %s\n", w2.done ? "done" : "waiting");
    SHOW("unlock b [10,15)", lk(b, F_OFD_SETLK, F_UNLCK, 10, 5));
    msleep(50);
    printf("OFD reader on a: %s\n", w2.done ? "done" : "waiting");
    SHOW("unlock b [15,20)", lk(b, F_OFD_SETLK, F_UNLCK, 15, 5));
    join(t2, &w2, "OFD F_SETLKW read on a");
    SHOW("flock b exclusive", flock(b, LOCK_EX | LOCK_NB));
    SHOW("OFD write lock on b", lk(b, F_OFD_SETLK, F_WRLCK, 0, 0));
    SHOW("unlock a's OFD lock", lk(a, F_OFD_SETLK, F_UNLCK, 0, 0));
    SHOW("OFD write lock on b", lk(b, F_OFD_SETLK, F_WRLCK, 0, 0));
    SHOW("POSIX unlock all", lk(a, F_SETLK, F_UNLCK, 0, 0));
    SHOW("OFD unlock b", lk(b, F_OFD_SETLK, F_UNLCK, 0, 0));
    interrupted(a, b);
    SHOW("unlink", unlink(name));
    return 0;
}
