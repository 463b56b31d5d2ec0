/*
 * test_net_exit.c - sockets the program leaves open are closed at its exit as Linux closes
 * them (net_close_all, called by proc_exit before net_drain), seen from the peer on the wire:
 *
 * - "exit": a socket on the lossy wire (2% loss, duplication, reordering) with 200 KiB sent
 *   and the program ending in proc_exit: when the boot is over the peer has every byte and
 *   then the FIN (the drain waited for the FIN's acknowledgement);
 * - "close_all": on the clean wire, each case with what the peer sees, as on the host
 *   (Linux, checked with a small program: exit with unread data, with SO_LINGER {1, 0}, and
 *   a listener's connection never accepted give ECONNRESET; data then exit gives EOF after
 *   the data): the FIN after the data, RSTs for the three others, a connecting, a UDP and a
 *   bound socket closed without a frame; the sockets' later release (their files) is
 *   harmless, and the stack ends holding no byte (net_shutdown's check).
 * - "udp": datagrams sent just before proc_exit all reach the wire (the drain waits for the
 *   interface's backlog and the device, not only for TCP).
 * PETREL_SEED replays a run; the seed is printed on failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/abi/poll.h"
#include "core/abi/socket.h"
#include "core/proc/proc.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"
#include "net/net.h"
#include "net/sock.h"
#include "tests/hosted/hosted_test.h"
#include "tests/unit/net/ntl.h"

#define SEC 1000000000ULL
#define KIB 1024ULL

static struct linux_sockaddr_in sin4(unsigned dev, uint16_t port)
{
    struct linux_sockaddr_in s = {.sin_family = LINUX_AF_INET};

    s.sin_port = (uint16_t)(port >> 8 | port << 8);
    s.sin_addr = (uint32_t)10 | (uint32_t)(dev / 2) << 8 | (uint32_t)(dev % 2 + 1) << 24;
    return s;
}

static struct sock *mk(int type)
{
    struct sock *s = NULL;

    H_CHECK(sock_create(LINUX_AF_INET, type, 0, &s) == 0);
    return s;
}

/* A socket on dev `from` connected to the ntl listener l on dev from ^ 1 (same wire). */
static struct sock *connected(unsigned from, struct ntl_listener *l, uint16_t port,
                              struct ntl_tcp **peer)
{
    struct linux_sockaddr_in me = sin4(from, 0), to = sin4(from ^ 1u, port);
    struct sock *s = mk(LINUX_SOCK_STREAM);
    unsigned before = l->nacc;

    H_CHECK(sock_bind(s, &me, sizeof(me)) == 0);
    H_CHECK(sock_connect(s, &to, sizeof(to)) == 0);
    H_CHECK(ntl_wait_accepted(l, before, 10 * SEC) && l->nacc == before + 1);
    *peer = l->nacc > before ? l->acc[before] : NULL;
    return s;
}

static void send_pattern(struct sock *s, uint32_t seed, uint64_t n)
{
    static uint8_t buf[8192];

    for (uint64_t off = 0; off < n;) {
        size_t k = n - off > sizeof(buf) ? sizeof(buf) : (size_t)(n - off);
        long r;

        for (size_t i = 0; i < k; i++)
            buf[i] = ntl_pattern(seed, off + i);
        r = sock_send(s, buf, k, 0, NULL, 0);
        H_CHECK(r > 0);
        if (r <= 0)
            return;
        off += (uint64_t)r;
    }
}

/* --- exit: through proc_exit on the lossy wire --------------------------------------------- */

#define EXIT_BYTES (200 * KIB)
static struct ntl_tcp *exit_peer;
static struct ntl_listener *exit_listener; /* freed by test_exit: proc_exit never returns */

static int exit_scenario(void)
{
    struct sock *s;
    ip_addr_t b;

    ntl_addr4(3, &b);
    exit_listener = ntl_listen(&b, 6100, 4);
    exit_listener->rx_seed = 11;
    s = connected(2, exit_listener, 6100, &exit_peer);
    if (!exit_peer)
        return 1;
    send_pattern(s, 11, EXIT_BYTES);
    H_CHECK(!exit_peer->fin);
    if (ht_status())
        return 1;
    vfs_init(); /* proc_exit writes the filesystems back: none here */
    proc_exit(NULL, 0); /* ends the boot: the checks follow in test_exit */
}

