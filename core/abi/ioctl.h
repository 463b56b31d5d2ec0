/*
 * core/abi/ioctl.h - the generic (not terminal) ioctl numbers Linux programs use on any
 * descriptor: FIONREAD, FIONBIO, FIOCLEX/FIONCLEX, FIOASYNC, FIOQSIZE, and the socket owner's
 * FIOSETOWN/SIOCSPGRP/FIOGETOWN/SIOCGPGRP. The tty ones are in
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
/* The owner of a socket's signals (F_SETOWN's; sock_ioctl): set and get. */
#define LINUX_FIOSETOWN 0x8901
#define LINUX_SIOCSPGRP 0x8902
#define LINUX_FIOGETOWN 0x8903
#define LINUX_SIOCGPGRP 0x8904

#endif
