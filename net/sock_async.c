/*
 * sock_async.c - signal-driven I/O on TCP and UDP sockets (docs/net.md "Signal-driven I/O"):
 * SIGURG to the owner when urgent data is announced, and with O_ASYNC the owner's SIGIO (or
 * F_SETSIG signal) when the socket becomes ready. The owner and the signals themselves are
 * fs/file/fown.c's; this file decides when, from the socket's changes.
 *
 * When, as Linux's socket callbacks call sk_wake_async: POLL_IN for every arrival (data, a
 * datagram, a connection on a listener, the peer's FIN: sk_data_ready and tcp_fin), POLL_OUT
 * when the socket becomes writable (a connect completing, send space coming back after it
 * ran out: sk_write_space with SOCK_NOSPACE), POLL_ERR for a new error, POLL_HUP when the
 * connection is shut both ways. Petrel sees the mask before and after each event (sock.c's
 * wake) and the receive callbacks' count of arrivals.
 *
 * Everything runs under the network lock; sk->file is set and cleared under it, so the
 * description it names is alive while it is read.
 */
#include "core/abi/fcntl.h"
#include "core/abi/poll.h"
#include "core/abi/signal.h"
#include "fs/file/file.h"
#include "net/net.h"
#include "net/sock_internal.h"

void net_sock_set_file(struct sock *sk, struct file *f)
{
    net_lock();
    sk->file = f;
    sk->async_rx_events = sk->rx_events;
    net_unlock();
}

void net_sock_async(struct sock *sk, unsigned old, unsigned now)
{
    unsigned gained = now & ~old;
    bool arrived = sk->rx_events != sk->async_rx_events;

    sk->async_rx_events = sk->rx_events;
    if (!sk->file || !(file_flags(sk->file) & LINUX_O_ASYNC))
        return;
    if (arrived || (gained & LINUX_EPOLLIN))
        file_sigio(sk->file, LINUX_POLL_IN);
    if (gained & LINUX_EPOLLOUT)
        file_sigio(sk->file, LINUX_POLL_OUT);
    if (gained & LINUX_EPOLLERR)
        file_sigio(sk->file, LINUX_POLL_ERR);
    if (gained & LINUX_EPOLLHUP)
        file_sigio(sk->file, LINUX_POLL_HUP);
}

void net_sock_sigurg(struct sock *sk)
{
    if (sk->file)
        file_sigurg(sk->file);
}
