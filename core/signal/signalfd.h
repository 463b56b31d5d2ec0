/*
 * signalfd.h - the signalfd file kind's hooks inside the signal layer (signalfd.c). The
 * syscalls are declared in signal.h with the others.
 */
#ifndef CORE_SIGNAL_SIGNALFD_H
#define CORE_SIGNAL_SIGNALFD_H

/* Set up the signalfd wait queue (signal_init). */
void signalfd_init(void);
/* A signal was made pending: wake signalfd readers and pollers (EPOLLIN). Any context. */
void signalfd_wake(void);

#endif
