/*
 * test_net_bulk.c - bulk TCP, byte-exact, both directions at once, over the hosted wire with
 * seeded loss, duplication and reordering (ntl.h: wire 1: 2%, 2%, 5%), 100 MB each way, then
 * over the clean wire; and a device queue that is always full (backlog, backlog_tso).
 * PETREL_SEED replays a run; the seed is printed on failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hal/hal_net.h"
#include "lwip/tcp.h"
#include "net/net.h"
#include "tests/hosted/hosted_test.h"
#include "tests/unit/net/ntl.h"

#define SEC 1000000000ULL
#define MB (1024ULL * 1024)

static bool both_done(void *arg)
{
    struct ntl_tcp **cs = arg;

    return (cs[0]->fin || cs[0]->errored) && (cs[1]->fin || cs[1]->errored);
}

/* n bytes each way between dev 2w and 2w+1, FIN after; checks every byte. */
static void exchange(unsigned wire, uint16_t port, uint64_t n)
{
    ip_addr_t a, b;
    struct ntl_listener *l;
    struct ntl_tcp *cs[2];

    ntl_addr4(2 * wire, &a);
    ntl_addr4(2 * wire + 1, &b);
    l = ntl_listen(&b, port, 4);
    l->rx_seed = port;
    cs[0] = ntl_connect(&a, &b, port);
    H_CHECK(ntl_wait(ntl_is_connected, cs[0], 60 * SEC));
    H_CHECK(ntl_wait(ntl_has_accepted, l, 60 * SEC));
    if (!l->nacc)
        return;
    cs[1] = l->acc[0];
    cs[0]->rx_seed = port + 1u;
    ntl_send(cs[0], port, n, true);
    ntl_send(cs[1], port + 1u, n, true);
    H_CHECK(ntl_wait(both_done, cs, 3600 * SEC));
    for (int i = 0; i < 2; i++) {
        if (cs[i]->rx_bytes != n || cs[i]->rx_bad || cs[i]->errored)
            fprintf(stderr, "bulk: side %d got %llu of %llu bytes, %llu bad (first at %llu), "
                    "err %d\n", i, (unsigned long long)cs[i]->rx_bytes,
                    (unsigned long long)n, (unsigned long long)cs[i]->rx_bad,
                    (unsigned long long)cs[i]->rx_bad_first, cs[i]->err);
        H_CHECK(cs[i]->rx_bytes == n && cs[i]->rx_bad == 0 && !cs[i]->errored);
    }
    ntl_free(cs[0]);
    ntl_listener_free(l);
}

/* 100 MB each way under loss, also under ASan: ~3 s of CPU plain, ~10 s with ASan (measured;
 * the clean case is scaled down below since it adds nothing ASan would see). */
#define LOSSY_BYTES (100 * MB)

static int lossy_100mb(void)
{
    struct net_stats st;

    exchange(1, 7001, LOSSY_BYTES);
    net_get_stats(&st);
    H_CHECK(st.mem_in_use <= st.mem_limit && st.mem_failed == 0);
    return 0;
}

/* 100 MB each way; a third of it under ASan, which is ~4x slower, to stay near 30 s. */
#ifdef PETREL_ASAN
#define CLEAN_BYTES (32 * MB)
#else
#define CLEAN_BYTES (100 * MB)
#endif

static int clean_100mb(void)
{
    exchange(0, 7002, CLEAN_BYTES);
    return 0;
}

/* The same under loss with the wire's offloads (hosted net.c): segments lwIP sends are merged
 * into GSO frames (net/tso.c) and either cross whole, reaching the other stack as 64 KiB
 * segments with their checksums vouched for (all), or are cut back by the wire (tso). */
#define OFFLOAD_BYTES (16 * MB)

static int lossy_offloads(void)
{
    struct net_stats st;

    exchange(1, 7003, OFFLOAD_BYTES);
    net_get_stats(&st);
    H_CHECK(st.mem_in_use <= st.mem_limit && st.mem_failed == 0);
    H_CHECK(st.tx_tso_frames > 0 && st.tx_tso_segs > 2 * st.tx_tso_frames);
    return 0;
}

static int lossy_offloads_large(void)
{
    struct net_stats st;

    lossy_offloads();
    net_get_stats(&st);
    H_CHECK(st.rx_large > 0);
    return 0;
}

/*
 * A device queue of one frame on a wire that loses nothing: lwIP's bursts overflow it all the
 * time. Every frame the device refuses waits, in order, in the interface's backlog
 * (net/txq.c) and goes when the wire has room again (the device's tx-ready callback wakes the
 * network thread), so no segment is sent twice. Before the backlog, segments held to merge
 * (TSO) that the device refused were lost: 27 retransmissions each way and 4.75 s of virtual
 * time for these 8 MiB instead of 0.25 s (measured).
 */
#define BACKLOG_BYTES (8 * MB)

