/*
 * pd.h - the conformance runner: packetdrill-style scripts against a TCP stack (docs/net.md
 * "Conformance scripts", net/CONFORMANCE.md).
 *
 * A script is a list of timed lines. The runner plays the remote host (192.168.0.2) of one
 * TCP connection and the application of the stack under test (192.168.0.1):
 *
 *   0     socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3      a syscall and its result
 *   +0    bind(3, ..., ...) = 0                              ... = the runner's address
 *   +0    < S 0:0(0) win 65535 <mss 1460>                    a segment the runner injects
 *   +0    > S. 0:0(0) ack 1 <mss 1460,...>                   a segment the stack must send
 *   +0.1...+0.3 accept(3, ..., ...) = 4                      a call that blocks until +0.3
 *   +0    >? . 1:1(0) ack 101                                a segment the stack may send
 *   *     > . 0:0(0) ack 1 | . 1:2(1) ack 1                  one of two, at any time
 *   +0    >* S 0:0(0) <...>                                  from now on, any number of these
 *   +1    quiet                                              nothing sent since the last line
 *
 * The same parsed script runs on two backends (struct pd_backend): Petrel's hosted kernel
 * with its real socket syscalls and one interface on a hosted wire (pd_petrel.c, virtual
 * time), and the host's Linux through a tun device in a private network namespace
 * (pd_linux.c, real time): Linux is the oracle.
 *
 * Layers: pd_parse.c (text -> struct pd_script; never trusts its input), pd_pkt.c (segments
 * to and from IPv4 packets, matching, printing), pd_run.c (the interpreter over a backend),
 * pd_box.c (the frame queue and call mailbox both backends keep).
 */
#ifndef TESTS_CONFORMANCE_PD_H
#define TESTS_CONFORMANCE_PD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PD_LOCAL_IP 0xc0a80001u  /* 192.168.0.1: the stack under test */
#define PD_REMOTE_IP 0xc0a80002u /* 192.168.0.2: the script */
#define PD_LOCAL_PORT 8080       /* bind(fd, ..., ...) */
#define PD_REMOTE_PORT 40000     /* the script's port; connect(fd, ..., ...) goes here */

#define PD_MAX_OPTS 10
#define PD_MAX_ARGS 6
#define PD_MAX_POLL 4
#define PD_MAX_RAW 40
#define PD_TIME_ANY INT64_MIN /* "*": any time */

/* TCP flags as on the wire. */
enum { PD_FIN = 1, PD_SYN = 2, PD_RST = 4, PD_PSH = 8, PD_ACK = 16, PD_URG = 32, PD_ECE = 64,
       PD_CWR = 128 };

enum pd_opt_kind { PD_O_EOL, PD_O_NOP, PD_O_MSS, PD_O_WSCALE, PD_O_SACKOK, PD_O_SACK, PD_O_TS,
                   PD_O_RAW };

struct pd_opt {
    enum pd_opt_kind kind;
    uint32_t a, b;      /* mss/wscale value; TS val, ecr; SACK block left, right */
    bool a_any, b_any;  /* "*" */
    uint8_t raw[PD_MAX_RAW]; /* PD_O_RAW: bytes written verbatim (inbound only) */
    uint8_t nraw;
};

struct pd_seg {
    uint8_t flags;
    uint8_t any_flags;        /* outbound: "p" PSH, "a" ACK may or may not be set */
    uint32_t seq, len;        /* seq:seq+len(len) */
    bool has_ack, has_win, has_urg;
    uint32_t ack, win, urg;
    enum { PD_OPTS_NONE, PD_OPTS_EXACT, PD_OPTS_SOME, PD_OPTS_ANY } opts_mode;
    /* NONE: no <...> written: inbound none, outbound must have none. EXACT: these, in
     * order. SOME: these present (any order), others allowed ("<mss 1460,...>"). ANY: <...>. */
    struct pd_opt opts[PD_MAX_OPTS];
    unsigned nopts;
    bool optional; /* ">?": outbound, may be absent (a stack's choice, e.g. Linux's quick ACKs) */
    bool repeat;   /* ">*": from here on, any number of these are let through (retransmissions) */
    bool bad_csum; /* inbound: a wrong TCP checksum */
    int ttl;       /* IP TTL; 0: inbound 64, outbound unchecked (256: TTL 0) */
    int tos;       /* IP TOS + 1; 0: inbound 0, outbound unchecked */
    uint32_t src, dst; /* inbound: IP addresses other than the script's/the stack's (0: those) */
    bool ip_opts;  /* inbound: an IP header with options (NOP, NOP, NOP, EOL) */
    bool icmp;     /* inbound: an ICMP error quoting the connection's segment with seq */
    uint8_t icmp_type, icmp_code;
};

