/*
 * ldisc.h - a terminal line discipline for the program's stdin under `petrel run -t`
 * (ldisc.c, used by console.c; docs/petrel.md "Terminal").
 *
 * The host terminal is in raw mode and sends every key as typed; this is the part of Linux's
 * n_tty that turns them into what a program reads: with ICANON, lines edited with VERASE,
 * VWERASE (IEXTEN), VKILL, ended by '\n', VEOL or VEOF (at a line's start: one read
 * returns 0), a read returning at most one line; without it, bytes as they come. ICRNL,
 * INLCR, IGNCR on input; ECHO, ECHOE, ECHOK, ECHOKE, ECHONL, ECHOCTL ("^C") for the echo;
 * ISIG: VINTR and VQUIT raise SIGINT and SIGQUIT (flushing the pending input unless NOFLSH).
 * Not done: VSUSP (no job control), VMIN/VTIME other than "return what is there", IXON flow
 * control, output processing (the host terminal keeps its own OPOST).
 *
 * Pure and synchronous: the caller serialises calls and owns the storage.
 */
#ifndef FS_FILE_LDISC_H
#define FS_FILE_LDISC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/abi/termios.h"

#define LDISC_BUF 4096 /* the line being edited, and the input ready to read (as n_tty) */
#define LDISC_ENDS 64  /* completed lines not yet read */

struct ldisc {
    struct linux_termios t;
    char line[LDISC_BUF]; /* ICANON: the line being edited */
    size_t line_len;
    char ready[LDISC_BUF]; /* input a read can take */
    size_t ready_len;
    size_t ends[LDISC_ENDS]; /* ICANON: where each completed line ends in ready */
    unsigned nends;
    unsigned news; /* counts inputs that gave a read something new: a line completed (ICANON)
                    * or a byte (without): where n_tty signals O_ASYNC's POLL_IN */
};

/* Output of the echo, and signals raised by VINTR/VQUIT, through these. */
struct ldisc_ops {
    void (*echo)(void *arg, const char *bytes, size_t n);
    void (*signal)(void *arg, int sig);
    void *arg;
};

/* Linux's defaults for a new terminal (what `stty sane` gives): cooked, echo, ISIG. */
void ldisc_termios_default(struct linux_termios *t);
void ldisc_init(struct ldisc *l);
/* New settings (TCSETS*): leaving ICANON makes the pending line readable as it is. */
void ldisc_set(struct ldisc *l, const struct linux_termios *t);
/* Feed n input bytes; returns how many were taken (fewer when the buffers are full). */
size_t ldisc_input(struct ldisc *l, const char *in, size_t n, const struct ldisc_ops *ops);
/* Is a read satisfied now (data, or an end-of-file mark)? */
bool ldisc_readable(const struct ldisc *l);
/* Take up to n bytes for a read (at most one line with ICANON). 0 with *eof set: VEOF at the
 * start of a line (that read returns 0); 0 without it: nothing yet. */
size_t ldisc_read(struct ldisc *l, char *buf, size_t n, bool *eof);

#endif
