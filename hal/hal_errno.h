/*
 * hal_errno.h - Linux errno values, the one error vocabulary of the HAL and the kernel.
 * Functions return 0 or -E... (values identical to Linux x86-64, so they pass straight to
 * applications). Spelled as glibc spells them, so a hosted file may also include <errno.h>.
 */
#ifndef HAL_ERRNO_H
#define HAL_ERRNO_H

#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define ENOTBLK 15
#define EBUSY 16
#define EEXIST 17
#define EXDEV 18
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOTTY 25
#define ETXTBSY 26
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define EROFS 30
#define EMLINK 31
#define EPIPE 32
#define EDOM 33
#define ERANGE 34
#define EDEADLK 35
#define ENAMETOOLONG 36
#define ENOLCK 37
#define ENOSYS 38
#define ENOTEMPTY 39
#define ELOOP 40
#define ENOMSG 42
#define ENODATA 61
#define ETIME 62
#define ENONET 64
#define EPROTO 71
#define EOVERFLOW 75
#define EBADFD 77
#define ELIBBAD 80 /* a bad ELF interpreter (PT_INTERP): execve's answer */
#define EILSEQ 84
#define ENOTSOCK 88
#define EDESTADDRREQ 89
#define EMSGSIZE 90
#define EPROTOTYPE 91
#define ENOPROTOOPT 92
#define EPROTONOSUPPORT 93
#define ESOCKTNOSUPPORT 94
#define EOPNOTSUPP 95
#define EAFNOSUPPORT 97
#define EADDRINUSE 98
#define EADDRNOTAVAIL 99
#define ENETDOWN 100
#define ENETUNREACH 101
#define ECONNABORTED 103
#define ECONNRESET 104
#define ENOBUFS 105
#define EISCONN 106
#define ENOTCONN 107
#define ETIMEDOUT 110
#define ECONNREFUSED 111
#define EHOSTDOWN 112
#define EHOSTUNREACH 113
#define EALREADY 114
#define EINPROGRESS 115
#define ESTALE 116
#define EDQUOT 122
#define ECANCELED 125
#define EUCLEAN 117

/*
 * Kernel-internal restart codes (Linux's values; never seen by a program). A blocking call
 * interrupted by a signal returns one of these instead of -EINTR, saying what Linux's restart
 * rules do with it once the signal is handled: ERESTARTSYS restarts only if the handler has
 * SA_RESTART (read, write, wait, futex, accept...); ERESTARTNOINTR always restarts;
 * ERESTARTNOHAND restarts only if no handler ran (poll, select, sigsuspend-like calls);
 * ERESTART_RESTARTBLOCK restarts through restart_syscall with the remaining time (nanosleep,
 * clock_nanosleep). The syscall return path turns whatever is left into -EINTR.
 */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516

#endif
