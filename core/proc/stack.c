/*
 * stack.c - the initial user stack (layout drawn in stack.h).
 *
 * Linux's order is followed to the byte so that libcs, and programs that look at their own
 * auxv, see what they see on Linux: strings at the top (execfn highest, then envp, then argv
 * strings, each list with its first string lowest), the platform string and AT_RANDOM below
 * them, then the pointer table rounded so that rsp is 16-byte aligned at argc (the x86-64 ABI
 * for process entry). Linux also moves the table down by a random 0-8 KiB (arch_align_stack);
 * Petrel randomises the stack top instead (vm_space_create), so the table sits right below
 * the strings.
 *
 * Sizes are checked before anything is written: each string at most STACK_MAX_STRLEN bytes,
 * everything at most STACK_MAX_ARGS (as Linux's limit of a quarter of the stack), else E2BIG.
 */
#include "core/proc/stack.h"

#include "core/abi/signal.h"
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/lib/log.h"
#include "core/mm/uaccess.h"
#include "hal/hal_errno.h"
#include "hal/hal_rand.h"

static const char platform[] = "x86_64";
static const char *const empty_argv[] = {""};

/* Bytes the strings of list need (NULs included); -E2BIG past the limits. */
static int64_t strings_size(const char *const *list, size_t n)
{
    uint64_t total = 0;

    if (n > STACK_MAX_ARGS / sizeof(uint64_t))
        return -E2BIG;
    for (size_t i = 0; i < n; i++) {
        size_t len = strnlen(list[i], STACK_MAX_STRLEN);

        if (len >= STACK_MAX_STRLEN)
            return -E2BIG;
        total += len + 1;
        if (total > STACK_MAX_ARGS)
            return -E2BIG;
    }
    return (int64_t)total;
}

/* Copy the strings of list to [*p - size, *p), first string lowest; pointers into ptrs. */
static int put_strings(uint64_t *p, const char *const *list, size_t n, int64_t size, uint64_t *ptrs)
{
    uint64_t at = *p - (uint64_t)size;

    *p = at;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(list[i]) + 1;

        if (copy_to_user(uptr_make(at), list[i], len))
            return -EFAULT;
        ptrs[i] = at;
        at += len;
    }
    return 0;
}

static size_t put_aux(uint64_t *v, size_t i, uint64_t type, uint64_t val)
{
    v[i] = type;
    v[i + 1] = val;
    return i + 2;
}

/* Pairs fill_auxv writes for a, AT_NULL included. */
static size_t auxv_pairs(const struct stack_args *a)
{
    return STACK_AUXV_PAIRS - !a->sysinfo_ehdr - !a->minsigstksz;
}

/* The auxv pairs, in Linux's order (ARCH_DLINFO first); returns the number of words. */
static size_t fill_auxv(uint64_t *v, const struct stack_args *a, const struct stack_layout *l)
{
    size_t i = 0;

    if (a->sysinfo_ehdr)
        i = put_aux(v, i, AT_SYSINFO_EHDR, a->sysinfo_ehdr);
    if (a->minsigstksz)
        i = put_aux(v, i, AT_MINSIGSTKSZ, a->minsigstksz);
    i = put_aux(v, i, AT_HWCAP, a->hwcap);
    i = put_aux(v, i, AT_PAGESZ, HAL_PAGE_SIZE);
    i = put_aux(v, i, AT_CLKTCK, 100);
    i = put_aux(v, i, AT_PHDR, a->elf->phdr);
    i = put_aux(v, i, AT_PHENT, a->elf->phent);
    i = put_aux(v, i, AT_PHNUM, a->elf->phnum);
    i = put_aux(v, i, AT_BASE, a->elf->interp_base);
    i = put_aux(v, i, AT_FLAGS, 0);
    i = put_aux(v, i, AT_ENTRY, a->elf->entry);
    i = put_aux(v, i, AT_UID, 0);
    i = put_aux(v, i, AT_EUID, 0);
    i = put_aux(v, i, AT_GID, 0);
    i = put_aux(v, i, AT_EGID, 0);
    i = put_aux(v, i, AT_SECURE, 0);
    i = put_aux(v, i, AT_RANDOM, l->random);
    i = put_aux(v, i, AT_HWCAP2, a->hwcap2);
    i = put_aux(v, i, AT_EXECFN, l->execfn);
    i = put_aux(v, i, AT_PLATFORM, l->platform);
    return put_aux(v, i, AT_NULL, 0);
}

