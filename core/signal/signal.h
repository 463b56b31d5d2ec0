/*
 * signal.h - signals: sending, pending sets, delivery on the way back to user mode, and the
 * signal syscalls (docs/signals.md).
 *
 * State: the process's actions (proc->sigactions, under proc->lock), each thread's blocked
 * mask (uthread->sigmask, written only by the thread itself), and two pending sets with one
 * siginfo slot per signal: the thread's (uthread->sigpending, ->siginfo) and the process's
 * (proc->sigpending, ->siginfo). Pending state is guarded by proc->tlock (irq-save), so any
 * thread, or an interrupt handler, may send.
 *
 * Delivery happens in kernel_user_return() (the HAL calls it before every return to user
 * mode): the lowest-numbered deliverable signal (thread set first) is taken; its action is
 * applied: ignore, terminate (the process ends with 128 + signal), or a handler, for which a
 * Linux rt_sigframe (return address = sa_restorer, ucontext with uc_mcontext and the FPU
 * state, siginfo) is pushed on the user stack or the alternate stack. rt_sigreturn undoes
 * it. A frame that cannot be written ends the process with SIGSEGV, as on Linux.
 */
#ifndef CORE_SIGNAL_SIGNAL_H
#define CORE_SIGNAL_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/abi/signal.h"
#include "core/proc/proc.h"

/*
 * Make sig pending for thread ut (or, with ut NULL, for the process p), with info (NULL: a
 * SI_KERNEL siginfo). A standard signal already pending is not queued twice (its first
 * siginfo stays). A thread that can take it is interrupted out of interruptible sleeps.
 * Returns 0 or -EINVAL (sig out of 1..64). Never sleeps; any context.
 */
int signal_send(struct proc *p, struct uthread *ut, int sig, const struct linux_siginfo *info);

/* The signals the calling thread could take now (pending and not blocked). Never sleeps. */
uint64_t signal_deliverable(struct uthread *ut);

/*
 * execve: every handled signal's action goes back to SIG_DFL (SIG_IGN stays; flags, mask and
 * restorer cleared) and ut's alternate stack is disabled; the blocked mask and the pending
 * signals stay, as on Linux. May sleep (proc->lock).
 */
void signal_exec_reset(struct proc *p, struct uthread *ut);

/* Syscalls (core/syscall/syscalls.def). */
long sys_rt_sigaction(const uint64_t a[6]);
long sys_rt_sigprocmask(const uint64_t a[6]);
long sys_rt_sigpending(const uint64_t a[6]);
long sys_rt_sigreturn(const uint64_t a[6]);
long sys_sigaltstack(const uint64_t a[6]);
long sys_kill(const uint64_t a[6]);
long sys_tkill(const uint64_t a[6]);
long sys_tgkill(const uint64_t a[6]);

#endif
