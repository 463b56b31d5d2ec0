/*
 * test_petrel_deps.c - unit tests of petrel's dependency resolver (tools/petrel_deps.c) on a
 * fixture tree under a temporary sysroot: DT_RUNPATH with $ORIGIN (the library's own, not
 * inherited from the program), DT_RPATH (the library's, and the executable's applied to every
 * object without DT_RUNPATH), a soname reached through a symlink, a dangling symlink and an
 * ELF for another machine skipped, a text file or a directory stopping the search (as ld.so
 * does), a missing library (reason, name, needer, searched list), an
 * LD_LIBRARY_PATH list and its order, a DT_NEEDED holding a path, ld.so.cache lookups and the
 * cache parser on synthetic "glibc-ld.so.cache1.1" files, and pd_resolve_object's all or
 * nothing. The fixture objects are built by the host's gcc at setup (-nostdlib: no libc in
 * the sysroot). The search rules they check were checked against the host's glibc ld.so on
 * the same tree built with libc: noinherit fails on libpb.so.1, rpath_exe runs, a dangling
 * symlink or an aarch64 ELF in LD_LIBRARY_PATH is passed over, a text file or a directory
 * there stops ld.so with an error (qemu.petrel_run also runs such a tree natively
 * and in the guest).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tools/petrel.h"

static char root[256]; /* the sysroot: image paths below are relative to it */

static int sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    int rc;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    rc = system(cmd);
    if (rc != 0)
        printf("fixture command failed (%d): %s\n", rc, cmd);
    return rc;
}

/* gcc flags shared by every fixture object: no libc, glibc's interpreter path. */
#define CC "gcc -nostdlib -fPIC -Wl,--no-as-needed"
#define EXE "-Wl,-dynamic-linker,/lib64/ld-linux-x86-64.so.2"

static int build_libs(const char *R, const char *T)
{
    return sh("mkdir -p %s/lib64 %s/opt/x/bin %s/opt/lib %s/opt/lib2 %s/opt/broken %s/etc "
              "%s/opt/cached",
              R, R, R, R, R, R, R, R) ||
           sh("printf 'int petrel_b(void) { return 2; }\\n' >%s/b.c && "
              "printf 'int petrel_b(void); int petrel_a(void) { return petrel_b() + 1; }\\n' "
              ">%s/a.c && printf 'int petrel_a(void); void _start(void) { petrel_a(); }\\n' "
              ">%s/main.c",
              T, T, T) ||
           sh(CC " -shared -Wl,-soname,libpb.so.1 -o %s/opt/lib2/libpb.so.1.0 %s/b.c && "
                 "ln -s libpb.so.1.0 %s/opt/lib2/libpb.so.1 && "
                 "cp %s/opt/lib2/libpb.so.1.0 %s/lib64/ld-linux-x86-64.so.2",
              R, T, R, R, R) ||
           /* libpa: DT_RUNPATH $ORIGIN/../lib2; libpc: none; libpd: DT_RPATH $ORIGIN/../lib2 */
           sh(CC " -shared -Wl,-soname,libpa.so -o %s/opt/lib/libpa.so %s/a.c -L%s/opt/lib2 "
                 "-l:libpb.so.1 -Wl,-rpath,'$ORIGIN/../lib2' -Wl,--enable-new-dtags",
              R, T, R) ||
           sh(CC " -shared -Wl,-soname,libpc.so -o %s/opt/lib/libpc.so %s/a.c -L%s/opt/lib2 "
                 "-l:libpb.so.1",
              R, T, R) ||
           sh(CC " -shared -Wl,-soname,libpd.so -o %s/opt/lib/libpd.so %s/a.c -L%s/opt/lib2 "
                 "-l:libpb.so.1 -Wl,-rpath,'$ORIGIN/../lib2' -Wl,--disable-new-dtags",
              R, T, R) ||
           /* libabs: its soname is a path, so DT_NEEDED of what links it is that path */
           sh(CC " -shared -Wl,-soname,/opt/lib/libpa.so -o %s/libabs.so %s/a.c -L%s/opt/lib2 "
                 "-l:libpb.so.1",
              T, T, R);
}

