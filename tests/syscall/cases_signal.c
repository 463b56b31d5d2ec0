/*
 * cases_signal.c - the signal syscalls that work without a second thread or a handler:
 * restart_syscall with nothing to restart, and (as they land) rt_sigsuspend, rt_sigtimedwait,
 * rt_sigqueueinfo, rt_tgsigqueueinfo, signalfd: their argument checks and what a signal
 * already pending makes them return. Every row is checked natively too (docs/signals.md).
 */
#include <signal.h>

#include "sc.h"

const struct sc_case sc_cases_signal[] = {
    /* No restart block armed: Linux's do_no_restart_syscall. */
    CASE("signal.restart_syscall_empty", CALL0(restart_syscall, ERR(EINTR))),
    {NULL, NULL, 0, -1, {0}, 0, false},
};
