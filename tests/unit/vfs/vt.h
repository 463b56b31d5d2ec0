/*
 * vt.h - the VFS tests' fixture.
 *
 * Every case boots the hosted kernel (hosted_boot) and runs its body in the init thread,
 * since the VFS sleeps on mutexes. A failed check records file, line and values on the
 * console and returns from the body; the CMocka case then fails. Bodies start with an empty
 * VFS (vfs_init) and everything still mounted is unmounted after them.
 *
 *   VT_CASE(name) { ...body... }    defines the body and the CMocka test `name`
 *   VT_CASE_CFG(name, cfgfn)        the same with a hosted config tweak (block devices)
 */
#ifndef TESTS_UNIT_VFS_VT_H
#define TESTS_UNIT_VFS_VT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fs/vfs/memfs.h"
#include "fs/vfs/vfs.h"
#include "hal_hosted/hosted.h"

extern int vt_failures;

void vt_fail(const char *file, int line, const char *expr, long long a, long long b);
/* Boot, run body in the init thread, shut down; cmocka-fails on any failed check. */
void vt_run(void (*body)(void), void (*cfg)(struct hosted_config *));

#define VT_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            vt_fail(__FILE__, __LINE__, #cond, 0, 0);                                              \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define VT_EQ(a, b)                                                                                \
    do {                                                                                           \
        long long _a = (long long)(a), _b = (long long)(b);                                        \
        if (_a != _b) {                                                                            \
            vt_fail(__FILE__, __LINE__, #a " == " #b, _a, _b);                                     \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define VT_CASE_CFG(name, cfgfn)                                                                   \
    static void name##_body(void);                                                                 \
    static void name(void **state)                                                                 \
    {                                                                                              \
        (void)state;                                                                               \
        vt_run(name##_body, cfgfn);                                                                \
    }                                                                                              \
    static void name##_body(void)

#define VT_CASE(name) VT_CASE_CFG(name, NULL)

/* Helpers (kernel side). */
void vt_memfs_root(void);                                             /* memfs at "/" */
struct vfs_file *vt_open(const char *path, int flags, uint32_t mode); /* NULL on error */
int vt_write_file(const char *path, const void *data, size_t n);
long vt_read_file(const char *path, void *buf, size_t n);
void vt_put(struct vfs_file *f);
/* Does the directory at path list name (getdents)? 1 yes, 0 no, <0 error. */
int vt_dir_has(const char *path, const char *name, unsigned *dtype);

#endif
