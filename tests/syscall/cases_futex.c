/*
 * cases_futex.c - futex words in pages the program has not touched yet and in read-only
 * pages: the kernel reads the word with the HAL's non-faulting load (hal_user_load32) and
 * changes it with hal_user_cmpxchg32, faulting the page in through core/mm between tries
 * (core/proc/futex.c). A word in a fresh anonymous page reads as 0; FUTEX_WAKE_OP writes it
 * (the FUTEX_WAITs after it see the new value); a read-only page can be waited on, not
 * changed (-EFAULT), as on Linux.
 */
#include <linux/futex.h>
#include <sys/mman.h>

#include "sc.h"

#define TS(sec, nsec) {SA_DATA, 0, (const char *)(const long[]){(sec), (nsec)}, 16, 0, NULL}
#define MAP(prot)                                                                                  \
    CALL(mmap, OK, I(0), I(8192), I(prot), I(MAP_PRIVATE | MAP_ANONYMOUS), I(-1), I(0))
/* FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0): *uaddr2 += 1; wake on uaddr2 if it was 0 */
#define ADD1_IF0 I(0x10001000)

const struct sc_case sc_cases_futex[] = {
    CASE("futex.fresh_page_wait", MAP(PROT_READ | PROT_WRITE),
         CALL(futex, ERR(ETIMEDOUT), R(0), I(FUTEX_WAIT_PRIVATE), I(0), TS(0, 1000), I(0), I(0)),
         CALL(futex, ERR(EAGAIN), RP(0, 4096), I(FUTEX_WAIT_PRIVATE), I(1), TS(0, 1000), I(0),
              I(0))),
    CASE("futex.fresh_page_wake_op", MAP(PROT_READ | PROT_WRITE),
         CALL(futex, W(0), R(0), I(FUTEX_WAKE_OP_PRIVATE), I(1), I(1), RP(0, 4100), ADD1_IF0),
         CALL(futex, ERR(EAGAIN), RP(0, 4100), I(FUTEX_WAIT_PRIVATE), I(0), TS(0, 1000), I(0),
              I(0)),
         CALL(futex, W(0), R(0), I(FUTEX_WAKE_OP_PRIVATE), I(1), I(1), RP(0, 4100), ADD1_IF0),
         CALL(futex, ERR(ETIMEDOUT), RP(0, 4100), I(FUTEX_WAIT_PRIVATE), I(2), TS(0, 1000), I(0),
              I(0))),
    CASE("futex.read_only_page", MAP(PROT_READ),
         CALL(futex, ERR(ETIMEDOUT), R(0), I(FUTEX_WAIT_PRIVATE), I(0), TS(0, 1000), I(0), I(0)),
         CALL(futex, ERR(EFAULT), R(0), I(FUTEX_WAKE_OP_PRIVATE), I(1), I(1), RP(0, 8), ADD1_IF0),
         CALL(futex, ERR(ETIMEDOUT), RP(0, 8), I(FUTEX_WAIT_PRIVATE), I(0), TS(0, 1000), I(0),
              I(0)),
         CALL(futex, ERR(EFAULT), R(0), I(FUTEX_WAKE_OP_PRIVATE), I(1), I(1), I(0), ADD1_IF0)),
    CASE("futex.none_page", MAP(PROT_NONE),
         CALL(futex, ERR(EFAULT), R(0), I(FUTEX_WAIT_PRIVATE), I(0), TS(0, 1000), I(0), I(0)),
         CALL(futex, ERR(EFAULT), R(0), I(FUTEX_WAKE_OP_PRIVATE), I(1), I(1), R(0), ADD1_IF0)),
    {NULL, NULL, 0, -1, {0}, 0, false},
};
