/*
 * pd_pkt.c - script segments to and from IPv4 packets.
 *
 * Sequence spaces as packetdrill has them: the script writes its own sequence numbers as
 * they go on the wire (its first SYN's seq is its ISN) and the stack's relative to the
 * stack's ISN (learned from the stack's first SYN; 0 before). So an inbound "ack 1" is
 * local_isn + 1 on the wire, and an outbound segment's seq is printed and compared as
 * wire seq - local_isn. Payloads are pd_pattern() bytes by stream offset in both directions,
 * so a retransmission or a reassembled read is checked byte for byte.
 */
#include "tests/conformance/pd.h"

#include <stdio.h>
#include <string.h>

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t acc)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        acc += be16(p + i);
    if (n & 1)
        acc += (uint32_t)p[n - 1] << 8;
    return acc;
}

static uint16_t fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}

/* The TCP checksum over the pseudo-header and seg (with its checksum field as it is). */
static uint16_t tcp_csum(uint32_t src, uint32_t dst, const uint8_t *seg, size_t n)
{
    uint8_t ph[12];

    put32(ph, src);
    put32(ph + 4, dst);
    ph[8] = 0;
    ph[9] = 6;
    put16(ph + 10, (uint32_t)n);
    return fold(sum16(seg, n, sum16(ph, 12, 0)));
}

static size_t put_opt(const struct pd_opt *o, const struct pd_conn *c, uint8_t *p)
{
    switch (o->kind) {
    case PD_O_EOL: p[0] = 0; return 1;
    case PD_O_NOP: p[0] = 1; return 1;
    case PD_O_MSS: p[0] = 2; p[1] = 4; put16(p + 2, o->a); return 4;
    case PD_O_WSCALE: p[0] = 3; p[1] = 3; p[2] = (uint8_t)o->a; return 3;
    case PD_O_SACKOK: p[0] = 4; p[1] = 2; return 2;
    case PD_O_SACK: /* one block, in the stack's space */
        p[0] = 5; p[1] = 10;
        put32(p + 2, o->a + c->local_isn);
        put32(p + 6, o->b + c->local_isn);
        return 10;
    case PD_O_TS:
        p[0] = 8; p[1] = 10;
        put32(p + 2, o->a);
        put32(p + 6, o->b_any ? c->last_tsval : o->b);
        return 10;
    case PD_O_RAW: memcpy(p, o->raw, o->nraw); return o->nraw;
    }
    return 0;
}

/* An IPv4 header of hl bytes (20 or 24: with NOP, NOP, NOP, EOL) for proto. */
static void ip_header(const struct pd_seg *s, uint8_t *buf, size_t hl, size_t total, uint8_t proto)
{
    memset(buf, 0, hl);
    buf[0] = (uint8_t)(0x40 | hl / 4);
    buf[1] = (uint8_t)(s->tos ? s->tos - 1 : 0);
    put16(buf + 2, (uint32_t)total);
    buf[8] = (uint8_t)(s->ttl ? (s->ttl == 256 ? 0 : s->ttl) : 64);
    buf[9] = proto;
    put32(buf + 12, s->src ? s->src : PD_REMOTE_IP);
    put32(buf + 16, s->dst ? s->dst : PD_LOCAL_IP);
    if (hl == 24)
        memcpy(buf + 20, (const uint8_t[]){1, 1, 1, 0}, 4);
    put16(buf + 10, fold(sum16(buf, hl, 0)));
}

/* ICMP type/code quoting the stack's segment (local -> remote, seq local_isn + s->seq). */
static size_t build_icmp(const struct pd_seg *s, const struct pd_conn *c, uint8_t *buf, size_t cap)
{
    size_t hl = s->ip_opts ? 24 : 20, total = hl + 8 + 28;
    uint8_t *m = buf + hl, *qip = m + 8, *qt = qip + 20;

    if (total > cap)
        return 0;
    ip_header(s, buf, hl, total, 1);
    memset(m, 0, 36);
    m[0] = s->icmp_type;
    m[1] = s->icmp_code;
    if (s->icmp_type == 3 && s->icmp_code == 4)
        put16(m + 6, 1280); /* fragmentation needed: the next-hop MTU */
    qip[0] = 0x45;
    put16(qip + 2, 40);
    qip[8] = 64;
    qip[9] = 6;
    put32(qip + 12, PD_LOCAL_IP);
    put32(qip + 16, PD_REMOTE_IP);
    put16(qip + 10, fold(sum16(qip, 20, 0)));
    put16(qt, c->lport);
    put16(qt + 2, c->rport);
    put32(qt + 4, s->seq + c->local_isn);
    put16(m + 2, fold(sum16(m, 36, 0)));
    return total;
}