/* Programs: name, library, link options. */
static int build_exe(const char *R, const char *T, const char *name, const char *lib,
                     const char *opts)
{
    return sh(CC " " EXE " -o %s/opt/x/bin/%s %s/main.c %s -Wl,-rpath-link,%s/opt/lib2 %s", R, name,
              T, lib, R, opts);
}

static int setup(void **state)
{
    char T[300], lpa[600], lpc[600], lpd[600], labs[600];

    (void)state;
    if (system("command -v gcc >/dev/null 2>&1") != 0) {
        printf("unit.petrel_deps needs the host's gcc to build its fixture ELF objects\n");
        return -1;
    }
    snprintf(root, sizeof(root), "/tmp/petrel_deps.XXXXXX");
    if (!mkdtemp(root))
        return -1;
    snprintf(T, sizeof(T), "%s/src", root);
    snprintf(lpa, sizeof(lpa), "%s/opt/lib/libpa.so", root);
    snprintf(lpc, sizeof(lpc), "%s/opt/lib/libpc.so", root);
    snprintf(lpd, sizeof(lpd), "%s/opt/lib/libpd.so", root);
    snprintf(labs, sizeof(labs), "%s/libabs.so", T);
    if (sh("mkdir -p %s", T) || build_libs(root, T) ||
        build_exe(root, T, "runpath", lpa,
                  "-Wl,-rpath,'$ORIGIN/../../lib' -Wl,--enable-new-dtags") ||
        build_exe(root, T, "noinherit", lpc,
                  "-Wl,-rpath,'$ORIGIN/../../lib:$ORIGIN/../../lib2' -Wl,--enable-new-dtags") ||
        build_exe(root, T, "rpath_exe", lpc,
                  "-Wl,-rpath,'$ORIGIN/../../lib:$ORIGIN/../../lib2' -Wl,--disable-new-dtags") ||
        build_exe(root, T, "rpath_lib", lpd,
                  "-Wl,-rpath,'$ORIGIN/../../lib' -Wl,--enable-new-dtags") ||
        build_exe(root, T, "bare", lpa, "") || build_exe(root, T, "abs", labs, "") ||
        /* what ld.so skips: a dangling symlink, an ELF for another machine (aarch64); what
         * it stops at: a text file, a directory */
        sh("ln -s libpb.so.1.9 %s/opt/broken/libpb.so.1 && mkdir -p %s/opt/arm %s/opt/junk "
           "%s/opt/dir/libpa.so && cp %s/opt/lib/libpa.so %s/opt/arm/libpa.so && printf '\\267' "
           "| dd of=%s/opt/arm/libpa.so bs=1 seek=18 conv=notrunc 2>/dev/null && "
           "echo junk >%s/opt/junk/libpa.so && "
           "cp %s/opt/lib/libpa.so %s/opt/cached/libpa.so && "
           "cp %s/opt/lib2/libpb.so.1.0 %s/opt/cached/libpb.so.1",
           root, root, root, root, root, root, root, root, root, root, root, root))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (root[0])
        sh("rm -rf %s", root);
    return 0;
}

/* The index of the file at path in r, or -1. */
static int find(const struct pd_result *r, const char *path)
{
    for (size_t i = 0; i < r->nfiles; i++)
        if (strcmp(r->files[i].path, path) == 0)
            return (int)i;
    return -1;
}

static void expect_file(const struct pd_result *r, const char *path, const char *by,
                        const char *name)
{
    int i = find(r, path);

    if (i < 0) {
        for (size_t k = 0; k < r->nfiles; k++)
            printf("  have %s\n", r->files[k].path);
        fail_msg("%s not resolved", path);
    }
    assert_string_equal(r->files[i].needed_by, by);
    assert_string_equal(r->files[i].name, name);
}

static int resolve(const char *program, const char *llp, struct pd_result *r, char *err)
{
    return pd_resolve(root, program, llp, r, err, 512);
}

/* The program's RUNPATH finds libpa; libpa's own RUNPATH ($ORIGIN = /opt/lib) finds libpb,
 * reported at the soname's path (the symlink ld.so opens), not at its target. */
