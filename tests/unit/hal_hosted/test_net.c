/*
 * test_net.c - in-process wires: delivery at delivery points in interrupt context, MAC/MTU,
 * injection and monitoring, and the seeded loss / duplication / reordering knobs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hal/hal_cpu.h"
#include "hal/hal_errno.h"
#include "hal/hal_net.h"
#include "hal_hosted/hosted.h"

#define NFRAMES 200

static struct hal_boot_info info;

struct rx_log {
    int n;
    int seq[4 * NFRAMES];
    size_t len[4 * NFRAMES];
    unsigned flags[4 * NFRAMES];
    int enabled;
};

static struct rx_log rx_a, rx_b;

static void on_rx(void *arg, const struct hal_net_rx *rx)
{
    struct rx_log *log = arg;
    const unsigned char *f = rx->seg[0].data;
    size_t len = rx->len;

    log->enabled += hal_irq_enabled();
    if (log->n < 4 * NFRAMES) {
        log->seq[log->n] = f[14] | f[15] << 8;
        log->len[log->n] = len;
        log->flags[log->n] = rx->flags;
    }
    log->n++;
}

static int init_wire(struct hosted_wire_config w, uint64_t seed)
{
    struct hosted_config cfg = {
        .ram_bytes = 1 << 20, .nwires = 1, .wire[0] = w, .has_seed = true, .seed = seed};
    int rc;

    memset(&rx_a, 0, sizeof(rx_a));
    memset(&rx_b, 0, sizeof(rx_b));
    rc = hosted_hal_init(&cfg, NULL, &info);
    if (rc == 0) {
        hal_net_set_rx(hal_net_get(0), on_rx, &rx_a);
        hal_net_set_rx(hal_net_get(1), on_rx, &rx_b);
    }
    return rc;
}

static int setup_clean(void **state)
{
    return init_wire((struct hosted_wire_config){0}, 1);
}

static int teardown(void **state)
{
    hosted_hal_fini();
    return 0;
}

static void frame_make(unsigned char *f, size_t len, int seq)
{
    memset(f, 0, len);
    memset(f, 0xff, 6); /* broadcast */
    f[12] = 0x88;
    f[13] = 0xb5; /* local experimental ethertype */
    f[14] = (unsigned char)seq;
    f[15] = (unsigned char)(seq >> 8);
}

static int send_seq(unsigned dev, int seq)
{
    unsigned char f[64];

    frame_make(f, sizeof(f), seq);
    return hal_net_transmit(hal_net_get(dev), f, sizeof(f));
}

static void test_devices_mac_mtu(void **state)
{
    struct hal_net_info a, b;

    assert_int_equal(hal_net_count(), 2);
    assert_null(hal_net_get(2));
    hal_net_get_info(hal_net_get(0), &a);
    hal_net_get_info(hal_net_get(1), &b);
    assert_int_equal(a.mtu, 1500);
    assert_int_equal(a.mac[0] & 1, 0); /* unicast */
    assert_int_equal(a.mac[0] & 2, 2); /* locally administered */
    assert_memory_not_equal(a.mac, b.mac, 6);
    assert_string_not_equal(a.name, b.name);
}

static void test_frame_crosses_wire_at_delivery_point(void **state)
{
    assert_int_equal(send_seq(0, 7), 0);
    assert_int_equal(rx_b.n, 0);
    hal_irq_enable();
    assert_int_equal(rx_b.n, 1);
    assert_int_equal(rx_b.seq[0], 7);
    assert_int_equal(rx_b.len[0], 64);
    assert_int_equal(rx_b.enabled, 0);
    assert_int_equal(rx_a.n, 0); /* no echo to the sender */
    assert_int_equal(send_seq(1, 8), 0);
    hal_poll();
    assert_int_equal(rx_a.n, 1);
    assert_int_equal(rx_a.seq[0], 8);
}

static void test_mtu_limit(void **state)
{
    static unsigned char big[1515];

    assert_int_equal(hal_net_transmit(hal_net_get(0), big, 1514), 0);
    assert_int_equal(hal_net_transmit(hal_net_get(0), big, 1515), -EMSGSIZE);
    assert_int_equal(hal_net_transmit(hal_net_get(0), big, 0), -EMSGSIZE);
}