/* A syscall argument. */
enum pd_arg_kind { PD_A_INT, PD_A_ELLIPSIS, PD_A_BRACKET, PD_A_BRACE, PD_A_POLL };
struct pd_arg {
    enum pd_arg_kind kind;
    int64_t v;       /* INT; BRACKET [v] */
    int64_t list[2]; /* BRACE {a, b} (struct linger) */
    struct { int64_t fd, events, revents; } poll[PD_MAX_POLL]; /* [{fd=.., events=.., revents=..}] */
    unsigned n;      /* BRACE / POLL entries */
};

struct pd_call {
    char name[16];
    struct pd_arg args[PD_MAX_ARGS];
    unsigned nargs;
    int64_t ret;  /* expected return value (-1 with err) */
    int err;      /* expected errno when ret == -1 */
};

enum pd_event_kind { PD_EV_IN, PD_EV_OUT, PD_EV_CALL, PD_EV_QUIET };

struct pd_time {
    int64_t ns;  /* PD_TIME_ANY for "*" */
    bool rel;    /* "+": after the previous line's actual time */
    int64_t max_ns; /* "+A~B": an expected segment comes between A and B (0: no window) */
};

struct pd_event {
    int line;
    enum pd_event_kind kind;
    struct pd_time t;
    bool has_end;        /* "t...end": a call that blocks until end */
    struct pd_time end;  /* end.rel: relative to the call's start */
    struct pd_seg seg;
    bool has_alt;        /* "> A | B": either segment */
    struct pd_seg alt;
    struct pd_call call;
};

struct pd_script {
    const char *name;
    struct pd_event *ev;
    unsigned nev, cap;
    int64_t tolerance_ns; /* %tolerance_ms; 0: the backend's default */
    bool long_running;    /* %long: minutes of script time (real-time backends skip it) */
    struct { char path[64]; long value; } sysctl[4]; /* %linux_sysctl net/ipv4/x N */
    unsigned nsysctl;
};

/* Parse text (NUL-terminated) into *s. 0, or -1 with "line N: why" in err. On error *s
 * holds what was parsed; pd_script_free() it either way. */
int pd_parse(const char *text, struct pd_script *s, char *err, size_t errlen);
void pd_script_free(struct pd_script *s);
/* Read a file and parse it; -1 with the reason in err. */
int pd_parse_file(const char *path, struct pd_script *s, char *err, size_t errlen);

/* --- segments on the wire (pd_pkt.c) -------------------------------------------------- */

/* A TCP segment decoded from an IPv4 packet (host byte order). */
struct pd_wire {
    uint32_t src, dst;
    uint16_t sport, dport;
    uint32_t seq, ack, win;
    uint8_t flags;
    uint16_t urg;
    uint8_t ttl, tos;
    uint32_t len; /* payload */
    const uint8_t *payload;
    uint8_t opt[40];
    unsigned optlen;
    bool csum_ok;
};

/* Byte k of a stream: what the runner writes and expects to read. */
static inline uint8_t pd_pattern(uint64_t k)
{
    return (uint8_t)('a' + k % 26);
}

struct pd_conn {            /* the connection's sequence spaces */
    uint16_t lport, rport;
    uint32_t local_isn;     /* learned from the stack's first SYN; 0 before */
    bool local_isn_known;
    uint32_t remote_isn;    /* the script's first SYN */
    bool remote_isn_known;
    uint32_t last_tsval;    /* the stack's last TS val ("ecr *") */
};

