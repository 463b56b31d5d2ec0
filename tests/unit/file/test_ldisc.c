/*
 * test_ldisc.c - the line discipline of `petrel run -t` (fs/file/ldisc.c) against Linux's own
 * n_tty: each case feeds the same bytes, with the same termios, to a real pty of the host
 * (posix_openpt; the slave with OPOST off so the echo is raw) and to the ldisc, and compares
 * what reads return, read by read, and the echo byte for byte. Signals are checked on the
 * ldisc alone (the test process is not the pty's session leader, so Linux sends none; the
 * flush and the echo of ^C are compared). Also: Linux's default termios equals
 * ldisc_termios_default, and the c_cc indexes and flag bits of core/abi/termios.h are the
 * host's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "fs/file/ldisc.h"

static int fails;

#define CHECK(c)                                                                               \
    do {                                                                                       \
        if (!(c)) {                                                                            \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);                                \
            fails++;                                                                           \
        }                                                                                      \
    } while (0)

struct result {
    char reads[1024]; /* each read's bytes, then '|'; a read of 0 is "<EOF>|" */
    size_t nreads;
    char echo[1024];
    size_t necho;
};

static void add(char *buf, size_t *n, size_t cap, const char *s, size_t len)
{
    if (*n + len < cap) {
        memcpy(buf + *n, s, len);
        *n += len;
        buf[*n] = '\0';
    }
}

struct tcase {
    const char *name;
    const char *input;
    tcflag_t lflag_clear, lflag_set, iflag_set;
};

/* --- Linux ------------------------------------------------------------------------------ */

static void drain(int fd, char *buf, size_t *n, size_t cap)
{
    char tmp[256];
    struct pollfd p = {fd, POLLIN, 0};

    while (poll(&p, 1, 100) > 0) { /* until quiet for 100 ms: n_tty works asynchronously */
        ssize_t k = read(fd, tmp, sizeof(tmp));
        if (k <= 0)
            break;
        add(buf, n, cap, tmp, (size_t)k);
    }
}

static int linux_run(const struct tcase *c, struct result *r)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY), s;
    struct termios t;
    char buf[256];

    if (m < 0 || grantpt(m) || unlockpt(m) || (s = open(ptsname(m), O_RDWR | O_NOCTTY)) < 0)
        return -1;
    tcgetattr(s, &t);
    t.c_oflag &= ~(tcflag_t)OPOST;
    t.c_lflag = (t.c_lflag & ~c->lflag_clear) | c->lflag_set;
    t.c_iflag |= c->iflag_set;
    t.c_iflag &= ~(tcflag_t)IXON;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    tcsetattr(s, TCSANOW, &t);
    /* typed in pieces, each signal character starting one: n_tty drops the echo still
     * pending when a signal flushes the input, which a person typing never sees */
    for (const char *p = c->input; *p;) {
        size_t len = 1 + strcspn(p + 1, "\x03\x1c");
        if (write(m, p, len) != (ssize_t)len)
            return -1;
        drain(m, r->echo, &r->necho, sizeof(r->echo));
        p += len;
    }
    fcntl(s, F_SETFL, O_NONBLOCK);
    for (int i = 0; i < 16; i++) {
        ssize_t k = read(s, buf, sizeof(buf));
        if (k < 0)
            break;
        add(r->reads, &r->nreads, sizeof(r->reads), k ? buf : "<EOF>", k ? (size_t)k : 5);
        add(r->reads, &r->nreads, sizeof(r->reads), "|", 1);
    }
    close(s);
    close(m);
    return 0;
}

/* --- the ldisc --------------------------------------------------------------------------- */

static int sigs[8], nsigs;

static void on_echo(void *arg, const char *b, size_t n)
{
    struct result *r = arg;
    add(r->echo, &r->necho, sizeof(r->echo), b, n);
}

static void on_signal(void *arg, int sig)
{
    (void)arg;
    if (nsigs < 8)
        sigs[nsigs++] = sig;
}

static void ldisc_run(const struct tcase *c, struct result *r)
{
    static struct ldisc l;
    struct linux_termios t;
    struct ldisc_ops ops = {on_echo, on_signal, r};
    char buf[256];
    bool eof;

    ldisc_init(&l);
    t = l.t;
    t.c_lflag = (t.c_lflag & ~(uint32_t)c->lflag_clear) | (uint32_t)c->lflag_set;
    t.c_iflag |= (uint32_t)c->iflag_set;
    t.c_iflag &= ~LINUX_IXON;
    ldisc_set(&l, &t);
    nsigs = 0;
    CHECK(ldisc_input(&l, c->input, strlen(c->input), &ops) == strlen(c->input));
    for (int i = 0; i < 16; i++) {
        size_t k = ldisc_read(&l, buf, sizeof(buf), &eof);
        if (k == 0 && !eof)
            break;
        add(r->reads, &r->nreads, sizeof(r->reads), k ? buf : "<EOF>", k ? k : 5);
        add(r->reads, &r->nreads, sizeof(r->reads), "|", 1);
    }
}