static void test_runpath_origin(void **state)
{
    struct pd_result *r = calloc(1, sizeof(*r));
    char err[512];

    (void)state;
    assert_int_equal(resolve("/opt/x/bin/runpath", NULL, r, err), 0);
    assert_string_equal(r->interp, "/lib64/ld-linux-x86-64.so.2");
    assert_false(r->musl);
    assert_true(r->uses_origin_exe);
    assert_int_equal(r->nfiles, 3);
    assert_string_equal(r->files[0].path, "/lib64/ld-linux-x86-64.so.2");
    assert_null(r->files[0].needed_by);
    expect_file(r, "/opt/lib/libpa.so", "/opt/x/bin/runpath", "libpa.so");
    expect_file(r, "/opt/lib2/libpb.so.1", "/opt/lib/libpa.so", "libpb.so.1");
    assert_int_equal(find(r, "/opt/lib2/libpb.so.1.0"), -1);
    pd_free(r);
    free(r);
}

/* DT_RUNPATH is not inherited: the program's /opt/lib2 does not serve libpc's libpb. */
static void test_runpath_not_inherited(void **state)
{
    struct pd_result *r = calloc(1, sizeof(*r));
    char err[512];

    (void)state;
    assert_int_equal(resolve("/opt/x/bin/noinherit", NULL, r, err), -1);
    assert_string_equal(r->missing, "libpb.so.1");
    assert_string_equal(r->missing_by, "/opt/lib/libpc.so");
    assert_null(strstr(r->searched, "/opt/lib2"));
    pd_free(r);
    free(r);
}

/* The executable's DT_RPATH ($ORIGIN = its own directory) serves libpc's libpb. */
static void test_rpath_exe(void **state)
{
    struct pd_result *r = calloc(1, sizeof(*r));
    char err[512];

    (void)state;
    assert_int_equal(resolve("/opt/x/bin/rpath_exe", NULL, r, err), 0);
    assert_true(r->uses_origin_exe);
    expect_file(r, "/opt/lib/libpc.so", "/opt/x/bin/rpath_exe", "libpc.so");
    expect_file(r, "/opt/lib2/libpb.so.1", "/opt/lib/libpc.so", "libpb.so.1");
    assert_int_equal(r->nfiles, 3);
    pd_free(r);
    free(r);
}

/* A library's own DT_RPATH (old tags), with $ORIGIN its directory. */
static void test_rpath_lib(void **state)
{
    struct pd_result *r = calloc(1, sizeof(*r));
    char err[512];

    (void)state;
    assert_int_equal(resolve("/opt/x/bin/rpath_lib", NULL, r, err), 0);
    expect_file(r, "/opt/lib/libpd.so", "/opt/x/bin/rpath_lib", "libpd.so");
    expect_file(r, "/opt/lib2/libpb.so.1", "/opt/lib/libpd.so", "libpb.so.1");
    pd_free(r);
    free(r);
}

/* No path anywhere: the error names the library, its needer and what was searched. */
static void test_missing(void **state)
{
    struct pd_result *r = calloc(1, sizeof(*r));
    char err[512];

    (void)state;
    assert_int_equal(resolve("/opt/x/bin/bare", NULL, r, err), -1);
    assert_string_equal(r->missing, "libpa.so");
    assert_string_equal(r->missing_by, "/opt/x/bin/bare");
    assert_string_equal(r->searched, "/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib64:"
                                     "/usr/lib64:/lib:/usr/lib");
    assert_string_equal(err, "library libpa.so (needed by /opt/x/bin/bare) not found; searched "
                             "/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib64:"
                             "/usr/lib64:/lib:/usr/lib");
    pd_free(r);
    /* a missing interpreter is its own error */
    assert_int_equal(sh("mv %s/lib64/ld-linux-x86-64.so.2 %s/ldso", root, root), 0);
    assert_int_equal(resolve("/opt/x/bin/runpath", NULL, r, err), -1);
    assert_int_equal(sh("mv %s/ldso %s/lib64/ld-linux-x86-64.so.2", root, root), 0);
    assert_string_equal(err, "interpreter /lib64/ld-linux-x86-64.so.2 (of /opt/x/bin/runpath) "
                             "not found");
    assert_string_equal(r->missing, "/lib64/ld-linux-x86-64.so.2");
    pd_free(r);
    assert_int_equal(resolve("/opt/x/bin/nonesuch", NULL, r, err), -1);
    assert_string_equal(err, "/opt/x/bin/nonesuch: not a readable x86-64 ELF file");
    pd_free(r);
    free(r);
}

