/*
 * net_ifreq.h - the network interfaces as Linux names them, for the SIOCGIF* ioctls every
 * socket answers (net/ifreq.c) and the AF_NETLINK route dumps.
 */
#ifndef NET_NET_IFREQ_H
#define NET_NET_IFREQ_H

#include <stdbool.h>

struct file_uarg;
struct netif;

#define NET_IFNAMSIZ 16

/* A SIOCGIF* request (SIOCGIFCONF, SIOCGIFNAME, SIOCGIFFLAGS, SIOCGIFMTU, SIOCGIFHWADDR,
 * SIOCGIFINDEX; with inet4, an AF_INET socket's, also SIOCGIFADDR, SIOCGIFNETMASK and
 * SIOCGIFBRDADDR): 0 or -errno as Linux; -ENOTTY for any other request. Starts the stack on
 * first use. May sleep (takes the network lock). */
int net_ifreq_ioctl(unsigned long req, const struct file_uarg *arg, bool inet4);

/* Network lock held: the Linux name ("lo", "en0"), IFF_* flags of an lwIP interface. */
void net_if_name(const struct netif *n, char out[NET_IFNAMSIZ]);
unsigned net_if_flags(const struct netif *n);
/* Network lock held: Linux's interface index (lo 1, the others from 2), and back (NULL). */
unsigned net_if_index(const struct netif *n);
struct netif *net_if_by_index(unsigned index);
bool net_if_is_loopback(const struct netif *n);

#endif
