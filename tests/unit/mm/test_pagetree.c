/*
 * test_pagetree.c - the space's page records (core/mm/fault.c): clusters of 16 page slots in
 * an rbtree. A model of which pages are present and what they hold is checked after random
 * faults, munmaps, MADV_DONTNEED and mremap moves to destinations at any page offset (so
 * clusters are split, emptied and shared by source and destination), all from hal_entropy
 * (seeded: a failure prints PETREL_SEED).
 */
#include "mt.h"

#include "hal/hal_errno.h"
#include "hal/hal_rand.h"

#define RW (VM_PROT_READ | VM_PROT_WRITE)
#define N 96 /* pages of the model: six clusters when aligned */

static uint32_t tag[N]; /* 0: absent (unmapped or never touched); else the page's word */
static uint64_t base;

static unsigned rnd(unsigned n)
{
    uint32_t r;

    hal_entropy(&r, sizeof(r));
    return r % n;
}

/* The model and the space agree: presence, contents, and the walk in address order. */
static bool agrees(void)
{
    uint64_t count = 0;
    uint32_t w;

    for (unsigned i = 0; i < N; i++) {
        bool present = vm_page_present(mt_space, base + i * PG);

        if (present != (tag[i] != 0))
            return false;
        if (present && (copy_from_user(&w, uptr_make(base + i * PG), 4) || w != tag[i]))
            return false;
        count += present;
    }
    return mt_space->nr_pages == count;
}

/* Re-map [i, j) of the model as fresh anonymous memory (absent pages). */
static int remap_fresh(unsigned i, unsigned j)
{
    uint64_t got;

    for (unsigned k = i; k < j; k++)
        tag[k] = 0;
    return vm_mmap(mt_space, base + i * PG, (j - i) * PG, RW,
                   VM_MAP_PRIVATE | VM_MAP_ANONYMOUS | VM_MAP_FIXED, NULL, 0, &got);
}

static int step(unsigned op, uint32_t *next)
{
    unsigned i = rnd(N), n = 1 + rnd(20), j = i + n < N ? i + n : N;

    switch (op) {
    case 0:
    case 1:
    case 2: /* touch a run of pages (a write fault each), giving them new words */
        for (unsigned k = i; k < j; k++) {
            tag[k] = (*next)++;
            if (copy_to_user(uptr_make(base + k * PG), &tag[k], 4))
                return -EFAULT;
        }
        return 0;
    case 3: /* munmap, then anonymous again */
        if (vm_munmap(mt_space, base + i * PG, (j - i) * PG))
            return -EINVAL;
        return remap_fresh(i, j);
    case 4:
        for (unsigned k = i; k < j; k++)
            tag[k] = 0;
        return vm_madvise(mt_space, base + i * PG, (j - i) * PG, LINUX_MADV_DONTNEED);
    default: { /* move [i, j) to [d, d + n) inside the model, the rest anonymous again */
        unsigned d = rnd(N - (j - i) + 1);
        uint32_t keep[N];
        long r;

        if ((d < j && d + (j - i) > i))
            return 0; /* overlapping: MREMAP_FIXED refuses it (tested elsewhere) */
        memcpy(keep, tag, sizeof(keep));
        r = vm_mremap(mt_space, base + i * PG, (j - i) * PG, (j - i) * PG,
                      LINUX_MREMAP_MAYMOVE | LINUX_MREMAP_FIXED, base + d * PG);
        if (r == -EFAULT) /* [i, j) spans several areas (Petrel does not merge them); the
                             destination was emptied first, as Linux's mremap_to does */
            return remap_fresh(d, d + (j - i));
        if (r != (long)(base + d * PG))
            return (int)r;
        for (unsigned k = 0; k < j - i; k++)
            tag[d + k] = keep[i + k];
        return remap_fresh(i, j);
    }
    }
}

MT_CASE(model_of_random_operations)
{
    uint32_t next = 1;

    /* at an odd page offset: no model range is cluster aligned */
    base = ((mt_space->va_min + 0x1000000) & ~0xffffULL) + 5 * PG;
    memset(tag, 0, sizeof(tag));
    MT_EQ(remap_fresh(0, N), 0);
    for (int it = 0; it < 600; it++) {
        unsigned op = rnd(6);

        MT_EQ(step(op, &next), 0);
        if (!agrees()) {
            mt_fail(__FILE__, __LINE__, "model after op", op, it);
            return;
        }
    }
    MT_EQ(vm_munmap(mt_space, base, N * PG), 0);
    MT_EQ(mt_space->nr_pages, 0);
}

/* A walk over pages far apart (different clusters, empty blocks between) and a range
 * free that ends inside a cluster. */
MT_CASE(sparse_pages_and_partial_clusters)
{
    uint64_t a = mt_mmap_anon(1024 * PG, RW);
    static const unsigned at[] = {0, 15, 16, 17, 300, 511, 512, 1023};
    uint32_t w = 7;

    MT_CHECK(a != 0);
    for (unsigned k = 0; k < sizeof(at) / sizeof(at[0]); k++)
        MT_EQ(copy_to_user(uptr_make(a + at[k] * PG), &w, 4), 0);
    MT_EQ(mt_space->nr_pages, 8);
    MT_EQ(vm_munmap(mt_space, a + 16 * PG, 496 * PG), 0); /* 16..511: 16, 17, 300, 511 */
    MT_EQ(mt_space->nr_pages, 4);
    MT_CHECK(vm_page_present(mt_space, a + 15 * PG));
    MT_CHECK(!vm_page_present(mt_space, a + 16 * PG));
    MT_CHECK(vm_page_present(mt_space, a + 512 * PG));
    MT_EQ(vm_munmap(mt_space, a, 1024 * PG), 0);
    MT_EQ(mt_space->nr_pages, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(model_of_random_operations),
        cmocka_unit_test(sparse_pages_and_partial_clusters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
