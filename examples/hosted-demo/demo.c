/*
 * demo.c - petrel-hosted-demo: boot the kernel inside this process and watch threads sleep.
 *
 * hosted_boot() runs kernel_main() on the hosted backend; the kernel's init thread calls
 * demo_main(), which plays the application. Three threads sleep with different periods and
 * print a line each time they wake, stamped with the kernel's virtual clock: the run covers
 * a few seconds of kernel time and takes milliseconds of wall time, because the idle loop
 * jumps the clock to the next timer (docs/scheduler.md). A mutex-protected tally shows the
 * threads sharing state. Exit status 0 when everything ran as planned.
 */
#include <stdio.h>
#include <time.h>

#include "core/lib/kprintf.h"
#include "core/sched/sched.h"
#include "hal/hal_time.h"
#include "hal_hosted/hosted.h"

#define MS 1000000ULL

struct job {
    const char *name;
    uint64_t period_ns;
    int ticks;
};

static const struct job jobs[] = {
    {"fast", 150 * MS, 6},
    {"medium", 400 * MS, 3},
    {"slow", 1300 * MS, 1},
};
#define NJOBS (sizeof(jobs) / sizeof(jobs[0]))

static struct mutex tally_lock;
static int tally;

static void worker(void *arg)
{
    const struct job *j = arg;

    for (int i = 1; i <= j->ticks; i++) {
        sched_sleep_ns(j->period_ns);
        mutex_lock(&tally_lock);
        tally++;
        mutex_unlock(&tally_lock);
        kprintf("[%5llu ms] %-6s tick %d/%d\n", (unsigned long long)(hal_clock_ns() / MS), j->name,
                i, j->ticks);
    }
}

static int demo_main(void *arg)
{
    struct thread *ts[NJOBS];
    struct sched_stats st;
    int expected = 0;

    kprintf("demo: %zu threads sleeping in virtual time\n", NJOBS);
    mutex_init(&tally_lock, "tally");
    for (size_t i = 0; i < NJOBS; i++) {
        ts[i] = thread_create(jobs[i].name, worker, (void *)&jobs[i]);
        if (!ts[i])
            return 1;
        expected += jobs[i].ticks;
    }
    for (size_t i = 0; i < NJOBS; i++)
        thread_join(ts[i]);
    sched_get_stats(&st);
    kprintf("demo: %d ticks, %llu ms of virtual time, %llu context switches, %llu timers\n", tally,
            (unsigned long long)(hal_clock_ns() / MS), (unsigned long long)st.context_switches,
            (unsigned long long)st.timers_fired);
    if (tally != expected)
        return 1;
    kprintf("demo: done\n");
    return 0;
}

static uint64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int main(void)
{
    struct hosted_config cfg = {.entry = demo_main, .cmdline = "loglevel=info"};
    uint64_t start = wall_ms();
    int rc = hosted_boot(&cfg);

    fprintf(stderr, "petrel-hosted-demo: exit %d after %llu ms of wall time\n", rc,
            (unsigned long long)(wall_ms() - start));
    return rc;
}
