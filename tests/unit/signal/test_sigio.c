/*
 * test_sigio.c - the owner of signal-driven I/O outlives nobody (core/signal/sigio.c,
 * fs/file/fown.c): in a booted hosted kernel a pipe's read end is given process A as owner
 * and O_ASYNC; a write signals A (SIGIO pending on A). A is destroyed and B created (the same
 * pid, likely the same memory): a write must signal nobody, where the old record (a plain
 * pointer to A) sent to freed memory, that is to B. Then B becomes the owner and is
 * signalled, and clearing the owner (F_SETOWN 0) stops it.
 */
#include <stdio.h>

#include "../mm/mt.h"

#include "core/abi/fcntl.h"
#include "core/proc/proc.h"
#include "fs/file/file.h"
#include "fs/pipe/pipe.h"

#define SIGIO_BIT (1ull << (LINUX_SIGIO - 1))

/* A process whose SIGIO is caught (a handler address: never run here), so the signal stays
 * pending instead of ending it or being dropped. */
static struct proc *new_proc(void)
{
    struct proc *p = NULL;

    if (proc_create(NULL, &p))
        return NULL;
    p->sigactions[LINUX_SIGIO - 1].handler = 0x1000;
    return p;
}

static bool sigio_pending(struct proc *p)
{
    return p->sigpending.set & SIGIO_BIT;
}

MT_CASE(owner_that_ended_gets_nothing)
{
    struct file *rd, *wr;
    struct proc *a = new_proc(), *b;

    MT_CHECK(a != NULL);
    MT_EQ(pipe_create(0, &rd, &wr), 0);
    file_owner_set(rd, a->serial, LINUX_F_OWNER_PID, a->pid);
    MT_EQ(file_setfl(rd, LINUX_O_ASYNC, LINUX_O_ASYNC), 0);
    MT_EQ(file_write(wr, "x", 1, NULL), 1);
    MT_CHECK(sigio_pending(a));
    proc_destroy(a);
    b = new_proc();
    MT_CHECK(b != NULL);
    MT_EQ(file_write(wr, "y", 1, NULL), 1);
    MT_CHECK(!sigio_pending(b)); /* A's record does not reach B */
    file_owner_set(rd, b->serial, LINUX_F_OWNER_PID, b->pid);
    MT_EQ(file_write(wr, "z", 1, NULL), 1);
    MT_CHECK(sigio_pending(b));
    b->sigpending.set &= ~SIGIO_BIT;
    file_owner_set(rd, b->serial, LINUX_F_OWNER_PID, 0); /* F_SETOWN 0: no owner */
    MT_EQ(file_write(wr, "w", 1, NULL), 1);
    MT_CHECK(!sigio_pending(b));
    file_put(rd);
    file_put(wr);
    proc_destroy(b);
}

/* Every live process stays reachable, however many there are: with 100 processes alive (the
 * registry used to be a 64-slot table that dropped the oldest), the first one created is
 * still signalled, and so is the last; the destroyed ones in between are not found. */
MT_CASE(many_processes_all_reachable)
{
    enum { N = 100 };
    static struct proc *ps[N];
    struct file *rd, *wr;

    for (int i = 0; i < N; i++) {
        ps[i] = new_proc();
        MT_CHECK(ps[i] != NULL);
    }
    MT_EQ(pipe_create(0, &rd, &wr), 0);
    MT_EQ(file_setfl(rd, LINUX_O_ASYNC, LINUX_O_ASYNC), 0);
    for (int i = 0; i < N; i += N - 1) {
        file_owner_set(rd, ps[i]->serial, LINUX_F_OWNER_PID, ps[i]->pid);
        MT_EQ(file_write(wr, "x", 1, NULL), 1);
        MT_CHECK(sigio_pending(ps[i]));
    }
    uint64_t gone = ps[N / 2]->serial;
    proc_destroy(ps[N / 2]);
    file_owner_set(rd, gone, LINUX_F_OWNER_PID, 1);
    MT_EQ(file_write(wr, "y", 1, NULL), 1);
    for (int i = 0; i < N; i++)
        if (i != N / 2 && i != 0 && i != N - 1)
            MT_CHECK(!sigio_pending(ps[i])); /* nobody else got it */
    file_put(rd);
    file_put(wr);
    for (int i = 0; i < N; i++)
        if (i != N / 2)
            proc_destroy(ps[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(owner_that_ended_gets_nothing),
        cmocka_unit_test(many_processes_all_reachable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