size_t pd_build(const struct pd_seg *s, struct pd_conn *c, uint8_t *buf, size_t cap)
{
    uint8_t opt[40 + PD_MAX_RAW + 8];
    size_t olen = 0, tlen, total, hl = s->ip_opts ? 24 : 20;
    uint8_t *t = buf + hl;

    if (s->icmp)
        return build_icmp(s, c, buf, cap);

    if ((s->flags & PD_SYN && !c->remote_isn_known) || (s->flags & (PD_SYN | PD_ACK)) == PD_SYN) {
        /* a new SYN starts a new incarnation (its retransmission keeps the same seq) */
        c->remote_isn = s->seq;
        c->remote_isn_known = true;
    }
    for (unsigned i = 0; i < s->nopts && olen + PD_MAX_RAW <= 40 + PD_MAX_RAW; i++)
        olen += put_opt(&s->opts[i], c, opt + olen);
    if (olen > 40)
        olen = 40; /* the parser allows a raw option to overflow: cut to what fits */
    while (olen % 4)
        opt[olen++] = 0; /* EOL padding */
    tlen = 20 + olen + s->len;
    total = hl + tlen;
    if (total > cap)
        return 0;
    memset(buf, 0, total);
    ip_header(s, buf, hl, total, 6);
    put16(t, c->rport);
    put16(t + 2, c->lport);
    put32(t + 4, s->seq);
    put32(t + 8, s->has_ack ? s->ack + c->local_isn : 0);
    t[12] = (uint8_t)((20 + olen) / 4 << 4);
    t[13] = s->flags;
    put16(t + 14, s->has_win ? s->win : 65535);
    put16(t + 18, s->has_urg ? s->urg : 0);
    memcpy(t + 20, opt, olen);
    for (uint32_t i = 0; i < s->len; i++) {
        uint32_t off = s->seq + i - c->remote_isn - 1;

        t[20 + olen + i] = pd_pattern(off);
    }
    put16(t + 16, tcp_csum(s->src ? s->src : PD_REMOTE_IP, s->dst ? s->dst : PD_LOCAL_IP, t, tlen));
    if (s->bad_csum)
        t[17] ^= 0x5a;
    return total;
}

bool pd_decode(const uint8_t *pkt, size_t len, struct pd_wire *w)
{
    size_t ihl, tot, thl;
    const uint8_t *t;

    memset(w, 0, sizeof(*w));
    if (len < 20 || pkt[0] >> 4 != 4 || pkt[9] != 6)
        return false;
    ihl = (size_t)(pkt[0] & 15) * 4;
    tot = be16(pkt + 2);
    if (ihl < 20 || tot > len || tot < ihl + 20)
        return false;
    t = pkt + ihl;
    thl = (size_t)(t[12] >> 4) * 4;
    if (thl < 20 || ihl + thl > tot)
        return false;
    w->src = be32(pkt + 12);
    w->dst = be32(pkt + 16);
    w->ttl = pkt[8];
    w->tos = pkt[1];
    w->sport = be16(t);
    w->dport = be16(t + 2);
    w->seq = be32(t + 4);
    w->ack = be32(t + 8);
    w->flags = t[13];
    w->win = be16(t + 14);
    w->urg = be16(t + 18);
    w->optlen = (unsigned)(thl - 20);
    memcpy(w->opt, t + 20, w->optlen);
    w->payload = t + thl;
    w->len = (uint32_t)(tot - ihl - thl);
    w->csum_ok = tcp_csum(w->src, w->dst, t, tot - ihl) == 0;
    return true;
}

/* Walk the options of w: the i-th option into *o; false past the end or on a bad length. */
static bool wire_opt(const struct pd_wire *w, unsigned *pos, struct pd_opt *o)
{
    unsigned p = *pos;
    const uint8_t *b = w->opt;

    memset(o, 0, sizeof(*o));
    if (p >= w->optlen)
        return false;
    if (b[p] == 0 || b[p] == 1) {
        o->kind = b[p] ? PD_O_NOP : PD_O_EOL;
        *pos = b[p] ? p + 1 : w->optlen; /* nothing after EOL counts */
        return true;
    }
    if (p + 1 >= w->optlen || b[p + 1] < 2 || p + b[p + 1] > w->optlen)
        return false;
    switch (b[p]) {
    case 2: o->kind = PD_O_MSS; o->a = b[p + 1] == 4 ? be16(b + p + 2) : 0; break;
    case 3: o->kind = PD_O_WSCALE; o->a = b[p + 1] == 3 ? b[p + 2] : 0; break;
    case 4: o->kind = PD_O_SACKOK; break;
    case 5: o->kind = PD_O_SACK; /* the first block, in the script's space */
        o->a = b[p + 1] >= 10 ? be32(b + p + 2) : 0;
        o->b = b[p + 1] >= 10 ? be32(b + p + 6) : 0;
        break;
    case 8: o->kind = PD_O_TS;
        o->a = b[p + 1] == 10 ? be32(b + p + 2) : 0;
        o->b = b[p + 1] == 10 ? be32(b + p + 6) : 0;
        break;
    default: o->kind = PD_O_RAW; o->nraw = (uint8_t)(b[p + 1] > PD_MAX_RAW ? PD_MAX_RAW : b[p + 1]);
        memcpy(o->raw, b + p, o->nraw);
        break;
    }
    *pos = p + b[p + 1];
    return true;
}

