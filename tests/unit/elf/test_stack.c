/*
 * test_stack.c - the initial user stack: byte-for-byte against an independent model of
 * Linux's layout, a hand-computed example, 16-byte alignment for every argc/envc parity,
 * argc 0, E2BIG limits, and a stack that cannot be written.
 */
#include "../mm/mt.h"
#include "elf_build.h"

#include "core/lib/alloc.h"
#include "core/proc/stack.h"
#include "hal/hal_errno.h"

static struct elf_info info = {
    .entry = 0x200010001010ULL,
    .phdr = 0x200010000040ULL,
    .phent = 56,
    .phnum = 7,
};
static struct stack_layout lay;
static uint8_t got[64 * 1024], want[64 * 1024];

static struct stack_args args(const char *const *argv, size_t argc, const char *const *envp,
                              size_t envc)
{
    struct stack_args a = {argv, argc, envp, envc, "/bin/prog", &info, 0x178bfbff, 2, 0, 0};
    return a;
}

/* The model: Linux's create_elf_tables, written independently of stack.c. want[] holds the
 * bytes of [sp, top); rnd are the AT_RANDOM bytes actually written (not predictable here). */
static uint64_t model(const struct stack_args *a, uint64_t top, const uint8_t *rnd)
{
    uint64_t strs[64], p = top - 8, execfn, plat, random, sp, auxv[42];
    uint64_t *w;
    size_t n = 0, k = 0;

    memset(want, 0, sizeof(want));
#define AT(off) (want + sizeof(want) - (top - (off)))
    p -= strlen(a->execfn) + 1;
    execfn = p;
    memcpy(AT(p), a->execfn, strlen(a->execfn) + 1);
    for (size_t i = a->envc; i-- > 0;) {
        p -= strlen(a->envp[i]) + 1;
        memcpy(AT(p), a->envp[i], strlen(a->envp[i]) + 1);
        strs[a->argc + i] = p;
    }
    for (size_t i = a->argc; i-- > 0;) {
        p -= strlen(a->argv[i]) + 1;
        memcpy(AT(p), a->argv[i], strlen(a->argv[i]) + 1);
        strs[i] = p;
    }
    p &= ~15ULL;
    plat = p -= 7;
    memcpy(AT(p), "x86_64", 7);
    random = p -= 16;
    memcpy(AT(p), rnd, 16);
    /* ARCH_DLINFO first (x86-64: AT_SYSINFO_EHDR with a vDSO, AT_MINSIGSTKSZ), then the
     * generic entries of create_elf_tables */
    if (a->sysinfo_ehdr) {
        auxv[k++] = AT_SYSINFO_EHDR;
        auxv[k++] = a->sysinfo_ehdr;
    }
    if (a->minsigstksz) {
        auxv[k++] = AT_MINSIGSTKSZ;
        auxv[k++] = a->minsigstksz;
    }
    uint64_t pairs[][2] = {
        {AT_HWCAP, a->hwcap},
        {AT_PAGESZ, 4096},
        {AT_CLKTCK, 100},
        {AT_PHDR, info.phdr},
        {AT_PHENT, 56},
        {AT_PHNUM, info.phnum},
        {AT_BASE, info.interp_base},
        {AT_FLAGS, 0},
        {AT_ENTRY, info.entry},
        {AT_UID, 0},
        {AT_EUID, 0},
        {AT_GID, 0},
        {AT_EGID, 0},
        {AT_SECURE, 0},
        {AT_RANDOM, random},
        {AT_HWCAP2, a->hwcap2},
        {AT_EXECFN, execfn},
        {AT_PLATFORM, plat},
        {AT_NULL, 0},
    };
    for (size_t i = 0; i < 19; i++) {
        auxv[k++] = pairs[i][0];
        auxv[k++] = pairs[i][1];
    }
    n = 1 + a->argc + 1 + a->envc + 1;
    sp = (p - (n + k) * 8) & ~15ULL;
    w = (uint64_t *)AT(sp);
    *w++ = a->argc;
    for (size_t i = 0; i < a->argc; i++)
        *w++ = strs[i];
    *w++ = 0;
    for (size_t i = 0; i < a->envc; i++)
        *w++ = strs[a->argc + i];
    *w++ = 0;
    memcpy(w, auxv, k * 8);
#undef AT
    return sp;
}