static int backlog(void)
{
    struct ntl_tcp_watch wa = {.dev = 2}, wb = {.dev = 3};
    struct net_stats st;
    uint64_t t0 = ntl_now();

    ntl_watch(&wa, &wb);
    exchange(1, 7004, BACKLOG_BYTES);
    ntl_watch(NULL, NULL);
    net_get_stats(&st);
    if (wa.rexmit_segs || wb.rexmit_segs || !st.tx_queued || !st.tx_ready)
        fprintf(stderr, "backlog: %llu+%llu data segments, %llu+%llu sent again; %llu frames "
                "waited (at most %llu), %llu tx-ready calls, %llu ms\n",
                (unsigned long long)wa.data_segs, (unsigned long long)wb.data_segs,
                (unsigned long long)wa.rexmit_segs, (unsigned long long)wb.rexmit_segs,
                (unsigned long long)st.tx_queued, (unsigned long long)st.tx_queue_peak,
                (unsigned long long)st.tx_ready,
                (unsigned long long)((ntl_now() - t0) / 1000000));
    H_CHECK(st.tx_queued > 0 && st.tx_ready > 0);
    H_CHECK(wa.data_segs > 0 && wb.data_segs > 0);
    H_CHECK(wa.rexmit_segs == 0 && wb.rexmit_segs == 0);
    H_CHECK(st.mem_in_use <= st.mem_limit && st.mem_failed == 0);
    return 0;
}

/*
 * One way, 8 MiB from A to B on the clean wire, B read as a program reads a socket: what
 * arrived is taken (tcp_recved) every millisecond, outside lwIP's input. lwIP alone
 * acknowledges every second segment; with the ACKs of a batch of received frames held to its
 * end (net/ackbatch.c) B sends one ACK per batch and connection, as Linux after GRO. Counted
 * on the wire: data segments from A, pure ACKs from B (deterministic: virtual time, no loss).
 */
#define ACKS_BYTES (8 * MB)

static bool rx_done(void *arg)
{
    struct ntl_tcp *c = arg;

    return c->fin || c->errored;
}

static int stretch_acks(void)
{
    struct ntl_tcp_watch wa = {.dev = 0}, wb = {.dev = 1};
    struct net_stats st;
    struct ntl_listener *l;
    struct ntl_tcp *c, *s;
    ip_addr_t a, b;

    ntl_addr4(0, &a);
    ntl_addr4(1, &b);
    l = ntl_listen(&b, 7005, 4);
    l->rx_seed = 5;
    l->hold = true; /* B's window reopens only when the "program" below reads */
    c = ntl_connect(&a, &b, 7005);
    H_CHECK(ntl_wait(ntl_is_connected, c, 10 * SEC));
    H_CHECK(ntl_wait(ntl_has_accepted, l, 10 * SEC));
    if (!l->nacc)
        return 1;
    s = l->acc[0];
    ntl_watch(&wa, &wb);
    ntl_send(c, 5, ACKS_BYTES, true);
    for (int i = 0; i < 600000 && !ntl_wait(rx_done, s, 0); i++) {
        ntl_sleep(1000000);
        ntl_release(s, UINT64_MAX);
    }
    ntl_watch(NULL, NULL);
    net_get_stats(&st);
    uint64_t acks = wb.segs - wb.data_segs;
    fprintf(stderr, "acks: A sent %llu data segments (%llu again), B %llu pure ACKs: %.1f "
            "segments per ACK; %llu held, %llu stretch ACKs, %llu window updates\n",
            (unsigned long long)wa.data_segs, (unsigned long long)wa.rexmit_segs,
            (unsigned long long)acks, acks ? (double)wa.data_segs / (double)acks : 0.0,
            (unsigned long long)st.tcp_acks_held, (unsigned long long)st.tcp_acks_stretch,
            (unsigned long long)st.tcp_wnd_updates);
    H_CHECK(s->rx_bytes == ACKS_BYTES && s->rx_bad == 0 && !s->errored);
    H_CHECK(wa.rexmit_segs == 0);
    /* lwIP alone: 1.9 segments per ACK (3,025 ACKs); held to a batch's end: 25.3 (229) */
    H_CHECK(st.tcp_acks_held > 0 && st.tcp_acks_stretch > 0);
    H_CHECK(acks > 0 && wa.data_segs >= 16 * acks);
    ntl_free(c);
    ntl_listener_free(l);
    return 0;
}

static bool send_window_shut(void *arg)
{
    struct ntl_tcp *c = arg;

    return c->pcb && c->pcb->snd_wnd == 0;
}

static bool send_window_open(void *arg)
{
    struct ntl_tcp *c = arg;

    return c->pcb && c->pcb->snd_wnd > 0;
}

/*
 * A window update the peer waits for is never held: B stops reading until A sees a closed
 * window, then reads 64 KiB; A is told within a millisecond (its persist timer would probe
 * only after a retransmission timeout), and the transfer completes once B reads it all.
 * Window updates after a read otherwise follow Linux's rule (net/ackbatch.c): B read every
 * millisecond in stretch_acks above and sent only a few.
 */
