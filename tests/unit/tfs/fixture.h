/*
 * fixture.h - shared setup for the TFS unit tests: the hosted allocator, a memory volume,
 * a deterministic clock and a message collector.
 */
#ifndef TESTS_UNIT_TFS_FIXTURE_H
#define TESTS_UNIT_TFS_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fs/tfs/tfs.h"
#include "hal/hal_errno.h"

struct fx {
    uint8_t *mem;
    uint64_t nblocks;
    struct tfs_memdev md;
    struct tfs_vol *vol;
    int64_t clock_ns;    /* next time the clock returns; advances 1.000000123 s per call */
    char msgs[8192];     /* every report line, '\n'-separated */
    unsigned nmsgs;
};

extern struct fx fx;

int fx_group_setup(void **state);
int fx_group_teardown(void **state);
/* A fresh formatted volume of nblocks, mounted read-write. */
void fx_new(uint64_t nblocks);
void fx_free(void);
struct tfs_mount_opts fx_opts(bool ro);
int fx_mount(bool ro);
void fx_remount(void);
void fx_clock(void *arg, struct tfs_time *t);
void fx_report(void *arg, const char *msg);
bool fx_msg_has(const char *needle);

uint64_t fx_create(uint64_t dir, const char *name, uint32_t mode);
uint64_t fx_mkdir(uint64_t dir, const char *name);
void fx_write(uint64_t ino, uint64_t off, const void *buf, size_t len);
void fx_pattern(uint8_t *buf, size_t len, uint32_t seed);
int fx_fsck(bool repair, struct tfs_fsck_result *res);
uint64_t fx_ino(uint64_t dir, const char *name);

#define N(s) (s), strlen(s)

#endif