static void test_no_rx_callback_drops(void **state)
{
    struct hosted_stats st;

    hal_net_set_rx(hal_net_get(1), NULL, NULL);
    send_seq(0, 1);
    hal_irq_enable();
    hosted_get_stats(&st);
    assert_int_equal(rx_b.n, 0);
    assert_int_equal(st.net_dropped, 1);
}

static void test_queue_full_is_eagain(void **state)
{
    int rc = 0, n;

    for (n = 0; n < 300 && rc == 0; n++)
        rc = send_seq(0, n);
    assert_int_equal(rc, -EAGAIN);
    assert_int_equal(n, 257); /* default depth 256 */
    hal_irq_enable();
    assert_int_equal(rx_b.n, 256);
    assert_int_equal(send_seq(0, 0), 0);
}

static struct {
    unsigned dev;
    size_t len;
    int n;
} mon;

static void monitor(void *arg, unsigned dev, const void *frame, size_t len)
{
    mon.dev = dev;
    mon.len = len;
    mon.n++;
}

static int tx_ready_calls, tx_ready_enabled;

static void on_tx_ready(void *arg)
{
    (void)arg;
    tx_ready_calls++;
    tx_ready_enabled += hal_irq_enabled();
}

/* hal_net_set_tx_ready: called once, in interrupt context, at the delivery point that empties
 * the peer's ring after a refused transmit; never without a refusal. */
static void test_tx_ready_after_refusal(void **state)
{
    int rc = 0;

    tx_ready_calls = tx_ready_enabled = 0;
    hal_net_set_tx_ready(hal_net_get(0), on_tx_ready, NULL);
    assert_int_equal(send_seq(0, 0), 0);
    hal_irq_enable();
    assert_int_equal(tx_ready_calls, 0); /* delivered, but nothing was refused */
    hal_irq_disable();
    for (int n = 0; n < 300 && rc == 0; n++)
        rc = send_seq(0, n);
    assert_int_equal(rc, -EAGAIN);
    assert_int_equal(tx_ready_calls, 0);
    hal_irq_enable();
    assert_int_equal(tx_ready_calls, 1);
    assert_int_equal(tx_ready_enabled, 0);
    assert_int_equal(send_seq(0, 0), 0);
    hal_irq_disable();
    hal_irq_enable();
    assert_int_equal(tx_ready_calls, 1);
    hal_net_set_tx_ready(hal_net_get(0), NULL, NULL);
}

static void test_inject_and_monitor(void **state)
{
    unsigned char f[60];

    frame_make(f, sizeof(f), 99);
    assert_int_equal(hosted_net_inject(0, f, sizeof(f)), 0);
    assert_int_equal(hosted_net_inject(5, f, sizeof(f)), -ENODEV);
    hal_irq_enable();
    assert_int_equal(rx_a.n, 1);
    assert_int_equal(rx_a.seq[0], 99);
    hosted_net_set_monitor(monitor, NULL);
    send_seq(1, 3);
    assert_int_equal(mon.n, 1);
    assert_int_equal(mon.dev, 1);
    assert_int_equal(mon.len, 64);
}

static unsigned char mon_frame[128];

static void monitor_copy(void *arg, unsigned dev, const void *frame, size_t len)
{
    monitor(arg, dev, frame, len);
    memcpy(mon_frame, frame, len < sizeof(mon_frame) ? len : sizeof(mon_frame));
}

/* hal_net_transmit_csum on a wire, which offers no offloads: the HAL sums in software. The
 * sum is over bytes 14..end, the field (at 14 + 16) holding 0x1234 as a pseudo-header's
 * sum would; the caller's frame is left as it was. */
