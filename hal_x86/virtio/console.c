/*
 * console.c - the program's standard streams (hal/hal_stdio.h) on a multiport virtio-console
 * (virtio 1.x section 5.3), on either transport.
 *
 * The host (scripts/qemu --streams, driven by `petrel run`) gives the device named ports; the
 * name says the role, and a ".tty" suffix says the host side is a terminal:
 *
 *   petrel.stdin[.tty]    host -> guest: the program's standard input; the host closing the
 *                         port (PORT_OPEN 0) is the end of input
 *   petrel.stdout[.tty]   guest -> host
 *   petrel.stderr[.tty]   guest -> host
 *   petrel.ctl            host -> guest: one byte 0x03 per interrupt request (Ctrl-C),
 *                         and the terminal's new window size as xterm's resize sequence
 *                         ESC [ 8 ; ROWS ; COLS t (petrel run -t on SIGWINCH);
 *                         guest -> host: status lines (hal_stdio_control: "started")
 *
 * Queues: 2 and 3 carry control messages (struct ctl_msg: id, event, value; PORT_NAME is
 * followed by the name), port p >= 1 receives on 2p + 2 and transmits on 2p + 3. Ports 1..4
 * are set up (MAX_PORT), which is what scripts/qemu creates (max_ports=5). The probe sends
 * DEVICE_READY and polls the control queue (interrupts are still off at boot) until every
 * port has a name or a second has passed; a port named later is ignored. Then for each known
 * port: PORT_READY, and PORT_OPEN 1 (the guest is connected, so QEMU forwards input).
 *
 * Buffers, physically contiguous from the early allocator, each descriptor one buffer, not
 * zeroed (early_alloc_contig_raw: each byte is written before it is read, by the device or by
 * a write; zeroing 1.2 MiB cost ~150,000 guest loop iterations at boot, and the host pages
 * of slots never used are never touched):
 *   output: OUT_SLOTS slots of SLOT_SIZE bytes per output port; a write copies into free
 *           slots and posts them with one notify; QEMU marks a slot used only once it has
 *           written every byte to the chardev, so "all slots free" means "delivered".
 *   input:  IN_BUFS buffers of IN_SIZE posted on the input port; used ones wait in a FIFO
 *           until read, then are posted again.
 * All state is under one irq-save lock; service() (from the interrupt and from every call)
 * drains the used rings, so the calls never depend on the interrupt having run. The exit
 * path (hal_exit) calls virtio_console_drain(), which polls until output is delivered (at
 * most DRAIN_NS), so nothing written before exit is lost. Device-written values (used ids,
 * lengths, control messages) are checked before use.
 */
#include "hal/hal_console.h"
#include "hal/hal_errno.h"
#include "hal/hal_mem.h"
#include "hal/hal_stdio.h"
#include "hal/hal_time.h"
#include "hal_x86/virtio/virtio.h"

#define CON_F_MULTIPORT (1ULL << 1)

#define EV_DEVICE_READY 0
#define EV_DEVICE_ADD 1
#define EV_PORT_READY 3
#define EV_PORT_OPEN 6
#define EV_PORT_NAME 7

#define MAX_PORT 4 /* ports 1..MAX_PORT */
#define CTL_BUFS 16
#define CTL_SIZE 128
#define OUT_SLOTS 16
#define SLOT_SIZE (32 * 1024)
#define IN_BUFS 16
#define IN_SIZE 4096
#define PROBE_NS 1000000000ULL
#define DRAIN_NS 10000000000ULL

enum role { R_NONE, R_IN, R_OUT, R_ERR, R_CTL };

struct ctl_msg {
    uint32_t id;
    uint16_t event;
    uint16_t value;
};

struct port {
    enum role role;
    bool tty, named, host_open, ready;
    struct virtq rxq, txq;
    uint8_t *buf; /* IN_BUFS x IN_SIZE (input) or OUT_SLOTS x SLOT_SIZE (output) */
    uint64_t buf_pa;
    bool busy[OUT_SLOTS]; /* output: slot posted, not yet used */
    unsigned nbusy;
    /* input: used buffers waiting to be read, in order */
    uint16_t fifo[IN_BUFS];
    uint32_t fifo_len[IN_BUFS];
    unsigned fifo_head, fifo_count, head_off;
};

