/*
 * stdlib.h (lwIP shim) - the one stdlib function lwIP's enabled code calls is atoi(), in
 * netif_find() ("en0" -> interface number 0). lwIP's own allocator hooks are set in
 * lwipopts.h (mem_clib_*), so nothing else is needed here.
 */
#ifndef NET_PORT_LIBC_STDLIB_H
#define NET_PORT_LIBC_STDLIB_H

/* Decimal digits after optional blanks and sign; stops at the first non-digit; saturates
 * instead of overflowing. */
static inline int net_port_atoi(const char *s)
{
    long v = 0;
    int neg = 0;

    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    while (*s >= '0' && *s <= '9') {
        if (v < 0x7fffffffL)
            v = v * 10 + (*s - '0');
        s++;
    }
    if (v > 0x7fffffffL)
        v = 0x7fffffffL;
    return (int)(neg ? -v : v);
}
#define atoi(s) net_port_atoi(s)

#endif
