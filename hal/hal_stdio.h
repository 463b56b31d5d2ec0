/*
 * hal_stdio.h - the program's standard streams to the host: stdin from it, stdout and stderr
 * to it, each a byte-exact channel of its own (nothing is translated, nothing else mixes in:
 * kernel messages stay on hal_console), plus out-of-band interrupt requests (the host's
 * Ctrl-C). Bare metal: a multiport virtio-console whose ports the host names (see
 * hal_x86/virtio/console.c, docs/petrel.md); hosted: buffers a test fills and reads
 * (hal_hosted/hosted.h). When the streams are absent (a plain QEMU command line, most hosted
 * tests) hal_stdio_present() is false and the kernel uses hal_console instead.
 *
 * Nothing here sleeps; every call may be made from any context (interrupts are disabled
 * inside). Waiting is the kernel's: it sleeps until the event function reports a change.
 */
#ifndef HAL_STDIO_H
#define HAL_STDIO_H

#include <stdbool.h>
#include <stddef.h>

#define HAL_STDIO_IN 0u
#define HAL_STDIO_OUT 1u
#define HAL_STDIO_ERR 2u
#define HAL_STDIO_NSTREAMS 3u

/* hal_stdio_ready() bits. */
#define HAL_STDIO_R_DATA 0x1u /* stdin: bytes to read */
#define HAL_STDIO_R_EOF 0x2u  /* stdin: the host ended its input and every byte was read */
#define HAL_STDIO_R_ROOM 0x4u /* stdout/stderr: a write would take bytes now */

/* Event bits passed to the event function. */
#define HAL_STDIO_EV_IN 0x1u   /* stdin: data arrived or the input ended */
#define HAL_STDIO_EV_OUT 0x2u  /* stdout/stderr: room freed */
#define HAL_STDIO_EV_INTR 0x4u /* the host asks to interrupt the program (one per request) */
#define HAL_STDIO_EV_WINCH 0x8u /* the host terminal's window size changed (hal_stdio_winsize) */

/* The streams are there (decided at boot, fixed afterwards). */
bool hal_stdio_present(void);
/* The host side of stream is a terminal (so the kernel may present it as a tty). */
bool hal_stdio_is_tty(unsigned stream);
/* HAL_STDIO_R_* bits that hold for stream now. */
unsigned hal_stdio_ready(unsigned stream);

/* Copy up to n bytes of stdin input into buf. Returns the count; 0 means nothing now (check
 * hal_stdio_ready for HAL_STDIO_R_EOF). Bytes come in the order the host sent them. */
size_t hal_stdio_read(void *buf, size_t n);

/* Queue up to n bytes of buf for stream (HAL_STDIO_OUT or HAL_STDIO_ERR); the bytes are
 * copied, so buf is free on return. Returns the count taken (0: no room now, wait for
 * HAL_STDIO_EV_OUT), or -EINVAL for another stream. Output reaches the host in order. */
long hal_stdio_write(unsigned stream, const void *buf, size_t n);

/* Send a short status line (at most 64 bytes, e.g. "started\n") to the host on the control
 * channel; the host tool reads it (docs/petrel.md). Best effort: dropped when absent or full. */
void hal_stdio_control(const char *msg, size_t n);

/* The host terminal's window size as the host last sent it (petrel run -t, when the host
 * terminal is resized): true and the size, or false when none came. */
bool hal_stdio_winsize(unsigned *rows, unsigned *cols);
/* fn(arg, events) runs, in interrupt context, each time an event happens. NULL: none. */
void hal_stdio_set_event(void (*fn)(void *arg, unsigned events), void *arg);

#endif