/* Build, then compare [sp, top) with the model. */
static void build_and_compare(const struct stack_args *a)
{
    uint64_t top = mt_space->stack_top, sp;
    uint8_t rnd[16];

    /* earlier builds in this space left bytes in what is padding now: start from zeros,
     * as a new program's stack does */
    MT_EQ(clear_user(uptr_make(top - sizeof(got)), sizeof(got)), 0);
    MT_EQ(stack_build(mt_space, a, &lay), 0);
    MT_EQ(lay.sp % 16, 0);
    MT_EQ(copy_from_user(rnd, uptr_make(lay.random), 16), 0);
    sp = model(a, top, rnd);
    MT_EQ(lay.sp, sp);
    MT_CHECK(top - sp <= sizeof(got));
    MT_EQ(copy_from_user(got + sizeof(got) - (top - sp), uptr_make(sp), top - sp), 0);
    for (uint64_t i = sizeof(got) - (top - sp); i < sizeof(got); i++)
        if (got[i] != want[i]) {
            mt_fail(__FILE__, __LINE__, "stack byte differs at top -", (long long)(sizeof(got) - i),
                    got[i]);
            MT_EQ(got[i], want[i]);
        }
    MT_EQ(lay.argv, sp + 8);
    MT_EQ(lay.envp, sp + 8 + (a->argc + 1) * 8);
    MT_EQ(lay.auxv, lay.envp + (a->envc + 1) * 8);
}

MT_CASE(layout_matches_linux_byte_for_byte)
{
    const char *const argv[] = {"prog", "a", "--flag=value with spaces"};
    const char *const envp[] = {"X=1", "HOME=/", "PATH=/bin:/usr/bin"};
    struct stack_args a = args(argv, 3, envp, 3);

    build_and_compare(&a);
}

MT_CASE(hand_computed_example)
{
    const char *const argv[] = {"prog", "a"};
    const char *const envp[] = {"X=1"};
    struct stack_args a = args(argv, 2, envp, 1);
    uint64_t top = mt_space->stack_top, w[4];
    char s[16];

    MT_EQ(stack_build(mt_space, &a, &lay), 0);
    /* strings: 8 zero bytes, "/bin/prog" at top-18, "X=1" at -22, "a" at -24, "prog" at -29;
     * platform at -32-7 = -39, random at -55; 44 words below: (top-55-352) & ~15 = top-416 */
    MT_EQ(lay.execfn, top - 18);
    MT_EQ(lay.platform, top - 39);
    MT_EQ(lay.random, top - 55);
    MT_EQ(lay.sp, top - 416);
    MT_EQ(copy_from_user(w, uptr_make(lay.sp), sizeof(w)), 0);
    MT_EQ(w[0], 2);
    MT_EQ(w[1], top - 29);
    MT_EQ(w[2], top - 24);
    MT_EQ(w[3], 0);
    MT_EQ(strncpy_from_user(s, uptr_make(w[1]), sizeof(s)), 4);
    MT_CHECK(strcmp(s, "prog") == 0);
    MT_EQ(strncpy_from_user(s, uptr_make(lay.platform), sizeof(s)), 6);
    MT_CHECK(strcmp(s, "x86_64") == 0);
    MT_EQ(strncpy_from_user(s, uptr_make(lay.execfn), sizeof(s)), 9);
    uint64_t aux[2 * STACK_AUXV_PAIRS];
    MT_EQ(copy_from_user(aux, uptr_make(lay.auxv), sizeof(aux)), 0);
    MT_EQ(aux[0], AT_HWCAP);
    MT_EQ(aux[1], 0x178bfbff);
    MT_EQ(aux[6], AT_PHDR);
    MT_EQ(aux[7], info.phdr);
    MT_EQ(aux[16], AT_ENTRY);
    MT_EQ(aux[17], info.entry);
    MT_EQ(aux[28], AT_RANDOM);
    MT_EQ(aux[29], lay.random);
    MT_EQ(aux[36], AT_NULL);
    MT_EQ(aux[37], 0);
}

