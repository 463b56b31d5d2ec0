/*
 * test_net_cfg.c - the manifest's network keys (net/netcfg.c, docs/net.md "Configuration"):
 * what each key means and every refusal, then the configuration applied by net_start() on a
 * hosted wire (device 0 = en1 and device 1 = en2 face each other): static IPv4 and IPv6
 * addresses carry datagrams across the wire, the MTU is the interface's, the wait for a
 * static IPv6 address ends when duplicate address detection passes, and a wait for a DHCPv4
 * address nobody gives ends at its deadline (virtual time).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/abi/socket.h"
#include "core/config/config.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"
#include "hal_hosted/hosted.h"
#include "lwip/netif.h"
#include "net/net.h"
#include "net/sock.h"
#include "tests/hosted/hosted_test.h"

#define SEC 1000000000ULL
#define IP4(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

static char err[200];

/* Read text's network keys into *c; the return code of net_config_read (-1: bad text). */
static int read_cfg(const char *text, struct net_config *c)
{
    struct config_value *root;
    int rc;

    if (config_parse(text, strlen(text), &root, NULL))
        return -1;
    rc = net_config_read(root, c, err, sizeof(err));
    config_free(root);
    return rc;
}

static void check_meanings(void)
{
    struct net_config c;

    H_CHECK(read_cfg("(program:/x)", &c) == 0); /* nothing said: DHCP everywhere */
    H_CHECK(c.ifc[0].dhcp4 && c.ifc[1].dhcp4 && c.ifc[0].dhcp6 && c.ifc[0].is_default);
    H_CHECK(!c.ifc[1].is_default && !c.wait4_s[0] && !c.ifc[0].mtu && !net_config_waits(&c));
    H_CHECK(read_cfg("(en1:(ipaddr:10.1.2.3 netmask:255.255.0.0 gateway:10.1.0.254 "
                     "ip6addr:\"fd00::7\" mtu:1400 exec_wait_for_ip4_secs:7) "
                     "en2:(ipaddr:192.168.5.1 default:t exec_wait_for_ip6_secs:0))", &c) == 0);
    H_CHECK(!c.ifc[0].dhcp4 && c.ifc[0].ip4 == IP4(10, 1, 2, 3));
    H_CHECK(c.ifc[0].mask4 == IP4(255, 255, 0, 0) && c.ifc[0].gw4 == IP4(10, 1, 0, 254));
    H_CHECK(c.ifc[0].has_ip6 && c.ifc[0].ip6[0] == 0xfd && c.ifc[0].ip6[15] == 7);
    H_CHECK(!c.ifc[0].dhcp6 && c.ifc[0].mtu == 1400 && c.wait4_s[0] == 7 && !c.wait6_s[0]);
    /* defaults: /24, the gateway is the network's first address, or the broadcast - 1 when
     * that is the interface's own; wait 0 means Nanos's 5 s; default:t moves the route */
    H_CHECK(c.ifc[1].mask4 == IP4(255, 255, 255, 0) && c.ifc[1].gw4 == IP4(192, 168, 5, 254));
    H_CHECK(c.wait6_s[1] == 5 && c.ifc[1].is_default && !c.ifc[0].is_default);
    H_CHECK(c.ifc[1].dhcp6 && !c.ifc[1].has_ip6 && c.ifc[2].dhcp4 && net_config_waits(&c));
    /* en1's keys at the root, as Nanos reads them when there is no en1 tuple */
    H_CHECK(read_cfg("(program:/x ipaddr:172.16.0.9 exec_wait_for_ip4_secs:999)", &c) == 0);
    H_CHECK(!c.ifc[0].dhcp4 && c.ifc[0].gw4 == IP4(172, 16, 0, 1) && c.wait4_s[0] == 5);
    /* with an en1 tuple its keys win and the root fills in the others */
    H_CHECK(read_cfg("(ipaddr:172.16.0.9 mtu:1400 exec_wait_for_ip4_secs:9 "
                     "en1:(mtu:1280 netmask:255.255.0.0))", &c) == 0);
    H_CHECK(!c.ifc[0].dhcp4 && c.ifc[0].ip4 == IP4(172, 16, 0, 9) && c.ifc[0].mtu == 1280);
    H_CHECK(c.ifc[0].mask4 == IP4(255, 255, 0, 0) && c.wait4_s[0] == 9);
    H_CHECK(read_cfg("(default:t en2:(ipaddr:10.2.0.5))", &c) == 0 && c.ifc[0].is_default);
    /* a device the VM does not have (en3) is accepted: the same image may boot elsewhere */
    H_CHECK(read_cfg("(en3:(ipaddr:10.9.9.9 exec_wait_for_ip4_secs:3))", &c) == 0);
    H_CHECK(!c.ifc[2].dhcp4 && !net_config_waits(&c));
}

