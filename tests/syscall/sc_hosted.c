/*
 * sc_hosted.c - the hosted runner: every case against Petrel, compared with Linux.
 *
 * Before the kernel boots, every case (written and generated) runs natively (sc_native.c),
 * so Linux's live answer is at hand: a written case must give its table expectation on
 * Linux; a generated case has none, Linux's result is its expectation. Then one hosted boot
 * runs each case twice, on a fresh memfs and on a freshly formatted TFS volume: a fresh VFS,
 * a scratch directory /s as the current directory, a fresh process with a 64 KiB arena
 * (mmap through ksys_call, the page after it unmapped) and the last page below the top of
 * user space mapped. Calls go through ksys_call; buffers move with copy_to/from_user. After
 * each case no syscall may have read a user byte twice (sys_double_fetches), and after it
 * the process is destroyed and the VFS shut down: the kernel heap must hold the
 * bytes it held before (no descriptor, file or mapping left), and a TFS volume must pass fsck.
 *
 * A mismatch prints the case, Linux's and Petrel's results and `uname -r`. deviations.h
 * lists the differences: a deliberate deviation that no longer applies is a failure too;
 * one whose reason says it is being fixed or was reported ("being fixed by <helper>",
 * "reported to <helper>") accepts either answer and prints "FIXED DEVIATION" once the fix
 * is in, since fixes land on main independently of this file.
 * A case calling a syscall that syscalls.def does not mark implemented runs on Linux only,
 * until the row is implemented (so cases can be written before the syscall).
 * Exit status: 0 when every case passed on both filesystems.
 *
 *   sc_hosted [substring]     only cases whose name contains substring
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lib/alloc.h"
#include "core/mm/uaccess.h"
#include "core/proc/proc.h"
#include "core/syscall/syscall.h"
#include "fs/vfs/memfs.h"
#include "fs/vfs/vfs.h"
#include "fs/vfs/vfs_tfs.h"
#include "hal/hal_mem.h"
#include "hal_hosted/hosted.h"
#include "net/net.h"

#include "deviations.h"
#include "sc.h"

#define ARENA (64 * 1024ULL)
#define IMG_BLOCKS 1024 /* 4 MiB */

struct item {
    const struct sc_case *c;
    struct sc_outcome native;
    bool linux_ok; /* Linux gave the written expectation (always true for generated) */
};

static struct item *items;
static size_t nitems;
static int failures, deviations_used, deviations_fixed, native_only;
static uint8_t *image;
static struct tfs_memdev md;
static struct kmalloc_stats heap0; /* the kernel heap before each case's world */

