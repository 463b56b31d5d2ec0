/*
 * fixture.h - shared set-up for the scheduler unit tests.
 *
 * Each test runs a fresh scheduler on the hosted HAL alone (hosted_hal_init): RAM, virtual
 * clock and interrupt controller, with the timer interrupt and interrupt exit routed to the
 * kernel's entries. The test body (on the CMocka stack) creates threads and calls
 * sched_run(), which returns when every thread has exited (or -EDEADLK). Threads never call
 * CMocka assertions (a longjmp off a kernel stack would strand the scheduler): they record
 * failures with T_CHECK, and the body checks them after sched_run with fixture_verify().
 */
#ifndef TESTS_UNIT_SCHED_FIXTURE_H
#define TESTS_UNIT_SCHED_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/sched/sched.h"

int fixture_setup(void **state);
int fixture_setup_big(void **state); /* 256 MiB of RAM */
int fixture_teardown(void **state);

/* Record the first failure seen inside a kernel thread (file, line, text). */
void fixture_fail(const char *file, int line, const char *what);
/* In the test body: fail (printing the seed) if a thread recorded a failure. */
void fixture_verify(void);

#define T_CHECK(cond)                                                                              \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fixture_fail(__FILE__, __LINE__, #cond);                                               \
    } while (0)

/* Busy-spawn helper: create a thread or record a failure. */
struct thread *fixture_spawn(const char *name, void (*fn)(void *), void *arg);

#endif