static struct {
    struct virtio_dev *vdev;
    volatile uint32_t lock;
    struct virtq crx, ctx;
    uint8_t *cbuf; /* CTL_BUFS x CTL_SIZE receive, then CTL_BUFS x CTL_SIZE transmit */
    uint64_t cbuf_pa;
    bool ctx_busy[CTL_BUFS];
    struct port ports[MAX_PORT + 1];
    struct port *stream[HAL_STDIO_NSTREAMS];
    bool present;
    unsigned intr_pending;
    char seq[16]; /* a control sequence being received (ESC ... t) */
    unsigned seq_len;
    unsigned ws_rows, ws_cols; /* the last window size received (0: none) */
    unsigned ev_pending;       /* events seen by service() not reported yet */
    unsigned nomem_said;       /* the streams' buffers did not fit (said once) */
    void (*event_fn)(void *, unsigned);
    void *event_arg;
} con;

static void dev_notify(unsigned q)
{
    con.vdev->ops->notify(con.vdev, q);
}

static unsigned rxq_of(unsigned p)
{
    return 2 * p + 2;
}

/* --- control messages ---------------------------------------------------------------------- */

static void ctl_send(uint32_t id, uint16_t event, uint16_t value)
{
    unsigned i = 0;
    while (i < CTL_BUFS && i < con.ctx.size && con.ctx_busy[i])
        i++;
    if (i == CTL_BUFS || i == con.ctx.size || con.ctx.broken)
        return; /* the device stopped taking messages: nothing better to do */
    struct ctl_msg *m = (struct ctl_msg *)(con.cbuf + (CTL_BUFS + i) * CTL_SIZE);
    *m = (struct ctl_msg){id, event, value};
    volatile struct virtq_desc *d = &con.ctx.desc[i];
    d->addr = con.cbuf_pa + (uint64_t)(CTL_BUFS + i) * CTL_SIZE;
    d->len = sizeof(*m);
    d->flags = 0;
    d->next = 0;
    con.ctx_busy[i] = true;
    virtq_push(&con.ctx, (uint16_t)i);
    dev_notify(3);
}

static void ctl_post(unsigned i)
{
    volatile struct virtq_desc *d = &con.crx.desc[i];
    d->addr = con.cbuf_pa + (uint64_t)i * CTL_SIZE;
    d->len = CTL_SIZE;
    d->flags = VIRTQ_DESC_F_WRITE;
    d->next = 0;
    virtq_push(&con.crx, (uint16_t)i);
}

static bool name_is(const char *name, unsigned len, const char *want, bool *tty)
{
    unsigned n = 0;
    while (len && name[len - 1] == 0)
        len--; /* QEMU sends the name's terminating NUL */
    while (want[n])
        n++;
    for (unsigned i = 0; i < n; i++)
        if (i >= len || name[i] != want[i])
            return false;
    if (len == n)
        return *tty = false, true;
    if (len == n + 4 && name[n] == '.' && name[n + 1] == 't' && name[n + 2] == 't' &&
        name[n + 3] == 'y')
        return *tty = true, true;
    return false;
}

static void port_named(struct port *p, const char *name, unsigned len)
{
    static const char *const names[] = {"", "petrel.stdin", "petrel.stdout", "petrel.stderr",
                                        "petrel.ctl"};
    bool tty = false;
    if (p->named)
        return;
    p->named = true;
    for (unsigned r = R_IN; r <= R_CTL; r++)
        if (name_is(name, len, names[r], &tty)) {
            p->role = (enum role)r;
            p->tty = tty && r != R_CTL;
        }
}

