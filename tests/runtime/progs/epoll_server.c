/* epoll_server: a server loop over pipes and an eventfd with several threads sharing one
 * epoll instance. Producer threads write records into pipes and bump an eventfd; worker
 * threads take EPOLLONESHOT events, drain the descriptor (non-blocking, until EAGAIN) and
 * re-arm it with EPOLL_CTL_MOD, so one descriptor is never handled by two workers at once.
 * A stop eventfd (level-triggered, never drained) releases every worker at the end. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define NPIPES 4
#define NWORKERS 3
#define NPROD 2
#define PER_PROD 200
#define STOP_TAG 1000
#define EFD_TAG 999

static int ep, pipes[NPIPES][2], efd, stopfd;
static long bytes_total, records_total, efd_total;
static int busy[NPIPES + 1];
static int errors;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void account(long bytes, long efd_count)
{
    pthread_mutex_lock(&mu);
    bytes_total += bytes;
    records_total += bytes / 8;
    efd_total += efd_count;
    int done = records_total == (long)NPROD * PER_PROD && efd_total == (long)NPROD * PER_PROD;
    pthread_mutex_unlock(&mu);
    if (done) {
        uint64_t one = 1;
        if (write(stopfd, &one, 8) != 8)
            __atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
    }
}

static void handle(uint64_t tag)
{
    int idx = tag == EFD_TAG ? NPIPES : (int)tag;
    int fd = tag == EFD_TAG ? efd : pipes[tag][0];
    char buf[256];
    long got = 0, cnt = 0;

    if (__atomic_exchange_n(&busy[idx], 1, __ATOMIC_ACQ_REL) != 0)
        __atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED); /* oneshot broken */
    for (;;) {
        ssize_t r;
        if (tag == EFD_TAG) {
            uint64_t v;
            r = read(fd, &v, 8);
            if (r == 8)
                cnt += (long)v;
        } else {
            r = read(fd, buf, sizeof(buf)); /* records are 8 bytes; pipes keep them whole */
            if (r > 0)
                got += r;
        }
        if (r < 0 && errno == EAGAIN)
            break;
        if (r <= 0) {
            __atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
            break;
        }
    }
    __atomic_store_n(&busy[idx], 0, __ATOMIC_RELEASE);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.u64 = tag};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev))
        __atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
    if (got % 8)
        __atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
    account(got, cnt);
}

static void *worker(void *arg)
{
    long handled = 0;
    struct epoll_event evs[4];

    for (;;) {
        int n = epoll_wait(ep, evs, 4, 10000);
        if (n <= 0) {
            __atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
            return (void *)handled;
        }
        for (int i = 0; i < n; i++) {
            if (evs[i].data.u64 == STOP_TAG)
                return (void *)handled;
            handle(evs[i].data.u64);
            handled++;
        }
    }
    (void)arg;
}

static void *producer(void *arg)
{
    long id = (long)arg;

    for (int k = 0; k < PER_PROD; k++) {
        char rec[8];
        uint64_t one = 1;
        memset(rec, 'a' + (int)id, sizeof(rec));
        if (write(pipes[(k + id) % NPIPES][1], rec, 8) != 8 || write(efd, &one, 8) != 8)
            __atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
        if (k % 16 == 0)
            usleep(100);
    }
    return NULL;
}

int main(void)
{
    pthread_t w[NWORKERS], p[NPROD];
    struct epoll_event ev;
    long handled = 0;

    ep = epoll_create1(EPOLL_CLOEXEC);
    efd = eventfd(0, EFD_NONBLOCK);
    stopfd = eventfd(0, EFD_NONBLOCK);
    for (int i = 0; i < NPIPES; i++) {
        if (pipe2(pipes[i], O_NONBLOCK))
            return 1;
        ev.events = EPOLLIN | EPOLLONESHOT;
        ev.data.u64 = (uint64_t)i;
        if (epoll_ctl(ep, EPOLL_CTL_ADD, pipes[i][0], &ev))
            return 2;
    }
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.u64 = EFD_TAG;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev))
        return 3;
    ev.events = EPOLLIN;
    ev.data.u64 = STOP_TAG;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, stopfd, &ev))
        return 4;
    for (int i = 0; i < NWORKERS; i++)
        pthread_create(&w[i], NULL, worker, NULL);
    for (long i = 0; i < NPROD; i++)
        pthread_create(&p[i], NULL, producer, (void *)i);
    for (int i = 0; i < NPROD; i++)
        pthread_join(p[i], NULL);
    for (int i = 0; i < NWORKERS; i++) {
        void *h;
        pthread_join(w[i], &h);
        handled += (long)h;
    }
    printf("records %ld bytes %ld eventfd %ld handled>0 %d errors %d\n", records_total,
           bytes_total, efd_total, handled > 0, errors);
    return errors != 0;
}
