/*
 * netlink.h - AF_NETLINK sockets, NETLINK_ROUTE link and address dumps (net/netlink.c,
 * docs/net.md "AF_NETLINK").
 */
#ifndef NET_NETLINK_H
#define NET_NETLINK_H

#include "net/sock_kind.h"

struct file;

extern const struct sock_kind netlink_kind;

/* type: SOCK_RAW or SOCK_DGRAM (-ESOCKTNOSUPPORT), protocol: NETLINK_ROUTE
 * (-EPROTONOSUPPORT); pid: the process's (the first socket's port id). -ENOMEM. */
int netlink_create(int type, int protocol, int pid, void **out);
/* The socket of an AF_NETLINK description, NULL for other files. */
void *netlink_of_file(struct file *f);

#endif
