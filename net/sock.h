/*
 * sock.h - Petrel's sockets over lwIP: AF_INET and AF_INET6, TCP and UDP, with Linux's
 * semantics (errors, blocking, partial transfers, shutdown, options) on kernel buffers.
 *
 * The syscall layer decodes and copies user memory; everything here takes kernel pointers
 * and sockaddrs in Linux layout (core/abi/socket.h). Blocking calls sleep on the socket's
 * wait queue with the network lock released; lwIP's callbacks (network thread) update the
 * socket and wake it. A nonblocking socket (or MSG_DONTWAIT) returns -EAGAIN instead.
 * Every function returns 0 / a count, or -errno; none may be called with the network lock
 * held; all may sleep.
 */
#ifndef NET_SOCK_H
#define NET_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sock;
struct wait_queue;

/* domain: LINUX_AF_INET/INET6; type: LINUX_SOCK_STREAM/DGRAM (flags masked off by the
 * caller, below SOCK_MAX); protocol: 0 or the type's. Errors as Linux: -EAFNOSUPPORT,
 * -ESOCKTNOSUPPORT, -EPROTONOSUPPORT, -EINVAL (protocol out of range), -EPERM (SOCK_RAW with a
 * protocol: an unprivileged process's answer). Starts the stack on first use (net_start). */
int sock_create(int domain, int type, int protocol, struct sock **out);
/* Close: graceful for TCP (FIN, lwIP finishes sending in the background), drops queued data
 * and pending connections. sk is freed. */
void sock_close(struct sock *sk);

void sock_set_nonblock(struct sock *sk, bool on);
/* Receive/send timeouts (SO_RCVTIMEO/SO_SNDTIMEO) in ns; 0: none. */
void sock_set_timeouts(struct sock *sk, uint64_t rcv_ns, uint64_t snd_ns);

int sock_bind(struct sock *sk, const void *addr, size_t len);
int sock_listen(struct sock *sk, int backlog);
/* *out: the accepted socket; peer (may be NULL): its address, *plen in/out as accept(2). */
int sock_accept(struct sock *sk, struct sock **out, void *peer, uint32_t *plen);
int sock_connect(struct sock *sk, const void *addr, size_t len);
/* send/sendto: flags LINUX_MSG_DONTWAIT/NOSIGNAL/MORE...; addr NULL for none. Returns bytes
 * queued. -EPIPE after shutdown(SHUT_WR) or a reset (the caller raises SIGPIPE unless
 * MSG_NOSIGNAL). */
long sock_send(struct sock *sk, const void *buf, size_t len, int flags, const void *addr,
               size_t alen);
/* recv/recvfrom: flags LINUX_MSG_PEEK/DONTWAIT/WAITALL/TRUNC; *msg_flags (may be NULL) gets
 * LINUX_MSG_TRUNC when a datagram was cut. from and flen as recvfrom(2). */
long sock_recv(struct sock *sk, void *buf, size_t len, int flags, void *from, uint32_t *flen,
               int *msg_flags);
int sock_shutdown(struct sock *sk, int how);
/* getsockname (peer false) / getpeername (peer true); *len in/out, as Linux. */
int sock_getname(struct sock *sk, bool peer, void *addr, uint32_t *len);
int sock_setsockopt(struct sock *sk, int level, int name, const void *val, uint32_t len);
int sock_getsockopt(struct sock *sk, int level, int name, void *val, uint32_t *len);
/* LINUX_AF_INET or LINUX_AF_INET6. Never sleeps. */
int sock_family(struct sock *sk);
/* A SOCK_STREAM socket (else datagrams). Never sleeps. */
bool sock_is_stream(struct sock *sk);
/* LINUX_EPOLL* mask ready now. */
unsigned sock_poll(struct sock *sk);
/* The queue woken whenever the mask may have changed (for poll registration). */
struct wait_queue *sock_wait_queue(struct sock *sk);
/* Bytes a read would return now (FIONREAD): unread stream bytes, or the next datagram's. */
size_t sock_readable(struct sock *sk);
/* FIONREAD's answer: sock_readable as an int, -EINVAL on a listening socket (Linux). */
int sock_inq(struct sock *sk);
/* SIOCATMARK: 1 when the next byte a read returns is at the urgent mark, else 0 (also on a
 * listener); -ENOTTY on UDP (Linux). */
int sock_atmark(struct sock *sk);

#endif