/* One control message from the device (len bytes at m). Lock held. */
static unsigned ctl_handle(const uint8_t *buf, uint32_t len)
{
    struct ctl_msg m;
    if (len < sizeof(m))
        return 0;
    __builtin_memcpy(&m, buf, sizeof(m));
    if (m.id == 0 || m.id > MAX_PORT)
        return 0; /* port 0 and ports we set no queues up for are not ours */
    struct port *p = &con.ports[m.id];
    switch (m.event) {
    case EV_DEVICE_ADD:
        if (!p->ready)
            ctl_send(m.id, EV_PORT_READY, 1);
        p->ready = true;
        return 0;
    case EV_PORT_NAME:
        port_named(p, (const char *)buf + sizeof(m), len - (uint32_t)sizeof(m));
        return 0;
    case EV_PORT_OPEN:
        p->host_open = m.value != 0;
        return p->role == R_IN ? HAL_STDIO_EV_IN : 0;
    default:
        return 0;
    }
}

/* --- rings ---------------------------------------------------------------------------------- */

static unsigned service_ctl(void)
{
    uint32_t id, len;
    unsigned ev = 0, reposted = 0;
    while (virtq_pop(&con.ctx, &id, &len))
        if (id < CTL_BUFS)
            con.ctx_busy[id] = false;
    while (virtq_pop(&con.crx, &id, &len)) {
        if (id >= CTL_BUFS || id >= con.crx.size)
            continue;
        ev |= ctl_handle(con.cbuf + id * CTL_SIZE, len > CTL_SIZE ? CTL_SIZE : len);
        ctl_post(id);
        reposted++;
    }
    if (reposted)
        dev_notify(2);
    return ev;
}

static void in_post(struct port *p, unsigned p_id, unsigned i)
{
    unsigned size = p->role == R_CTL ? 64 : IN_SIZE;
    volatile struct virtq_desc *d = &p->rxq.desc[i];
    d->addr = p->buf_pa + (uint64_t)i * IN_SIZE;
    d->len = size;
    d->flags = VIRTQ_DESC_F_WRITE;
    d->next = 0;
    virtq_push(&p->rxq, (uint16_t)i);
    (void)p_id;
}

/* "ESC[8;ROWS;COLS" (the final 't' taken): the size, or false when malformed. */
static bool parse_winsize(const char *s, unsigned n, unsigned *rows, unsigned *cols)
{
    unsigned v[2] = {0, 0}, i = 4, k = 0;

    if (n < 7 || s[1] != '[' || s[2] != '8' || s[3] != ';')
        return false;
    for (; i < n && k < 2; i++) {
        if (s[i] == ';' && k == 0 && v[0])
            k++;
        else if (s[i] >= '0' && s[i] <= '9' && v[k] < 10000)
            v[k] = v[k] * 10 + (unsigned)(s[i] - '0');
        else
            return false;
    }
    if (!v[0] || !v[1] || k != 1 || v[0] > 9999 || v[1] > 9999)
        return false;
    *rows = v[0];
    *cols = v[1];
    return true;
}

/* One byte of the control port's input (lock held): 0x03 an interrupt request, an escape
 * sequence a window size; anything else is ignored. Returns the events. */
static unsigned ctl_byte(uint8_t c)
{
    if (c == 0x03) {
        con.intr_pending++;
        return HAL_STDIO_EV_INTR;
    }
    if (c == 0x1b)
        con.seq_len = 1, con.seq[0] = (char)c;
    else if (con.seq_len && c != 't' && con.seq_len < sizeof(con.seq))
        con.seq[con.seq_len++] = (char)c;
    else if (con.seq_len && c == 't') {
        unsigned n = con.seq_len;
        con.seq_len = 0;
        if (parse_winsize(con.seq, n, &con.ws_rows, &con.ws_cols))
            return HAL_STDIO_EV_WINCH;
    } else {
        con.seq_len = 0; /* too long: not ours */
    }
    return 0;
}

