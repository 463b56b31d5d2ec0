/*
 * net_rx.h - the input format of fuzz/net_rx, shared by the harness and gen_corpus.c.
 *
 * An input is a sequence of records: op (1 byte), len (2 bytes, little endian), then len
 * bytes for a frame. Ops (low 7 bits, modulo NRX_OPS):
 *   NRX_FRAME     len bytes are an Ethernet frame for the stack's interface; with
 *                 NRX_FIXSUM set the harness first fixes the IPv4 header checksum and the
 *                 TCP/UDP/ICMP(v6) checksum, so inputs reach past checksum checks
 *   NRX_TIME      advance the virtual clock by len milliseconds and run lwIP's timers
 *   NRX_WRITE     every connection the application holds writes len bytes (no payload)
 *   NRX_CLOSE     every connection the application holds is closed
 * The stack: 10.0.0.1/24 (gateway 10.0.0.254) and an IPv6 link-local address on MAC
 * NRX_MAC, TCP listeners on port 80 (IPv4 + IPv6, echoes what it reads) and 22 (backlog 1),
 * UDP port 53 (echoes), and per input one active connection to 10.0.0.2:4242.
 */
#ifndef FUZZ_NET_RX_NET_RX_H
#define FUZZ_NET_RX_NET_RX_H

#define NRX_FRAME 0
#define NRX_TIME 1
#define NRX_WRITE 2
#define NRX_CLOSE 3
#define NRX_OPS 4
#define NRX_FIXSUM 0x80

/* The hosted wire's MAC for net device 0 (hal_hosted/net.c): 02:50:45:54:00:01. */
#define NRX_MAC {0x02, 0x50, 0x45, 0x54, 0x00, 0x01}

#endif
