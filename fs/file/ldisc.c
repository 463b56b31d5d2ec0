/*
 * ldisc.c - the line discipline of ldisc.h. Each input byte goes through input mapping
 * (ICRNL...), then the signal characters (ISIG), then either the line editor (ICANON) or
 * straight into the ready buffer. A completed line moves from the editor to the ready buffer
 * and its end is recorded, so that a read stops there as Linux's canonical reads do; VEOF is
 * recorded as an end without a byte (at a line's start that makes a read of 0).
 * The behaviour was checked against Linux's n_tty through a pty (tests/unit/file/
 * test_ldisc.c states each case; its native half runs them on a real pty).
 */
#include "fs/file/ldisc.h"

#include "core/lib/kstring.h"

#define SIGINT_NR 2
#define SIGQUIT_NR 3

void ldisc_termios_default(struct linux_termios *t)
{
    /* VINTR ^C, VQUIT ^\, VERASE DEL, VKILL ^U, VEOF ^D, VTIME 0, VMIN 1, VSTART ^Q,
     * VSTOP ^S, VSUSP ^Z, VREPRINT ^R, VDISCARD ^O, VWERASE ^W, VLNEXT ^V */
    static const uint8_t cc[LINUX_NCCS] = {3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22};

    memset(t, 0, sizeof(*t));
    t->c_iflag = LINUX_ICRNL | LINUX_IXON;
    t->c_oflag = LINUX_OPOST | LINUX_ONLCR;
    t->c_cflag = LINUX_B38400 | LINUX_CS8 | LINUX_CREAD;
    t->c_lflag = LINUX_ISIG | LINUX_ICANON | LINUX_ECHO | LINUX_ECHOE | LINUX_ECHOK |
                 LINUX_ECHOCTL | LINUX_ECHOKE | LINUX_IEXTEN;
    memcpy(t->c_cc, cc, sizeof(cc));
}

void ldisc_init(struct ldisc *l)
{
    memset(l, 0, sizeof(*l));
    ldisc_termios_default(&l->t);
}

static bool lflag(const struct ldisc *l, uint32_t f)
{
    return (l->t.c_lflag & f) != 0;
}

/* A c_cc character is "disabled" when it is 0 (_POSIX_VDISABLE on Linux). */
static bool is_cc(const struct ldisc *l, unsigned idx, unsigned char c)
{
    return l->t.c_cc[idx] != 0 && l->t.c_cc[idx] == c;
}

static void echo(const struct ldisc *l, const struct ldisc_ops *ops, const char *s, size_t n)
{
    if (ops && ops->echo && n)
        ops->echo(ops->arg, s, n);
    (void)l;
}

/* Echo one input byte: control bytes as ^X with ECHOCTL (not TAB or NL), others as they are. */
static void echo_char(const struct ldisc *l, const struct ldisc_ops *ops, unsigned char c)
{
    if (!lflag(l, LINUX_ECHO))
        return;
    if (lflag(l, LINUX_ECHOCTL) && (c < 0x20 || c == 0x7f) && c != '\t' && c != '\n') {
        char s[2] = {'^', (char)(c == 0x7f ? '?' : c + '@')};
        echo(l, ops, s, 2);
        return;
    }
    echo(l, ops, (const char *)&c, 1);
}

/* Erase the last character of the line; true if one was there. */
static bool erase_one(struct ldisc *l, const struct ldisc_ops *ops)
{
    size_t w = 1;

    if (l->line_len == 0)
        return false;
    while ((l->t.c_iflag & LINUX_IUTF8) && w < l->line_len &&
           ((unsigned char)l->line[l->line_len - w] & 0xc0) == 0x80)
        w++; /* IUTF8: a multibyte character goes as one */
    unsigned char c = (unsigned char)l->line[l->line_len - w];
    l->line_len -= w;
    if (lflag(l, LINUX_ECHO) && lflag(l, LINUX_ECHOE)) {
        bool ctl = lflag(l, LINUX_ECHOCTL) && (c < 0x20 || c == 0x7f) && c != '\t';
        echo(l, ops, ctl ? "\b \b\b \b" : "\b \b", ctl ? 6 : 3);
    }
    return true;
}

static bool is_word(unsigned char c)
{
    return c != ' ' && c != '\t';
}

/* Move the edited line (plus end, if any) to the ready buffer and record its end. */
static bool finish_line(struct ldisc *l, const char *end, size_t endlen)
{
    if (l->ready_len + l->line_len + endlen > sizeof(l->ready) || l->nends == LDISC_ENDS)
        return false;
    memcpy(l->ready + l->ready_len, l->line, l->line_len);
    l->ready_len += l->line_len;
    memcpy(l->ready + l->ready_len, end, endlen);
    l->ready_len += endlen;
    l->ends[l->nends++] = l->ready_len;
    l->line_len = 0;
    l->news++;
    return true;
}