static unsigned service_port(unsigned pid)
{
    struct port *p = &con.ports[pid];
    uint32_t id, len;
    unsigned ev = 0, reposted = 0;

    while (p->buf && virtq_pop(&p->txq, &id, &len))
        if (id < OUT_SLOTS && p->busy[id]) {
            p->busy[id] = false;
            p->nbusy--;
            ev |= HAL_STDIO_EV_OUT;
        }
    while (p->buf && virtq_pop(&p->rxq, &id, &len)) {
        if (id >= IN_BUFS || len > IN_SIZE)
            continue;
        if (p->role == R_CTL) {
            for (uint32_t k = 0; k < len; k++)
                ev |= ctl_byte(p->buf[id * IN_SIZE + k]);
            in_post(p, pid, id);
            reposted++;
        } else if (len == 0) {
            in_post(p, pid, id);
            reposted++;
        } else if (p->role == R_IN && p->fifo_count < IN_BUFS) {
            unsigned slot = (p->fifo_head + p->fifo_count++) % IN_BUFS;
            p->fifo[slot] = (uint16_t)id;
            p->fifo_len[slot] = len;
            ev |= HAL_STDIO_EV_IN;
        }
    }
    if (reposted)
        dev_notify(rxq_of(pid));
    return ev;
}

/* Drain every used ring. Lock held. Returns the events seen. */
static unsigned service(void)
{
    unsigned ev = service_ctl();
    for (unsigned i = 1; i <= MAX_PORT; i++)
        ev |= service_port(i);
    /* Events a call's service() saw are the next interrupt's to report (it follows: the
     * device raised it while the lock kept interrupts off), else a window size taken by a
     * read would never reach the kernel. */
    con.ev_pending |= ev;
    return ev;
}

static uint64_t lock(void)
{
    return x86_lock_irqsave(&con.lock);
}

static void unlock(uint64_t fl)
{
    x86_unlock_irqrestore(&con.lock, fl);
}

bool hal_stdio_winsize(unsigned *rows, unsigned *cols)
{
    uint64_t fl = lock();
    bool set = con.ws_rows != 0;

    *rows = con.ws_rows;
    *cols = con.ws_cols;
    unlock(fl);
    return set;
}

static void con_irq(void *arg)
{
    (void)arg;
    con.vdev->ops->irq_ack(con.vdev);
    uint64_t fl = lock();
    unsigned ev = service() | con.ev_pending;
    con.ev_pending = 0;
    void (*fn)(void *, unsigned) = con.event_fn;
    void *fn_arg = con.event_arg;
    unlock(fl);
    if (ev && fn)
        fn(fn_arg, ev);
}

/* --- the HAL interface ---------------------------------------------------------------------- */

bool hal_stdio_present(void)
{
    return con.present;
}

bool hal_stdio_is_tty(unsigned stream)
{
    return con.present && stream < HAL_STDIO_NSTREAMS && con.stream[stream]->tty;
}

unsigned hal_stdio_ready(unsigned stream)
{
    if (!con.present || stream >= HAL_STDIO_NSTREAMS)
        return 0;
    uint64_t fl = lock();
    service();
    struct port *p = con.stream[stream];
    unsigned r = 0;
    if (stream == HAL_STDIO_IN) {
        if (p->fifo_count)
            r |= HAL_STDIO_R_DATA;
        else if (!p->host_open || p->rxq.broken)
            r |= HAL_STDIO_R_EOF;
    } else if (p->nbusy < OUT_SLOTS && p->nbusy < p->txq.size) {
        r |= HAL_STDIO_R_ROOM;
    }
    unlock(fl);
    return r;
}

size_t hal_stdio_read(void *buf, size_t n)
{
    if (!con.present)
        return 0;
    uint64_t fl = lock();
    service();
    struct port *p = con.stream[HAL_STDIO_IN];
    size_t got = 0;
    unsigned reposted = 0;
    while (got < n && p->fifo_count) {
        unsigned id = p->fifo[p->fifo_head];
        uint32_t len = p->fifo_len[p->fifo_head];
        size_t k = len - p->head_off;
        if (k > n - got)
            k = n - got;
        __builtin_memcpy((uint8_t *)buf + got, p->buf + id * IN_SIZE + p->head_off, k);
        got += k;
        p->head_off += (unsigned)k;
        if (p->head_off == len) {
            p->head_off = 0;
            p->fifo_head = (p->fifo_head + 1) % IN_BUFS;
            p->fifo_count--;
            in_post(p, 0, id);
            reposted++;
        }
    }
    if (reposted)
        dev_notify(rxq_of((unsigned)(p - con.ports)));
    unlock(fl);
    return got;
}