/* LD_LIBRARY_PATH: searched in order, a dangling symlink skipped (as the host's ld.so does;
 * it does not skip a non-ELF file, see docs/CAVEATS.md, so that case is not here). */
static void test_ld_library_path(void **state)
{
    struct pd_result *r = calloc(1, sizeof(*r));
    char err[512];

    (void)state;
    assert_int_equal(resolve("/opt/x/bin/bare", "/nowhere:/opt/cached:/opt/lib", r, err), 0);
    expect_file(r, "/opt/cached/libpa.so", "/opt/x/bin/bare", "libpa.so");
    assert_int_equal(find(r, "/opt/lib/libpa.so"), -1);
    pd_free(r);
    assert_int_equal(resolve("/opt/x/bin/bare", "/opt/lib:/opt/cached", r, err), 0);
    expect_file(r, "/opt/lib/libpa.so", "/opt/x/bin/bare", "libpa.so");
    pd_free(r);
    /* a dangling symlink is passed over; LD_LIBRARY_PATH comes before both RUNPATHs */
    assert_int_equal(resolve("/opt/x/bin/runpath", "/opt/broken", r, err), 0);
    expect_file(r, "/opt/lib2/libpb.so.1", "/opt/lib/libpa.so", "libpb.so.1");
    pd_free(r);
    assert_int_equal(resolve("/opt/x/bin/runpath", "/opt/cached", r, err), 0);
    expect_file(r, "/opt/cached/libpa.so", "/opt/x/bin/runpath", "libpa.so");
    expect_file(r, "/opt/cached/libpb.so.1", "/opt/cached/libpa.so", "libpb.so.1");
    assert_int_equal(r->nfiles, 3);
    pd_free(r);
    free(r);
}

/* Candidates ld.so skips (another machine's ELF) and those it stops at (checked natively:
 * "invalid ELF header", "cannot read file data": the program does not start). */
static void test_not_elf(void **state)
{
    struct pd_result *r = calloc(1, sizeof(*r));
    char err[512];

    (void)state;
    assert_int_equal(resolve("/opt/x/bin/bare", "/opt/arm:/opt/lib", r, err), 0);
    expect_file(r, "/opt/lib/libpa.so", "/opt/x/bin/bare", "libpa.so");
    pd_free(r);
    assert_int_equal(resolve("/opt/x/bin/bare", "/opt/junk:/opt/lib", r, err), -1);
    assert_string_equal(err, "library libpa.so (needed by /opt/x/bin/bare): /opt/junk/libpa.so "
                             "is not an ELF file");
    assert_string_equal(r->missing, "libpa.so");
    assert_string_equal(r->missing_by, "/opt/x/bin/bare");
    pd_free(r);
    assert_int_equal(resolve("/opt/x/bin/bare", "/opt/dir:/opt/lib", r, err), -1);
    assert_string_equal(err, "library libpa.so (needed by /opt/x/bin/bare): /opt/dir/libpa.so "
                             "is not an ELF file");
    pd_free(r);
    free(r);
}

/* A DT_NEEDED that is a path is opened as is, inside the sysroot. */
static void test_needed_path(void **state)
{
    struct pd_result *r = calloc(1, sizeof(*r));
    char err[512];

    (void)state;
    assert_int_equal(resolve("/opt/x/bin/abs", NULL, r, err), 0);
    expect_file(r, "/opt/lib/libpa.so", "/opt/x/bin/abs", "/opt/lib/libpa.so");
    expect_file(r, "/opt/lib2/libpb.so.1", "/opt/lib/libpa.so", "libpb.so.1");
    pd_free(r);
    free(r);
}

