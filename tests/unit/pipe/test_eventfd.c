/*
 * test_eventfd.c - eventfd counters (fs/pipe/eventfd.h) between kernel threads: a blocked
 * reader woken by a writer, semaphore mode, a writer blocked at the overflow limit woken by
 * a reader, interrupted waits, poll masks and argument errors. Expectations are Linux's (the
 * poll masks were checked natively: a counter at 2^64 - 2 is readable but not writable).
 */
#include "vt.h"

#include "core/abi/fcntl.h"
#include "fs/pipe/eventfd.h"
#include "hal/hal_errno.h"

#define NB VFS_O_NONBLOCK

static long rd64(struct file *f, uint64_t *v)
{
    return file_read(f, v, sizeof(*v), &f->pos);
}

static long wr64(struct file *f, uint64_t v)
{
    return file_write(f, &v, sizeof(v), &f->pos);
}

static long result;
static uint64_t got;

static void reader(void *arg)
{
    result = rd64(arg, &got);
    thread_clear_interrupt(thread_current());
}

static void writer(void *arg)
{
    result = wr64(arg, 1);
    thread_clear_interrupt(thread_current());
}

VT_CASE(blocked_reader_woken_by_writer)
{
    struct file *f;

    VT_EQ(eventfd_create(0, 0, 0, &f), 0);
    result = 1;
    struct thread *t = thread_create("reader", reader, f);
    thread_yield(); /* the reader blocks on the zero counter */
    VT_EQ(result, 1);
    VT_EQ(wr64(f, 5), 8);
    VT_EQ(wr64(f, 2), 8);
    VT_EQ(thread_join(t), 0);
    VT_EQ(result, 8);
    VT_EQ(got == 5 || got == 7, 1); /* the reader may run between the writes */
    uint64_t v = 0;
    if (got == 5) {
        VT_EQ(rd64(f, &v), 8);
        VT_EQ(v, 2);
    }
    file_put(f);
}

VT_CASE(semaphore_mode)
{
    struct file *f;
    uint64_t v = 0;

    VT_EQ(eventfd_create(2, NB, EVENTFD_SEMAPHORE, &f), 0);
    VT_EQ(rd64(f, &v), 8);
    VT_EQ(v, 1);
    VT_EQ(rd64(f, &v), 8);
    VT_EQ(v, 1);
    VT_EQ(rd64(f, &v), -EAGAIN);
    VT_EQ(file_setfl(f, NB, 0), 0);
    result = 1;
    struct thread *t = thread_create("reader", reader, f);
    thread_yield();
    VT_EQ(result, 1);
    VT_EQ(wr64(f, 3), 8);
    VT_EQ(thread_join(t), 0);
    VT_EQ(result, 8);
    VT_EQ(got, 1);
    VT_EQ(file_setfl(f, NB, NB), 0);
    VT_EQ(rd64(f, &v), 8);
    VT_EQ(rd64(f, &v), 8);
    VT_EQ(rd64(f, &v), -EAGAIN);
    file_put(f);
}

VT_CASE(writer_blocks_at_overflow)
{
    struct file *f;
    uint64_t v = 0;

    VT_EQ(eventfd_create(0, 0, 0, &f), 0);
    VT_EQ(wr64(f, UINT64_MAX - 1), 8);
    VT_EQ(file_poll(f, NULL), LINUX_EPOLLIN | LINUX_EPOLLRDNORM);
    result = 1;
    struct thread *t = thread_create("writer", writer, f);
    thread_yield(); /* a write of 1 does not fit: it blocks */
    VT_EQ(result, 1);
    VT_EQ(rd64(f, &v), 8);
    VT_EQ(v, UINT64_MAX - 1);
    VT_EQ(thread_join(t), 0);
    VT_EQ(result, 8);
    VT_EQ(rd64(f, &v), 8);
    VT_EQ(v, 1);
    VT_EQ(file_poll(f, NULL), LINUX_EPOLLOUT | LINUX_EPOLLWRNORM);
    file_put(f);
}

VT_CASE(waits_are_interruptible)
{
    struct file *f;

    VT_EQ(eventfd_create(0, 0, 0, &f), 0);
    result = 1;
    struct thread *t = thread_create("reader", reader, f);
    thread_yield();
    VT_EQ(result, 1);
    thread_interrupt(t);
    VT_EQ(thread_join(t), 0);
    VT_EQ(result, -ERESTARTSYS);
    file_put(f);
}

VT_CASE(argument_errors)
{
    struct file *f;
    uint64_t v = 0;

    VT_EQ(eventfd_create(1, NB, 0, &f), 0);
    VT_EQ(file_read(f, &v, 4, &f->pos), -EINVAL);
    VT_EQ(file_write(f, &v, 7, &f->pos), -EINVAL);
    VT_EQ(wr64(f, UINT64_MAX), -EINVAL);
    VT_EQ(wr64(f, 0), 8); /* adds nothing */
    VT_EQ(rd64(f, &v), 8);
    VT_EQ(v, 1);
    file_put(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(blocked_reader_woken_by_writer),
        cmocka_unit_test(semaphore_mode),
        cmocka_unit_test(writer_blocks_at_overflow),
        cmocka_unit_test(waits_are_interruptible),
        cmocka_unit_test(argument_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
