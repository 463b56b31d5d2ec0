/*
 * names.h - Linux's names of errno values and signals (names.c), for kernel messages.
 */
#ifndef CORE_LIB_NAMES_H
#define CORE_LIB_NAMES_H

#include <stddef.h>

#define KNAME_BUF 24 /* room for the "error N" / "signal N" fallbacks */

/* "ENOENT" for 2 or -2; "error N" (written into buf) for a number without a name. */
const char *kname_errno(int err, char *buf, size_t size);
/* "SIGSEGV" for 11, "SIGRTMIN+3" for 35; "signal N" (into buf) out of 1..64. */
const char *kname_signal(int sig, char *buf, size_t size);

/* For a message: KERR(-ENOENT) is "ENOENT" (a buffer of its own, alive for the statement). */
#define KERR(e) kname_errno((e), (char[KNAME_BUF]){0}, KNAME_BUF)
#define KSIG(s) kname_signal((s), (char[KNAME_BUF]){0}, KNAME_BUF)

#endif