static bool opt_eq(const struct pd_opt *e, const struct pd_opt *a)
{
    if (e->kind != a->kind)
        return false;
    switch (e->kind) {
    case PD_O_MSS:
    case PD_O_WSCALE: return e->a_any || e->a == a->a;
    case PD_O_TS: return e->b_any || e->b == a->b; /* the stack's TS val is its own clock */
    case PD_O_SACK: return e->a == a->a && e->b == a->b;
    default: return true;
    }
}

static bool match_opts(const struct pd_seg *e, const struct pd_wire *w, char *why, size_t n)
{
    struct pd_opt a[PD_MAX_OPTS * 2];
    unsigned na = 0, pos = 0;

    while (na < PD_MAX_OPTS * 2 && wire_opt(w, &pos, &a[na]))
        na++;
    if (pos < w->optlen && na < PD_MAX_OPTS * 2) {
        snprintf(why, n, "malformed options");
        return false;
    }
    for (unsigned p = 0; p < w->optlen;) { /* after an EOL, zero padding only (MUST-69) */
        if (w->opt[p] == 0) {
            for (unsigned q = p + 1; q < w->optlen; q++) {
                if (w->opt[q])
                    return snprintf(why, n, "non-zero padding after EOL"), false;
            }
            break;
        }
        p += w->opt[p] == 1 || p + 1 >= w->optlen || w->opt[p + 1] < 2 ? 1 : w->opt[p + 1];
    }
    if (e->opts_mode == PD_OPTS_ANY)
        return true;
    if (e->opts_mode != PD_OPTS_SOME) {
        bool ok = na == e->nopts;

        for (unsigned i = 0; ok && i < na; i++)
            ok = opt_eq(&e->opts[i], &a[i]);
        if (!ok)
            snprintf(why, n, "options differ");
        return ok;
    }
    for (unsigned i = 0; i < e->nopts; i++) {
        bool found = false;

        for (unsigned k = 0; k < na && !found; k++)
            found = opt_eq(&e->opts[i], &a[k]);
        if (!found) {
            snprintf(why, n, "option %u of the expected list is missing", i + 1);
            return false;
        }
    }
    return true;
}

bool pd_match(const struct pd_seg *e, const struct pd_wire *w, struct pd_conn *c, char *why,
              size_t n)
{
    uint8_t fl = w->flags, efl = e->flags;

    fl &= (uint8_t)~e->any_flags;
    efl &= (uint8_t)~e->any_flags;
    if (!w->csum_ok)
        return snprintf(why, n, "bad TCP checksum"), false;
    if (w->src != PD_LOCAL_IP || w->dst != PD_REMOTE_IP || w->sport != c->lport ||
        w->dport != c->rport)
        return snprintf(why, n, "addresses/ports differ (%u -> %u)", w->sport, w->dport), false;
    if (fl != efl)
        return snprintf(why, n, "flags differ"), false;
    if (w->seq - c->local_isn != e->seq)
        return snprintf(why, n, "seq differs"), false;
    if (w->len != e->len)
        return snprintf(why, n, "payload length differs"), false;
    if (e->has_ack && w->ack != e->ack)
        return snprintf(why, n, "ack differs"), false;
    if (e->has_win && w->win != e->win)
        return snprintf(why, n, "window differs"), false;
    if (e->ttl && w->ttl != (e->ttl == 256 ? 0 : e->ttl))
        return snprintf(why, n, "IP TTL %u differs", w->ttl), false;
    if (e->tos && w->tos != e->tos - 1)
        return snprintf(why, n, "IP TOS 0x%02x differs", w->tos), false;
    if (e->has_urg && w->urg != e->urg)
        return snprintf(why, n, "urgent pointer differs"), false;
    for (uint32_t i = 0; i < w->len; i++) {
        uint32_t off = w->seq - c->local_isn - 1 + i;

        if (w->payload[i] != pd_pattern(off))
            return snprintf(why, n, "payload byte %u is wrong", i), false;
    }
    return match_opts(e, w, why, n);
}

void pd_learn(struct pd_conn *c, const struct pd_wire *w)
{
    struct pd_opt o;
    unsigned pos = 0;

    if (w->flags & PD_SYN) { /* every SYN: a later connection has its own ISN */
        c->local_isn = w->seq;
        c->local_isn_known = true;
        if (!(w->flags & PD_ACK))
            c->lport = w->sport; /* connect: the stack picked its port */
    }
    while (wire_opt(w, &pos, &o)) {
        if (o.kind == PD_O_TS)
            c->last_tsval = o.a;
    }
}

