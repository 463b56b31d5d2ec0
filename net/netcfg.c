/*
 * netcfg.c - the manifest's network keys, and the wait for addresses before the program.
 *
 * Nanos users configure interfaces in the manifest by name: en1 is the first NIC (lwIP names
 * the loopback lo0 and numbers the devices after it), and a tuple per interface holds
 *
 *     en1:(ipaddr:10.0.2.20 netmask:255.255.255.0 gateway:10.0.2.2 ip6addr:fd00::20 mtu:1400
 *          default:t exec_wait_for_ip4_secs:5 exec_wait_for_ip6_secs:5)
 *
 * The same keys at the root configure en1 (Nanos reads them there when there is no en1
 * tuple; here an en1 tuple's keys win and the root fills in the rest, so a manifest merged
 * over another - petrel run --manifest - can add to en1 either way). Meaning, as Nanos gives it: ipaddr makes the IPv4 address static (no DHCPv4);
 * netmask defaults to /24 and gateway to the network's first address (or, when that is
 * ipaddr itself, the broadcast address minus one); ip6addr adds a static IPv6 address (and
 * turns stateless DHCPv6 off; the link-local address and SLAAC stay); the exec_wait keys
 * hold the program back until the interface has an address, for at most that many seconds
 * (0 or more than 180: 5, as Nanos). Unlike Nanos, a malformed value stops the boot with a
 * message naming the key, rather than being ignored: a typo in an address would otherwise
 * run the program on an address nobody chose.
 *
 * The result is plain data (struct net_config): boot reads it from the manifest, hands it to
 * net_start() through net_config_use(), and waits (net_wait_addresses) when asked. The wait
 * polls every 10 ms: it happens once, before the program exists, and polling keeps it
 * out of lwIP's callback lists (which would have to be unwound at every net_shutdown).
 */
#include "core/config/config.h"
#include "core/lib/kprintf.h"
#include "core/lib/kstring.h"
#include "core/sched/sched.h"
#include "hal/hal_errno.h"
#include "hal/hal_net.h"
#include "hal/hal_time.h"
#include "lwip/ip6_addr.h"
#include "net/net_internal.h"

#define WAIT_DEFAULT_S 5u
#define WAIT_MAX_S 180u
#define WAIT_POLL_NS 10000000ull

static struct net_config net_cfg_current;
static bool net_cfg_given;

void net_config_defaults(struct net_config *c)
{
    memset(c, 0, sizeof(*c));
    for (unsigned i = 0; i < NET_CFG_MAX_IFS; i++) {
        c->ifc[i].dhcp4 = true;
        c->ifc[i].ipv6 = true;
        c->ifc[i].dhcp6 = true;
        c->ifc[i].is_default = i == 0;
    }
}

/* Strict dotted quad (four decimal parts 0-255, no leading zeros beyond "0"), as inet_pton;
 * network byte order in *out. */
static bool parse_ip4(const char *s, uint32_t *out)
{
    uint32_t v = 0;

    for (int part = 0; part < 4; part++) {
        unsigned n = 0, digits = 0;

        if (part && *s++ != '.')
            return false;
        while (*s >= '0' && *s <= '9' && digits < 4) {
            n = n * 10 + (unsigned)(*s++ - '0');
            digits++;
        }
        if (digits == 0 || digits > 3 || n > 255 || (digits > 1 && s[-(int)digits] == '0'))
            return false;
        v = v << 8 | n;
    }
    if (*s)
        return false;
    *out = PP_HTONL(v);
    return true;
}

static int bad(char *err, size_t errlen, const char *ifname, const char *key,
               const struct config_value *v, const char *what)
{
    const char *s = config_is_string(v) ? config_string(v) : "(not a string)";

    ksnprintf(err, errlen, "%s: %s %s is not %s", ifname, key, s, what);
    return -EINVAL;
}

/* An interface's keys: its tuple, then (en1 only) the root for the keys the tuple lacks. */
struct ifkeys {
    const struct config_value *t, *root;
};

static struct config_value *key(const struct ifkeys *k, const char *name)
{
    struct config_value *v = config_get(k->t, name);