static void test_exit(void **state)
{
    struct ntl_wire_knobs k = {2, 2, 5, 256};

    (void)state;
    ht_expect(ntl_boot(exit_scenario, &k, 256ULL << 20), 0);
    assert_non_null(exit_peer);
    if (!exit_peer->fin || exit_peer->rx_bytes != EXIT_BYTES || exit_peer->rx_bad)
        fprintf(stderr, "exit: the peer got %llu of %llu bytes (%llu bad), fin %d, err %d\n",
                (unsigned long long)exit_peer->rx_bytes, (unsigned long long)EXIT_BYTES,
                (unsigned long long)exit_peer->rx_bad, exit_peer->fin, exit_peer->err);
    assert_true(exit_peer->fin && !exit_peer->errored);
    assert_true(exit_peer->rx_bytes == EXIT_BYTES && exit_peer->rx_bad == 0);
    /* the stack ended with the boot, its pcbs with it: only the test's own records remain
     * (the peer is the listener's accepted connection) */
    for (unsigned i = 0; i < exit_listener->nacc; i++)
        free(exit_listener->acc[i]);
    free(exit_listener);
}

/* --- udp: datagrams sent just before the exit reach the wire ------------------------------- */

/* A wire whose peer takes one frame at a time (queue depth 1): a burst of datagrams waits in
 * the interface's backlog (net/txq.c). The exit drain waits for it (and for the device)
 * as well as for TCP; it used to wait for TCP only, and the boot ended with 7 of the 8
 * datagrams still in the backlog. Linux sends them: a program that sends and exits is not
 * expected to lose what it sent. */
#define UDP_EXIT_N 8
static unsigned udp_rx;

static void udp_count(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                      u16_t port)
{
    (void)arg, (void)pcb, (void)addr, (void)port;
    udp_rx++;
    pbuf_free(p);
}

static bool udp_seen(void *arg)
{
    (void)arg;
    return udp_rx > 0;
}

static uint64_t udp_sent_before;

static int udp_exit_scenario(void)
{
    struct linux_sockaddr_in me = sin4(2, 6300), to = sin4(3, 6301);
    static uint8_t dgram[1000];
    struct udp_pcb *peer;
    struct sock *s = mk(LINUX_SOCK_DGRAM);
    ip_addr_t b;

    ntl_addr4(3, &b);
    net_lock();
    peer = udp_new();
    H_CHECK(peer && udp_bind(peer, &b, 6301) == ERR_OK);
    if (peer)
        udp_recv(peer, udp_count, NULL);
    net_unlock();
    H_CHECK(sock_bind(s, &me, sizeof(me)) == 0);
    /* one first, so both ends know each other's MAC address (ARP) */
    H_CHECK(sock_send(s, dgram, sizeof(dgram), 0, &to, sizeof(to)) == sizeof(dgram));
    H_CHECK(ntl_wait(udp_seen, NULL, 10 * SEC));
    udp_sent_before = ntl_udp_tx_count[2];
    for (int i = 0; i < UDP_EXIT_N; i++)
        H_CHECK(sock_send(s, dgram, sizeof(dgram), 0, &to, sizeof(to)) == sizeof(dgram));
    if (ht_status())
        return 1;
    vfs_init();
    proc_exit(NULL, 0); /* ends the boot: the check follows in test_udp_exit */
}

static void test_udp_exit(void **state)
{
    struct ntl_wire_knobs k = {.queue_depth = 1};

    (void)state;
    ht_expect(ntl_boot(udp_exit_scenario, &k, 256ULL << 20), 0);
    if (ntl_udp_tx_count[2] - udp_sent_before != UDP_EXIT_N)
        fprintf(stderr, "udp exit: %llu of %d datagrams reached the wire\n",
                (unsigned long long)(ntl_udp_tx_count[2] - udp_sent_before), UDP_EXIT_N);
    assert_true(ntl_udp_tx_count[2] - udp_sent_before == UDP_EXIT_N);
}

/* --- close_all: each kind of socket, on the clean wire ------------------------------------ */

static bool reset_seen(void *arg)
{
    struct ntl_tcp **p = arg;

    for (; *p; p++)
        if (!(*p)->errored)
            return false;
    return true;
}

