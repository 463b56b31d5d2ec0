/*
 * ifreq.c - the SIOCGIF* ioctls of sockets: the interface list and each interface's name,
 * index, flags, MTU and hardware address (every family, as Linux's dev_ioctl), and its IPv4
 * address, netmask and broadcast address (AF_INET sockets only: Linux's devinet_ioctl; other
 * families -ENOTTY), read from lwIP's netifs under the network lock.
 *
 * Names and indexes: lwIP's loopback is "lo", index 1, as Linux's; the others keep their
 * lwIP names with their number ("en0") and are indexed from 2 in the order they were added
 * (lwIP's own numbers keep counting across hosted reboots). Flags are Linux's: IFF_UP and IFF_RUNNING when up with the link
 * up, IFF_LOOPBACK, IFF_BROADCAST and IFF_MULTICAST for Ethernet. Errors as Linux: a name
 * that is no interface -ENODEV, an interface without an IPv4 address -EADDRNOTAVAIL for the
 * address requests, a bad argument -EFAULT. SIOCGIFCONF lists the interfaces that have an
 * IPv4 address, as Linux; with a NULL buffer it reports the length needed.
 */
#include "core/abi/socket.h"
#include "core/lib/kstring.h"
#include "fs/file/file.h"
#include "hal/hal_errno.h"
#include "lwip/netif.h"
#include "net/net.h"
#include "net/net_ifreq.h"

#define SIOCGIFNAME 0x8910
#define SIOCGIFCONF 0x8912
#define SIOCGIFFLAGS 0x8913
#define SIOCGIFADDR 0x8915
#define SIOCGIFBRDADDR 0x8919
#define SIOCGIFNETMASK 0x891b
#define SIOCGIFMTU 0x8921
#define SIOCGIFHWADDR 0x8927
#define SIOCGIFINDEX 0x8933

#define IFF_UP 0x1
#define IFF_BROADCAST 0x2
#define IFF_LOOPBACK 0x8
#define IFF_RUNNING 0x40
#define IFF_MULTICAST 0x1000
#define ARPHRD_ETHER 1
#define ARPHRD_LOOPBACK 772

struct ifreq {
    char name[NET_IFNAMSIZ];
    union {
        struct linux_sockaddr sa;
        int16_t flags;
        int32_t ivalue;
        uint8_t pad[24];
    } u;
};
_Static_assert(sizeof(struct ifreq) == 40, "ifreq");

struct ifconf {
    int32_t len;
    uint32_t pad;
    uint64_t buf;
};

bool net_if_is_loopback(const struct netif *n)
{
    return n->name[0] == 'l' && n->name[1] == 'o';
}

void net_if_name(const struct netif *n, char out[NET_IFNAMSIZ])
{
    memset(out, 0, NET_IFNAMSIZ);
    out[0] = n->name[0];
    out[1] = n->name[1];
    if (net_if_is_loopback(n))
        return;
    if (n->num >= 10)
        out[2] = (char)('0' + n->num / 10 % 10);
    out[n->num >= 10 ? 3 : 2] = (char)('0' + n->num % 10);
}

unsigned net_if_index(const struct netif *n)
{
    const struct netif *o;
    unsigned before = 0;

    if (net_if_is_loopback(n))
        return 1;
    NETIF_FOREACH(o) {
        if (!net_if_is_loopback(o) && o->num < n->num)
            before++;
    }
    return 2 + before;
}

struct netif *net_if_by_index(unsigned index)
{
    struct netif *n;

    NETIF_FOREACH(n) {
        if (net_if_index(n) == index)
            return n;
    }
    return NULL;
}

unsigned net_if_flags(const struct netif *n)
{
    unsigned f = 0;

    if (netif_is_up(n))
        f |= IFF_UP;
    if (netif_is_up(n) && netif_is_link_up(n))
        f |= IFF_RUNNING;
    if (net_if_is_loopback(n))
        f |= IFF_LOOPBACK;
    if (n->flags & NETIF_FLAG_BROADCAST)
        f |= IFF_BROADCAST;
    if (n->flags & (NETIF_FLAG_IGMP | NETIF_FLAG_MLD6 | NETIF_FLAG_ETHERNET))
        f |= IFF_MULTICAST;
    return f;
}

/* Network lock held. */
static struct netif *by_name(const char *name)
{
    struct netif *n;

    NETIF_FOREACH(n) {
        char nm[NET_IFNAMSIZ];

        net_if_name(n, nm);
        if (strncmp(nm, name, NET_IFNAMSIZ) == 0)
            return n;
    }
    return NULL;
}

