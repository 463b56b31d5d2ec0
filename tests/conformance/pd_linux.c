/*
 * pd_linux.c - the conformance runner against the host's Linux: `pd_linux SCRIPT`.
 *
 * Linux is the oracle (net/CONFORMANCE.md): the same script runs against the host kernel's
 * TCP. The process enters a network namespace of its own (unshare(CLONE_NEWNET): the host's
 * interfaces, routes and sysctls are untouched, and everything vanishes with the process),
 * creates a tun device pd0 there with 192.168.0.1/24, and plays 192.168.0.2 on it: what it
 * writes to the tun is received by Linux, what Linux routes to 192.168.0.2 is read from it.
 * Syscalls are the real ones, made by an application thread; time is real (CLOCK_MONOTONIC),
 * so the default tolerance (300 ms: a loaded 2-core CI machine, ASan) is wider than under Petrel's
 * virtual clock (10 ms).
 *
 * Without root, user namespaces, or /dev/net/tun (a container, a CI runner) it prints why
 * and exits 77, which ctest reports as skipped, not passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tests/conformance/pd.h"

#define SKIP 77
#define TUN_FD 900 /* out of the way: the script's sockets start at 3, as in Petrel */
#define SETTLE_NS 2000000
#define FRAME_MAX 2048

/* the outbound queue and the application thread's mailbox, under mu */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct pd_queue q;
static struct pd_mailbox mb;
static uint8_t *ubuf;

static uint64_t b_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void abs_deadline(uint64_t t, struct timespec *ts)
{
    ts->tv_sec = (time_t)(t / 1000000000ULL);
    ts->tv_nsec = (long)(t % 1000000000ULL);
}

static void b_sleep_until(uint64_t t)
{
    struct timespec ts;
    uint64_t now = b_now();

    if (t < now + SETTLE_NS)
        t = now + SETTLE_NS;
    abs_deadline(t, &ts);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

static int b_inject(const uint8_t *pkt, size_t len)
{
    ssize_t n = write(TUN_FD, pkt, len);

    return n == (ssize_t)len ? 0 : -errno;
}

/* The condition variable runs on CLOCK_MONOTONIC (set up in main). */
static bool wait_until(uint64_t deadline)
{
    struct timespec ts;

    abs_deadline(deadline, &ts);
    return pthread_cond_timedwait(&cv, &mu, &ts) != ETIMEDOUT;
}

static size_t b_next_out(uint8_t *buf, size_t cap, uint64_t deadline, uint64_t *t)
{
    struct pd_frame *f;

    if (deadline < b_now() + SETTLE_NS)
        deadline = b_now() + SETTLE_NS;
    pthread_mutex_lock(&mu);
    while (!q.count && b_now() < deadline)
        wait_until(deadline);
    f = pd_queue_pop(&q);
    pthread_mutex_unlock(&mu);
    return pd_frame_take(f, buf, cap, t);
}

static void b_call_start(uint64_t nr, const uint64_t a[6])
{
    pthread_mutex_lock(&mu);
    pd_mb_post(&mb, nr, a);
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

static bool b_call_wait(uint64_t deadline, long *ret, uint64_t *t)
{
    bool done;

    if (deadline < b_now() + SETTLE_NS)
        deadline = b_now() + SETTLE_NS;
    pthread_mutex_lock(&mu);
    while (!mb.done && b_now() < deadline)
        wait_until(deadline);
    done = pd_mb_collect(&mb, ret, t);
    pthread_mutex_unlock(&mu);
    return done;
}

static void b_put(uint64_t u, const void *src, size_t n)
{
    memcpy((void *)(uintptr_t)u, src, n);
}

static void b_get(void *dst, uint64_t u, size_t n)
{
    memcpy(dst, (const void *)(uintptr_t)u, n);
}

static void *app_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    for (;;) {
        uint64_t nr, a[6];
        long ret;

        while (!mb.busy)
            pthread_cond_wait(&cv, &mu);
        nr = mb.nr;
        memcpy(a, mb.a, sizeof(a));
        pthread_mutex_unlock(&mu);
        ret = syscall((long)nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        if (ret == -1)
            ret = -errno;
        pthread_mutex_lock(&mu);
        pd_mb_finish(&mb, ret, b_now());
        pthread_cond_broadcast(&cv);
    }
    return NULL;
}

static void *reader_main(void *arg)
{
    (void)arg;
    for (;;) {
        struct pd_frame *f = malloc(sizeof(*f) + FRAME_MAX);
        ssize_t n;

        if (!f)
            return NULL;
        n = read(TUN_FD, f->data, FRAME_MAX);
        f->t = b_now();
        if (n < 20 || (f->data[0] >> 4) != 4 || f->data[9] != 6) {
            free(f); /* not TCP over IPv4 (or an error): not the script's business */
            if (n < 0 && errno != EINTR && errno != EAGAIN)
                return NULL;
            continue;
        }
        f->len = (size_t)n;
        pthread_mutex_lock(&mu);
        pd_queue_push(&q, f);
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mu);
    }
}

/* --- setup ------------------------------------------------------------------------------- */

static int skip(const char *why)
{
    printf("SKIP: conformance against Linux needs %s (%s)\n", why, strerror(errno));
    fflush(stdout);
    return SKIP;
}

static int ifconfig(int s, const char *name, unsigned long req, uint32_t ip)
{
    struct ifreq ifr;
    struct sockaddr_in *sa = (struct sockaddr_in *)&ifr.ifr_addr;

    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    sa->sin_family = AF_INET;
    sa->sin_addr.s_addr = htonl(ip);
    return ioctl(s, req, &ifr);
}

static int up(int s, const char *name)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0)
        return -1;
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    return ioctl(s, SIOCSIFFLAGS, &ifr);
}

