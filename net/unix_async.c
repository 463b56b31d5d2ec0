/*
 * unix_async.c - signal-driven I/O on AF_UNIX sockets (docs/net.md "Signal-driven I/O"): with
 * O_ASYNC the owner gets SIGIO (or its F_SETSIG signal) when, as Linux's af_unix calls
 * sk_wake_async (checked natively by tests/runtime/progs/unix_sigio.c):
 *
 *   - POLL_IN: a message or stream data queued for the socket (sk_data_ready), a connection
 *     queued on a listener, the peer shutting its sending side (SHUT_WR);
 *   - POLL_HUP: the stream or seqpacket peer shut both sides or closed (unix_release_sock);
 *   - POLL_OUT: the socket's sent data was consumed and it is writable again, after a send
 *     found its buffer full (unix_write_space with SOCKWQ_ASYNC_NOSPACE, cleared then).
 *
 * A datagram socket whose peer closes gets nothing, as on Linux. Linux also skips POLL_IN
 * while a thread of the process is blocked reading the socket (SOCKWQ_ASYNC_WAITDATA); Petrel
 * signals then too (docs/CAVEATS.md). Everything runs under unix_lock; u->file is set and
 * cleared under it (unix_gc.c), so the description is alive while it is signalled.
 */
#include "core/abi/signal.h"
#include "fs/file/file.h"
#include "net/unix_internal.h"

void unix_async(struct unix_sock *u, int reason)
{
    if (u->file)
        file_sigio(u->file, reason); /* nothing unless the file has O_ASYNC */
}

void unix_async_space(struct unix_sock *u, bool writable)
{
    if (!u->async_nospace || !writable)
        return;
    u->async_nospace = false;
    unix_async(u, LINUX_POLL_OUT);
}