static void refused(const char *text, const char *msg)
{
    struct net_config c;
    int rc = read_cfg(text, &c);

    if (rc != -EINVAL || strcmp(err, msg) != 0) {
        fprintf(stderr, "%s: rc %d, message \"%s\", expected \"%s\"\n", text, rc, err, msg);
        H_CHECK(0);
    }
}

static void check_refusals(void)
{
    refused("(en1:(ipaddr:10.0.2.300))", "en1: ipaddr 10.0.2.300 is not an IPv4 address");
    refused("(en1:(ipaddr:10.0.2))", "en1: ipaddr 10.0.2 is not an IPv4 address");
    refused("(en1:(ipaddr:10.0.2.1x))", "en1: ipaddr 10.0.2.1x is not an IPv4 address");
    refused("(en1:(ipaddr:010.0.2.1))", "en1: ipaddr 010.0.2.1 is not an IPv4 address");
    refused("(en1:(ipaddr:(a:b)))", "en1: ipaddr (not a string) is not an IPv4 address");
    refused("(en2:(ipaddr:10.0.0.1 netmask:255.0.255.0))",
            "en2: netmask 255.0.255.0 is not an IPv4 netmask");
    refused("(en1:(ipaddr:10.0.0.1 gateway:x))", "en1: gateway x is not an IPv4 address");
    refused("(en1:(gateway:10.0.0.1))", "en1: netmask and gateway need ipaddr");
    refused("(en1:(ip6addr:\"fd00::1/64\"))", "en1: ip6addr fd00::1/64 is not a unicast IPv6 address");
    refused("(en1:(ip6addr:\"ff02::1\"))", "en1: ip6addr ff02::1 is not a unicast IPv6 address");
    refused("(en1:(ip6addr:10.0.0.1))", "en1: ip6addr 10.0.0.1 is not a unicast IPv6 address");
    refused("(en1:(mtu:67))", "en1: mtu 67 is not a number from 68 to 65535");
    refused("(en1:(mtu:1k))", "en1: mtu 1k is not a number from 68 to 65535");
    refused("(en1:(mtu:9000))", "en1: mtu 9000 is above the device's 1500");
    refused("(en2:(exec_wait_for_ip6_secs:soon))",
            "en2: exec_wait_for_ip6_secs soon is not a number of seconds");
    refused("(en1:10.0.0.1)", "en1 is not a tuple");
}

static struct sock *udp(int domain, const void *addr, size_t len)
{
    struct sock *s = NULL;

    H_CHECK(sock_create(domain, LINUX_SOCK_DGRAM, 0, &s) == 0);
    H_CHECK(s && sock_bind(s, addr, len) == 0);
    return s;
}

static struct netif *netif_with(uint32_t ip4)
{
    struct netif *n, *found = NULL;

    net_lock();
    NETIF_FOREACH(n) {
        if (ip4_addr_get_u32(netif_ip4_addr(n)) == ip4)
            found = n;
    }
    net_unlock();
    return found;
}

/* One datagram from a to b; b must receive it with a's address as the sender. */
static void datagram(int domain, const void *a, const void *b, size_t len)
{
    struct sock *sa = udp(domain, a, len), *sb = udp(domain, b, len);
    struct linux_sockaddr_storage from;
    uint32_t flen = sizeof(from);
    char buf[16];

    sock_set_timeouts(sb, 5 * SEC, 0);
    H_CHECK(sock_send(sa, "across", 6, 0, b, len) == 6);
    H_CHECK(sock_recv(sb, buf, sizeof(buf), 0, &from, &flen, NULL) == 6);
    H_CHECK(memcmp(buf, "across", 6) == 0 && flen == len && memcmp(&from, a, len) == 0);
    sock_close(sa);
    sock_close(sb);
}