static long hosted_call(unsigned nr, const uint64_t a[6])
{
    return ksys_call(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static int hosted_put(uint64_t u, const void *p, size_t n)
{
    return copy_to_user(uptr_make(u), p, n);
}

static int hosted_get(void *p, uint64_t u, size_t n)
{
    return copy_from_user(p, uptr_make(u), n);
}

static int mount_fs(bool tfs)
{
    struct tfs_format_opts fo;
    struct vfs_tfs_opts vo = {0};
    int rc;

    if (!tfs)
        return memfs_mount(NULL, "/", NULL, NULL);
    memset(image, 0, (size_t)IMG_BLOCKS * TFS_BLOCK_SIZE);
    tfs_memdev_init(&md, image, IMG_BLOCKS);
    memset(&fo, 0, sizeof(fo));
    fo.label = "sc";
    fo.now.sec = vfs_now().tv_sec;
    rc = tfs_format(&md.dev, &fo);
    return rc ? rc : vfs_tfs_mount(NULL, "/", &md.dev, &vo, NULL);
}

/* A fresh world for one case; fills env. Returns 0 or a negative step of setup. */
static int world_up(bool tfs, struct sc_env *env, struct proc **p)
{
    uint64_t chdir_a[6] = {0};
    long a;

    vfs_init();
    kmalloc_get_stats(&heap0);
    if (mount_fs(tfs) || vfs_mkdirat(NULL, "/s", 0755) || proc_create(NULL, p))
        return -1;
    proc_attach(*p, NULL);
    a = ksys_call(SYS_mmap, 0, ARENA + 4096, 3, 0x22, (uint64_t)-1, 0);
    if (a < 0 || ksys_call(SYS_munmap, (uint64_t)a + ARENA, 4096, 0, 0, 0, 0))
        return -2;
    env->name = tfs ? "tfs" : "memfs";
    env->call = hosted_call;
    env->put = hosted_put;
    env->get = hosted_get;
    env->arena = (uint64_t)a;
    env->arena_size = ARENA;
    env->top = hal_user_va_max();
    if (ksys_call(SYS_mmap, env->top - 4096, 4096, 3, 0x32, (uint64_t)-1, 0) !=
        (long)(env->top - 4096))
        return -3;
    chdir_a[0] = env->arena;
    if (hosted_put(env->arena, "/s", 3) || hosted_call(SYS_chdir, chdir_a))
        return -4;
    return 0;
}

static int fsck_report_count;

static void fsck_report(void *arg, const char *msg)
{
    (void)arg;
    if (fsck_report_count++ < 5)
        printf("    fsck: %s\n", msg);
}

/* Tear down: nothing of the case may stay on the kernel heap (descriptors, files, inodes,
 * mappings); for TFS, the unmounted volume must check clean. */
static int world_down(bool tfs, struct proc *p)
{
    struct tfs_fsck_opts fo;
    struct kmalloc_stats heap1;
    int rc;

    proc_detach(NULL);
    proc_destroy(p);
    rc = net_shutdown(); /* a case's sockets started the stack: its thread and pcbs go too */
    if (rc == 0)
        rc = vfs_shutdown();
    kmalloc_get_stats(&heap1);
    if (!rc && heap1.bytes_in_use != heap0.bytes_in_use) {
        printf("    kernel heap: %llu bytes before the case, %llu after\n",
               (unsigned long long)heap0.bytes_in_use, (unsigned long long)heap1.bytes_in_use);
        rc = -1;
    }
    if (rc || !tfs)
        return rc;
    memset(&fo, 0, sizeof(fo));
    fo.report = fsck_report;
    fsck_report_count = 0;
    return tfs_fsck(&md.dev, &fo, NULL);
}

static void print_mismatch(const struct item *it, const char *env, const struct sc_outcome *o)
{
    char r[40];

    printf("MISMATCH %s on %s (host kernel %s)\n", it->c->name, env, sc_host_release());
    printf("  petrel: %s\n", o->why[0] ? o->why : "as expected");
    printf("  linux:  %s\n", it->native.why[0] ? it->native.why : "as expected");
    printf("  results (linux / petrel):");
    for (unsigned k = 0; k < it->c->nsteps; k++) {
        printf(" %s", k < it->native.nsteps ? sc_fmt_ret(r, sizeof(r), it->native.ret[k]) : "-");
        printf("/%s", k < o->nsteps ? sc_fmt_ret(r, sizeof(r), o->ret[k]) : "-");
    }
    printf("\n");
}

/* A fix in progress or reported to its owner: the case passes with either answer, since the
 * fix may land on main before the entry is deleted. */
static bool is_pending(const char *reason)
{
    return strncmp(reason, "being fixed by", 14) == 0 || strncmp(reason, "reported to", 11) == 0;
}

static unsigned deviations_for(const struct item *it, const char *env, struct sc_override *ov,
                               bool *pending)
{
    unsigned n = 0;

    *pending = true;
    for (const struct sc_deviation *d = sc_deviations; d->case_name && n < SC_MAX_STEPS; d++) {
        size_t len = strlen(d->case_name);
        bool prefix = len && d->case_name[len - 1] == '*';
        if ((prefix ? strncmp(d->case_name, it->c->name, len - 1)
                    : strcmp(d->case_name, it->c->name)) ||
            (d->env && strcmp(d->env, env)))
            continue;
        *pending = *pending && is_pending(d->reason);
        ov[n].step = d->step;
        ov[n].want = d->petrel;
        ov[n].skip_out = true;
        n++;
    }
    return n;
}

/* Generated cases: Linux's live result of the last step is the expectation. */
static unsigned live_override(const struct item *it, struct sc_override *ov)
{
    long r = it->native.ret[it->c->nsteps - 1];

    ov->step = it->c->nsteps - 1;
    ov->skip_out = true;
    ov->want.kind = it->c->gen_exact || r < 0 ? SW_EQ : SW_OK;
    ov->want.v = r;
    return 1;
}

static int run_hosted(const struct item *it, bool tfs, struct sc_outcome *o,
                      const struct sc_override *ov, unsigned nov)
{
    struct sc_env env;
    struct proc *p = NULL;
    int rc = world_up(tfs, &env, &p);

    if (rc) {
        snprintf(o->why, sizeof(o->why), "hosted setup failed (%d)", rc);
        o->failed_step = 0;
        return -1;
    }
    uint64_t doubles = sys_double_fetches();
    rc = sc_run_case(&env, it->c, ov, nov, o);
    if (sys_double_fetches() != doubles) {
        snprintf(o->why, sizeof(o->why),
                 "a syscall read a user byte twice (%llu double "
                 "fetches)",
                 (unsigned long long)(sys_double_fetches() - doubles));
        rc = -1;
    }
    int down = world_down(tfs, p);
    if (down) {
        snprintf(o->why, sizeof(o->why),
                 "teardown: vfs_shutdown, the heap check or fsck "
                 "gave %d",
                 down);
        return -1;
    }
    return rc;
}

static void run_item(const struct item *it, bool tfs)
{
    const char *env = tfs ? "tfs" : "memfs";
    struct sc_override ov[SC_MAX_STEPS + 1];
    unsigned nov = 0;
    struct sc_outcome o;

    if (it->c->gen_arg >= 0)
        nov = live_override(it, ov);
    bool pending;
    unsigned ndev = deviations_for(it, env, ov + nov, &pending);
    if (run_hosted(it, tfs, &o, ov, nov) == 0) {
        if (ndev) {
            printf("%s DEVIATION %s on %s: Petrel now gives Linux's answer; remove it from "
                   "deviations.h\n",
                   pending ? "FIXED" : "STALE", it->c->name, env);
            if (pending)
                deviations_fixed++;
            else
                failures++;
        }
        return;
    }
    if (ndev && run_hosted(it, tfs, &o, ov, nov + ndev) == 0) {
        deviations_used++;
        return;
    }
    print_mismatch(it, env, &o);
    failures++;
}

/* A case that calls a syscall Petrel does not implement yet (SYSCALL_NI or no row in
 * syscalls.def) runs natively only; it joins the hosted run once the row is implemented. */
static bool petrel_implements_all(const struct sc_case *c)
{
    for (unsigned k = 0; k < c->nsteps; k++) {
        const struct sys_desc *d = sys_lookup(c->steps[k].nr);
        if (!d || !d->fn)
            return false;
    }
    return true;
}

static int entry(void *arg)
{
    (void)arg;
    for (size_t i = 0; i < nitems; i++) {
        if (!items[i].linux_ok)
            continue;
        if (!petrel_implements_all(items[i].c)) {
            native_only++;
            continue;
        }
        run_item(&items[i], false);
        run_item(&items[i], true);
    }
    return 0;
}

static void add(const struct sc_case *c, const char *filter)
{
    if (filter && !strstr(c->name, filter))
        return;
    items = realloc(items, (nitems + 1) * sizeof(*items));
    items[nitems].c = c;
    nitems++;
}

static void run_native_all(void)
{
    for (size_t i = 0; i < nitems; i++) {
        struct item *it = &items[i];
        int rc = sc_native_run(it->c, &it->native);
        /* a generated case only needs Linux to have run its setup steps */
        it->linux_ok = it->c->gen_arg >= 0 ? it->native.nsteps == it->c->nsteps : rc == 0;
        if (!it->linux_ok) {
            printf("LINUX DISAGREES WITH THE TABLE %s (host kernel %s): %s\n", it->c->name,
                   sc_host_release(), it->native.why);
            failures++;
        }
    }
}

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : NULL;
    struct hosted_config cfg;
    size_t ngen;
    const struct sc_case *gen = sc_gen_cases(&ngen);

    for (const struct sc_case *const *t = sc_tables; *t; t++)
        for (const struct sc_case *c = *t; c->name; c++)
            add(c, filter);
    for (size_t i = 0; i < ngen; i++)
        add(&gen[i], filter);
    run_native_all();
    image = calloc(IMG_BLOCKS, TFS_BLOCK_SIZE);
    memset(&cfg, 0, sizeof(cfg));
    cfg.ram_bytes = 64u << 20;
    cfg.entry = entry;
    int rc = hosted_boot(&cfg);
    printf("sc_hosted: %zu cases x {memfs, tfs}, %d failed, %d passed through deviations.h, "
           "%d deviations fixed (delete them), %d Linux only (a syscall not implemented yet) "
           "(host kernel %s)\n",
           nitems, failures, deviations_used, deviations_fixed, native_only, sc_host_release());
    free(image);
    free(items);
    return rc || failures ? 1 : 0;
}