static void test_transmit_csum_in_software(void **state)
{
    unsigned char f[75], orig[75];
    uint32_t sum = 0;
    struct hal_net_info ni;

    memset(&mon, 0, sizeof(mon));
    hal_net_get_info(hal_net_get(0), &ni);
    assert_false(ni.offloads & HAL_NET_TX_CSUM);
    for (unsigned i = 0; i < sizeof(f); i++)
        f[i] = (unsigned char)(i * 37 + 11);
    f[30] = 0x12;
    f[31] = 0x34;
    memcpy(orig, f, sizeof(f));
    for (unsigned i = 14; i < sizeof(f); i += 2)
        sum += (uint32_t)(f[i] << 8 | (i + 1 < sizeof(f) ? f[i + 1] : 0));
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    hosted_net_set_monitor(monitor_copy, NULL);
    assert_int_equal(hal_net_transmit_csum(hal_net_get(0), f, sizeof(f), 14, 16), 0);
    assert_int_equal(mon.n, 1);
    assert_int_equal(mon.len, sizeof(f));
    assert_int_equal(mon_frame[30], (unsigned char)(~sum >> 8));
    assert_int_equal(mon_frame[31], (unsigned char)~sum);
    assert_memory_equal(mon_frame, orig, 30);
    assert_memory_equal(mon_frame + 32, orig + 32, sizeof(f) - 32);
    assert_memory_equal(f, orig, sizeof(f));
    assert_int_equal(hal_net_transmit_csum(hal_net_get(0), f, sizeof(f), 60, 14), -EINVAL);
    assert_int_equal(hal_net_transmit_csum(hal_net_get(0), f, sizeof(f), 14, 60), -EINVAL);
    assert_int_equal(hal_net_transmit_csum(hal_net_get(0), f, sizeof(f), 14, 59), 0);
    hosted_net_set_monitor(NULL, NULL);
}

/* Reply from inside rx: it arrives at the next delivery point, not in the same round. */
static void echo_rx(void *arg, const struct hal_net_rx *rx)
{
    on_rx(arg, rx);
    if (((struct rx_log *)arg)->n < 5)
        hal_net_transmit(hal_net_get(arg == &rx_a ? 0 : 1), rx->seg[0].data, rx->len);
}

static void test_ping_pong_rounds(void **state)
{
    int rounds = 0;

    hal_net_set_rx(hal_net_get(0), echo_rx, &rx_a);
    hal_net_set_rx(hal_net_get(1), echo_rx, &rx_b);
    send_seq(0, 1);
    hal_irq_enable();
    while (hosted_work_pending()) {
        hal_poll();
        rounds++;
    }
    /* b answers its first 4 frames, a all 4 of those: 9 hops, one per delivery point */
    assert_int_equal(rx_b.n, 5);
    assert_int_equal(rx_a.n, 4);
    assert_int_equal(rounds, 8);
}

/* --- knobs ---------------------------------------------------------------------------- */

static void run_burst(struct rx_log *out)
{
    for (int i = 0; i < NFRAMES; i++)
        send_seq(0, i);
    hal_irq_enable();
    while (hosted_work_pending())
        hal_poll();
    *out = rx_b;
}

static void test_loss_is_seeded(void **state)
{
    static struct rx_log first, second;
    struct hosted_wire_config w = {.loss_pct = 30};

    assert_int_equal(init_wire(w, 1234), 0);
    run_burst(&first);
    hosted_hal_fini();
    assert_true(first.n > NFRAMES / 2 && first.n < NFRAMES); /* ~70% */
    for (int i = 1; i < first.n; i++)
        assert_true(first.seq[i] > first.seq[i - 1]); /* loss alone keeps order */
    assert_int_equal(init_wire(w, 1234), 0);
    run_burst(&second);
    hosted_hal_fini();
    assert_int_equal(first.n, second.n);
    assert_memory_equal(first.seq, second.seq, sizeof(first.seq));
    assert_int_equal(init_wire(w, 99), 0); /* another seed, another run */
    run_burst(&second);
    assert_memory_not_equal(first.seq, second.seq, sizeof(first.seq));
}

static void test_duplication(void **state)
{
    static struct rx_log got;
    int dups = 0;

    assert_int_equal(init_wire((struct hosted_wire_config){.dup_pct = 20}, 7), 0);
    run_burst(&got);
    assert_true(got.n > NFRAMES && got.n < 2 * NFRAMES);
    for (int i = 1; i < got.n; i++)
        dups += got.seq[i] == got.seq[i - 1];
    assert_int_equal(dups, got.n - NFRAMES);
}

static void test_reorder(void **state)
{
    static struct rx_log got;
    int inversions = 0;
    int seen[NFRAMES] = {0};

    assert_int_equal(init_wire((struct hosted_wire_config){.reorder_pct = 25}, 7), 0);
    run_burst(&got);
    assert_int_equal(got.n, NFRAMES); /* nothing lost or doubled */
    for (int i = 0; i < got.n; i++)
        seen[got.seq[i]]++;
    for (int i = 0; i < NFRAMES; i++)
        assert_int_equal(seen[i], 1);
    for (int i = 1; i < got.n; i++)
        inversions += got.seq[i] < got.seq[i - 1];
    assert_true(inversions > 0);
}