static int static_entry(void *arg)
{
    static const char text[] =
        "(en1:(ipaddr:10.0.0.1 ip6addr:\"fd00::1\" mtu:1400 exec_wait_for_ip6_secs:10)"
        " en2:(ipaddr:10.0.0.2 ip6addr:\"fd00::2\" exec_wait_for_ip4_secs:10))";
    struct linux_sockaddr_in a = {LINUX_AF_INET, 0x3930, IP4(10, 0, 0, 1), {0}};
    struct linux_sockaddr_in b = {LINUX_AF_INET, 0x3a30, IP4(10, 0, 0, 2), {0}};
    struct linux_sockaddr_in6 a6 = {LINUX_AF_INET6, 0x3930, 0, {0xfd, [15] = 1}, 0};
    struct linux_sockaddr_in6 b6 = {LINUX_AF_INET6, 0x3a30, 0, {0xfd, [15] = 2}, 0};
    struct net_config c;
    struct netif *n1, *n2;
    uint64_t t0;

    (void)arg;
    check_meanings();
    check_refusals();
    H_CHECK(read_cfg(text, &c) == 0);
    net_config_use(&c);
    H_CHECK(net_start() == 0);
    t0 = hal_clock_ns();
    H_CHECK(net_if_has_address(1, false) == 1 && net_if_has_address(0, true) == 0);
    H_CHECK(net_wait_addresses(&c) == 0); /* DAD of fd00::1 passes within the wait */
    H_CHECK(hal_clock_ns() - t0 < 10 * SEC && net_if_has_address(0, true) == 1);
    n1 = netif_with(IP4(10, 0, 0, 1));
    n2 = netif_with(IP4(10, 0, 0, 2));
    H_CHECK(n1 && n2 && n1->mtu == 1400 && n2->mtu == 1500 && netif_default == n1);
    H_CHECK(n1 && ip4_addr_get_u32(netif_ip4_gw(n1)) == IP4(10, 0, 0, 254));
    H_CHECK(n1 && n1->name[0] == 'e' && n1->name[1] == 'n');
    datagram(LINUX_AF_INET, &a, &b, sizeof(a));
    datagram(LINUX_AF_INET6, &a6, &b6, sizeof(a6));
    return ht_status();
}

/* en1 asks DHCPv4 (nobody answers on the wire) and waits 3 s: the wait ends then. */
static int timeout_entry(void *arg)
{
    struct net_config c;
    uint64_t t0;

    (void)arg;
    H_CHECK(read_cfg("(exec_wait_for_ip4_secs:3 en2:(ipaddr:10.0.0.2))", &c) == 0);
    net_config_use(&c);
    H_CHECK(net_start() == 0);
    t0 = hal_clock_ns();
    H_CHECK(net_wait_addresses(&c) == -ETIMEDOUT);
    H_CHECK(hal_clock_ns() - t0 >= 3 * SEC && hal_clock_ns() - t0 < 3 * SEC + SEC / 10);
    H_CHECK(net_if_has_address(0, false) == 0 && net_if_has_address(1, false) == 1);
    H_CHECK(net_if_has_address(2, false) == -ENODEV);
    return ht_status();
}

static int boot_wire(int (*entry)(void *))
{
    struct hosted_config cfg;

    memset(&cfg, 0, sizeof(cfg));
    cfg.entry = entry;
    cfg.nwires = 1;
    cfg.wire[0].queue_depth = 256;
    return hosted_boot(&cfg);
}

static void static_addresses(void **state)
{
    (void)state;
    ht_expect(boot_wire(static_entry), 0);
}

static void wait_times_out(void **state)
{
    (void)state;
    ht_expect(boot_wire(timeout_entry), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(static_addresses),
        cmocka_unit_test(wait_times_out),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