long hal_stdio_write(unsigned stream, const void *buf, size_t n)
{
    if (!con.present || (stream != HAL_STDIO_OUT && stream != HAL_STDIO_ERR))
        return -EINVAL;
    uint64_t fl = lock();
    service();
    struct port *p = con.stream[stream];
    size_t done = 0;
    for (unsigned i = 0; done < n && i < OUT_SLOTS && i < p->txq.size && !p->txq.broken; i++) {
        if (p->busy[i])
            continue;
        size_t k = n - done < SLOT_SIZE ? n - done : SLOT_SIZE;
        __builtin_memcpy(p->buf + (size_t)i * SLOT_SIZE, (const uint8_t *)buf + done, k);
        volatile struct virtq_desc *d = &p->txq.desc[i];
        d->addr = p->buf_pa + (uint64_t)i * SLOT_SIZE;
        d->len = (uint32_t)k;
        d->flags = 0;
        d->next = 0;
        p->busy[i] = true;
        p->nbusy++;
        virtq_push(&p->txq, (uint16_t)i);
        done += k;
    }
    if (done)
        dev_notify(rxq_of((unsigned)(p - con.ports)) + 1);
    unlock(fl);
    return (long)done;
}

/* The control port's slot i: receive at i * IN_SIZE (64 bytes), transmit at + CTL_TX_OFF. */
#define CTL_TX_OFF 2048

void hal_stdio_control(const char *msg, size_t n)
{
    struct port *p = NULL;
    for (unsigned i = 1; i <= MAX_PORT; i++)
        if (con.ports[i].role == R_CTL && con.ports[i].buf)
            p = &con.ports[i];
    if (!con.present || !p || n == 0 || n > 64)
        return;
    uint64_t fl = lock();
    service();
    unsigned i = 0;
    while (i < OUT_SLOTS && i < p->txq.size && p->busy[i])
        i++;
    if (i < OUT_SLOTS && i < p->txq.size && !p->txq.broken) {
        __builtin_memcpy(p->buf + i * IN_SIZE + CTL_TX_OFF, msg, n);
        volatile struct virtq_desc *d = &p->txq.desc[i];
        d->addr = p->buf_pa + (uint64_t)i * IN_SIZE + CTL_TX_OFF;
        d->len = (uint32_t)n;
        d->flags = 0;
        d->next = 0;
        p->busy[i] = true;
        p->nbusy++;
        virtq_push(&p->txq, (uint16_t)i);
        dev_notify(rxq_of((unsigned)(p - con.ports)) + 1);
    }
    unlock(fl);
}

void hal_stdio_set_event(void (*fn)(void *arg, unsigned events), void *arg)
{
    uint64_t fl = lock();
    con.event_fn = fn;
    con.event_arg = arg;
    unsigned intr = con.intr_pending;
    con.intr_pending = 0;
    unlock(fl);
    for (; fn && intr; intr--) /* requests that came before anyone listened */
        fn(arg, HAL_STDIO_EV_INTR);
}

void virtio_console_drain(void)
{
    if (!con.present)
        return;
    uint64_t end = hal_clock_ns() + DRAIN_NS;
    for (;;) {
        uint64_t fl = lock();
        service();
        bool busy = con.stream[HAL_STDIO_OUT]->nbusy || con.stream[HAL_STDIO_ERR]->nbusy;
        unlock(fl);
        if (!busy || hal_clock_ns() > end)
            return;
        __asm__ __volatile__("pause");
    }
}

/* --- probe ---------------------------------------------------------------------------------- */

static int setup_queue(struct virtio_dev *d, unsigned q, struct virtq *vq, unsigned want)
{
    unsigned max = d->ops->queue_max(d, q);
    if (max < 4)
        return -ENODEV;
    if (virtq_alloc(vq, max < want ? max : want))
        return -ENOMEM;
    return d->ops->queue_setup(d, q, vq->size, vq->desc_pa, vq->avail_pa, vq->used_pa);
}