static const struct tcase cases[] = {
    {"line", "abc\n", 0, 0, 0},
    {"two lines", "a\nbc\n", 0, 0, 0},
    {"cr to nl", "ab\r", 0, 0, 0},
    {"erase", "ab\x7f" "c\n", 0, 0, 0},
    {"erase past start", "\x7f\x7f" "x\n", 0, 0, 0},
    {"erase a control char", "a\x01\x7f\n", 0, 0, 0},
    {"word erase", "hello wor\x17x\n", 0, 0, 0},
    {"word erase, spaces", "one two  \x17\n", 0, 0, 0},
    {"kill", "abc\x15" "de\n", 0, 0, 0},
    {"kill without echoke", "abc\x15" "de\n", ECHOKE, 0, 0},
    {"eof mid-line", "ab\x04", 0, 0, 0},
    {"eof at start", "\x04", 0, 0, 0},
    {"line then eof", "ab\n\x04", 0, 0, 0},
    {"control echo", "\x01\x1b\n", 0, 0, 0},
    {"no echoctl", "\x01\n", ECHOCTL, 0, 0},
    {"no echo", "secret\n", ECHO, 0, 0},
    {"echonl", "secret\n", ECHO, ECHONL, 0},
    {"interrupt flushes", "ab\x03" "cd\n", 0, 0, 0},
    {"quit", "x\x1c" "y\n", 0, 0, 0},
    {"noflsh", "ab\x03" "cd\n", 0, NOFLSH, 0},
    {"no isig", "a\x03" "b\n", ISIG, 0, 0},
    {"raw", "xy\x7fz", ICANON, 0, 0},
    {"raw no echo", "q\x04", ICANON | ECHO, 0, 0},
    {"utf-8 erase", "a\xc3\xa9\x7f\n", 0, 0, IUTF8},
    {"utf-8 erase without iutf8", "a\xc3\xa9\x7f\n", 0, 0, 0},
    {"tab", "a\tb\n", 0, 0, 0},
};

static void show(const char *what, const char *s, size_t n)
{
    printf("    %s: \"", what);
    for (size_t i = 0; i < n; i++)
        printf((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f ? "\\x%02x" : "%c",
               (unsigned char)s[i]);
    printf("\"\n");
}

static void test_against_linux(void)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct result lx = {0}, me = {0};

        if (linux_run(&cases[i], &lx)) {
            printf("SKIP: no pty on this host (%s)\n", strerror(errno));
            return;
        }
        ldisc_run(&cases[i], &me);
        if (strcmp(lx.reads, me.reads) || lx.necho != me.necho ||
            memcmp(lx.echo, me.echo, lx.necho)) {
            printf("FAIL: case '%s' differs from Linux\n", cases[i].name);
            show("linux reads", lx.reads, lx.nreads);
            show("ldisc reads", me.reads, me.nreads);
            show("linux echo", lx.echo, lx.necho);
            show("ldisc echo", me.echo, me.necho);
            fails++;
        }
    }
}

static void test_signals(void)
{
    struct result r = {0};
    struct tcase c = {"sig", "a\x03" "b\x1c", 0, 0, 0};

    ldisc_run(&c, &r);
    CHECK(nsigs == 2 && sigs[0] == 2 && sigs[1] == 3);
    c.lflag_clear = ISIG;
    ldisc_run(&c, &r);
    CHECK(nsigs == 0);
}

/* Linux's constants and its default termios, from the host's headers and a fresh pty. */
static void test_abi(void)
{
    struct linux_termios mine;
    struct termios t;
    int m = posix_openpt(O_RDWR | O_NOCTTY), s;

    CHECK(LINUX_VINTR == VINTR && LINUX_VQUIT == VQUIT && LINUX_VERASE == VERASE &&
          LINUX_VKILL == VKILL && LINUX_VEOF == VEOF && LINUX_VMIN == VMIN &&
          LINUX_VTIME == VTIME && LINUX_VWERASE == VWERASE && LINUX_VEOL == VEOL &&
          LINUX_VEOL2 == VEOL2);
    CHECK(LINUX_ISIG == ISIG && LINUX_ICANON == ICANON && LINUX_ECHO == ECHO &&
          LINUX_ECHOE == ECHOE && LINUX_ECHOK == ECHOK && LINUX_ECHONL == ECHONL &&
          LINUX_NOFLSH == NOFLSH && LINUX_ECHOCTL == ECHOCTL && LINUX_ECHOKE == ECHOKE &&
          LINUX_IEXTEN == IEXTEN);
    CHECK(LINUX_ICRNL == ICRNL && LINUX_INLCR == INLCR && LINUX_IGNCR == IGNCR &&
          LINUX_IUTF8 == IUTF8 && LINUX_IXON == IXON && LINUX_OPOST == OPOST &&
          LINUX_ONLCR == ONLCR);
    if (m < 0 || grantpt(m) || unlockpt(m) || (s = open(ptsname(m), O_RDWR | O_NOCTTY)) < 0)
        return;
    tcgetattr(s, &t);
    ldisc_termios_default(&mine);
    CHECK(mine.c_lflag == t.c_lflag);
    CHECK(mine.c_oflag == t.c_oflag);
    CHECK((mine.c_iflag & ~LINUX_IUTF8) == (t.c_iflag & ~(tcflag_t)IUTF8));
    for (int i = 0; i <= VEOL2; i++)
        if (mine.c_cc[i] != t.c_cc[i]) {
            printf("FAIL: c_cc[%d] %u, Linux %u\n", i, mine.c_cc[i], t.c_cc[i]);
            fails++;
        }
    close(s);
    close(m);
}

int main(void)
{
    test_abi();
    test_against_linux();
    test_signals();
    if (fails == 0)
        printf("test_ldisc: all passed\n");
    return fails != 0;
}