/* VINTR/VQUIT: the signal, the pending input flushed (unless NOFLSH), the echo. */
static void signal_char(struct ldisc *l, const struct ldisc_ops *ops, unsigned char c, int sig)
{
    if (!lflag(l, LINUX_NOFLSH)) {
        l->line_len = 0;
        l->ready_len = 0;
        l->nends = 0;
    }
    echo_char(l, ops, c);
    if (ops && ops->signal)
        ops->signal(ops->arg, sig);
}

/* One byte in canonical mode; false when it cannot be taken now (buffers full). */
static bool canon_byte(struct ldisc *l, const struct ldisc_ops *ops, unsigned char c)
{
    if (is_cc(l, LINUX_VERASE, c)) {
        erase_one(l, ops);
        return true;
    }
    if (lflag(l, LINUX_IEXTEN) && is_cc(l, LINUX_VWERASE, c)) {
        while (l->line_len && !is_word((unsigned char)l->line[l->line_len - 1]))
            erase_one(l, ops);
        while (l->line_len && is_word((unsigned char)l->line[l->line_len - 1]))
            erase_one(l, ops);
        return true;
    }
    if (is_cc(l, LINUX_VKILL, c)) {
        if (lflag(l, LINUX_ECHOKE) && lflag(l, LINUX_ECHOE)) {
            while (erase_one(l, ops)) {
            }
            return true;
        }
        l->line_len = 0;
        echo_char(l, ops, c);
        if (lflag(l, LINUX_ECHOK))
            echo(l, ops, "\n", 1);
        return true;
    }
    if (is_cc(l, LINUX_VEOF, c))
        return finish_line(l, "", 0);
    if (c == '\n' || is_cc(l, LINUX_VEOL, c) || (lflag(l, LINUX_IEXTEN) && is_cc(l, LINUX_VEOL2, c))) {
        char ch = (char)c;
        if (!finish_line(l, &ch, 1))
            return false;
        if (lflag(l, LINUX_ECHO) || (c == '\n' && lflag(l, LINUX_ECHONL)))
            echo(l, ops, &ch, 1);
        return true;
    }
    if (l->line_len == sizeof(l->line) - 1)
        return true; /* a full line takes nothing more but its end (n_tty beeps) */
    l->line[l->line_len++] = (char)c;
    echo_char(l, ops, c);
    return true;
}

size_t ldisc_input(struct ldisc *l, const char *in, size_t n, const struct ldisc_ops *ops)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];

        if (c == '\r' && (l->t.c_iflag & LINUX_IGNCR))
            continue;
        if (c == '\r' && (l->t.c_iflag & LINUX_ICRNL))
            c = '\n';
        else if (c == '\n' && (l->t.c_iflag & LINUX_INLCR))
            c = '\r';
        if (lflag(l, LINUX_ISIG) && (is_cc(l, LINUX_VINTR, c) || is_cc(l, LINUX_VQUIT, c))) {
            signal_char(l, ops, c, is_cc(l, LINUX_VINTR, c) ? SIGINT_NR : SIGQUIT_NR);
            continue;
        }
        if (lflag(l, LINUX_ICANON)) {
            if (!canon_byte(l, ops, c))
                break;
            continue;
        }
        if (l->ready_len == sizeof(l->ready))
            break;
        l->ready[l->ready_len++] = (char)c;
        l->news++;
        echo_char(l, ops, c);
    }
    return i;
}

void ldisc_set(struct ldisc *l, const struct linux_termios *t)
{
    bool was_canon = lflag(l, LINUX_ICANON);

    l->t = *t;
    if (was_canon && !lflag(l, LINUX_ICANON)) { /* the edited line becomes plain input */
        size_t room = sizeof(l->ready) - l->ready_len;
        size_t k = l->line_len < room ? l->line_len : room;
        memcpy(l->ready + l->ready_len, l->line, k);
        l->ready_len += k;
        l->line_len = 0;
        l->nends = 0;
    }
}

bool ldisc_readable(const struct ldisc *l)
{
    return lflag(l, LINUX_ICANON) ? l->nends > 0 : l->ready_len > 0;
}

size_t ldisc_read(struct ldisc *l, char *buf, size_t n, bool *eof)
{
    size_t take = l->ready_len;

    *eof = false;
    if (lflag(l, LINUX_ICANON)) {
        if (l->nends == 0)
            return 0;
        take = l->ends[0];
        if (take == 0) { /* VEOF at a line's start */
            *eof = true;
            memmove(l->ends, l->ends + 1, --l->nends * sizeof(l->ends[0]));
            return 0;
        }
    }
    if (take > n)
        take = n;
    memcpy(buf, l->ready, take);
    memmove(l->ready, l->ready + take, l->ready_len - take);
    l->ready_len -= take;
    if (lflag(l, LINUX_ICANON)) {
        unsigned k = 0;
        for (unsigned i = 0; i < l->nends; i++) /* ends move down by take; a reached one goes */
            if (l->ends[i] > take || (i > 0 && l->ends[i] == take))
                l->ends[k++] = l->ends[i] - take;
        l->nends = k;
    }
    return take;
}