    return v || !k->root ? v : config_get(k->root, name);
}

/* A string value without NUL bytes, or NULL. */
static const char *str_of(const struct config_value *v)
{
    const char *s = config_string(v);

    return s && strlen(s) == config_string_len(v) ? s : NULL;
}

static int read_ip4(const struct ifkeys *t, struct net_if_config *ic, const char *ifname,
                    char *err, size_t errlen)
{
    struct config_value *a = key(t, "ipaddr"), *m = key(t, "netmask"), *g = key(t, "gateway");
    uint32_t ip, mask = PP_HTONL(0xffffff00u), gw, host;

    if (!a)
        return (m || g) ? (ksnprintf(err, errlen, "%s: netmask and gateway need ipaddr",
                                     ifname), -EINVAL) : 0;
    if (!str_of(a) || !parse_ip4(str_of(a), &ip))
        return bad(err, errlen, ifname, "ipaddr", a, "an IPv4 address");
    if (m && (!str_of(m) || !parse_ip4(str_of(m), &mask) ||
              (~PP_NTOHL(mask) & (~PP_NTOHL(mask) + 1)) != 0))
        return bad(err, errlen, ifname, "netmask", m, "an IPv4 netmask");
    if (g && (!str_of(g) || !parse_ip4(str_of(g), &gw)))
        return bad(err, errlen, ifname, "gateway", g, "an IPv4 address");
    if (!g) { /* the network's first address, else the broadcast address minus one */
        host = (PP_NTOHL(ip) & PP_NTOHL(mask)) + 1;
        if (host == PP_NTOHL(ip))
            host = (PP_NTOHL(ip) | ~PP_NTOHL(mask)) - 1;
        gw = PP_HTONL(host);
    }
    ic->dhcp4 = false;
    ic->ip4 = ip;
    ic->mask4 = mask;
    ic->gw4 = gw;
    return 0;
}

static int read_ip6(const struct ifkeys *t, struct net_if_config *ic, const char *ifname,
                    char *err, size_t errlen)
{
    struct config_value *v = key(t, "ip6addr");
    const char *s = str_of(v);
    ip6_addr_t a;

    if (!v)
        return 0;
    if (!s || strchr(s, '/') || strchr(s, '%') || !ip6addr_aton(s, &a) ||
        ip6_addr_isany(&a) || ip6_addr_ismulticast(&a) || ip6_addr_isloopback(&a))
        return bad(err, errlen, ifname, "ip6addr", v, "a unicast IPv6 address");
    ic->has_ip6 = true;
    memcpy(ic->ip6, a.addr, sizeof(ic->ip6));
    ic->dhcp6 = false;
    return 0;
}

static int read_mtu(const struct ifkeys *t, unsigned dev, struct net_if_config *ic,
                    const char *ifname, char *err, size_t errlen)
{
    struct config_value *v = key(t, "mtu");
    struct hal_net_info info;
    uint64_t mtu;

    if (!v)
        return 0;
    if (config_string_to_u64(v, &mtu) || mtu < 68 || mtu > 65535)
        return bad(err, errlen, ifname, "mtu", v, "a number from 68 to 65535");
    if (dev < hal_net_count()) {
        hal_net_get_info(hal_net_get(dev), &info);
        if (mtu > info.mtu) {
            ksnprintf(err, errlen, "%s: mtu %llu is above the device's %u", ifname,
                      (unsigned long long)mtu, (unsigned)info.mtu);
            return -EINVAL;
        }
    }
    ic->mtu = (uint16_t)mtu;
    return 0;
}

static int read_wait(const struct ifkeys *t, const char *name, uint32_t *out,
                     const char *ifname, char *err, size_t errlen)
{
    struct config_value *v = key(t, name);
    uint64_t s;

    if (!v)
        return 0;
    if (config_string_to_u64(v, &s))
        return bad(err, errlen, ifname, name, v, "a number of seconds");
    *out = s == 0 || s > WAIT_MAX_S ? WAIT_DEFAULT_S : (uint32_t)s;
    return 0;
}

