/*
 * cases_mem.c - memory: mmap/munmap/mprotect/madvise/brk argument checks and a file mapping
 * read back through write(2). Addresses differ between the runners, so a mapping's address
 * is only checked to be a value (OK) and then used through R(step).
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sc.h"

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define MAP4K(prot) CALL(mmap, OK, I(0), I(4096), I(prot), I(ANON), I(-1), I(0))

const struct sc_case sc_cases_mem[] = {
    CASE("mem.mmap_munmap", MAP4K(RW), CALL(munmap, W(0), R(0), I(4096)),
         CALL(munmap, W(0), R(0), I(4096))),
    CASE("mem.mmap_zero_length", CALL(mmap, ERR(EINVAL), I(0), I(0), I(RW), I(ANON), I(-1), I(0))),
    CASE("mem.mmap_no_type", CALL(mmap, ERR(EINVAL), I(0), I(4096), I(RW), I(MAP_ANONYMOUS), I(-1),
                                   I(0))),
    CASE("mem.mmap_both_types",
         CALL(mmap, ERR(EINVAL), I(0), I(4096), I(RW), I(MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS),
              I(-1), I(0))),
    CASE("mem.mmap_fixed_unaligned",
         CALL(mmap, ERR(EINVAL), I(0x10000001), I(4096), I(RW), I(ANON | MAP_FIXED), I(-1), I(0))),
    CASE("mem.mmap_huge_length", CALL(mmap, ERR(ENOMEM), I(0), I(-4096), I(RW), I(ANON), I(-1), I(0))),
    CASE("mem.mmap_ebadf", CALL(mmap, ERR(EBADF), I(0), I(4096), I(PROT_READ), I(MAP_PRIVATE), I(99),
                                 I(0))),
    CASE("mem.mmap_unaligned_offset",
         CALL(open, W(3), S("f"), I(O_RDWR | O_CREAT), I(0644)),
         CALL(mmap, ERR(EINVAL), I(0), I(4096), I(PROT_READ), I(MAP_PRIVATE), I(3), I(100))),
    CASE("mem.mmap_dir", CALL(open, W(3), S("."), I(O_RDONLY)),
         CALL(mmap, ERR(ENODEV), I(0), I(4096), I(PROT_READ), I(MAP_PRIVATE), I(3), I(0))),
    CASE("mem.mmap_wronly_file", CALL(open, W(3), S("f"), I(O_WRONLY | O_CREAT), I(0644)),
         CALL(mmap, ERR(EACCES), I(0), I(4096), I(PROT_READ), I(MAP_PRIVATE), I(3), I(0))),
    CASE("mem.mmap_file_private", CALL(open, W(3), S("f"), I(O_RDWR | O_CREAT), I(0644)),
         CALL(write, W(5), I(3), D("mapme"), I(5)),
         CALL(mmap, OK, I(0), I(4096), I(PROT_READ), I(MAP_PRIVATE), I(3), I(0)),
         CALL(open, W(4), S("g"), I(O_RDWR | O_CREAT), I(0644)),
         CALL(write, W(8), I(4), R(2), I(8)),
         CALLO(pread64, W(8), "mapme\0\0\0", I(4), BUF(16), I(16), I(0))),
    CASE("mem.munmap_unaligned", CALL(munmap, ERR(EINVAL), I(0x10000001), I(4096))),
    CASE("mem.munmap_zero_length", MAP4K(RW), CALL(munmap, ERR(EINVAL), R(0), I(0))),
    CASE("mem.mprotect_readonly_then_read_into", MAP4K(RW),
         CALL(mprotect, W(0), R(0), I(4096), I(PROT_READ)),
         CALL(open, W(3), S("f"), I(O_RDWR | O_CREAT), I(0644)),
         CALL(write, W(3), I(3), D("abc"), I(3)), CALL(lseek, W(0), I(3), I(0), I(SEEK_SET)),
         CALL(read, ERR(EFAULT), I(3), R(0), I(3)),
         CALL(mprotect, W(0), R(0), I(4096), I(RW)), CALL(read, W(3), I(3), R(0), I(3))),
    CASE("mem.mprotect_unaligned", MAP4K(RW), CALL(mprotect, ERR(EINVAL), RP(0, 1), I(4096), I(RW))),
    CASE("mem.mprotect_bad_prot", MAP4K(RW), CALL(mprotect, ERR(EINVAL), R(0), I(4096), I(0x40))),
    CASE("mem.mprotect_unmapped", MAP4K(RW), CALL(munmap, W(0), R(0), I(4096)),
         CALL(mprotect, ERR(ENOMEM), R(0), I(4096), I(PROT_READ))),
    CASE("mem.madvise", MAP4K(RW), CALL(madvise, W(0), R(0), I(4096), I(MADV_DONTNEED)),
         CALL(madvise, W(0), R(0), I(4096), I(MADV_WILLNEED)),
         CALL(madvise, ERR(EINVAL), R(0), I(4096), I(999)),
         CALL(madvise, ERR(EINVAL), RP(0, 1), I(4096), I(MADV_NORMAL))),
    CASE("mem.madvise_unmapped", MAP4K(RW), CALL(munmap, W(0), R(0), I(4096)),
         CALL(madvise, ERR(ENOMEM), R(0), I(4096), I(MADV_NORMAL))),
    CASE("mem.madvise_dontneed_zeroes", MAP4K(RW),
         CALL(open, W(3), S("f"), I(O_RDWR | O_CREAT), I(0644)),
         CALL(write, W(3), I(3), D("xyz"), I(3)), CALL(pread64, W(3), I(3), R(0), I(3), I(0)),
         CALL(madvise, W(0), R(0), I(4096), I(MADV_DONTNEED)),
         CALL(pwrite64, W(3), I(3), R(0), I(3), I(0)),
         CALLO(pread64, W(3), "\0\0\0", I(3), BUF(8), I(8), I(0))),
    CASE("mem.brk_query", CALL(brk, OK, I(0))),
    {NULL, NULL, 0, -1, {0}, 0, false},
};
