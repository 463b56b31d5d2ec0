/*
 * mt.h - the memory-management tests' fixture (also used by tests/unit/elf).
 *
 * Every case boots the hosted kernel (hosted_boot) and runs its body in the init thread: the
 * VM takes sleeping mutexes and the user arena only exists in a booted machine. Before the
 * body: an empty VFS with memfs at "/", and a fresh vm_space in mt_space, activated. After
 * it: the space is destroyed and the VFS shut down. A failed check prints file, line and
 * values and returns from the body; the CMocka case then fails (printing the seed).
 *
 *   MT_CASE(name) { ...body... }        defines the body and the CMocka test `name`
 *   MT_CASE_RAM(name, bytes) { ... }    the same with a given RAM size
 */
#ifndef TESTS_UNIT_MM_MT_H
#define TESTS_UNIT_MM_MT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/mm/uaccess.h"
#include "core/mm/vm.h"
#include "fs/vfs/vfs.h"

extern int mt_failures;
extern struct vm_space *mt_space;

void mt_fail(const char *file, int line, const char *expr, long long a, long long b);
void mt_run(void (*body)(void), size_t ram_bytes);

#define MT_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            mt_fail(__FILE__, __LINE__, #cond, 0, 0);                                              \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define MT_EQ(a, b)                                                                                \
    do {                                                                                           \
        long long _a = (long long)(a), _b = (long long)(b);                                        \
        if (_a != _b) {                                                                            \
            mt_fail(__FILE__, __LINE__, #a " == " #b, _a, _b);                                     \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define MT_CASE_RAM(name, bytes)                                                                   \
    static void name##_body(void);                                                                 \
    static void name(void **state)                                                                 \
    {                                                                                              \
        (void)state;                                                                               \
        mt_run(name##_body, bytes);                                                                \
    }                                                                                              \
    static void name##_body(void)

#define MT_CASE(name) MT_CASE_RAM(name, 0)

#define PG 4096ULL

/* Helpers (kernel side). */
uint64_t mt_mmap_anon(uint64_t len, unsigned prot); /* 0 on failure (recorded) */
struct vfs_file *mt_file(const char *path, const void *data, size_t n, int flags);
uint64_t mt_free_pages(void);

#endif
