/*
 * petrel_net.c - `petrel run` networking (docs/petrel.md "Networking").
 *
 *   -p, --publish [HOSTIP:]HOST:GUEST[/tcp|/udp]   forward a host port to the guest (repeatable)
 *   --net user|tap:NAME|none                      the NIC's backend (default: user when any
 *                                                 network option is given, else no NIC)
 *   --ip ADDR [--netmask MASK] [--gateway ADDR]   a static IPv4 address (else DHCP)
 *
 * The VM gets one virtio-net device (scripts/qemu --netdev: virtio-net-device on microvm,
 * virtio-net-pci on q35) on QEMU's user networking (slirp: guest 10.0.2.15 by its DHCP,
 * gateway 10.0.2.2 which is also the host's loopback) with one hostfwd rule per -p, or on
 * a tap the user made. A static address is one of the run's settings, passed at boot with the
 * arguments (pn_settings: the en1 tuple the kernel reads, docs/net.md), not part of the image,
 * so another --ip boots the same cached image; with user networking slirp's own network is
 * moved to the address's (net=, host=) and the forwards target it, so both ends agree. Every
 * image's manifest says exec_wait_for_ip4_secs (pn_manifest): with DHCP the program starts
 * once the address is there.
 *
 * Everything is checked before anything boots: malformed specs, a port forwarded twice,
 * -p with a tap (the host reaches a tap's guest directly), a netmask that is not one.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/petrel_net.h"

#define PN_MAX_PORTS 64
#define PN_DHCP_WAIT_S 10 /* slirp answers at once; a tap without DHCP costs this much */

struct pn_port {
    char proto[4]; /* tcp, udp */
    char host_ip[INET_ADDRSTRLEN];
    unsigned host, guest;
};

static struct {
    struct pn_port ports[PN_MAX_PORTS];
    int nports;
    const char *backend; /* NULL: none chosen; "user", "none" or "tap" */
    const char *tap;
    struct in_addr ip, mask, gw;
    bool has_ip, has_mask, has_gw;
    char netdev[8192], summary[512];
} pn;

