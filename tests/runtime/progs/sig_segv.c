/* sig_segv: a SIGSEGV handler catches a write to an unmapped page (SEGV_MAPERR) and to a
 * PROT_READ page (SEGV_ACCERR), checks si_addr, and siglongjmp's out; each twice. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static sigjmp_buf env;
static volatile sig_atomic_t code, addr_ok;
static char *volatile target;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    code = si->si_code;
    addr_ok = si->si_addr == (void *)target;
    siglongjmp(env, 1);
}

static void poke(const char *what)
{
    code = 0, addr_ok = 0;
    if (sigsetjmp(env, 1) == 0) {
        *target = 1;
        printf("%s: no fault\n", what);
        return;
    }
    printf("%s: caught code %d addr_ok %d\n", what, (int)code, (int)addr_ok);
}

int main(void)
{
    struct sigaction sa;
    char *ro, *gone;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    if (sigaction(SIGSEGV, &sa, NULL))
        return 1;
    printf("start\n"); /* stdio's buffer exists before the unmapped page is picked */
    ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ro == MAP_FAILED || gone == MAP_FAILED || munmap(gone, 4096))
        return 2;
    for (int i = 0; i < 2; i++) {
        target = gone + 100;
        poke("unmapped");
        target = ro + 200;
        poke("read-only");
    }
    return 0;
}
