/*
 * core/abi/ioctl.h - the generic (not terminal) ioctl numbers Linux programs use on any
 * descriptor: FIONREAD, FIONBIO, FIOCLEX/FIONCLEX, FIOASYNC, FIOQSIZE. The tty ones are in
 * core/abi/termios.h.
 */
#ifndef CORE_ABI_IOCTL_H
#define CORE_ABI_IOCTL_H

#define LINUX_FIONREAD 0x541b
#define LINUX_TIOCINQ LINUX_FIONREAD
#define LINUX_FIONBIO 0x5421
#define LINUX_FIONCLEX 0x5450
#define LINUX_FIOCLEX 0x5451
#define LINUX_FIOASYNC 0x5452
#define LINUX_FIOQSIZE 0x5460

#endif