static size_t opt_str(const struct pd_opt *o, bool out, char *b, size_t n)
{
    int k = 0;

    switch (o->kind) {
    case PD_O_EOL: k = snprintf(b, n, "eol"); break;
    case PD_O_NOP: k = snprintf(b, n, "nop"); break;
    case PD_O_SACKOK: k = snprintf(b, n, "sackOK"); break;
    case PD_O_MSS: k = o->a_any ? snprintf(b, n, "mss *") : snprintf(b, n, "mss %u", o->a); break;
    case PD_O_WSCALE:
        k = o->a_any ? snprintf(b, n, "wscale *") : snprintf(b, n, "wscale %u", o->a);
        break;
    case PD_O_SACK: k = snprintf(b, n, "sack %u:%u", o->a, o->b); break;
    case PD_O_TS:
        if (out && !o->a_any)
            k = snprintf(b, n, "TS val %u ecr ", o->a);
        else
            k = snprintf(b, n, "TS val * ecr ");
        if (k > 0 && (size_t)k < n)
            k += o->b_any ? snprintf(b + k, n - (size_t)k, "*")
                          : snprintf(b + k, n - (size_t)k, "%u", o->b);
        break;
    case PD_O_RAW:
        k = snprintf(b, n, "raw 0x");
        for (unsigned i = 0; i < o->nraw && k > 0 && (size_t)k + 3 < n; i++)
            k += snprintf(b + k, n - (size_t)k, "%02x", o->raw[i]);
        break;
    }
    return k < 0 ? 0 : ((size_t)k >= n ? n - 1 : (size_t)k);
}

static size_t flags_str(uint8_t f, uint8_t any, char *b)
{
    size_t k = 0;
    const char *names = "FSRP.UEW";

    for (int i = 0; i < 8; i++) {
        if (f & (1 << i) && i != 4)
            b[k++] = names[i];
    }
    if (any & PD_PSH)
        b[k++] = 'p';
    if (any & PD_ACK)
        b[k++] = 'a';
    if (f & PD_ACK)
        b[k++] = '.';
    b[k] = 0;
    return k;
}

#define APPEND(...)                                                                                \
    do {                                                                                           \
        if (k < n) {                                                                               \
            int r_ = snprintf(buf + k, n - k, __VA_ARGS__);                                        \
            k += r_ > 0 ? (size_t)r_ : 0;                                                          \
        }                                                                                          \
    } while (0)

void pd_seg_str(const struct pd_seg *s, char *buf, size_t n)
{
    char f[12];
    size_t k = 0;

    flags_str(s->flags, s->any_flags, f);
    APPEND("%s %u:%u(%u)", f, s->seq, s->seq + s->len, s->len);
    if (s->has_ack)
        APPEND(" ack %u", s->ack);
    if (s->has_win)
        APPEND(" win %u", s->win);
    if (s->has_urg)
        APPEND(" urg %u", s->urg);
    if (s->opts_mode == PD_OPTS_ANY)
        APPEND(" <...>");
    else if (s->opts_mode != PD_OPTS_NONE) {
        APPEND(" <");
        for (unsigned i = 0; i < s->nopts && k < n; i++) {
            APPEND(i ? "," : "");
            if (k < n)
                k += opt_str(&s->opts[i], false, buf + k, n - k);
        }
        APPEND(s->opts_mode == PD_OPTS_SOME ? ",...>" : ">");
    }
}

void pd_wire_str(const struct pd_wire *w, const struct pd_conn *c, char *buf, size_t n)
{
    char f[12];
    size_t k = 0;
    struct pd_opt o;
    unsigned pos = 0, i = 0;

    flags_str(w->flags, 0, f);
    APPEND("%s %u:%u(%u)", f, w->seq - c->local_isn, w->seq - c->local_isn + w->len, w->len);
    if (w->flags & PD_ACK)
        APPEND(" ack %u", w->ack);
    APPEND(" win %u", w->win);
    if (w->flags & PD_URG)
        APPEND(" urg %u", w->urg);
    if (w->optlen) {
        APPEND(" <");
        while (k < n && wire_opt(w, &pos, &o)) {
            APPEND(i++ ? "," : "");
            if (k < n)
                k += opt_str(&o, true, buf + k, n - k);
        }
        if (pos < w->optlen)
            APPEND("%s<malformed>", i ? "," : "");
        APPEND(">");
    }
    if (w->sport != c->lport || w->dport != c->rport)
        APPEND(" [ports %u->%u]", w->sport, w->dport);
    if (!w->csum_ok)
        APPEND(" [bad checksum]");
}