/* Write argc, argv, envp and auxv at the final sp. table has room for words entries. */
static int put_table(const struct stack_args *a, struct stack_layout *l, uint64_t *table,
                     size_t words, const uint64_t *argp, const uint64_t *envp)
{
    size_t i = 0;

    table[i++] = a->argc;
    for (size_t k = 0; k < a->argc; k++)
        table[i++] = argp[k];
    table[i++] = 0;
    for (size_t k = 0; k < a->envc; k++)
        table[i++] = envp[k];
    table[i++] = 0;
    l->argv = l->sp + 8;
    l->envp = l->argv + (a->argc + 1) * 8;
    l->auxv = l->envp + (a->envc + 1) * 8;
    i += fill_auxv(table + i, a, l);
    KASSERT(i == words);
    return copy_to_user(uptr_make(l->sp), table, words * sizeof(uint64_t));
}

static int build(struct vm_space *s, const struct stack_args *a, struct stack_layout *l,
                 int64_t argsz, int64_t envsz, uint64_t *ptrs)
{
    uint64_t p = s->stack_top - 8, words, rnd[2];
    size_t execlen = strlen(a->execfn) + 1;
    uint64_t *table;
    int rc;

    memset(l, 0, sizeof(*l));
    words = 1 + (a->argc + 1) + (a->envc + 1) + 2 * auxv_pairs(a);
    /* the area reaches the lowest byte written, and Linux's 128 KiB more within the limit */
    rc = vm_stack_setup(s, 8 + execlen + (uint64_t)(argsz + envsz) + 16 + sizeof(platform) +
                               sizeof(rnd) + words * 8 + 16);
    if (rc)
        return rc;
    if (copy_to_user(uptr_make(p), "\0\0\0\0\0\0\0\0", 8))
        return -EFAULT;
    p -= execlen;
    l->execfn = p;
    if (copy_to_user(uptr_make(p), a->execfn, execlen) ||
        put_strings(&p, a->envp, a->envc, envsz, ptrs + a->argc) ||
        put_strings(&p, a->argv, a->argc, argsz, ptrs))
        return -EFAULT;
    p &= ~15ULL;
    p -= sizeof(platform);
    l->platform = p;
    p -= sizeof(rnd);
    l->random = p;
    hal_entropy(rnd, sizeof(rnd));
    if (copy_to_user(uptr_make(l->platform), platform, sizeof(platform)) ||
        copy_to_user(uptr_make(l->random), rnd, sizeof(rnd)))
        return -EFAULT;
    l->sp = (p - words * 8) & ~15ULL;
    table = kmalloc(words * sizeof(uint64_t));
    if (!table)
        return -ENOMEM;
    rc = put_table(a, l, table, words, ptrs, ptrs + a->argc);
    kfree(table);
    return rc ? -EFAULT : 0;
}

/* a with Linux's defaults applied: no execfn is "", argc 0 gets one empty string. */
static void args_normalize(struct stack_args *a)
{
    if (!a->execfn)
        a->execfn = "";
    if (a->argc == 0) {
        a->argv = empty_argv;
        a->argc = 1;
    }
}

/* The string sizes of a (normalized), or -E2BIG. */
static int args_sizes(const struct stack_args *a, int64_t *argsz, int64_t *envsz)
{
    int64_t execsz;

    *argsz = strings_size(a->argv, a->argc);
    *envsz = strings_size(a->envp, a->envc);
    execsz = strings_size(&a->execfn, 1);
    if (*argsz < 0 || *envsz < 0 || execsz < 0)
        return -E2BIG;
    if ((uint64_t)(*argsz + *envsz + execsz) + (a->argc + a->envc + 2) * 8 > STACK_MAX_ARGS)
        return -E2BIG;
    return 0;
}

int stack_check(const struct stack_args *in)
{
    struct stack_args a = *in;
    int64_t argsz, envsz;

    args_normalize(&a);
    return args_sizes(&a, &argsz, &envsz);
}

int stack_build(struct vm_space *s, const struct stack_args *in, struct stack_layout *out)
{
    struct stack_args a = *in;
    int64_t argsz, envsz;
    uint64_t *ptrs;
    int rc;

    KASSERT(vm_current() == s);
    args_normalize(&a);
    if (args_sizes(&a, &argsz, &envsz))
        return -E2BIG;
    ptrs = kmalloc((a.argc + a.envc) * sizeof(uint64_t) + 8);
    if (!ptrs)
        return -ENOMEM;
    rc = build(s, &a, out, argsz, envsz, ptrs);
    kfree(ptrs);
    return rc;
}

uint64_t stack_minsigstksz(uint64_t fpu_bytes)
{
    uint64_t size = sizeof(struct linux_rt_sigframe) + 15 + fpu_bytes + 4 + 112 + 63;

    return (size + 15) & ~15ULL;
}
