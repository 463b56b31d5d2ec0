/*
 * test_net_drain.c - net_drain (net/drain.c), which the exit path calls so that what a
 * program wrote to TCP reaches its peer before the VM ends: on the lossy wire (2% loss,
 * duplication, reordering), 256 KiB queued in lwIP at once are all delivered, byte-exact, by
 * the time net_drain returns 0; a peer that stops reading (its window closed with data still
 * unsent here) makes net_drain give up at its deadline in virtual time, and once the peer
 * reads again the drain completes. Without the stack running net_drain returns at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hal/hal_errno.h"
#include "hal/hal_time.h"
#include "net/net.h"
#include "tests/hosted/hosted_test.h"
#include "tests/unit/net/ntl.h"

#define SEC 1000000000ULL
#define KIB 1024ULL

static ip_addr_t A, B;

/* The client, once connected and accepted: its end is l->acc[the count before]. */
static struct ntl_tcp *pair(struct ntl_listener *l, uint16_t port)
{
    unsigned before = l->nacc;
    struct ntl_tcp *c = ntl_connect(&A, &B, port);

    H_CHECK(ntl_wait(ntl_is_connected, c, 10 * SEC));
    H_CHECK(ntl_wait_accepted(l, before, 10 * SEC));
    return c;
}

static int scenario(void)
{
    struct ntl_listener *l;
    struct ntl_tcp *c, *c2, *srv;
    uint64_t t0;

    ntl_addr4(2, &A); /* wire 1: the lossy one */
    ntl_addr4(3, &B);
    l = ntl_listen(&B, 6001, 4);
    l->rx_seed = 7;
    c = pair(l, 6001);
    srv = l->nacc ? l->acc[0] : NULL;
    ntl_send(c, 7, 256 * KIB, false); /* fits lwIP's send buffer: all queued now */
    H_CHECK(net_drain(120 * SEC) == 0);
    H_CHECK(srv && srv->rx_bytes == 256 * KIB && srv->rx_bad == 0);

    /* a peer that stops reading: 512 KiB fill its window, the rest stays here */
    l->hold = true;
    l->rx_seed = 9;
    c2 = pair(l, 6001);
    srv = l->nacc > 1 ? l->acc[1] : NULL;
    ntl_send(c2, 9, 768 * KIB, false);
    ntl_sleep(5 * SEC);
    t0 = hal_clock_ns();
    H_CHECK(net_drain(2 * SEC) == -ETIMEDOUT);
    H_CHECK(hal_clock_ns() - t0 >= 2 * SEC && hal_clock_ns() - t0 < 2 * SEC + SEC / 10);
    if (srv)
        ntl_release(srv, 768 * KIB); /* reading again: the drain completes */
    H_CHECK(net_drain(300 * SEC) == 0);
    H_CHECK(srv && srv->rx_bytes == 768 * KIB && srv->rx_bad == 0);
    ntl_free(c);
    ntl_free(c2);
    ntl_listener_free(l); /* and the accepted ends */
    return 0;
}

static void drain_on_lossy_wire(void **state)
{
    struct ntl_wire_knobs k = {2, 2, 5, 256};

    (void)state;
    ht_expect(ntl_boot(scenario, &k, 256ULL << 20), 0);
}

static int nostack_entry(void *arg)
{
    (void)arg;
    return net_drain(SEC) == 0 ? 0 : 1;
}

static void drain_without_stack(void **state)
{
    (void)state;
    ht_expect(ht_boot(nostack_entry, NULL, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(drain_on_lossy_wire),
        cmocka_unit_test(drain_without_stack),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