static int close_all_scenario(void)
{
    struct linux_sockaddr_in la = sin4(0, 6201), lb = sin4(0, 6202), far = sin4(1, 6299);
    struct linux_linger lg = {.l_onoff = 1, .l_linger = 0};
    struct ntl_tcp *data_peer, *unread_peer, *linger_peer, *unaccepted, *rsts[4];
    struct sock *data, *unread, *linger, *lst, *conn, *udp, *bound;
    struct ntl_listener *l;
    struct ntl_tcp_watch w = {.dev = 0};
    ip_addr_t a, b;
    uint8_t c;

    ntl_addr4(0, &a);
    ntl_addr4(1, &b);
    l = ntl_listen(&b, 6200, 8);
    l->rx_seed = 21;
    data = connected(0, l, 6200, &data_peer);
    unread = connected(0, l, 6200, &unread_peer);
    linger = connected(0, l, 6200, &linger_peer);
    if (!data_peer || !unread_peer || !linger_peer)
        return 1;
    send_pattern(data, 21, 64 * KIB);
    ntl_send(unread_peer, 5, 100, false); /* arrives, never read */
    H_CHECK(sock_recv(unread, &c, 1, LINUX_MSG_PEEK, NULL, NULL, NULL) == 1);
    H_CHECK(sock_setsockopt(linger, LINUX_SOL_SOCKET, LINUX_SO_LINGER, &lg, sizeof(lg)) == 0);
    lst = mk(LINUX_SOCK_STREAM); /* a listener with a connection it never accepts */
    /* SO_LINGER {1, 0} on a listener: its unaccepted connections are reset as always, and
     * the listener itself just goes (it once reached tcp_abort, which lwIP's smaller listen
     * pcb cannot take: fuzz/sockets corpus/crash-listener-linger0-close) */
    H_CHECK(sock_setsockopt(lst, LINUX_SOL_SOCKET, LINUX_SO_LINGER, &lg, sizeof(lg)) == 0);
    H_CHECK(sock_bind(lst, &la, sizeof(la)) == 0 && sock_listen(lst, 4) == 0);
    unaccepted = ntl_connect(&b, &a, 6201);
    H_CHECK(ntl_wait(ntl_is_connected, unaccepted, 10 * SEC));
    conn = mk(LINUX_SOCK_STREAM); /* connecting to nobody: SYN unanswered (10.0.0.2:6299) */
    sock_set_nonblock(conn, true);
    H_CHECK(sock_connect(conn, &far, sizeof(far)) == -EINPROGRESS);
    udp = mk(LINUX_SOCK_DGRAM);
    bound = mk(LINUX_SOCK_STREAM);
    H_CHECK(sock_bind(udp, &la, sizeof(la)) == 0 && sock_bind(bound, &lb, sizeof(lb)) == 0);
    ntl_sleep(SEC / 10);
    H_CHECK(!data_peer->fin && !unread_peer->errored && !linger_peer->errored &&
            !unaccepted->errored);

    ntl_watch(&w, NULL);
    net_close_all();
    rsts[0] = unread_peer, rsts[1] = linger_peer, rsts[2] = unaccepted, rsts[3] = NULL;
    H_CHECK(ntl_wait(reset_seen, rsts, 10 * SEC));
    for (int i = 0; i < 3; i++)
        H_CHECK(rsts[i]->err == ERR_RST);
    H_CHECK(ntl_wait(ntl_has_fin, data_peer, 10 * SEC));
    H_CHECK(data_peer->rx_bytes == 64 * KIB && data_peer->rx_bad == 0 && !data_peer->errored);
    H_CHECK(net_drain(10 * SEC) == 0);
    ntl_watch(NULL, NULL);
    H_CHECK(w.rsts == 3); /* one per reset connection; the others closed without one */
    H_CHECK(sock_poll(data) & LINUX_EPOLLHUP);
    H_CHECK(sock_send(data, &c, 1, LINUX_MSG_NOSIGNAL, NULL, 0) < 0);
    net_close_all(); /* again: nothing left to close */
    sock_close(data); /* the files' release, later */
    sock_close(unread);
    sock_close(linger);
    sock_close(lst);
    sock_close(conn);
    sock_close(udp);
    sock_close(bound);
    ntl_free(unaccepted);
    ntl_listener_free(l);
    return 0;
}

static void test_close_all(void **state)
{
    (void)state;
    ht_expect(ntl_boot(close_all_scenario, NULL, 256ULL << 20), 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest exit_[] = {cmocka_unit_test(test_exit)};
    const struct CMUnitTest all[] = {cmocka_unit_test(test_close_all)};
    const struct CMUnitTest udp[] = {cmocka_unit_test(test_udp_exit)};

    /* one boot per process: proc_exit leaves lwIP as the program left it */
    if (argc > 1 && strcmp(argv[1], "exit") == 0)
        return cmocka_run_group_tests(exit_, NULL, NULL);
    if (argc > 1 && strcmp(argv[1], "udp") == 0)
        return cmocka_run_group_tests(udp, NULL, NULL);
    return cmocka_run_group_tests(all, NULL, NULL);
}
