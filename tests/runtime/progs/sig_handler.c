/* sig_handler: an SA_SIGINFO handler for SIGUSR1 sent by raise, kill(getpid()) and tgkill;
 * a blocked SIGUSR1 stays pending (sigpending) and is delivered on unblock. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile sig_atomic_t count, last_signo, last_code, pid_ok;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    count++;
    last_signo = si->si_signo == sig ? sig : -1;
    last_code = si->si_code;
    pid_ok = si->si_pid == getpid();
}

static void report(const char *how)
{
    printf("%s: count %d signo %d code %d pid_ok %d\n", how, (int)count, (int)last_signo,
           (int)last_code, (int)pid_ok);
}

int main(void)
{
    struct sigaction sa;
    sigset_t set, pend;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL))
        return 1;
    raise(SIGUSR1);
    report("raise");
    kill(getpid(), SIGUSR1);
    report("kill");
    syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGUSR1);
    report("tgkill");
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    kill(getpid(), SIGUSR1);
    sigpending(&pend);
    printf("blocked: count %d pending %d\n", (int)count, sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    sigpending(&pend);
    report("unblocked");
    printf("pending after %d\n", sigismember(&pend, SIGUSR1));
    return 0;
}
