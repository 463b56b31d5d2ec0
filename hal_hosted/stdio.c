/*
 * stdio.c - hosted standard streams (hal/hal_stdio.h): buffers a test fills and drains.
 *
 * Absent until a test calls hosted_stdio_enable(), so the hosted kernel uses hal_console as
 * before. Input is a growing buffer (hosted_stdio_input) with an end mark
 * (hosted_stdio_input_end); each output stream is a buffer of at most `room` bytes that the
 * test empties with hosted_stdio_take, so a test can fill it and watch a writer block. The
 * event function runs synchronously inside the hosted_stdio_* call that caused the event,
 * standing in for the device interrupt.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hal/hal_stdio.h"
#include "hal_hosted/hosted.h"

struct hbuf {
    char *data;
    size_t len, cap;
};

static struct {
    bool present, in_end;
    unsigned tty_mask;
    size_t room;
    struct hbuf in, out[HAL_STDIO_NSTREAMS + 1]; /* + the control channel */
    size_t in_pos;
    unsigned ws_rows, ws_cols;
    void (*fn)(void *, unsigned);
    void *arg;
} hs;

static void event(unsigned ev)
{
    if (hs.fn)
        hs.fn(hs.arg, ev);
}

static int hbuf_append(struct hbuf *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d)
            return -ENOMEM;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

void hosted_stdio_enable(size_t room, unsigned tty_mask)
{
    hosted_stdio_disable();
    hs.present = true;
    hs.room = room ? room : 1u << 20;
    hs.tty_mask = tty_mask;
}

void hosted_stdio_disable(void)
{
    free(hs.in.data);
    for (unsigned i = 0; i <= HAL_STDIO_NSTREAMS; i++)
        free(hs.out[i].data);
    memset(&hs, 0, sizeof(hs));
}

int hosted_stdio_input(const void *buf, size_t n)
{
    if (!hs.present || hs.in_end)
        return -EPIPE;
    if (hbuf_append(&hs.in, buf, n))
        return -ENOMEM;
    event(HAL_STDIO_EV_IN);
    return 0;
}

void hosted_stdio_input_end(void)
{
    hs.in_end = true;
    event(HAL_STDIO_EV_IN);
}

size_t hosted_stdio_take(unsigned stream, void *buf, size_t n)
{
    if (stream > HAL_STDIO_NSTREAMS)
        return 0;
    struct hbuf *b = &hs.out[stream];
    size_t k = n < b->len ? n : b->len;
    if (k == 0) /* nothing written yet: data may be NULL */
        return 0;
    memcpy(buf, b->data, k);
    memmove(b->data, b->data + k, b->len - k);
    b->len -= k;
    event(HAL_STDIO_EV_OUT);
    return k;
}

void hosted_stdio_interrupt(void)
{
    event(HAL_STDIO_EV_INTR);
}

void hosted_stdio_winsize(unsigned rows, unsigned cols)
{
    hs.ws_rows = rows;
    hs.ws_cols = cols;
    event(HAL_STDIO_EV_WINCH);
}

bool hal_stdio_winsize(unsigned *rows, unsigned *cols)
{
    *rows = hs.ws_rows;
    *cols = hs.ws_cols;
    return hs.present && hs.ws_rows != 0;
}

bool hal_stdio_present(void)
{
    return hs.present;
}

bool hal_stdio_is_tty(unsigned stream)
{
    return hs.present && stream < HAL_STDIO_NSTREAMS && (hs.tty_mask >> stream & 1);
}

unsigned hal_stdio_ready(unsigned stream)
{
    if (!hs.present || stream >= HAL_STDIO_NSTREAMS)
        return 0;
    if (stream == HAL_STDIO_IN)
        return hs.in_pos < hs.in.len ? HAL_STDIO_R_DATA : hs.in_end ? HAL_STDIO_R_EOF : 0;
    return hs.out[stream].len < hs.room ? HAL_STDIO_R_ROOM : 0;
}

size_t hal_stdio_read(void *buf, size_t n)
{
    size_t k = hs.in.len - hs.in_pos;
    if (!hs.present)
        return 0;
    if (k > n)
        k = n;
    if (k) /* no input yet: data is NULL */
        memcpy(buf, hs.in.data + hs.in_pos, k);
    hs.in_pos += k;
    return k;
}

long hal_stdio_write(unsigned stream, const void *buf, size_t n)
{
    if (!hs.present || (stream != HAL_STDIO_OUT && stream != HAL_STDIO_ERR))
        return -EINVAL;
    struct hbuf *b = &hs.out[stream];
    size_t k = hs.room - b->len;
    if (k > n)
        k = n;
    if (k && hbuf_append(b, buf, k))
        return 0;
    return (long)k;
}

void hal_stdio_control(const char *msg, size_t n)
{
    if (hs.present && n <= 64)
        hbuf_append(&hs.out[HAL_STDIO_NSTREAMS], msg, n);
}

void hal_stdio_set_event(void (*fn)(void *arg, unsigned events), void *arg)
{
    hs.fn = fn;
    hs.arg = arg;
}
