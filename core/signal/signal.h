/*
 * signal.h - signals: sending, pending sets, delivery on the way back to user mode, and the
 * signal syscalls (docs/signals.md).
 *
 * State: the process's actions (proc->sigactions, under proc->tlock with the pending sets, so
 * delivery takes a signal and reads its action under one lock; the handler word is also
 * stored atomically, for lock-free reads of it alone), each thread's blocked
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

/* Queued signals (all pending sets of a process together) the kernel holds at most; the
 * limit is RLIMIT_SIGPENDING below that. */
#define SIGNAL_QUEUE_MAX 4096

/* Install the signal layer's hooks in the layers below (SIGPIPE: file_set_sigpipe_hook).
 * Called once by kernel_main. */
void signal_init(void);

/*
 * Make sig pending for thread ut (or, with ut NULL, for the process p), with info (NULL: a
 * SI_KERNEL siginfo). A standard signal already pending is not queued twice (its first
 * siginfo stays); real-time signals queue, each with its siginfo, in order. An ignored
 * signal that the target does not block is dropped at once (as Linux). A thread that can
 * take it is interrupted out of interruptible sleeps. Returns 0, -EINVAL (sig out of 1..64)
 * or -EAGAIN (a real-time signal other than kill's past the queue limit). Never sleeps; any
 * context.
 */
int signal_send(struct proc *p, struct uthread *ut, int sig, const struct linux_siginfo *info);

/*
 * A queued signal whose sender wants to know when it leaves the queue (POSIX timers:
 * overrun counting, one pending signal per timer). fn runs, under no sleeping lock (and no
 * signal lock: it may take its own spinlocks), when the signal is dequeued for delivery /
 * sigtimedwait / signalfd (info non-NULL: the sender may edit it, e.g. si_overrun) or
 * discarded (ignored by a later sigaction, flushed, thread or process ended: info NULL).
 *
 * signal_send_notify: as signal_send, but returns 0 only when the signal was queued with
 * (fn, arg): then fn runs exactly once later (unless signal_cancel_notify drops it). 1: not
 * queued (ignored and dropped, or a standard signal merged with the one already pending, or
 * marked pending without its siginfo at the queue limit): fn will not run for it. -EINVAL,
 * -EAGAIN as signal_send. Never sleeps; any context (timer interrupts).
 * signal_cancel_notify: unqueue every signal of p (any thread) carrying arg, without calling
 * fn (timer_delete); returns how many it unqueued (0: none was queued, or a dequeue already
 * took it and its fn is about to run). Never sleeps; any context.
 */
typedef void (*signal_dequeue_fn)(void *arg, struct linux_siginfo *info);
int signal_send_notify(struct proc *p, struct uthread *ut, int sig,
                       const struct linux_siginfo *info, signal_dequeue_fn fn, void *arg);
int signal_cancel_notify(struct proc *p, void *arg);
/* The most queued signals p may hold (p->sigqueued counts them): RLIMIT_SIGPENDING, capped
 * at SIGNAL_QUEUE_MAX. POSIX timers reserve their one entry against it. Never sleeps. */
unsigned signal_queue_limit(struct proc *p);

/* The signals the calling thread could take now (pending and not blocked). Never sleeps. */
uint64_t signal_deliverable(struct uthread *ut);
/* Is sig ignored by p now (SIG_IGN, or SIG_DFL of a signal whose default is to ignore)? */
bool signal_ignored(struct proc *p, int sig);
/* Take the signal ut would take first among mask (the thread's set, then the process's;
 * fault signals first, then the lowest number), with its siginfo. 0: none pending in mask.
 * Never sleeps. */
int signal_dequeue(struct uthread *ut, uint64_t mask, struct linux_siginfo *info);
/* Drop every pending instance of sig in p (it became ignored). Never sleeps. */
void signal_discard(struct proc *p, int sig);