static int con_setup(struct virtio_dev *d)
{
    if (d->ops->config_read(d, 4, 4) < MAX_PORT + 1)
        return -ENODEV; /* max_nr_ports: the host must offer ports 1..MAX_PORT */
    con.cbuf_pa = early_alloc_contig_raw(2 * CTL_BUFS * CTL_SIZE / HAL_PAGE_SIZE);
    if (!con.cbuf_pa)
        return -ENOMEM;
    con.cbuf = hal_phys_to_virt(con.cbuf_pa);
    if (d->ops->irq_setup(d, con_irq, NULL) || setup_queue(d, 2, &con.crx, CTL_BUFS) ||
        setup_queue(d, 3, &con.ctx, CTL_BUFS))
        return -EIO;
    for (unsigned p = 1; p <= MAX_PORT; p++)
        if (setup_queue(d, rxq_of(p), &con.ports[p].rxq, IN_BUFS) ||
            setup_queue(d, rxq_of(p) + 1, &con.ports[p].txq, OUT_SLOTS))
            return -EIO;
    return 0;
}

/* Give a named port its buffers (input ports: posted at once). */
static void port_start(unsigned pid)
{
    struct port *p = &con.ports[pid];
    bool out = p->role == R_OUT || p->role == R_ERR;
    size_t bytes = out ? (size_t)OUT_SLOTS * SLOT_SIZE : (size_t)IN_BUFS * IN_SIZE;
    p->buf_pa = early_alloc_contig_raw(bytes / HAL_PAGE_SIZE);
    if (!p->buf_pa) {
        static const char msg[] = "virtio-console: not enough memory for the streams' "
                                  "buffers: streams not used (give the VM more memory)\n";
        if (p->role != R_CTL && !con.nomem_said++)
            hal_console_write(msg, sizeof(msg) - 1);
        p->role = R_NONE;
        return;
    }
    p->buf = hal_phys_to_virt(p->buf_pa);
    ctl_send(pid, EV_PORT_OPEN, 1);
    if (!out) {
        /* After PORT_OPEN: QEMU looks at the host side for input again when buffers arrive,
         * not when the guest connects, so buffers posted before would leave input waiting. */
        for (unsigned i = 0; i < IN_BUFS && i < p->rxq.size; i++)
            in_post(p, pid, i);
        dev_notify(rxq_of(pid));
    }
}

static bool all_named(void)
{
    for (unsigned p = 1; p <= MAX_PORT; p++)
        if (!con.ports[p].named)
            return false;
    return true;
}

void virtio_console_probe(struct virtio_dev *d)
{
    if (con.vdev)
        return; /* one device carries the streams */
    uint64_t f = virtio_negotiate(d, CON_F_MULTIPORT);
    if (!(f & CON_F_MULTIPORT) || con_setup(d) != 0) {
        static const char msg[] = "virtio-console: no multiport device: streams not used\n";
        hal_console_write(msg, sizeof(msg) - 1);
        d->ops->set_status(d, VIRTIO_STATUS_FAILED);
        return;
    }
    con.vdev = d;
    d->ops->set_status(d, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
                              VIRTIO_STATUS_DRIVER_OK);
    for (unsigned i = 0; i < CTL_BUFS && i < con.crx.size; i++)
        ctl_post(i);
    dev_notify(2);
    ctl_send(0, EV_DEVICE_READY, 1);
    uint64_t end = hal_clock_ns() + PROBE_NS;
    while (!all_named() && hal_clock_ns() < end)
        service_ctl();
    bool ctl = false;
    for (unsigned p = 1; p <= MAX_PORT; p++) { /* the first port of each role is used */
        struct port *pp = &con.ports[p];
        if (pp->role == R_NONE || (pp->role == R_CTL ? ctl : con.stream[pp->role - R_IN] != 0)) {
            pp->role = R_NONE;
            continue;
        }
        port_start(p);
        if (pp->role == R_CTL)
            ctl = true;
        else if (pp->buf)
            con.stream[pp->role - R_IN] = pp;
    }
    con.present = con.stream[0] && con.stream[1] && con.stream[2];
    if (!con.present && !con.nomem_said) {
        static const char msg[] = "virtio-console: no petrel.stdin/stdout/stderr ports\n";
        hal_console_write(msg, sizeof(msg) - 1);
    }
}
