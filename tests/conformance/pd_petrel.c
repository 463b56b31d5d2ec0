/*
 * pd_petrel.c - the conformance runner against Petrel: `pd_petrel SCRIPT`.
 *
 * One hosted boot per script (the hosted kernel in this process, virtual time): an empty
 * VFS, a process, the network stack with ONE interface, hosted net device 0 (192.168.0.1/24)
 * on wire 0. The other end of the wire, device 1, has no stack: it is the script. Frames the
 * stack transmits reach the runner through the wire's monitor (hosted_net_set_monitor),
 * before any knob; the runner's segments enter with hosted_net_inject(0, ...). The monitor
 * answers ARP for 192.168.0.2 itself, and the boot seeds the stack's ARP cache with a
 * request from it, so only TCP reaches the script.
 *
 * Syscalls run through ksys_call (the real syscall layer, as a program's SYSCALL does) in an
 * application thread attached to the process, so a call may block while the runner, in the
 * init thread, goes on injecting segments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mm/uaccess.h"
#include "core/proc/proc.h"
#include "core/sched/sched.h"
#include "core/syscall/syscall.h"
#include "fs/vfs/memfs.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_net.h"
#include "hal/hal_time.h"
#include "hal_hosted/hosted.h"
#include "net/net.h"
#include "tests/conformance/pd.h"

#define SETTLE_NS 1000 /* a wait of at least this lets every runnable thread run first */
static struct pd_script script;
static struct proc *app;
static uint64_t ubuf;
static uint8_t mac_stack[6], mac_script[6] = {0x02, 0x50, 0x45, 0x54, 0x00, 0x02};

/* outbound queue (monitor -> runner) and the application thread's mailbox, both under wq's
 * lock */
static struct wait_queue wq;
static struct pd_queue q;
static struct pd_mailbox mb;

static void notify_locked(void)
{
    wq_wake_all_locked(&wq);
}

/* --- the wire ---------------------------------------------------------------------------- */

static void eth_header(uint8_t *f, uint16_t type)
{
    memcpy(f, mac_stack, 6);
    memcpy(f + 6, mac_script, 6);
    f[12] = (uint8_t)(type >> 8);
    f[13] = (uint8_t)type;
}

/* An ARP packet from the script's address: op 1 request for target_ip, 2 reply to it. */
static void send_arp(uint16_t op, uint32_t target_ip)
{
    uint8_t f[42];
    const uint32_t ip = PD_REMOTE_IP;

    eth_header(f, 0x0806);
    memcpy(f + 14, (const uint8_t[]){0, 1, 8, 0, 6, 4, 0, (uint8_t)op}, 8);
    memcpy(f + 22, mac_script, 6);
    memcpy(f + 28, (const uint8_t[]){ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255}, 4);
    memcpy(f + 32, op == 2 ? mac_stack : (const uint8_t[6]){0}, 6);
    memcpy(f + 38, (const uint8_t[]){target_ip >> 24, (target_ip >> 16) & 255,
                                      (target_ip >> 8) & 255, target_ip & 255}, 4);
    (void)hosted_net_inject(0, f, sizeof(f));
}

static void monitor(void *arg, unsigned dev, const void *frame, size_t len)
{
    const uint8_t *f = frame;
    struct pd_frame *c;
    uint64_t tok;

    (void)arg;
    if (dev != 0 || len < 14)
        return;
    if (f[12] == 0x08 && f[13] == 0x06) {
        /* who-has 192.168.0.2: answer as the script */
        if (len >= 42 && f[21] == 1 && ((uint32_t)f[38] << 24 | (uint32_t)f[39] << 16 |
                                        (uint32_t)f[40] << 8 | f[41]) == PD_REMOTE_IP)
            send_arp(2, PD_LOCAL_IP);
        return;
    }
    if (!(f[12] == 0x08 && f[13] == 0x00) || len < 34 || f[14 + 9] != 6)
        return; /* only TCP over IPv4 is the script's business */
    c = malloc(sizeof(*c) + len - 14);
    if (!c)
        return;
    c->t = hal_clock_ns();
    c->len = len - 14;
    memcpy(c->data, f + 14, len - 14);
    tok = spin_lock_irqsave(&wq.lock);
    if (pd_queue_push(&q, c))
        notify_locked();
    spin_unlock_irqrestore(&wq.lock, tok);
}

/* --- backend ----------------------------------------------------------------------------- */

static uint64_t b_now(void)
{
    return hal_clock_ns();
}

static void b_sleep_until(uint64_t t)
{
    uint64_t now = hal_clock_ns();

    sched_sleep_ns(t > now + SETTLE_NS ? t - now : SETTLE_NS);
}

static int b_inject(const uint8_t *pkt, size_t len)
{
    uint8_t f[2048];

    if (len + 14 > sizeof(f))
        return -1;
    eth_header(f, 0x0800);
    memcpy(f + 14, pkt, len);
    return hosted_net_inject(0, f, len + 14);
}

static size_t b_next_out(uint8_t *buf, size_t cap, uint64_t deadline, uint64_t *t)
{
    uint64_t tok, now = hal_clock_ns();
    struct pd_frame *c;

    if (deadline < now + SETTLE_NS)
        deadline = now + SETTLE_NS;
    tok = spin_lock_irqsave(&wq.lock);
    while (!q.count && wq_wait_locked(&wq, &tok, deadline) != -ETIMEDOUT)
        ;
    c = pd_queue_pop(&q);
    spin_unlock_irqrestore(&wq.lock, tok);
    return pd_frame_take(c, buf, cap, t);
}

