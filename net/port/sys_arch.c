/*
 * sys_arch.c - what lwIP needs from the platform under NO_SYS: time, memory, randomness,
 * and what to do when one of its checks fails.
 *
 * Time: sys_now() is the kernel clock in milliseconds (virtual in hosted runs, so TCP timers
 * run at the speed of the test, not of the wall).
 * Memory: lwIP's heap and pools (MEMP_MEM_MALLOC) both land in net_mem_malloc: kmalloc with
 * one byte budget for the whole stack, so a flood of connections or out-of-order segments
 * meets a refusal inside lwIP (which copes with NULL everywhere) and never starves the kernel;
 * small blocks are recycled through per-size free lists (see net_mem_malloc).
 * Every call into lwIP holds the network lock, so the counters need no lock of their own.
 * Checks: LWIP_ASSERT and LWIP_ERROR log and count (net_get_stats); neither stops the kernel,
 * because packet contents must never be able to (DESIGN §5). Tests and the fuzz target fail
 * when the assertion count moves.
 */
#include <stdarg.h>

#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "core/lib/kstring.h"
#include "core/lib/log.h"
#include "hal/hal_rand.h"
#include "hal/hal_time.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/tcp.h"
#include "lwip/sys.h"
#include "net/net_internal.h"
#include "net/port/hooks.h"

#define NET_MEM_MAX_DEFAULT (256ULL << 20)

struct net_stats net_counters;

u32_t sys_now(void)
{
    return (u32_t)(hal_clock_ns() / 1000000u);
}

void net_port_mem_init(void)
{
    struct page_stats ps;

    page_get_stats(&ps);
    net_counters.mem_limit = ps.total_pages * PAGE_SIZE / 4;
    if (net_counters.mem_limit > NET_MEM_MAX_DEFAULT)
        net_counters.mem_limit = NET_MEM_MAX_DEFAULT;
}

void net_set_mem_limit(size_t bytes)
{
    net_counters.mem_limit = bytes;
}

/*
 * Blocks: a 16-byte header, then what lwIP asked for. A block of at most NET_MEM_CLASS_MAX
 * bytes (header included) is rounded up to a power-of-two class, and a freed one is kept on
 * its class's free list (at most NET_MEM_CACHE_MAX), so lwIP's steady churn of pbufs,
 * segments and timeouts - some 20 blocks per HTTP request - skips kmalloc's lock and its
 * pointer lookup; the header tells the free its size without asking kmalloc either. Cached
 * blocks are not in mem_in_use; net_port_mem_drain() gives them back (net_shutdown).
 */
#define NET_MEM_HDR 16u
#define NET_MEM_MIN_SHIFT 6u /* 64 B */
#define NET_MEM_CLASSES 6u   /* 64 .. 2048 B */
#define NET_MEM_CLASS_MAX (1u << (NET_MEM_MIN_SHIFT + NET_MEM_CLASSES - 1))
#define NET_MEM_CACHE_MAX 64u
#define NET_MEM_MAGIC 0x6e6d656du /* "nmem" */

#ifdef PETREL_ASAN
void __asan_poison_memory_region(void const volatile *addr, size_t size);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#define NM_POISON(a, n) __asan_poison_memory_region((a), (n))
#define NM_UNPOISON(a, n) __asan_unpoison_memory_region((a), (n))
#else
#define NM_POISON(a, n) ((void)(a), (void)(n))
#define NM_UNPOISON(a, n) ((void)(a), (void)(n))
#endif

struct mem_hdr {
    uint32_t magic;
    uint32_t cls;   /* class index, or NET_MEM_CLASSES: a large block */
    uint64_t bytes; /* the block's size, header included, as counted in mem_in_use */
};

struct mem_free {
    struct mem_hdr h;
    struct mem_free *next;
};

static struct {
    struct mem_free *head;
    unsigned n;
} mem_cache[NET_MEM_CLASSES];

static unsigned mem_class(size_t bytes)
{
    unsigned c = 0;

    while ((1u << (NET_MEM_MIN_SHIFT + c)) < bytes)
        c++;
    return c;
}

static struct mem_hdr *mem_take(unsigned cls, size_t bytes)
{
    struct mem_free *f;

    if (cls < NET_MEM_CLASSES && (f = mem_cache[cls].head)) {
        NM_UNPOISON(f, bytes);
        mem_cache[cls].head = f->next;
        mem_cache[cls].n--;
        net_counters.mem_cached -= bytes;
        return &f->h;
    }
    return kmalloc(bytes);
}

void *net_mem_malloc(size_t size)
{
    size_t bytes = size + NET_MEM_HDR;
    unsigned cls = NET_MEM_CLASSES;
    struct mem_hdr *h;

    if (size == 0 || size > (size_t)-1 / 2) {
        net_counters.mem_failed++;
        return NULL;
    }
    if (bytes <= NET_MEM_CLASS_MAX) {
        cls = mem_class(bytes);
        bytes = 1u << (NET_MEM_MIN_SHIFT + cls);
    }
    if (net_counters.mem_in_use + bytes > net_counters.mem_limit || !(h = mem_take(cls, bytes))) {
        net_counters.mem_failed++;
        return NULL;
    }
    h->magic = NET_MEM_MAGIC;
    h->cls = cls;
    h->bytes = bytes;
    net_counters.mem_in_use += bytes;
    if (net_counters.mem_in_use > net_counters.mem_peak)
        net_counters.mem_peak = net_counters.mem_in_use;
    return (char *)h + NET_MEM_HDR;
}