/* A dynamic program's stack: AT_BASE is the interpreter's base, AT_ENTRY the program's;
 * with AT_MINSIGSTKSZ (and a vDSO address) first, as Linux's ARCH_DLINFO puts them. */
MT_CASE(dynamic_program_auxv)
{
    const char *const argv[] = {"prog", "x"};
    const char *const envp[] = {"A=b"};
    struct stack_args a = args(argv, 2, envp, 1);
    uint64_t aux[2 * STACK_AUXV_PAIRS];

    info.interp_base = 0x200030000000ULL;
    info.start = 0x200030001000ULL;
    a.minsigstksz = stack_minsigstksz(2432);
    build_and_compare(&a);
    MT_EQ(copy_from_user(aux, uptr_make(lay.auxv), sizeof(aux)), 0);
    MT_EQ(aux[0], AT_MINSIGSTKSZ);
    MT_EQ(aux[1], 3072);
    MT_EQ(aux[2], AT_HWCAP);
    MT_EQ(aux[14], AT_BASE);
    MT_EQ(aux[15], 0x200030000000ULL);
    MT_EQ(aux[18], AT_ENTRY);
    MT_EQ(aux[19], info.entry);
    MT_EQ(aux[40], AT_NULL);
    a.sysinfo_ehdr = 0x200040000000ULL;
    build_and_compare(&a);
    MT_EQ(copy_from_user(aux, uptr_make(lay.auxv), 4 * 8), 0);
    MT_EQ(aux[0], AT_SYSINFO_EHDR);
    MT_EQ(aux[1], 0x200040000000ULL);
    MT_EQ(aux[2], AT_MINSIGSTKSZ);
    info.interp_base = info.start = 0;
}

/* Linux's formula (arch/x86/kernel/signal.c): FXSAVE-only and AVX-512 XSAVE sizes. */
static void minsigstksz_formula(void **state)
{
    (void)state;
    assert_int_equal(stack_minsigstksz(512), 1152);  /* 440+15+512+4+112+63 = 1146 -> 1152 */
    assert_int_equal(stack_minsigstksz(832), 1472);  /* AVX: 1466 -> 1472 */
    assert_int_equal(stack_minsigstksz(2432), 3072); /* AVX-512 on AMD: 3066 -> 3072 */
}

MT_CASE(alignment_for_every_parity)
{
    static const char *const v[] = {"a", "bb", "ccc", "dddd", "eeeee", "f"};

    for (size_t argc = 0; argc < 6; argc++) {
        for (size_t envc = 0; envc < 4; envc++) {
            struct stack_args a = args(v, argc, v + 2, envc);

            MT_EQ(stack_build(mt_space, &a, &lay), 0);
            MT_EQ(lay.sp % 16, 0);
            if (argc) {
                build_and_compare(&a);
            }
        }
    }
}

MT_CASE(argc_zero_gets_empty_argv0)
{
    struct stack_args a = args(NULL, 0, NULL, 0);
    uint64_t w[3];
    char s[4] = "zz";

    MT_EQ(stack_build(mt_space, &a, &lay), 0);
    MT_EQ(copy_from_user(w, uptr_make(lay.sp), sizeof(w)), 0);
    MT_EQ(w[0], 1);
    MT_EQ(w[2], 0);
    MT_EQ(strncpy_from_user(s, uptr_make(w[1]), sizeof(s)), 0);
    static const char *const empty[] = {""};
    struct stack_args b = args(empty, 1, NULL, 0);
    build_and_compare(&b);
    b.execfn = NULL; /* no path: an empty AT_EXECFN string */
    MT_EQ(stack_build(mt_space, &b, &lay), 0);
    MT_EQ(lay.execfn, mt_space->stack_top - 9);
}

