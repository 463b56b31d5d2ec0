/*
 * csum.c - the per-byte work of the data path: the Internet checksum sum lwIP computes for
 * every IP, TCP and UDP checksum (LWIP_CHKSUM in net/lwipopts.h points here), and the copy
 * lwIP makes of payload bytes (MEMCPY: net_memcpy, at the end).
 *
 * lwIP's portable routine adds one 16-bit word per iteration. Under TCG, where every guest
 * instruction costs several host ones, that loop over each 1460-byte segment, sent and
 * received, was a visible part of bench/tcp's cost. This one adds four 32-bit words per
 * iteration into a 64-bit accumulator and folds at the end: one's-complement addition does
 * not depend on the word size it is carried out in (RFC 1071, section 2: "byte order
 * independence" and "parallel summation"), so the folded result equals the 16-bit sum.
 *
 * Contract (lwIP's, inet_chksum.c): the non-inverted sum, in host order, of len bytes at data
 * taken as if data started at an even offset (a trailing odd byte is the first byte of a
 * zero-padded word). Loads go through __builtin_memcpy, so any alignment is fine; the compiler
 * turns them into plain moves (it inlines them even in the freestanding build).
 */
#include <stddef.h>
#include <stdint.h>

#include "net/lwipopts.h" /* net_chksum's prototype */

static uint64_t fold64(uint64_t s)
{
    s = (s & 0xffffffffu) + (s >> 32);
    s = (s & 0xffffffffu) + (s >> 32);
    s = (s & 0xffffu) + (s >> 16);
    s = (s & 0xffffu) + (s >> 16);
    return s;
}

uint16_t net_chksum(const void *data, int len)
{
    const uint8_t *p = data;
    uint64_t sum = 0; /* 64 KiB of 32-bit words cannot carry out of it */

    for (; len >= 16; len -= 16, p += 16) {
        uint32_t w[4];

        __builtin_memcpy(w, p, sizeof(w));
        sum += (uint64_t)w[0] + w[1] + w[2] + w[3];
    }
    for (; len >= 4; len -= 4, p += 4) {
        uint32_t w;

        __builtin_memcpy(&w, p, sizeof(w));
        sum += w;
    }
    if (len >= 2) {
        uint16_t h;

        __builtin_memcpy(&h, p, sizeof(h));
        sum += h;
        p += 2;
        len -= 2;
    }
    if (len > 0) {
        uint16_t t = 0;

        __builtin_memcpy(&t, p, 1); /* the byte first in memory, whatever the byte order */
        sum += t;
    }
    return (uint16_t)fold64(sum);
}

/*
 * net_memcpy: lwIP's MEMCPY (tcp_write's copy of the sender's bytes into segments,
 * pbuf_copy_partial's out of received ones) and the receive queue's copy of device frames.
 * Their two sides almost never share an alignment: a segment's payload sits behind 54-86
 * bytes of headers and options, the caller's buffer wherever the stream has got to, and
 * core/lib's memcpy falls back to one byte per pass when the alignments differ; under TCG
 * each pass is a translated block, and bench/tcp/profile counted two such byte copies per
 * byte sent (2.25 million blocks per MiB, two thirds of the kernel's work). x86-64 loads
 * and stores words at any address, so this moves 64 bytes per pass whatever the
 * alignments; word_u tells the compiler the words may be unaligned and alias anything.
 */
typedef uint64_t __attribute__((may_alias, aligned(1))) word_u;

void net_memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;

    for (; n >= 64; n -= 64, d += 64, s += 64) {
        const word_u *sw = (const word_u *)s;
        word_u *dw = (word_u *)d;
        uint64_t w0 = sw[0], w1 = sw[1], w2 = sw[2], w3 = sw[3];
        uint64_t w4 = sw[4], w5 = sw[5], w6 = sw[6], w7 = sw[7];

        dw[0] = w0, dw[1] = w1, dw[2] = w2, dw[3] = w3;
        dw[4] = w4, dw[5] = w5, dw[6] = w6, dw[7] = w7;
    }
    for (; n >= 8; n -= 8, d += 8, s += 8)
        *(word_u *)d = *(const word_u *)s;
    while (n--)
        *d++ = *s++;
}