void *net_mem_calloc(size_t n, size_t size)
{
    void *p;

    if (size && n > (size_t)-1 / size)
        return NULL;
    p = net_mem_malloc(n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void net_mem_free(void *p)
{
    struct mem_hdr *h;

    if (!p)
        return;
    h = (struct mem_hdr *)((char *)p - NET_MEM_HDR);
    if (h->magic != NET_MEM_MAGIC || h->cls > NET_MEM_CLASSES)
        panic("net_mem_free: %p is not a block of lwIP's", p);
    net_counters.mem_in_use -= h->bytes;
    h->magic = 0;
    if (h->cls < NET_MEM_CLASSES && mem_cache[h->cls].n < NET_MEM_CACHE_MAX) {
        struct mem_free *f = (struct mem_free *)h;

        f->next = mem_cache[h->cls].head;
        mem_cache[h->cls].head = f;
        mem_cache[h->cls].n++;
        net_counters.mem_cached += h->bytes;
        NM_POISON(f, h->bytes);
        return;
    }
    kfree(h);
}

void net_port_mem_drain(void)
{
    for (unsigned c = 0; c < NET_MEM_CLASSES; c++) {
        while (mem_cache[c].head) {
            struct mem_free *f = mem_cache[c].head;

            NM_UNPOISON(f, 1u << (NET_MEM_MIN_SHIFT + c));
            mem_cache[c].head = f->next;
            kfree(f);
        }
        mem_cache[c].n = 0;
    }
    net_counters.mem_cached = 0;
}

uint32_t net_port_rand(void)
{
    uint32_t v;

    hal_entropy(&v, sizeof(v));
    return v;
}

void net_port_diag(const char *fmt, ...)
{
    char buf[160];
    va_list ap;

    va_start(ap, fmt);
    kvsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    log_debug("lwip: %s", buf);
}

void net_port_assert(const char *msg, const char *file, int line)
{
    net_counters.asserts++;
    log_err("lwip: assertion \"%s\" failed at %s:%d", msg, file, line);
}

void net_port_error(const char *msg, const char *file, int line)
{
    net_counters.errors++;
    log_debug("lwip: check \"%s\" failed at %s:%d", msg, file, line);
}

/* --- source-address routing (hooks.h) ------------------------------------------------------ */

static bool netif_usable(const struct netif *n)
{
    return netif_is_up(n) && netif_is_link_up(n);
}

struct netif *net_route4_src(const ip4_addr_t *src, const ip4_addr_t *dest)
{
    struct netif *n;

    if (!src || ip4_addr_isany(src))
        return NULL;
    NETIF_FOREACH(n) {
        if (!netif_usable(n) || !ip4_addr_cmp(src, netif_ip4_addr(n)))
            continue;
        if (ip4_addr_netcmp(dest, netif_ip4_addr(n), netif_ip4_netmask(n)) ||
            !ip4_addr_isany(netif_ip4_gw(n)))
            return n;
    }
    return NULL;
}

struct netif *net_route6_src(const ip6_addr_t *src, const ip6_addr_t *dest)
{
    struct netif *n;

    (void)dest;
    if (!src || ip6_addr_isany(src))
        return NULL;
    NETIF_FOREACH(n) {
        if (!netif_usable(n))
            continue;
        for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++) {
            if (ip6_addr_isvalid(netif_ip6_addr_state(n, i)) &&
                ip6_addr_cmp_zoneless(src, netif_ip6_addr(n, i)))
                return n;
        }
    }
    return NULL;
}

/* --- TCP options (hooks.h) ------------------------------------------------------------------ */

/* Option byte i: the first opt1len follow the header, the rest are in opt2 (another pbuf). */
static u8_t *tcp_opt_byte(struct tcp_hdr *hdr, u16_t opt1len, u8_t *opt2, u16_t i)
{
    return i < opt1len ? (u8_t *)hdr + TCP_HLEN + i : opt2 + (i - opt1len);
}

err_t net_tcp_inpacket(struct tcp_hdr *hdr, u16_t optlen, u16_t opt1len, u8_t *opt2)
{
    u16_t i = 0;

    if (TCPH_FLAGS(hdr) & TCP_SYN)
        return ERR_OK;
    while (i < optlen) {
        u8_t kind = *tcp_opt_byte(hdr, opt1len, opt2, i), len;

        if (kind == LWIP_TCP_OPT_EOL)
            break;
        if (kind == LWIP_TCP_OPT_NOP) {
            i++;
            continue;
        }
        if (i + 1 >= optlen)
            break;
        len = *tcp_opt_byte(hdr, opt1len, opt2, (u16_t)(i + 1));
        if (len < 2 || i + len > optlen)
            break; /* malformed: lwIP stops parsing here too */
        for (u16_t k = 0; kind == LWIP_TCP_OPT_MSS && k < len; k++)
            *tcp_opt_byte(hdr, opt1len, opt2, (u16_t)(i + k)) = LWIP_TCP_OPT_NOP;
        i = (u16_t)(i + len);
    }
    return ERR_OK;
}
