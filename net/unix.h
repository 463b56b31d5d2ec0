/*
 * unix.h - AF_UNIX sockets: SOCK_STREAM, SOCK_DGRAM and SOCK_SEQPACKET within the kernel
 * (docs/net.md "AF_UNIX"). The syscalls reach them through unix_kind (net/sock_kind.h);
 * this header is what they need beyond the table: creating sockets and pairs, and telling
 * path names from abstract ones (the syscall layer resolves paths through the VFS).
 */
#ifndef NET_UNIX_H
#define NET_UNIX_H

#include <stdbool.h>
#include <stddef.h>

#include "net/sock_kind.h"

struct file;
struct unix_sock;

/* sizeof(struct sockaddr_un) and its sun_path */
#define UNIX_ADDR_MAX 110
#define UNIX_PATH_MAX 108

extern const struct sock_kind unix_kind;

/* type: LINUX_SOCK_STREAM/DGRAM/SEQPACKET (SOCK_RAW is taken as DGRAM, as Linux), protocol
 * 0 or PF_UNIX. -ESOCKTNOSUPPORT, -EPROTONOSUPPORT, -ENOMEM. cred: the creator's
 * (SO_PEERCRED of its peers). Never sleeps. */
int unix_create(int type, int protocol, const struct sock_cred *cred, struct unix_sock **out);
/* Two sockets connected to each other (socketpair). Errors as unix_create. */
int unix_pair(int type, int protocol, const struct sock_cred *cred, struct unix_sock *out[2]);
/* The socket of an AF_UNIX description, NULL for other files. */
struct unix_sock *unix_of_file(struct file *f);
/* A descriptor of an AF_UNIX socket was closed: when descriptors are in flight, collect the
 * sockets only they hold (SCM_RIGHTS cycles; net/unix_gc.c). No lock held; may sleep. */
void unix_gc(void);
/* LINUX_SOCK_STREAM, DGRAM or SEQPACKET. */
int unix_type(struct unix_sock *u);
/* Does the sockaddr (len bytes) name a filesystem path? Then path gets it, NUL-terminated
 * (at most UNIX_PATH_MAX bytes and the NUL). Abstract names, autobind requests and invalid
 * addresses are false (the socket answers those). */
bool unix_addr_path(const void *sa, size_t len, char path[UNIX_PATH_MAX + 1]);

#endif