static void sin_of(struct linux_sockaddr *sa, uint32_t addr)
{
    struct linux_sockaddr_in s = {.sin_family = LINUX_AF_INET, .sin_addr = addr};

    memcpy(sa, &s, sizeof(s));
}

/* Network lock held: answer one request about n into r. */
static int ifreq_answer(struct netif *n, unsigned long req, struct ifreq *r)
{
    uint32_t a = ip4_addr_get_u32(netif_ip4_addr(n)), m = ip4_addr_get_u32(netif_ip4_netmask(n));

    memset(&r->u, 0, sizeof(r->u));
    switch (req) {
    case SIOCGIFFLAGS: r->u.flags = (int16_t)net_if_flags(n); return 0;
    case SIOCGIFINDEX: r->u.ivalue = (int32_t)net_if_index(n); return 0;
    case SIOCGIFMTU: /* lwIP's loopback has no limit (0): Linux's lo says 65536 */
        r->u.ivalue = n->mtu ? n->mtu : 65536;
        return 0;
    case SIOCGIFHWADDR:
        r->u.sa.sa_family = net_if_is_loopback(n) ? ARPHRD_LOOPBACK : ARPHRD_ETHER;
        memcpy(r->u.sa.sa_data, n->hwaddr, n->hwaddr_len <= 6 ? n->hwaddr_len : 6);
        return 0;
    default:
        break;
    }
    if (a == 0)
        return -EADDRNOTAVAIL;
    if (req == SIOCGIFADDR)
        sin_of(&r->u.sa, a);
    else if (req == SIOCGIFNETMASK)
        sin_of(&r->u.sa, m);
    else /* SIOCGIFBRDADDR: Linux reports 0.0.0.0 for an interface without broadcast */
        sin_of(&r->u.sa, (n->flags & NETIF_FLAG_BROADCAST) ? (a & m) | ~m : 0);
    return 0;
}

static int ifreq_one(unsigned long req, const struct file_uarg *arg)
{
    struct ifreq r;
    struct netif *n;
    int rc = 0;

    if (file_uarg_in(arg, &r, sizeof(r)))
        return -EFAULT;
    net_lock();
    if (req == SIOCGIFNAME) {
        n = r.u.ivalue > 0 ? net_if_by_index((unsigned)r.u.ivalue) : NULL;
        if (n)
            net_if_name(n, r.name);
    } else {
        r.name[NET_IFNAMSIZ - 1] = 0;
        n = by_name(r.name);
        if (n)
            rc = ifreq_answer(n, req, &r);
    }
    net_unlock();
    if (!n)
        return -ENODEV;
    if (rc)
        return rc;
    return file_uarg_out(arg, &r, sizeof(r)) ? -EFAULT : 0;
}

/* SIOCGIFCONF: an ifreq with the IPv4 address of each interface that has one. */
static int ifconf(const struct file_uarg *arg)
{
    struct ifconf c;
    struct ifreq list[16];
    struct netif *n;
    int cnt = 0, room;

    if (file_uarg_in(arg, &c, sizeof(c)))
        return -EFAULT;
    room = c.len < 0 ? 0 : c.len / (int)sizeof(struct ifreq);
    net_lock();
    NETIF_FOREACH(n) {
        uint32_t a = ip4_addr_get_u32(netif_ip4_addr(n));

        if (a == 0 || cnt == 16 || (c.buf && cnt >= room))
            continue;
        memset(&list[cnt], 0, sizeof(list[cnt]));
        net_if_name(n, list[cnt].name);
        sin_of(&list[cnt].u.sa, a);
        cnt++;
    }
    net_unlock();
    c.len = cnt * (int)sizeof(struct ifreq);
    if (c.buf && cnt &&
        arg->copy_out(c.buf, list, (size_t)cnt * sizeof(struct ifreq)))
        return -EFAULT;
    return arg->copy_out(arg->addr, &c.len, sizeof(c.len)) ? -EFAULT : 0;
}

int net_ifreq_ioctl(unsigned long req, const struct file_uarg *arg, bool inet4)
{
    int rc;

    switch (req) {
    case SIOCGIFADDR: case SIOCGIFBRDADDR: case SIOCGIFNETMASK:
        if (!inet4)
            return -ENOTTY; /* AF_INET's requests (devinet_ioctl), as Linux */
        break;
    case SIOCGIFNAME: case SIOCGIFCONF: case SIOCGIFFLAGS: case SIOCGIFMTU: case SIOCGIFHWADDR:
    case SIOCGIFINDEX:
        break;
    default:
        return -ENOTTY;
    }
    rc = net_start(); /* the interfaces exist from the first socket on */
    if (rc)
        return rc;
    return req == SIOCGIFCONF ? ifconf(arg) : ifreq_one(req, arg);
}
