/* sigio_show.h - shared by the *_sigio runtime programs: SIGIO and one real-time signal are
 * blocked, and after each step every pending one is taken (sigtimedwait, no wait: the kernel
 * queues them during the call that caused them) and printed as "SIGIO/SIGRT code band fd",
 * so the native run and Petrel's compare line by line (si_fd relative to the first free
 * descriptor). */
#ifndef SIGIO_SHOW_H
#define SIGIO_SHOW_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define SIGRT (SIGRTMIN + 2)

/* The first descriptor free at the start: si_fd is printed relative to it, since a native
 * run may inherit more open descriptors than Petrel's 0, 1 and 2. */
static int fd_base;

static void sigio_block(void)
{
    sigset_t s;

    sigemptyset(&s);
    sigaddset(&s, SIGIO);
    sigaddset(&s, SIGRT);
    sigprocmask(SIG_BLOCK, &s, NULL);
    fd_base = dup(0);
    close(fd_base);
}

/* Print and take every pending SIGIO/SIGRT, after a step named what. */
static void step(const char *what)
{
    sigset_t s;
    struct timespec zero = {0, 0};
    siginfo_t si;
    int n = 0;

    printf("%s:", what);
    sigemptyset(&s);
    sigaddset(&s, SIGIO);
    sigaddset(&s, SIGRT);
    for (;;) {
        int sig;

        memset(&si, 0, sizeof(si));
        sig = sigtimedwait(&s, &si, &zero);
        if (sig < 0)
            break;
        printf(" [%s code=%d band=%#lx fd=base+%d]", sig == SIGIO ? "SIGIO" : "SIGRT",
               si.si_code, (unsigned long)si.si_band, sig == SIGIO ? 0 : si.si_fd - fd_base);
        n++;
    }
    printf("%s\n", n ? "" : " none");
}

/* Owner: this process; F_SETSIG sig (0: plain SIGIO); O_ASYNC through F_SETFL or FIOASYNC. */
static int sigio_on(int fd, int sig, int by_ioctl)
{
    int one = 1;

    if (fcntl(fd, F_SETOWN, getpid()) < 0 || fcntl(fd, F_SETSIG, sig) < 0)
        return -1;
    if (by_ioctl)
        return ioctl(fd, FIOASYNC, &one);
    return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC);
}

#endif