/* --- ld.so.cache ------------------------------------------------------------------------- */

struct entry {
    int32_t flags;
    const char *key, *value;
};

/* Write a cache file: prefix_old old-format entries first (0: new format alone). */
static void write_cache(const char *path, const struct entry *e, unsigned n, unsigned nold,
                        const char *version, uint32_t claim)
{
    unsigned char buf[4096] = {0};
    size_t at = 0, hdr, str;
    FILE *f;

    if (nold) {
        memcpy(buf, "ld.so-1.7.0", 11);
        memcpy(buf + 12, &nold, 4);
        at = (16 + (size_t)nold * 12 + 7) & ~(size_t)7;
    }
    hdr = at;
    memcpy(buf + hdr, "glibc-ld.so.cache", 17);
    memcpy(buf + hdr + 17, version, 3);
    memcpy(buf + hdr + 20, &claim, 4);
    str = 48 + (size_t)n * 24;
    for (unsigned i = 0; i < n; i++) {
        unsigned char *ent = buf + hdr + 48 + i * 24;
        uint32_t k = (uint32_t)str, v;

        memcpy(ent, &e[i].flags, 4);
        memcpy(buf + hdr + str, e[i].key, strlen(e[i].key) + 1);
        str += strlen(e[i].key) + 1;
        v = (uint32_t)str;
        memcpy(buf + hdr + str, e[i].value, strlen(e[i].value) + 1);
        str += strlen(e[i].value) + 1;
        if (strcmp(e[i].key, "OUT") == 0)
            k = 4000; /* past the end of the file */
        memcpy(ent + 4, &k, 4);
        memcpy(ent + 8, &v, 4);
    }
    assert_non_null(f = fopen(path, "wb"));
    assert_int_equal(fwrite(buf, 1, hdr + str, f), hdr + str);
    fclose(f);
}

struct seen {
    char text[1024];
};

static void collect(const char *soname, const char *path, void *arg)
{
    struct seen *s = arg;
    size_t n = strlen(s->text);

    snprintf(s->text + n, sizeof(s->text) - n, "%s=%s;", soname, path);
}

static const struct entry cache_entries[] = {
    {0x0303, "libpa.so", "/opt/cached/libpa.so"},
    {0x0003, "libi386.so", "/usr/lib32/libi386.so"}, /* libc6, not x86-64: skipped */
    {0x0303, "OUT", "/bad/key"},                     /* key offset out of the file */
    {0x0303, "libpa.so", "/opt/lib/libpa.so"},       /* second match, after the first */
    {0x0303, "libgone.so", "/opt/gone/libgone.so"},
};

static void test_cache_parse(void **state)
{
    char path[512];
    struct seen s = {""};

    (void)state;
    snprintf(path, sizeof(path), "%s/test.cache", root);
    write_cache(path, cache_entries, 5, 0, "1.1", 5);
    assert_int_equal(pd_cache_each(path, collect, &s), 0);
    assert_string_equal(s.text, "libpa.so=/opt/cached/libpa.so;libpa.so=/opt/lib/libpa.so;"
                                "libgone.so=/opt/gone/libgone.so;");
    /* after an old-format table of 3 entries */
    s.text[0] = '\0';
    write_cache(path, cache_entries, 1, 3, "1.1", 1);
    assert_int_equal(pd_cache_each(path, collect, &s), 0);
    assert_string_equal(s.text, "libpa.so=/opt/cached/libpa.so;");
    /* malformed: wrong version, more entries claimed than the file holds, missing file */
    s.text[0] = '\0';
    write_cache(path, cache_entries, 1, 0, "1.0", 1);
    assert_int_equal(pd_cache_each(path, collect, &s), -1);
    write_cache(path, cache_entries, 1, 0, "1.1", 1000);
    assert_int_equal(pd_cache_each(path, collect, &s), -1);
    assert_string_equal(s.text, "");
    snprintf(path, sizeof(path), "%s/no.cache", root);
    assert_int_equal(pd_cache_each(path, collect, &s), -1);
}

