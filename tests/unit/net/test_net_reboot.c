/*
 * test_net_reboot.c - the network stack across hosted boots (net_shutdown, docs/net.md "Life
 * cycle"): one process boots the kernel several times; every boot starts the stack through
 * the socket layer, leaves it busy (a loopback TCP connection with unread data each way, a
 * listener with a connection nobody accepted, connections closing in the background and in
 * TIME-WAIT, a UDP socket with a queued datagram, an IPv6 listener, DHCP and SLAAC running on
 * both wires), shuts it down and starts it again in the same boot, then returns with sockets
 * still open: the kernel's own net_shutdown must leave lwIP holding no byte, or the boot's
 * exit code says so. Under ASan a pointer kept into an earlier boot's RAM would be caught.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/abi/socket.h"
#include "core/lib/alloc.h"
#include "core/sched/sched.h"
#include "hal_hosted/hosted.h"
#include "net/net.h"
#include "net/sock.h"
#include "tests/hosted/hosted_test.h"

#define BOOTS 5
#define SEC 1000000000ULL

static struct linux_sockaddr_in lo4(uint16_t port)
{
    struct linux_sockaddr_in s = {.sin_family = LINUX_AF_INET, .sin_addr = 0x0100007f};

    s.sin_port = (uint16_t)(port >> 8 | port << 8);
    return s;
}

static struct sock *mk(int domain, int type)
{
    struct sock *s = NULL;

    H_CHECK(sock_create(domain, type, 0, &s) == 0);
    return s;
}

/* A busy stack: returns the sockets it leaves open in out[] (count in *n). */
static void make_busy(struct sock **out, unsigned *n)
{
    struct linux_sockaddr_in a = lo4(4000), u = lo4(4001);
    struct linux_sockaddr_in6 a6 = {.sin6_family = LINUX_AF_INET6, .sin6_port = 0xa20f} /* 4002 */;
    struct sock *l = mk(LINUX_AF_INET, LINUX_SOCK_STREAM), *c, *s, *c2, *tw, *tws, *ud, *l6;
    int one = 1;

    H_CHECK(sock_setsockopt(l, LINUX_SOL_SOCKET, LINUX_SO_REUSEADDR, &one, sizeof(one)) == 0);
    H_CHECK(sock_bind(l, &a, sizeof(a)) == 0 && sock_listen(l, 4) == 0);
    c = mk(LINUX_AF_INET, LINUX_SOCK_STREAM);
    H_CHECK(sock_connect(c, &a, sizeof(a)) == 0);
    H_CHECK(sock_accept(l, &s, NULL, NULL) == 0);
    H_CHECK(sock_send(c, "unread", 6, 0, NULL, 0) == 6);
    H_CHECK(sock_send(s, "unread too", 10, 0, NULL, 0) == 10);
    c2 = mk(LINUX_AF_INET, LINUX_SOCK_STREAM); /* stays in the listener's queue */
    H_CHECK(sock_connect(c2, &a, sizeof(a)) == 0);
    tw = mk(LINUX_AF_INET, LINUX_SOCK_STREAM); /* closed first: TIME-WAIT */
    H_CHECK(sock_connect(tw, &a, sizeof(a)) == 0);
    H_CHECK(sock_accept(l, &tws, NULL, NULL) == 0);
    sock_close(tw);
    sock_close(tws);
    ud = mk(LINUX_AF_INET, LINUX_SOCK_DGRAM);
    H_CHECK(sock_bind(ud, &u, sizeof(u)) == 0);
    H_CHECK(sock_send(ud, "dgram", 5, 0, &u, sizeof(u)) == 5); /* queued to itself */
    l6 = mk(LINUX_AF_INET6, LINUX_SOCK_STREAM);
    H_CHECK(sock_bind(l6, &a6, sizeof(a6)) == 0 && sock_listen(l6, 1) == 0);
    out[0] = l, out[1] = c, out[2] = s, out[3] = c2, out[4] = ud, out[5] = l6;
    *n = 6;
}

static int boot_entry(void *arg)
{
    struct sock *open[8], *old;
    struct net_stats st;
    struct kmalloc_stats k0, k1;
    unsigned n;
    char b[8];

    (void)arg;
    kmalloc_get_stats(&k0);
    make_busy(open, &n);
    sched_sleep_ns(3 * SEC); /* DHCP discovers, routers are solicited, timers run */
    H_CHECK(net_shutdown() == 0);
    net_get_stats(&st);
    H_CHECK(st.mem_in_use == 0);
    /* The sockets outlived the stack: closed, they answer as a closed socket would */
    old = open[1];
    H_CHECK(sock_recv(old, b, sizeof(b), LINUX_MSG_DONTWAIT, NULL, NULL, NULL) == -ENETDOWN);
    H_CHECK(sock_recv(old, b, sizeof(b), LINUX_MSG_DONTWAIT, NULL, NULL, NULL) == 0);
    H_CHECK(sock_send(open[4], "x", 1, 0, NULL, 0) < 0);
    for (unsigned i = 0; i < n; i++)
        sock_close(open[i]);
    kmalloc_get_stats(&k1);
    H_CHECK(k1.bytes_in_use == k0.bytes_in_use); /* the thread, interfaces, pcbs: all back */
    make_busy(open, &n); /* the same boot starts the stack again */
    return ht_status(); /* the kernel shuts the busy stack down itself */
}

static void test_boots(void **state)
{
    struct hosted_config cfg;

    (void)state;
    for (int i = 0; i < BOOTS; i++) {
        memset(&cfg, 0, sizeof(cfg));
        cfg.entry = boot_entry;
        cfg.ram_bytes = 128ULL << 20;
        cfg.nwires = 2;
        cfg.wire[1].loss_pct = 10;
        ht_expect(hosted_boot(&cfg), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_boots)};

    return cmocka_run_group_tests(tests, NULL, NULL);
}