static void sysctl_write(const char *path, const char *v)
{
    int fd = open(path, O_WRONLY);

    if (fd >= 0) {
        if (write(fd, v, strlen(v)) < 0) {
            /* best effort: only quiets IPv6 noise, which the runner ignores anyway */
        }
        close(fd);
    }
}

/* The namespace, the tun device and its address; SKIP with a reason, or 0. */
static int setup(const struct pd_script *script)
{
    struct ifreq ifr;
    int fd, s;

    if (geteuid() != 0) {
        errno = EPERM;
        return skip("root (a network namespace and a tun device)");
    }
    if (unshare(CLONE_NEWNET) != 0)
        return skip("unshare(CLONE_NEWNET)");
    fd = open("/dev/net/tun", O_RDWR);
    if (fd < 0)
        return skip("/dev/net/tun");
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "pd0");
    if (ioctl(fd, TUNSETIFF, &ifr) != 0)
        return skip("TUNSETIFF");
    sysctl_write("/proc/sys/net/ipv6/conf/pd0/disable_ipv6", "1");
    s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0 || ifconfig(s, "pd0", SIOCSIFADDR, PD_LOCAL_IP) != 0 ||
        ifconfig(s, "pd0", SIOCSIFNETMASK, 0xffffff00u) != 0 || up(s, "pd0") != 0 ||
        up(s, "lo") != 0)
        return skip("to configure pd0");
    close(s);
    for (unsigned i = 0; i < script->nsysctl; i++) { /* this namespace's own copies */
        char path[128], v[24];

        snprintf(path, sizeof(path), "/proc/sys/%s", script->sysctl[i].path);
        snprintf(v, sizeof(v), "%ld", script->sysctl[i].value);
        if (access(path, F_OK) == 0)
            sysctl_write(path, v);
    }
    if (dup2(fd, TUN_FD) != TUN_FD)
        return skip("dup2");
    for (int i = 3; i < TUN_FD; i++)
        close(i);
    return 0;
}

int main(int argc, char **argv)
{
    struct pd_backend b = {
        .name = "linux", .default_tolerance_ns = 300000000, .now = b_now,
        .sleep_until = b_sleep_until, .inject = b_inject, .next_out = b_next_out,
        .call_start = b_call_start, .call_wait = b_call_wait, .put = b_put, .get = b_get};
    struct pd_script script;
    pthread_condattr_t ca;
    pthread_t app, rd;
    int rc = pd_load(argc, argv, &script);

    if (rc)
        return rc;
    if (script.long_running && !getenv("PD_LONG")) {
        printf("SKIP: %s runs for minutes of real time against Linux (%%long); PD_LONG=1 runs it\n",
               argv[1]);
        pd_script_free(&script);
        return SKIP;
    }
    signal(SIGPIPE, SIG_IGN); /* a write after shutdown is EPIPE for the script, not our end */
    rc = setup(&script);
    if (rc) {
        pd_script_free(&script);
        return rc;
    }
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&cv, &ca);
    ubuf = aligned_alloc(4096, PD_UBUF_SIZE);
    if (!ubuf || pthread_create(&app, NULL, app_main, NULL) ||
        pthread_create(&rd, NULL, reader_main, NULL)) {
        fprintf(stderr, "pd_linux: setup failed\n");
        return 2;
    }
    b.ubuf = (uint64_t)(uintptr_t)ubuf;
    b_sleep_until(b_now() + 20000000); /* let the interface settle (IPv6 noise, if any) */
    pthread_mutex_lock(&mu);
    pd_queue_clear(&q); /* nothing before the script is the script's */
    pthread_mutex_unlock(&mu);
    rc = pd_run(&script, &b);
    pd_script_free(&script);
    fflush(stderr);
    _exit(rc); /* the threads may be blocked in the kernel; the namespace goes with us */
}