/* Build the IPv4 packet of an inbound segment into buf (>= 1500 bytes); its length. */
size_t pd_build(const struct pd_seg *s, struct pd_conn *c, uint8_t *buf, size_t cap);
/* Decode an IPv4 packet; false when it is not TCP over IPv4 (or truncated). */
bool pd_decode(const uint8_t *pkt, size_t len, struct pd_wire *w);
/* Compare an outbound segment with the expected one; false with the difference in why. */
bool pd_match(const struct pd_seg *exp, const struct pd_wire *w, struct pd_conn *c, char *why,
              size_t n);
/* Print an expected segment / an actual one in script syntax (relative numbers). */
void pd_seg_str(const struct pd_seg *s, char *buf, size_t n);
void pd_wire_str(const struct pd_wire *w, const struct pd_conn *c, char *buf, size_t n);
/* Learn sequence spaces from an outbound segment (the stack's SYN, its TS val). */
void pd_learn(struct pd_conn *c, const struct pd_wire *w);

/* --- backends and the interpreter (pd_run.c) ---------------------------------------- */

struct pd_backend {
    const char *name;
    int64_t default_tolerance_ns;
    uint64_t (*now)(void); /* ns, monotonic */
    void (*sleep_until)(uint64_t t);
    /* Inject an IPv4 packet as if from the wire; 0 or -errno. */
    int (*inject)(const uint8_t *pkt, size_t len);
    /* The next IPv4 packet the stack transmitted (TCP only), waiting until deadline; its length
     * (0: none by then) and capture time in *t. */
    size_t (*next_out)(uint8_t *buf, size_t cap, uint64_t deadline, uint64_t *t);
    /* Start a syscall in the application thread. */
    void (*call_start)(uint64_t nr, const uint64_t a[6]);
    /* Wait until the started call returned or deadline: true with its result (-errno on
     * error) and return time. */
    bool (*call_wait)(uint64_t deadline, long *ret, uint64_t *t);
    /* User memory of the application: PD_UBUF_SIZE bytes at ubuf. */
    void (*put)(uint64_t u, const void *src, size_t n);
    void (*get)(void *dst, uint64_t u, size_t n);
    uint64_t ubuf;
};
#define PD_UBUF_SIZE (256 * 1024)

/*
 * pd_box.c, for the backends (no locks: the caller holds its own around each call):
 * - a queue of the segments the stack sent, oldest first (push frees the frame and counts it
 *   in dropped when the queue is full; pd_frame_take copies a popped frame out, frees it and
 *   returns its length, 0 for NULL);
 * - the mailbox of the application thread, one syscall at a time: the runner posts, the
 *   thread finishes it with the result and the time, the runner collects (false: not done);
 * - pd_load: the script named by the one argument; 0, or 2 with the reason printed.
 */
#define PD_QMAX 256

struct pd_frame {
    uint64_t t; /* when it was sent (the backend's clock) */
    size_t len;
    uint8_t data[]; /* the IPv4 packet */
};

struct pd_queue {
    struct pd_frame *f[PD_QMAX];
    unsigned head, count;
    uint64_t dropped;
};

bool pd_queue_push(struct pd_queue *q, struct pd_frame *f);
struct pd_frame *pd_queue_pop(struct pd_queue *q);
void pd_queue_clear(struct pd_queue *q);
size_t pd_frame_take(struct pd_frame *f, uint8_t *buf, size_t cap, uint64_t *t);

struct pd_mailbox {
    bool busy, done, quit;
    uint64_t nr, a[6];
    long ret;
    uint64_t t;
};

void pd_mb_post(struct pd_mailbox *mb, uint64_t nr, const uint64_t a[6]);
void pd_mb_finish(struct pd_mailbox *mb, long ret, uint64_t t);
bool pd_mb_collect(struct pd_mailbox *mb, long *ret, uint64_t *t);

int pd_load(int argc, char **argv, struct pd_script *s);

/* Run s; 0 pass, 1 fail (the reason printed on stderr with the line number). */
int pd_run(const struct pd_script *s, const struct pd_backend *b);

/* Shared main: parse argv's script, run it with b (setup/teardown by the caller). */
int pd_errno_by_name(const char *name);
const char *pd_errno_name(int e);

#endif
