/*
 * fixture.c - see fixture.h.
 */
#include "tests/unit/sched/fixture.h"

#include <stdio.h>
#include <string.h>

#include "core/kernel.h"
#include "core/lib/alloc.h"
#include "hal/hal_rand.h"
#include "hal_hosted/hosted.h"

static char failure[512];

static void hook_timer(void *arg)
{
    kernel_timer_irq();
}

static void hook_irq_exit(void *arg)
{
    kernel_irq_exit();
}

static int setup_with(size_t ram)
{
    static struct hal_boot_info info;
    struct hosted_config cfg = {.ram_bytes = ram};
    struct hosted_hooks hooks = {.timer_irq = hook_timer, .irq_exit = hook_irq_exit};

    failure[0] = '\0';
    if (hosted_hal_init(&cfg, &hooks, &info) != 0)
        return -1;
    page_init(&info);
    sched_init();
    return 0;
}

int fixture_setup(void **state)
{
    return setup_with(0);
}

int fixture_setup_big(void **state)
{
    return setup_with(256u << 20);
}

int fixture_teardown(void **state)
{
    hosted_hal_fini();
    return 0;
}

void fixture_fail(const char *file, int line, const char *what)
{
    if (!failure[0])
        snprintf(failure, sizeof(failure), "%s:%d: check failed: %s", file, line, what);
}

void fixture_verify(void)
{
    if (failure[0])
        fail_msg("%s (PETREL_SEED=%llu)", failure, (unsigned long long)hal_rand_seed());
}

struct thread *fixture_spawn(const char *name, void (*fn)(void *), void *arg)
{
    struct thread *t = thread_create(name, fn, arg);

    if (!t)
        fixture_fail(__FILE__, __LINE__, "thread_create returned NULL");
    return t;
}
