/*
 * cases_rlimit.c - RLIMIT_AS enforced by mmap and mremap (docs/memory.md). The runners'
 * processes map different amounts (the native one more, far more under ASan), so the cases
 * only use a limit every process is already past (one page: any growth fails) and the
 * unlimited default.
 */
#include <sys/mman.h>
#include <sys/resource.h>

#include "sc.h"

#define RLIM(cur) {SA_DATA, 0, (const char *)(const unsigned long[]){(cur), ~0UL}, 16, 0, NULL}
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)
#define SETAS(cur) CALL(prlimit64, W(0), I(0), I(RLIMIT_AS), RLIM(cur), I(0))

const struct sc_case sc_cases_rlimit[] = {
    CASE("rlimit.as_mmap", CALL(mmap, OK, I(0), I(8192), I(RW), I(ANON), I(-1), I(0)),
         SETAS(4096), CALL(mmap, ERR(ENOMEM), I(0), I(8192), I(RW), I(ANON), I(-1), I(0)),
         CALL(mmap, ERR(ENOMEM), I(0), I(8192), I(PROT_NONE), I(ANON | MAP_NORESERVE), I(-1),
              I(0)),
         /* argument errors come first */
         CALL(mmap, ERR(EINVAL), I(0), I(0), I(RW), I(ANON), I(-1), I(0)),
         CALL(mmap, ERR(EINVAL), I(0), I(8192), I(RW), I(MAP_ANONYMOUS), I(-1), I(0)),
         /* shrinking and unmapping still work; growing does not */
         CALL(mremap, ERR(ENOMEM), R(0), I(8192), I(16384), I(MREMAP_MAYMOVE), I(0)),
         CALL(mremap, OK, R(0), I(8192), I(4096), I(0), I(0)),
         CALL(munmap, W(0), R(0), I(4096)), SETAS(~0UL),
         CALL(mmap, OK, I(0), I(8192), I(RW), I(ANON), I(-1), I(0))),
    {NULL, NULL, 0, -1, SC_NO_ARG, 0, 0},
};