static void test_two_wires_are_separate(void **state)
{
    struct hosted_config cfg = {.ram_bytes = 1 << 20, .nwires = 2, .wire[1] = {.mtu = 9000}};
    static struct rx_log rx_c, rx_d;
    struct hal_net_info c;
    static unsigned char jumbo[9014];

    memset(&rx_a, 0, sizeof(rx_a));
    memset(&rx_b, 0, sizeof(rx_b));
    assert_int_equal(hosted_hal_init(&cfg, NULL, &info), 0);
    assert_int_equal(hal_net_count(), 4);
    for (unsigned i = 0; i < 4; i++)
        hal_net_set_rx(hal_net_get(i), on_rx, (struct rx_log *[]){&rx_a, &rx_b, &rx_c, &rx_d}[i]);
    hal_net_get_info(hal_net_get(2), &c);
    assert_int_equal(c.mtu, 9000);
    frame_make(jumbo, sizeof(jumbo), 5);
    assert_int_equal(hal_net_transmit(hal_net_get(2), jumbo, sizeof(jumbo)), 0);
    assert_int_equal(hal_net_transmit(hal_net_get(0), jumbo, sizeof(jumbo)), -EMSGSIZE);
    assert_int_equal(hosted_net_inject(1, jumbo, sizeof(jumbo)), -EMSGSIZE);
    send_seq(1, 6);
    hal_irq_enable();
    assert_int_equal(rx_d.n, 1);
    assert_int_equal(rx_d.seq[0], 5);
    assert_int_equal(rx_d.len[0], sizeof(jumbo));
    assert_int_equal(rx_a.n, 1);
    assert_int_equal(rx_a.seq[0], 6);
    assert_int_equal(rx_b.n + rx_c.n, 0);
}

static void test_bad_knobs_refused(void **state)
{
    assert_int_equal(init_wire((struct hosted_wire_config){.loss_pct = 101}, 1), -EINVAL);
    assert_int_equal(init_wire((struct hosted_wire_config){.mtu = 20}, 1), -EINVAL);
}

/* --- offloads ------------------------------------------------------------------------- */

/* Frames the monitor saw, whole. */
static struct {
    int n;
    size_t len[8];
    unsigned char f[8][70000];
} wire;

static void monitor_frames(void *arg, unsigned dev, const void *frame, size_t len)
{
    (void)arg;
    (void)dev;
    if (wire.n < 8 && len <= sizeof(wire.f[0])) {
        memcpy(wire.f[wire.n], frame, len);
        wire.len[wire.n] = len;
    }
    wire.n++;
}

static uint32_t sum16(uint32_t s, const unsigned char *b, size_t len)
{
    for (size_t i = 0; i < len; i += 2)
        s += (uint32_t)(b[i] << 8 | (i + 1 < len ? b[i + 1] : 0));
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return s;
}

static uint32_t get32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* A TCP frame: Ethernet, IPv4 (ID 0x1000) or IPv6, TCP with 12 option bytes, seq 1000,
 * flags ACK|PSH|CWR, payload bytes i*7; the TCP checksum field holds the pseudo-header's
 * sum over the whole TCP length (as the stack leaves it for the device). Returns hdr_len. */
static size_t tcp_frame(unsigned char *f, bool v6, size_t payload)
{
    size_t l3 = v6 ? 40 : 20, th = 14 + l3, hl = th + 32, l4 = 32 + payload;
    uint32_t s;

    memset(f, 0, hl);
    memset(f, 0x02, 12);
    f[12] = v6 ? 0x86 : 0x08;
    f[13] = v6 ? 0xdd : 0x00;
    if (v6) {
        f[14] = 0x60, f[18] = (unsigned char)(l4 >> 8), f[19] = (unsigned char)l4;
        f[20] = 6, f[21] = 64;
        for (int i = 0; i < 32; i++)
            f[22 + i] = (unsigned char)(i + 1);
        s = sum16(0, f + 22, 32);
    } else {
        f[14] = 0x45, f[16] = (unsigned char)((l4 + 20) >> 8), f[17] = (unsigned char)(l4 + 20);
        f[18] = 0x10, f[22] = 64, f[23] = 6;
        f[26] = 10, f[29] = 1, f[30] = 10, f[33] = 2;
        s = sum16(0, f + 26, 8);
    }
    f[th] = 0x12, f[th + 1] = 0x34, f[th + 2] = 0x00, f[th + 3] = 0x50;
    f[th + 6] = 1000 >> 8, f[th + 7] = 1000 & 0xff;
    f[th + 12] = 8 << 4, f[th + 13] = 0x80 | 0x10 | 0x08, f[th + 14] = 0x10;
    memset(f + th + 20, 1, 12); /* NOP options */
    for (size_t i = 0; i < payload; i++)
        f[hl + i] = (unsigned char)(i * 7);
    s = sum16(s + 6 + (uint32_t)l4, NULL, 0);
    f[th + 16] = (unsigned char)(s >> 8), f[th + 17] = (unsigned char)s;
    return hl;
}