static int read_if(const struct ifkeys *t, unsigned i, struct net_config *c,
                   char *err, size_t errlen)
{
    char ifname[8];
    int rc;

    ksnprintf(ifname, sizeof(ifname), "en%u", i + 1);
    if (!config_is_tuple(t->t)) {
        ksnprintf(err, errlen, "%s is not a tuple", ifname);
        return -EINVAL;
    }
    if ((rc = read_ip4(t, &c->ifc[i], ifname, err, errlen)) ||
        (rc = read_ip6(t, &c->ifc[i], ifname, err, errlen)) ||
        (rc = read_mtu(t, i, &c->ifc[i], ifname, err, errlen)) ||
        (rc = read_wait(t, "exec_wait_for_ip4_secs", &c->wait4_s[i], ifname, err, errlen)) ||
        (rc = read_wait(t, "exec_wait_for_ip6_secs", &c->wait6_s[i], ifname, err, errlen)))
        return rc;
    if (config_get_flag(config_get(t->t, "default") ? t->t : t->root, "default")) {
        for (unsigned k = 0; k < NET_CFG_MAX_IFS; k++)
            c->ifc[k].is_default = k == i;
    }
    return 0;
}

int net_config_read(const struct config_value *root, struct net_config *c, char *err,
                    size_t errlen)
{
    net_config_defaults(c);
    if (errlen)
        err[0] = '\0';
    for (unsigned i = 0; i < NET_CFG_MAX_IFS; i++) {
        char name[8];
        struct ifkeys k = {NULL, NULL};
        int rc;

        ksnprintf(name, sizeof(name), "en%u", i + 1);
        k.t = config_get(root, name);
        if (i == 0) { /* en1's keys may sit at the root (Nanos), the tuple's win */
            k.root = k.t ? root : NULL;
            k.t = k.t ? k.t : root;
        } else if (!k.t) {
            continue;
        }
        rc = read_if(&k, i, c, err, errlen);
        if (rc)
            return rc;
        if (k.t != root && i >= hal_net_count())
            kprintf("petrel: %s is configured but the VM has %u network device%s\n", name,
                    hal_net_count(), hal_net_count() == 1 ? "" : "s");
    }
    return 0;
}

void net_config_use(const struct net_config *c)
{
    net_cfg_given = c != NULL;
    if (c)
        net_cfg_current = *c;
}

/* What net_start() gives device i. */
void net_config_for(unsigned i, struct net_if_config *out)
{
    struct net_config d;

    if (net_cfg_given && i < NET_CFG_MAX_IFS) {
        *out = net_cfg_current.ifc[i];
        return;
    }
    net_config_defaults(&d);
    *out = d.ifc[i < NET_CFG_MAX_IFS ? i : NET_CFG_MAX_IFS - 1];
    out->is_default = i == 0;
}

bool net_config_waits(const struct net_config *c)
{
    for (unsigned i = 0; i < NET_CFG_MAX_IFS && i < hal_net_count(); i++)
        if (c->wait4_s[i] || c->wait6_s[i])
            return true;
    return false;
}

static int wait_one(unsigned i, bool ipv6, uint32_t secs, uint64_t start)
{
    uint64_t deadline = start + (uint64_t)secs * 1000000000ull;
    int r;

    while ((r = net_if_has_address(i, ipv6)) == 0 && hal_clock_ns() < deadline)
        sched_sleep_ns(WAIT_POLL_NS);
    if (r == 1)
        return 0;
    kprintf("petrel: en%u: no %s address after %u s; starting the program anyway\n", i + 1,
            ipv6 ? "global IPv6" : "IPv4", secs);
    return -ETIMEDOUT;
}

int net_wait_addresses(const struct net_config *c)
{
    uint64_t start = hal_clock_ns();
    int rc = 0;

    for (unsigned i = 0; i < NET_CFG_MAX_IFS && i < hal_net_count(); i++) {
        if (c->wait4_s[i] && wait_one(i, false, c->wait4_s[i], start))
            rc = -ETIMEDOUT;
        if (c->wait6_s[i] && wait_one(i, true, c->wait6_s[i], start))
            rc = -ETIMEDOUT;
    }
    return rc;
}
