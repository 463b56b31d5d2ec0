/*
 * pd_box.c - what both backends (pd_linux.c, pd_petrel.c) keep between the runner and their
 * other threads: the queue of segments the stack sent, the application thread's one-call
 * mailbox, and loading the script named on the command line. No locks here: each backend
 * holds its own (a pthread mutex; the hosted kernel's wait-queue lock) around every call.
 */
#include "tests/conformance/pd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool pd_queue_push(struct pd_queue *q, struct pd_frame *f)
{
    if (q->count == PD_QMAX) {
        q->dropped++;
        free(f);
        return false;
    }
    q->f[(q->head + q->count++) % PD_QMAX] = f;
    return true;
}

struct pd_frame *pd_queue_pop(struct pd_queue *q)
{
    struct pd_frame *f;

    if (!q->count)
        return NULL;
    f = q->f[q->head];
    q->head = (q->head + 1) % PD_QMAX;
    q->count--;
    return f;
}

void pd_queue_clear(struct pd_queue *q)
{
    while (q->count)
        free(pd_queue_pop(q));
}

size_t pd_frame_take(struct pd_frame *f, uint8_t *buf, size_t cap, uint64_t *t)
{
    size_t n;

    if (!f)
        return 0;
    n = f->len < cap ? f->len : cap;
    memcpy(buf, f->data, n);
    *t = f->t;
    free(f);
    return n;
}

void pd_mb_post(struct pd_mailbox *mb, uint64_t nr, const uint64_t a[6])
{
    mb->nr = nr;
    memcpy(mb->a, a, sizeof(mb->a));
    mb->busy = true;
    mb->done = false;
}

void pd_mb_finish(struct pd_mailbox *mb, long ret, uint64_t t)
{
    mb->ret = ret;
    mb->t = t;
    mb->busy = false;
    mb->done = true;
}

bool pd_mb_collect(struct pd_mailbox *mb, long *ret, uint64_t *t)
{
    if (!mb->done)
        return false;
    *ret = mb->ret;
    *t = mb->t;
    mb->done = false;
    return true;
}

int pd_load(int argc, char **argv, struct pd_script *s)
{
    char err[256];

    if (argc != 2) {
        fprintf(stderr, "usage: %s SCRIPT\n", argv[0]);
        return 2;
    }
    if (pd_parse_file(argv[1], s, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: parse error: %s\n", argv[1], err);
        pd_script_free(s);
        return 2;
    }
    return 0;
}