static void pn_die(const char *fmt, const char *arg)
{
    fprintf(stderr, "petrel: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(2);
}

static bool parse_port(const char *s, size_t len, unsigned *out)
{
    unsigned v = 0;

    if (len == 0 || len > 5)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return v >= 1 && v <= 65535;
}

/* [HOSTIP:]HOST:GUEST[/tcp|/udp] */
static void add_publish(const char *spec)
{
    struct pn_port p = {.proto = "tcp"};
    const char *slash = strchr(spec, '/'), *end = slash ? slash : spec + strlen(spec);
    const char *c2 = memrchr(spec, ':', (size_t)(end - spec)), *c1;
    struct in_addr a;

    if (slash && strcmp(slash, "/tcp") != 0 && strcmp(slash, "/udp") != 0)
        pn_die("-p %s: the protocol is /tcp or /udp", spec);
    if (slash)
        memcpy(p.proto, slash + 1, 4);
    if (!c2)
        pn_die("-p %s: expected [HOSTIP:]HOSTPORT:GUESTPORT[/udp]", spec);
    c1 = memrchr(spec, ':', (size_t)(c2 - spec));
    if (!parse_port(c2 + 1, (size_t)(end - c2 - 1), &p.guest) ||
        !parse_port(c1 ? c1 + 1 : spec, (size_t)(c2 - (c1 ? c1 + 1 : spec)), &p.host))
        pn_die("-p %s: ports are numbers from 1 to 65535", spec);
    if (c1) {
        size_t n = (size_t)(c1 - spec);

        if (n >= sizeof(p.host_ip) || (memcpy(p.host_ip, spec, n), p.host_ip[n] = '\0',
                                       inet_pton(AF_INET, p.host_ip, &a) != 1))
            pn_die("-p %s: the host address is an IPv4 address", spec);
    }
    for (int i = 0; i < pn.nports; i++)
        if (pn.ports[i].host == p.host && !strcmp(pn.ports[i].proto, p.proto))
            pn_die("-p %s: that host port is already forwarded", spec);
    if (pn.nports == PN_MAX_PORTS)
        pn_die("-p %s: too many forwarded ports", spec);
    pn.ports[pn.nports++] = p;
}

static void set_addr(const char *opt, const char *arg, struct in_addr *a, bool *has)
{
    if (inet_pton(AF_INET, arg, a) != 1)
        pn_die(opt, arg);
    *has = true;
}

void pn_option(int code, const char *arg)
{
    switch (code) {
    case PN_OPT_PUBLISH:
        add_publish(arg);
        break;
    case PN_OPT_NET:
        if (!strcmp(arg, "user") || !strcmp(arg, "none"))
            pn.backend = arg;
        else if (!strncmp(arg, "tap:", 4) && arg[4] && strlen(arg + 4) < 16 &&
                 !strpbrk(arg + 4, ", /"))
            pn.backend = "tap", pn.tap = arg + 4;
        else
            pn_die("--net %s: expected user, tap:NAME or none", arg);
        break;
    case PN_OPT_IP:
        set_addr("--ip %s: not an IPv4 address", arg, &pn.ip, &pn.has_ip);
        break;
    case PN_OPT_GATEWAY:
        set_addr("--gateway %s: not an IPv4 address", arg, &pn.gw, &pn.has_gw);
        break;
    case PN_OPT_NETMASK:
        set_addr("--netmask %s: not an IPv4 netmask", arg, &pn.mask, &pn.has_mask);
        break;
    }
}

/* The prefix length of a contiguous netmask, or -1. */
static int mask_bits(struct in_addr m)
{
    uint32_t host = ~ntohl(m.s_addr);

    return (host & (host + 1)) == 0 ? 32 - __builtin_popcount(host) : -1;
}

void pn_finish(void)
{
    bool any = pn.nports || pn.has_ip || pn.has_gw || pn.has_mask;
    char ip[INET_ADDRSTRLEN];

    if (!pn.backend)
        pn.backend = any ? "user" : "none";
    if (!strcmp(pn.backend, "none") && any)
        pn_die("%s: --net none with -p, --ip, --gateway or --netmask", "network");
    if (!strcmp(pn.backend, "tap") && pn.nports)
        pn_die("%s: -p needs user networking (the host reaches a tap's guest directly)",
               pn.tap);
    if ((pn.has_gw || pn.has_mask) && !pn.has_ip)
        pn_die("%s: --gateway and --netmask need --ip", "network");
    if (!pn.has_mask)
        inet_pton(AF_INET, "255.255.255.0", &pn.mask);
    if (mask_bits(pn.mask) < 8 || mask_bits(pn.mask) > 30)
        pn_die("--netmask %s: not a netmask from /8 to /30", inet_ntop(AF_INET, &pn.mask, ip,
                                                                       sizeof(ip)));
    if (pn.has_ip && !pn.has_gw && !strcmp(pn.backend, "user")) {
        /* slirp's host (gateway) is its network's .2 unless told; we tell it */
        pn.gw.s_addr = htonl((ntohl(pn.ip.s_addr) & ntohl(pn.mask.s_addr)) + 2);
        pn.has_gw = pn.gw.s_addr != pn.ip.s_addr;
        if (!pn.has_gw)
            pn_die("--ip %s: that is user networking's gateway; choose another address",
                   inet_ntop(AF_INET, &pn.ip, ip, sizeof(ip)));
    }
}

void pn_manifest(FILE *f)
{
    /* DHCP: the program starts with its address (a client's first connect would otherwise
     * find no route). Inert without a NIC (no device to wait for) and with a static address
     * (there at once), so every image carries it and the network options change no image. */
    fprintf(f, "  exec_wait_for_ip4_secs:%d\n", PN_DHCP_WAIT_S);
}

void pn_settings(FILE *f, bool cmdline)
{
    char a[INET_ADDRSTRLEN];
    const char *k = cmdline ? "\"" : "", *sep = cmdline ? "" : " ";

    if (!pn.has_ip)
        return;
    fprintf(f, cmdline ? "en1=(" : "  en1:(");
    fprintf(f, "%sipaddr%s:%s%s%s", k, k, k, inet_ntop(AF_INET, &pn.ip, a, sizeof(a)), k);
    fprintf(f, "%s%snetmask%s:%s%s%s", sep, k, k, k, inet_ntop(AF_INET, &pn.mask, a, sizeof(a)),
            k);
    if (pn.has_gw)
        fprintf(f, "%s%sgateway%s:%s%s%s", sep, k, k, k,
                inet_ntop(AF_INET, &pn.gw, a, sizeof(a)), k);
    fputs(cmdline ? ") " : ")\n", f);
}

/* user,hostfwd=...: the guest side of each forward is the static address or slirp's DHCP
 * one (QEMU's default, 10.0.2.15 in its default network). */
static void user_netdev(char *out, size_t size)
{
    char ip[INET_ADDRSTRLEN] = "", net[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];
    size_t len;

    len = (size_t)snprintf(out, size, "user");
    if (pn.has_ip) {
        struct in_addr n = {pn.ip.s_addr & pn.mask.s_addr};

        inet_ntop(AF_INET, &pn.ip, ip, sizeof(ip));
        inet_ntop(AF_INET, &n, net, sizeof(net));
        inet_ntop(AF_INET, &pn.gw, gw, sizeof(gw));
        len += (size_t)snprintf(out + len, size - len, ",net=%s/%d,host=%s", net,
                                mask_bits(pn.mask), gw);
    }
    for (int i = 0; i < pn.nports && len < size; i++)
        len += (size_t)snprintf(out + len, size - len, ",hostfwd=%s:%s:%u-%s:%u",
                                pn.ports[i].proto, pn.ports[i].host_ip, pn.ports[i].host, ip,
                                pn.ports[i].guest);
    if (len >= size)
        pn_die("%s: too many forwarded ports", "-p");
}

void pn_qemu_args(char **args, int *n)
{
    if (!strcmp(pn.backend ? pn.backend : "none", "none"))
        return;
    if (!strcmp(pn.backend, "tap"))
        snprintf(pn.netdev, sizeof(pn.netdev), "tap,ifname=%s,script=no,downscript=no", pn.tap);
    else
        user_netdev(pn.netdev, sizeof(pn.netdev));
    args[(*n)++] = "--netdev";
    args[(*n)++] = pn.netdev;
}

const char *pn_summary(void)
{
    size_t len;

    if (!pn.backend || !strcmp(pn.backend, "none"))
        return NULL;
    len = (size_t)snprintf(pn.summary, sizeof(pn.summary), "network: %s%s%s",
                           pn.tap ? "tap " : "user", pn.tap ? pn.tap : "",
                           pn.has_ip ? ", static address" : ", DHCP");
    for (int i = 0; i < pn.nports && len < sizeof(pn.summary); i++)
        len += (size_t)snprintf(pn.summary + len, sizeof(pn.summary) - len, ", %s %s:%u->%u",
                                pn.ports[i].proto,
                                pn.ports[i].host_ip[0] ? pn.ports[i].host_ip : "*",
                                pn.ports[i].host, pn.ports[i].guest);
    return pn.summary;
}