MT_CASE(e2big_limits)
{
    static char huge[STACK_MAX_STRLEN + 1], big[120 * 1024];
    static const char *many[24];
    struct stack_args a;

    memset(huge, 'h', sizeof(huge) - 1);
    memset(big, 'b', sizeof(big) - 1);
    for (int i = 0; i < 24; i++)
        many[i] = big;
    const char *one[] = {huge};
    a = args(one, 1, NULL, 0);
    MT_EQ(stack_build(mt_space, &a, &lay), -E2BIG);
    a = args(many, 1, one, 1);
    MT_EQ(stack_build(mt_space, &a, &lay), -E2BIG);
    a = args(many, 1, NULL, 0);
    a.execfn = huge;
    MT_EQ(stack_build(mt_space, &a, &lay), -E2BIG);
    a = args(many, 12, many, 12); /* 24 x 120 KiB > 2 MiB */
    MT_EQ(stack_build(mt_space, &a, &lay), -E2BIG);
    a = args(many, 16, NULL, 0); /* 16 x 120 KiB < 2 MiB: fits */
    MT_EQ(stack_build(mt_space, &a, &lay), 0);
    MT_EQ(lay.sp % 16, 0);
    /* a longest allowed string */
    huge[STACK_MAX_STRLEN - 1] = '\0';
    a = args(one, 1, NULL, 0);
    MT_EQ(stack_build(mt_space, &a, &lay), 0);
    /* too many (empty) strings: each still costs its pointer */
    size_t n = STACK_MAX_ARGS / 8 + 1;
    const char **lots = kmalloc(n * sizeof(char *));
    MT_CHECK(lots);
    for (size_t i = 0; i < n; i++)
        lots[i] = "";
    a = args(lots, n, NULL, 0);
    MT_EQ(stack_build(mt_space, &a, &lay), -E2BIG);
    a = args(lots, n / 2, lots, n / 2);
    MT_EQ(stack_build(mt_space, &a, &lay), -E2BIG);
    kfree(lots);
}

MT_CASE(unwritable_stack_is_efault)
{
    const char *const argv[] = {"p"};
    struct stack_args a = args(argv, 1, NULL, 0);
    struct vm_space *s = mt_space;

    struct vm_area q;

    MT_EQ(vm_area_query(s, s->stack_top - 1, &q), 0);
    MT_EQ(vm_mprotect(s, q.start, q.end - q.start, VM_PROT_READ), 0);
    MT_EQ(stack_build(s, &a, &lay), -EFAULT);
    MT_EQ(vm_area_query(s, s->stack_top - 1, &q), 0); /* grown by the arguments' page */
    MT_EQ(q.end - q.start, VM_STACK_EXPAND + PG);
    MT_EQ(vm_mprotect(s, s->stack_top - PG, PG, VM_PROT_READ | VM_PROT_WRITE), 0);
    /* the read-only rest is in the way of the 128 KiB below the arguments */
    MT_EQ(stack_build(s, &a, &lay), -ENOMEM);
    MT_EQ(vm_munmap(s, q.start, q.end - q.start - PG), 0);
    MT_EQ(stack_build(s, &a, &lay), 0); /* the top page's area grows into the hole */
    MT_EQ(vm_area_query(s, s->stack_top - 1, &q), 0);
    MT_EQ(q.end - q.start, VM_STACK_EXPAND + PG);
    MT_EQ(vm_munmap(s, q.start, q.end - q.start), 0);
    MT_EQ(stack_build(s, &a, &lay), -EFAULT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(layout_matches_linux_byte_for_byte),
        cmocka_unit_test(hand_computed_example),
        cmocka_unit_test(dynamic_program_auxv),
        cmocka_unit_test(minsigstksz_formula),
        cmocka_unit_test(alignment_for_every_parity),
        cmocka_unit_test(argc_zero_gets_empty_argv0),
        cmocka_unit_test(e2big_limits),
        cmocka_unit_test(unwritable_stack_is_efault),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