static void b_call_start(uint64_t nr, const uint64_t a[6])
{
    uint64_t tok = spin_lock_irqsave(&wq.lock);

    pd_mb_post(&mb, nr, a);
    notify_locked();
    spin_unlock_irqrestore(&wq.lock, tok);
}

static bool b_call_wait(uint64_t deadline, long *ret, uint64_t *t)
{
    uint64_t tok = spin_lock_irqsave(&wq.lock);
    bool done;

    if (deadline < hal_clock_ns() + SETTLE_NS)
        deadline = hal_clock_ns() + SETTLE_NS;
    while (!mb.done && wq_wait_locked(&wq, &tok, deadline) != -ETIMEDOUT)
        ;
    done = pd_mb_collect(&mb, ret, t);
    spin_unlock_irqrestore(&wq.lock, tok);
    return done;
}

static void b_put(uint64_t u, const void *src, size_t n)
{
    if (copy_to_user(uptr_make(u), src, n))
        fprintf(stderr, "pd_petrel: copy_to_user failed\n");
}

static void b_get(void *dst, uint64_t u, size_t n)
{
    if (copy_from_user(dst, uptr_make(u), n))
        fprintf(stderr, "pd_petrel: copy_from_user failed\n");
}

/* The application thread: one syscall at a time from the mailbox. */
static void app_main(void *arg)
{
    (void)arg;
    if (proc_attach(app, NULL) != 0) {
        fprintf(stderr, "pd_petrel: proc_attach failed\n");
        return;
    }
    for (;;) {
        uint64_t tok = spin_lock_irqsave(&wq.lock), nr, a[6];
        long ret;

        while (!mb.busy && !mb.quit)
            wq_wait_locked(&wq, &tok, UINT64_MAX);
        if (mb.quit && !mb.busy) {
            spin_unlock_irqrestore(&wq.lock, tok);
            break;
        }
        nr = mb.nr;
        memcpy(a, mb.a, sizeof(a));
        spin_unlock_irqrestore(&wq.lock, tok);
        ret = ksys_call(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        tok = spin_lock_irqsave(&wq.lock);
        pd_mb_finish(&mb, ret, hal_clock_ns());
        notify_locked();
        spin_unlock_irqrestore(&wq.lock, tok);
    }
    proc_detach(NULL);
}

/* --- boot -------------------------------------------------------------------------------- */

static int setup(void)
{
    struct net_if_config cfg = {.ip4 = 0, .mask4 = 0};
    struct hal_net_info info;
    long a;

    vfs_init();
    if (memfs_mount(NULL, "/", NULL, NULL) || proc_create(NULL, &app) || proc_attach(app, NULL))
        return -1;
    a = ksys_call(9 /* mmap */, 0, PD_UBUF_SIZE, 3, 0x22, (uint64_t)-1, 0);
    if (a < 0)
        return -1;
    ubuf = (uint64_t)a;
    cfg.ip4 = __builtin_bswap32(PD_LOCAL_IP);
    cfg.mask4 = __builtin_bswap32(0xffffff00u);
    if (net_init() != 0 || net_if_add(0, &cfg, NULL) != 0)
        return -1;
    hal_net_get_info(hal_net_get(0), &info);
    memcpy(mac_stack, info.mac, 6);
    hosted_net_set_monitor(monitor, NULL);
    send_arp(1, PD_LOCAL_IP); /* the stack learns the script's MAC from the request */
    sched_sleep_ns(1000000);
    return 0;
}

static int entry(void *unused)
{
    struct pd_backend b = {
        .name = "petrel", .default_tolerance_ns = 10000000, .now = b_now,
        .sleep_until = b_sleep_until, .inject = b_inject, .next_out = b_next_out,
        .call_start = b_call_start, .call_wait = b_call_wait, .put = b_put, .get = b_get};
    struct thread *t;
    uint64_t tok;
    int rc;

    (void)unused;
    wq_init(&wq, "pd");
    if (setup() != 0 || !(t = thread_create("pd-app", app_main, NULL))) {
        fprintf(stderr, "pd_petrel: setup failed\n");
        return 2;
    }
    b.ubuf = ubuf;
    pd_queue_clear(&q); /* nothing of the setup is the script's */
    rc = pd_run(&script, &b);
    if (q.dropped)
        fprintf(stderr, "pd_petrel: %llu outbound frames lost (queue full)\n",
                (unsigned long long)q.dropped);
    if (rc || mb.busy) { /* a call may be blocked for ever: end the process here */
        fflush(stderr);
        hosted_process_exit(rc ? rc : 1);
    }
    tok = spin_lock_irqsave(&wq.lock);
    mb.quit = true;
    notify_locked();
    spin_unlock_irqrestore(&wq.lock, tok);
    thread_join(t);
    hosted_net_set_monitor(NULL, NULL);
    pd_queue_clear(&q);
    proc_detach(NULL);
    proc_destroy(app);
    net_shutdown();
    vfs_shutdown();
    return 0;
}

int main(int argc, char **argv)
{
    struct hosted_config cfg;
    int rc = pd_load(argc, argv, &script);

    if (rc)
        return rc;
    memset(&cfg, 0, sizeof(cfg));
    cfg.entry = entry;
    cfg.ram_bytes = 128u << 20;
    cfg.nwires = 1;
    cfg.wire[0].queue_depth = 1024;
    rc = hosted_boot(&cfg);
    pd_script_free(&script);
    return rc;
}
