/*
 * fuzz_tfs_ops.c - fuzz target: operation sequences on TFS checked against the reference model.
 *
 * The input bytes are the choices of tools/tfskit/opexec.h: which operation, on which inode,
 * with which name, offset, length and flags. Each input formats a fresh 8 MiB memory volume,
 * runs operations until the bytes run out (at most MAX_OPS), then compares the whole tree
 * with the model, unmounts, checks the volume with tfs_fsck, mounts again and compares again.
 * Any difference in a result, an errno, an attribute or the tree aborts with the operation
 * that diverged. The corpus comes from fuzz/tfs_image/gen_corpus.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/driver/fuzz_target.h"
#include "tools/tfskit/opexec.h"

#define VOL_BLOCKS 2048u
#define MAX_OPS 3000

struct bytes {
    const uint8_t *p;
    size_t n, at;
    bool out;
};

/* Take 1, 2, 4 or 8 bytes depending on the bound; 0 once the input is used up. */
static uint64_t next_byte(void *arg, uint64_t bound)
{
    struct bytes *b = arg;
    unsigned need = bound <= 0x100 ? 1 : bound <= 0x10000 ? 2 : bound <= 0x100000000ULL ? 4 : 8;
    uint64_t v = 0;
    for (unsigned i = 0; i < need; i++) {
        if (b->at >= b->n) {
            b->out = true;
            return 0;
        }
        v = v << 8 | b->p[b->at++];
    }
    return v % bound;
}

static uint8_t *mem;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (tfskit_kernel_init(256u << 20))
        abort();
    mem = malloc((size_t)VOL_BLOCKS * TFS_BLOCK_SIZE);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bytes b = {data, size, 0, false};
    struct opx_src src = {next_byte, &b};
    struct tfs_memdev md;
    struct opx x;
    memset(mem, 0, (size_t)VOL_BLOCKS * TFS_BLOCK_SIZE);
    tfs_memdev_init(&md, mem, VOL_BLOCKS);
    int rc = opx_init(&x, &md.dev, &src);
    x.max_off = 64u << 10;
    for (unsigned i = 0; rc == 0 && !b.out && i < MAX_OPS; i++)
        rc = opx_step(&x);
    if (rc == 0)
        rc = opx_check(&x);
    if (rc == 0)
        rc = opx_remount(&x);
    opx_fini(&x);
    if (rc) {
        fprintf(stderr, "fuzz_tfs_ops: invariant broken: TFS and the model disagree (above)\n");
        abort();
    }
    return 0;
}