/*
 * Restarting an interrupted system call (docs/signals.md "Restart"). A blocking call whose
 * interruptible wait ended with -EINTR returns the code Linux returns for it
 * (hal/hal_errno.h), and the return to user mode applies Linux's rules:
 *
 *   code                   handler runs                      no handler runs
 *   -ERESTARTSYS           restart iff SA_RESTART, else EINTR  restart
 *   -ERESTARTNOINTR        restart                           restart
 *   -ERESTARTNOHAND        -EINTR                            restart
 *   -ERESTART_RESTARTBLOCK -EINTR                            restart_syscall (219)
 *
 * "Restart": rip goes back over the 2-byte SYSCALL instruction and rax gets the syscall
 * number again (uthread->orig_rax), so the same call is made with the same arguments.
 * "No handler runs": the thread was interrupted by a signal it then ignored, or that
 * another thread took.
 *
 * ERESTART_RESTARTBLOCK: the call stores in the thread's restart block (struct
 * uthread_restart, core/proc/proc.h) the function that continues it and what that function
 * needs (an absolute deadline, user pointers), then returns the code:
 *
 *     return uthread_restart_block(ut, nanosleep_restart, deadline, urem, 0, 0);
 *
 * When no handler runs, rax becomes 219 (restart_syscall) and the program re-enters the
 * kernel there: restart_syscall calls fn(&ut->restart) once (the block is emptied first, so
 * fn may arm it again) and returns what fn returns. A handler turns the code into -EINTR and
 * empties the block; so does rt_sigreturn. restart_syscall with an empty block is -EINTR,
 * as Linux's do_no_restart_syscall. A call that returns the code without arming the block
 * gets -EINTR.
 *
 * Temporary masks (ppoll, pselect6, rt_sigsuspend, epoll_pwait): signal_mask_push() installs
 * the wait's mask; signal_mask_pop(interrupted) ends it: when the wait was interrupted (a
 * signal to take), the saved mask stays aside until delivery, which runs the handler with
 * the temporary mask (plus sa_mask and the signal) and records the saved one in the frame's
 * uc_sigmask, so rt_sigreturn restores it (Linux's TIF_RESTORE_SIGMASK); otherwise it is
 * restored at once. Both only for the calling thread; never sleep.
 */
void signal_mask_push(uint64_t mask);
void signal_mask_pop(bool interrupted);

/*
 * execve: every handled signal's action goes back to SIG_DFL (SIG_IGN stays; flags, mask and
 * restorer cleared) and ut's alternate stack is disabled; the blocked mask and the pending
 * signals stay, as on Linux. May sleep (proc->lock).
 */
void signal_exec_reset(struct proc *p, struct uthread *ut);

/*
 * Sleep (interruptibly) until a signal in wake is pending for the calling thread, or
 * deadline_ns (UINT64_MAX: none). 0: one is pending; -ETIMEDOUT; -EINTR: the process is
 * ending. May sleep.
 */
int signal_wait(uint64_t wake, uint64_t deadline_ns);
/*
 * rt_sigtimedwait's core: take a signal of set (already pending, or arriving before
 * deadline_ns; 0: do not wait) into info. Returns the signal, -EAGAIN (timed out, or nothing
 * pending with deadline 0) or -EINTR (a signal outside set is to be delivered, or the process
 * ends). While it waits, set is unblocked, as Linux does. May sleep.
 */
int signal_timedwait(uint64_t set, uint64_t deadline_ns, struct linux_siginfo *info);

/* Syscalls (core/syscall/syscalls.def). */
long sys_rt_sigaction(const uint64_t a[6]);
long sys_rt_sigprocmask(const uint64_t a[6]);
long sys_rt_sigpending(const uint64_t a[6]);
long sys_rt_sigreturn(const uint64_t a[6]);
long sys_sigaltstack(const uint64_t a[6]);
long sys_kill(const uint64_t a[6]);
long sys_tkill(const uint64_t a[6]);
long sys_tgkill(const uint64_t a[6]);
long sys_restart_syscall(const uint64_t a[6]);
long sys_pause(const uint64_t a[6]);
long sys_rt_sigsuspend(const uint64_t a[6]);
long sys_rt_sigtimedwait(const uint64_t a[6]);
long sys_rt_sigqueueinfo(const uint64_t a[6]);
long sys_rt_tgsigqueueinfo(const uint64_t a[6]);
long sys_signalfd(const uint64_t a[6]);
long sys_signalfd4(const uint64_t a[6]);

#endif