static int init_offload_wire(unsigned offloads)
{
    memset(&wire, 0, sizeof(wire));
    return init_wire((struct hosted_wire_config){.offloads = offloads}, 3);
}

static void check_segment(const unsigned char *g, size_t hl, bool v6, unsigned i, unsigned n,
                          size_t mss, size_t total)
{
    size_t th = 14 + (v6 ? 40 : 20), pay = i + 1 < n ? mss : total - i * mss;
    const unsigned char *f = wire.f[i];
    uint32_t s;

    assert_int_equal(wire.len[i], hl + pay);
    assert_int_equal(get32(f + th + 4), 1000 + i * mss);
    assert_int_equal(f[th + 13], 0x10 | (i == 0 ? 0x80 : 0) | (i + 1 == n ? 0x08 : 0));
    assert_memory_equal(f + hl, g + hl + i * mss, pay);
    assert_memory_equal(f + th + 18, g + th + 18, hl - th - 18);
    if (v6) {
        assert_int_equal(f[18] << 8 | f[19], 32 + pay);
        s = sum16(0, f + 22, 32);
    } else {
        assert_int_equal(f[16] << 8 | f[17], 20 + 32 + pay);
        assert_int_equal(f[18] << 8 | f[19], 0x1000 + i);
        assert_int_equal(sum16(0, f + 14, 20), 0xffff); /* IP header checksum */
        s = sum16(0, f + 26, 8);
    }
    assert_int_equal(sum16(s + 6 + (uint32_t)(32 + pay), f + th, 32 + pay), 0xffff);
}

/* Without HAL_NET_RX_LARGE the wire cuts a GSO frame as Linux's tcp_gso_segment does: every
 * segment with its own sequence number, lengths, IPv4 ID and checksums; CWR on the first,
 * PSH on the last; the sender's pieces may split anywhere. */
static void test_gso_cut_by_wire(void **state)
{
    static unsigned char g[14 + 40 + 32 + 3000];

    for (int v6 = 0; v6 < 2; v6++) {
        size_t hl = tcp_frame(g, v6, 2500), len = hl + 2500;
        struct hal_net_seg seg[3] = {{g, 10}, {g + 10, hl + 5}, {g + hl + 15, len - hl - 15}};
        struct hal_net_gso gso = {(uint16_t)hl, 1000, (uint16_t)(14 + (v6 ? 40 : 20)),
                                  (uint8_t)v6};

        assert_int_equal(init_offload_wire(HAL_NET_TX_CSUM | HAL_NET_TX_TSO), 0);
        hosted_net_set_monitor(monitor_frames, NULL);
        assert_int_equal(hal_net_transmit_gso(hal_net_get(0), seg, 3, &gso), 0);
        assert_int_equal(wire.n, 3);
        for (unsigned i = 0; i < 3; i++)
            check_segment(g, hl, v6, i, 3, 1000, 2500);
        hal_irq_enable();
        assert_int_equal(rx_b.n, 3);
        assert_int_equal(rx_b.flags[0] | rx_b.flags[1] | rx_b.flags[2], 0); /* summed */
        hosted_hal_fini();
    }
}

/* With HAL_NET_RX_LARGE a GSO frame crosses whole, its checksum left partial and vouched
 * for; so does a hal_net_transmit_csum frame with the receive checksum offload. */