static int window_update(void)
{
    struct ntl_listener *l;
    struct ntl_tcp *c, *s;
    ip_addr_t a, b;

    ntl_addr4(0, &a);
    ntl_addr4(1, &b);
    l = ntl_listen(&b, 7006, 4);
    l->rx_seed = 6;
    l->hold = true;
    c = ntl_connect(&a, &b, 7006);
    H_CHECK(ntl_wait(ntl_is_connected, c, 10 * SEC));
    H_CHECK(ntl_wait(ntl_has_accepted, l, 10 * SEC));
    if (!l->nacc)
        return 1;
    s = l->acc[0];
    ntl_send(c, 6, 2 * MB, true);
    H_CHECK(ntl_wait(send_window_shut, c, 10 * SEC));
    ntl_release(s, 64 * 1024);
    H_CHECK(ntl_wait(send_window_open, c, 1000000));
    for (int i = 0; i < 100000 && !ntl_wait(rx_done, s, 0); i++) {
        ntl_sleep(1000000);
        ntl_release(s, UINT64_MAX);
    }
    H_CHECK(s->rx_bytes == 2 * MB && s->rx_bad == 0 && !s->errored);
    ntl_free(c);
    ntl_listener_free(l);
    return 0;
}

static void test_window_update(void **state)
{
    (void)state;
    ht_expect(ntl_boot(window_update, NULL, 256ULL << 20), 0);
}

static void test_stretch_acks(void **state)
{
    (void)state;
    ht_expect(ntl_boot(stretch_acks, NULL, 256ULL << 20), 0);
}

static const struct ntl_wire_knobs short_queue = {.queue_depth = 1};

static void test_backlog(void **state)
{
    (void)state;
    ht_expect(ntl_boot(backlog, &short_queue, 256ULL << 20), 0);
}

/* The same with merged frames (TSO): a merged frame the device refuses waits whole. */
static void test_backlog_tso(void **state)
{
    (void)state;
    ntl_set_offloads(HAL_NET_TX_CSUM | HAL_NET_TX_TSO | HAL_NET_RX_CSUM | HAL_NET_RX_LARGE);
    ht_expect(ntl_boot(backlog, &short_queue, 256ULL << 20), 0);
}

static const struct ntl_wire_knobs knobs = {
    .loss_pct = 2, .dup_pct = 2, .reorder_pct = 5, .queue_depth = 1024};

static void test_bulk_lossy(void **state)
{
    (void)state;
    ht_expect(ntl_boot(lossy_100mb, &knobs, 256ULL << 20), 0);
}

static void test_bulk_offloads(void **state)
{
    (void)state;
    ntl_set_offloads(HAL_NET_TX_CSUM | HAL_NET_TX_TSO | HAL_NET_RX_CSUM | HAL_NET_RX_LARGE);
    ht_expect(ntl_boot(lossy_offloads_large, &knobs, 256ULL << 20), 0);
}

static void test_bulk_tso_cut(void **state)
{
    (void)state;
    ntl_set_offloads(HAL_NET_TX_CSUM | HAL_NET_TX_TSO);
    ht_expect(ntl_boot(lossy_offloads, &knobs, 256ULL << 20), 0);
}

static void test_bulk_clean(void **state)
{
    (void)state;
    ht_expect(ntl_boot(clean_100mb, NULL, 256ULL << 20), 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest lossy[] = {cmocka_unit_test(test_bulk_lossy)};
    const struct CMUnitTest clean[] = {cmocka_unit_test(test_bulk_clean)};
    const struct CMUnitTest offl[] = {cmocka_unit_test(test_bulk_offloads)};
    const struct CMUnitTest tso[] = {cmocka_unit_test(test_bulk_tso_cut)};
    const struct CMUnitTest bl[] = {cmocka_unit_test(test_backlog)};
    const struct CMUnitTest bl_tso[] = {cmocka_unit_test(test_backlog_tso)};

    const struct CMUnitTest acks[] = {cmocka_unit_test(test_stretch_acks),
                                      cmocka_unit_test(test_window_update)};

    /* one boot per process (lwIP state is global): the argument picks the case */
    if (argc > 1 && strcmp(argv[1], "acks") == 0)
        return cmocka_run_group_tests(acks, NULL, NULL);
    if (argc > 1 && strcmp(argv[1], "backlog") == 0)
        return cmocka_run_group_tests(bl, NULL, NULL);
    if (argc > 1 && strcmp(argv[1], "backlog_tso") == 0)
        return cmocka_run_group_tests(bl_tso, NULL, NULL);
    if (argc > 1 && argv[1][0] == 'c')
        return cmocka_run_group_tests(clean, NULL, NULL);
    if (argc > 1 && argv[1][0] == 'o')
        return cmocka_run_group_tests(offl, NULL, NULL);
    if (argc > 1 && argv[1][0] == 't')
        return cmocka_run_group_tests(tso, NULL, NULL);
    return cmocka_run_group_tests(lossy, NULL, NULL);
}
