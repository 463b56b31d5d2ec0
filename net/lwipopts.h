/*
 * lwipopts.h - how Petrel configures lwIP (read by lwip/opt.h). docs/net.md explains each
 * choice; the short version:
 *
 *   - NO_SYS=1, raw API only: lwIP runs in one network thread (net/netd.c) and in callers that
 *     hold the network lock (net_lock()); never in an interrupt, never without the lock.
 *   - Memory: every lwIP allocation, pools included (MEMP_MEM_MALLOC), goes through
 *     mem_clib_malloc = net_mem_malloc: kmalloc under one byte budget for the whole stack
 *     (net/port/sys_arch.c). Past the budget lwIP sees NULL and drops or refuses, as it does
 *     with exhausted pools; there is no per-kind count to tune and no static heap.
 *   - IPv4 + IPv6 (SLAAC, stateless DHCPv6), DHCPv4, loopback, TCP with window scaling,
 *     timestamps and SACK (lwIP 2.1 sends SACK blocks; it does not act on received ones).
 *   - Source routing hooks (net/port/hooks.h) send a packet out of the interface that owns its
 *     source address, so two interfaces of this one stack can face each other on a wire.
 */
#ifndef NET_LWIPOPTS_H
#define NET_LWIPOPTS_H

/* --- system ------------------------------------------------------------------------------ */
#define NO_SYS 1
#define LWIP_TIMERS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define LWIP_TCPIP_CORE_LOCKING 0
#define LWIP_HOOK_FILENAME "net/port/hooks.h"
/* Only effect in lwIP 2.1.3 (timeouts.c): the timeout list's head and the cyclic-timer handler
 * become reachable, so net_shutdown() can empty the list (net/teardown.c). */
#define LWIP_TESTMODE 1

/* --- memory ------------------------------------------------------------------------------ */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 8
#define mem_clib_malloc net_mem_malloc
#define mem_clib_free net_mem_free
#define mem_clib_calloc net_mem_calloc

/* --- interfaces -------------------------------------------------------------------------- */
#define LWIP_SINGLE_NETIF 0
#define LWIP_ETHERNET 1
#define LWIP_ARP 1
#define ARP_TABLE_SIZE 64
#define ARP_QUEUEING 1
#define ARP_QUEUE_LEN 64 /* packets held per unresolved neighbour (Linux: 101) */
#define ETH_PAD_SIZE 0
#define LWIP_NETIF_HOSTNAME 1
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_NETIF_EXT_STATUS_CALLBACK 1
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_HAVE_LOOPIF 1
#define LWIP_LOOPBACK_MAX_PBUFS 1024

/* --- IPv4 -------------------------------------------------------------------------------- */
#define LWIP_IPV4 1
#define LWIP_ICMP 1
#define LWIP_RAW 1
#define LWIP_IGMP 0
#define LWIP_AUTOIP 0
#define LWIP_DHCP 1
#define DHCP_DOES_ARP_CHECK 0 /* no ARP probe delay before using a lease */
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define IP_REASS_MAX_PBUFS 256
#define IP_DEFAULT_TTL 64 /* Linux's ip_default_ttl and IPv6 hop limit (lwIP: 255) */
#define LWIP_HOOK_IP4_ROUTE_SRC(src, dest) net_route4_src((src), (dest))
/* MSS options outside SYNs are dropped before lwIP parses them (net/port/sys_arch.c); a RST
 * ends TIME-WAIT (net/tcp_conform.c) */
#define LWIP_HOOK_TCP_INPACKET_PCB(pcb, hdr, optlen, opt1len, opt2, p)                             \
    (net_tcp_conform_input((pcb), (hdr), (p)) != ERR_OK                                            \
         ? ERR_ABRT                                                                                \
         : net_tcp_inpacket((hdr), (optlen), (opt1len), (opt2)))
/* ICMP errors reach the TCP connection they quote (net/tcp_conform.c) */
#define LWIP_HOOK_IP4_INPUT(p, inp) net_ip4_input_hook((p), (inp))
/* One ACK per connection per batch of received frames (net/ackbatch.c, lwip-patches/0030) */
#define LWIP_HOOK_TCP_ACK_HOLD(pcb) net_tcp_ack_hold(pcb)
/* A window update after a read only when the peer needs it, as Linux (net/ackbatch.c, 0031) */
#define LWIP_HOOK_TCP_WND_UPDATE(pcb, inflation) net_tcp_wnd_update((pcb), (inflation))

/* --- IPv6 -------------------------------------------------------------------------------- */
#define LWIP_IPV6 1
#define LWIP_IPV6_NUM_ADDRESSES 4
#define LWIP_IPV6_AUTOCONFIG 1
#define LWIP_IPV6_SEND_ROUTER_SOLICIT 1
#define LWIP_IPV6_MLD 1
#define LWIP_IPV6_DHCP6 1
#define LWIP_IPV6_DHCP6_STATELESS 1
#define LWIP_IPV6_FRAG 1
#define LWIP_IPV6_REASS 1
#define IPV6_FRAG_COPYHEADER 1 /* 64-bit pointers do not fit in the fragment header */
#define LWIP_ND6_NUM_NEIGHBORS 32
#define LWIP_ND6_NUM_DESTINATIONS 64
#define LWIP_HOOK_IP6_ROUTE(src, dest) net_route6_src((src), (dest))

/* --- UDP / TCP --------------------------------------------------------------------------- */
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DNS 0 /* the program's libc resolves names over UDP */
#define SO_REUSE 1
#define TCP_MSS 1460
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 4 /* windows up to 1 MiB */
#define TCP_WND (512 * 1024)
#define TCP_SND_BUF (2048 * 1024)
#define TCP_SNDLOWAT (32 * 1024) /* lwIP keeps it in 16 bits */
#define TCP_SND_QUEUELEN ((4 * TCP_SND_BUF + TCP_MSS - 1) / TCP_MSS)
#define TCP_QUEUE_OOSEQ 1
#define TCP_OOSEQ_MAX_BYTES TCP_WND
#define LWIP_TCP_TIMESTAMPS 1
#define LWIP_TCP_SACK_OUT 1
#define LWIP_TCP_KEEPALIVE 1
#define TCP_LISTEN_BACKLOG 1
#define LWIP_TCP_PCB_NUM_EXT_ARGS 1

/* --- checksums and copies ---------------------------------------------------------------- */
/* The sum itself, four 32-bit words per step (net/csum.c): lwIP's adds one 16-bit word. */
#define LWIP_CHKSUM net_chksum
unsigned short net_chksum(const void *data, int len);
/* lwIP's MEMCPY (payload copies) stays its default, memcpy: the kernel's moves 64 bytes a pass
 * at any alignment (core/lib/string.c), which the payload copies need (their two sides almost
 * never share an alignment). */
/* Per interface: one whose device completes TCP checksums skips lwIP's (net/netif.c). */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1

/* --- checks and statistics --------------------------------------------------------------- */
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 0
#define MIB2_STATS 0
#define LWIP_DEBUG 0

#endif