static void test_gso_whole_with_rx_large(void **state)
{
    static unsigned char g[14 + 20 + 32 + 60000];
    size_t hl = tcp_frame(g, false, 60000), len = hl + 60000;
    struct hal_net_seg seg = {g, len};
    struct hal_net_gso gso = {(uint16_t)hl, 1448, 34, 0};

    assert_int_equal(init_offload_wire(HAL_NET_TX_CSUM | HAL_NET_TX_TSO | HAL_NET_RX_CSUM |
                                       HAL_NET_RX_LARGE),
                     0);
    hosted_net_set_monitor(monitor_frames, NULL);
    assert_int_equal(hal_net_transmit_gso(hal_net_get(0), &seg, 1, &gso), 0);
    assert_int_equal(hal_net_transmit_csum(hal_net_get(0), g, 1000, 34, 16), 0);
    assert_int_equal(wire.n, 2);
    assert_int_equal(wire.len[0], len);
    assert_memory_equal(wire.f[0], g, len);
    assert_memory_equal(wire.f[1], g, 1000); /* not summed: the receiver is told so */
    hal_irq_enable();
    assert_int_equal(rx_b.n, 2);
    assert_int_equal(rx_b.len[0], len);
    assert_int_equal(rx_b.flags[0], HAL_NET_RXF_CSUM_OK);
    assert_int_equal(rx_b.flags[1], HAL_NET_RXF_CSUM_OK);
    assert_int_equal(hosted_net_inject_rx(1, g, len, HAL_NET_RXF_CSUM_OK), 0);
    assert_int_equal(hosted_net_inject_rx(1, g, HAL_NET_GSO_MAX + 1, 0), -EMSGSIZE);
}

/* What a device without the offloads, or a frame of the wrong shape, gets. */
static void test_gso_refused(void **state)
{
    static unsigned char g[14 + 20 + 32 + 70000];
    size_t hl = tcp_frame(g, false, 3000);
    struct hal_net_seg seg = {g, hl + 3000};
    struct hal_net_gso gso = {(uint16_t)hl, 1000, 34, 0};

    assert_int_equal(hal_net_transmit_gso(hal_net_get(0), &seg, 1, &gso), -EINVAL);
    assert_int_equal(hosted_net_inject_rx(1, g, 2000, 0), -EMSGSIZE);
    hosted_hal_fini();
    assert_int_equal(init_offload_wire(HAL_NET_TX_TSO), -EINVAL);    /* TSO needs CSUM */
    assert_int_equal(init_offload_wire(HAL_NET_RX_LARGE), -EINVAL);  /* LARGE needs RX_CSUM */
    assert_int_equal(init_offload_wire(HAL_NET_TX_CSUM | HAL_NET_TX_TSO), 0);
    gso.mss = 1500; /* + 52 header bytes: over the MTU */
    assert_int_equal(hal_net_transmit_gso(hal_net_get(0), &seg, 1, &gso), -EMSGSIZE);
    gso.mss = 0;
    assert_int_equal(hal_net_transmit_gso(hal_net_get(0), &seg, 1, &gso), -EINVAL);
    gso.mss = 1000;
    gso.csum_start = 30;
    assert_int_equal(hal_net_transmit_gso(hal_net_get(0), &seg, 1, &gso), -EINVAL);
    gso.csum_start = 34;
    seg.len = 70000;
    assert_int_equal(hal_net_transmit_gso(hal_net_get(0), &seg, 1, &gso), -EMSGSIZE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_devices_mac_mtu, setup_clean, teardown),
        cmocka_unit_test_setup_teardown(test_frame_crosses_wire_at_delivery_point, setup_clean,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_mtu_limit, setup_clean, teardown),
        cmocka_unit_test_setup_teardown(test_no_rx_callback_drops, setup_clean, teardown),
        cmocka_unit_test_setup_teardown(test_queue_full_is_eagain, setup_clean, teardown),
        cmocka_unit_test_setup_teardown(test_tx_ready_after_refusal, setup_clean, teardown),
        cmocka_unit_test_setup_teardown(test_inject_and_monitor, setup_clean, teardown),
        cmocka_unit_test_setup_teardown(test_transmit_csum_in_software, setup_clean, teardown),
        cmocka_unit_test_setup_teardown(test_ping_pong_rounds, setup_clean, teardown),
        cmocka_unit_test_teardown(test_loss_is_seeded, teardown),
        cmocka_unit_test_teardown(test_duplication, teardown),
        cmocka_unit_test_teardown(test_reorder, teardown),
        cmocka_unit_test_teardown(test_two_wires_are_separate, teardown),
        cmocka_unit_test_teardown(test_bad_knobs_refused, teardown),
        cmocka_unit_test(test_gso_cut_by_wire),
        cmocka_unit_test_teardown(test_gso_whole_with_rx_large, teardown),
        cmocka_unit_test_setup_teardown(test_gso_refused, setup_clean, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
