/*
 * csum.c - the per-byte work of the data path: the Internet checksum sum lwIP computes for
 * every IP, TCP and UDP checksum (LWIP_CHKSUM in net/lwipopts.h points here).
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