/* The sysroot's /etc/ld.so.cache: first match wins, a stale entry falls through. */
static void test_cache_resolve(void **state)
{
    struct pd_result *r = calloc(1, sizeof(*r));
    char path[512], err[512];
    static const struct entry stale[] = {{0x0303, "libpa.so", "/opt/gone/libpa.so"}};

    (void)state;
    snprintf(path, sizeof(path), "%s/etc/ld.so.cache", root);
    write_cache(path, cache_entries, 5, 0, "1.1", 5);
    assert_int_equal(resolve("/opt/x/bin/bare", NULL, r, err), 0);
    expect_file(r, "/opt/cached/libpa.so", "/opt/x/bin/bare", "libpa.so");
    /* libpa's RUNPATH (/opt/lib2) comes before the cache for libpb */
    expect_file(r, "/opt/lib2/libpb.so.1", "/opt/cached/libpa.so", "libpb.so.1");
    pd_free(r);
    write_cache(path, stale, 1, 0, "1.1", 1);
    assert_int_equal(resolve("/opt/x/bin/bare", NULL, r, err), -1);
    assert_string_equal(r->missing, "libpa.so");
    pd_free(r);
    unlink(path);
    free(r);
}

/* Keep only the interpreter of r (a result that has loaded nothing yet). */
static void only_interp(struct pd_result *r)
{
    while (r->nfiles > 1) {
        struct pd_file *f = &r->files[--r->nfiles];

        free(f->path);
        free(f->needed_by);
        free(f->name);
    }
}

/* A dlopened object's closure joins the result, searched from the object; when one of its
 * libraries is missing, nothing of it does. */
static void test_resolve_object(void **state)
{
    struct pd_result *r = calloc(1, sizeof(*r));
    char err[512];

    (void)state;
    assert_int_equal(resolve("/opt/x/bin/runpath", NULL, r, err), 0);
    only_interp(r);
    /* runpath's own RUNPATH finds libpa, libpa's finds libpb */
    assert_int_equal(
        pd_resolve_object(root, "/opt/x/bin/bare", NULL, "/opt/x/bin/runpath", r, err, sizeof(err)),
        0);
    assert_int_equal(r->nfiles, 3);
    expect_file(r, "/opt/lib/libpa.so", "/opt/x/bin/runpath", "libpa.so");
    expect_file(r, "/opt/lib2/libpb.so.1", "/opt/lib/libpa.so", "libpb.so.1");
    /* already there by soname: nothing added */
    assert_int_equal(
        pd_resolve_object(root, "/opt/x/bin/bare", NULL, "/opt/lib/libpc.so", r, err, sizeof(err)),
        0);
    assert_int_equal(r->nfiles, 3);
    /* libpa found, then its libpb missing: libpa is taken back too */
    only_interp(r);
    assert_int_equal(sh("mv %s/opt/lib2/libpb.so.1 %s/pb", root, root), 0);
    assert_int_equal(
        pd_resolve_object(root, "/opt/x/bin/bare", NULL, "/opt/x/bin/runpath", r, err, sizeof(err)),
        -1);
    assert_int_equal(sh("mv %s/pb %s/opt/lib2/libpb.so.1", root, root), 0);
    assert_int_equal(r->nfiles, 1);
    assert_null(r->missing);
    assert_non_null(strstr(err, "library libpb.so.1 (needed by /opt/lib/libpa.so) not found"));
    /* the program's RUNPATH does not serve the object's libraries */
    assert_int_equal(pd_resolve_object(root, "/opt/x/bin/noinherit", NULL, "/opt/lib/libpc.so", r,
                                       err, sizeof(err)),
                     -1);
    assert_int_equal(r->nfiles, 1);
    pd_free(r);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runpath_origin), cmocka_unit_test(test_runpath_not_inherited),
        cmocka_unit_test(test_rpath_exe),      cmocka_unit_test(test_rpath_lib),
        cmocka_unit_test(test_missing),        cmocka_unit_test(test_ld_library_path),
        cmocka_unit_test(test_needed_path),    cmocka_unit_test(test_not_elf),
        cmocka_unit_test(test_cache_parse),    cmocka_unit_test(test_cache_resolve),
        cmocka_unit_test(test_resolve_object),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
