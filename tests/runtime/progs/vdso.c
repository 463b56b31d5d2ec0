/*
 * vdso: the vDSO (docs/time.md "vDSO"), found the way libcs find it: getauxval(AT_SYSINFO_EHDR),
 * then its dynamic symbols (DT_HASH for their count, DT_VERSYM/DT_VERDEF for the version).
 * Each of __vdso_clock_gettime, __vdso_gettimeofday, __vdso_time, __vdso_getcpu and
 * __vdso_clock_getres (version LINUX_2.6) and its unprefixed alias is called and compared with
 * the raw syscall: times between two syscall readings of the same clock, resolutions and error
 * returns equal. Then the same through the libc (which uses the vDSO by itself). With "exec",
 * the program runs itself again through execve (AT_EXECFN) first: the new image has a vDSO too.
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int failures;

#define CHECK(what, cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL %s: %s (line %d)\n", what, #cond, __LINE__);                              \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static long raw2(long nr, long a, long b)
{
    long ret;
    __asm__ __volatile__("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
    return ret;
}

static long raw3(long nr, long a, long b, long c)
{
    long ret;
    __asm__ __volatile__("syscall"
                         : "=a"(ret)
                         : "a"(nr), "D"(a), "S"(b), "d"(c)
                         : "rcx", "r11", "memory");
    return ret;
}

/* --- the dynamic symbols of the image at base ------------------------------------------- */

struct image {
    uintptr_t base, bias;
    const Elf64_Sym *sym;
    const char *str;
    const Elf64_Half *versym;
    const Elf64_Verdef *verdef;
    uint32_t nsym;
};

static int image_open(uintptr_t base, struct image *im)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
    const Elf64_Dyn *dyn = NULL;
    int loads = 0;

    memset(im, 0, sizeof(*im));
    im->base = base;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_type != ET_DYN)
        return -1;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && loads++ == 0)
            im->bias = base + ph[i].p_offset - ph[i].p_vaddr;
        if (ph[i].p_type == PT_DYNAMIC)
            dyn = (const Elf64_Dyn *)(base + ph[i].p_offset);
    }
    if (!dyn || loads != 1)
        return -1;
    for (; dyn->d_tag != DT_NULL; dyn++) {
        uintptr_t p = im->bias + dyn->d_un.d_ptr;
        switch (dyn->d_tag) {
        case DT_SYMTAB: im->sym = (const Elf64_Sym *)p; break;
        case DT_STRTAB: im->str = (const char *)p; break;
        case DT_HASH: im->nsym = ((const uint32_t *)p)[1]; break;
        case DT_VERSYM: im->versym = (const Elf64_Half *)p; break;
        case DT_VERDEF: im->verdef = (const Elf64_Verdef *)p; break;
        }
    }
    return im->sym && im->str && im->nsym && im->versym && im->verdef ? 0 : -1;
}

/* The name of version index ndx. */
static const char *version_name(const struct image *im, unsigned ndx)
{
    const Elf64_Verdef *d = im->verdef;
    for (;;) {
        if ((d->vd_ndx & 0x7fff) == ndx)
            return im->str + ((const Elf64_Verdaux *)((const char *)d + d->vd_aux))->vda_name;
        if (!d->vd_next)
            return "";
        d = (const Elf64_Verdef *)((const char *)d + d->vd_next);
    }
}

static void *lookup(const struct image *im, const char *name, const char *version)
{
    for (uint32_t i = 1; i < im->nsym; i++) {
        const Elf64_Sym *s = &im->sym[i];
        if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || s->st_shndx == SHN_UNDEF)
            continue;
        if (strcmp(im->str + s->st_name, name) == 0 &&
            strcmp(version_name(im, im->versym[i] & 0x7fff), version) == 0)
            return (void *)(im->bias + s->st_value);
    }
    return NULL;
}

/* --- the calls ---------------------------------------------------------------------------- */

typedef long (*gettime_fn)(clockid_t, struct timespec *);
typedef long (*gettimeofday_fn)(struct timeval *, struct timezone *);
typedef long (*time_fn)(time_t *);
typedef long (*getcpu_fn)(unsigned *, unsigned *, void *);

static int64_t ns_of(const struct timespec *t)
{
    return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static const int clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                             CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
                             CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_TAI};
/* Not 16..23: Linux 6.17+ has auxiliary clocks there, whose resolution its vDSO gives even
 * while the syscall says EINVAL (they are off). */
static const int bad_clocks[] = {24, 100, -1, 0x7fffffff};

static void check_gettime(const char *name, gettime_fn fn)
{
    char what[64];
    for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
        struct timespec a, v, b;
        snprintf(what, sizeof(what), "%s(%d)", name, clocks[i]);
        CHECK(what, raw2(SYS_clock_gettime, clocks[i], (long)&a) == 0);
        CHECK(what, fn(clocks[i], &v) == 0);
        CHECK(what, raw2(SYS_clock_gettime, clocks[i], (long)&b) == 0);
        CHECK(what, v.tv_nsec >= 0 && v.tv_nsec < 1000000000);
        CHECK(what, ns_of(&a) <= ns_of(&v) && ns_of(&v) <= ns_of(&b));
    }
    for (size_t i = 0; i < sizeof(bad_clocks) / sizeof(bad_clocks[0]); i++) {
        struct timespec v;
        snprintf(what, sizeof(what), "%s(%d)", name, bad_clocks[i]);
        CHECK(what, fn(bad_clocks[i], &v) == raw2(SYS_clock_gettime, bad_clocks[i], (long)&v));
    }
    printf("%s: %zu clocks between two syscalls, %zu bad ids as the syscall\n", name,
           sizeof(clocks) / sizeof(clocks[0]), sizeof(bad_clocks) / sizeof(bad_clocks[0]));
}

static void check_getres(const char *name, gettime_fn fn)
{
    char what[64];
    for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
        struct timespec v = {-1, -1}, s = {-2, -2};
        snprintf(what, sizeof(what), "%s(%d)", name, clocks[i]);
        CHECK(what, fn(clocks[i], &v) == raw2(SYS_clock_getres, clocks[i], (long)&s));
        CHECK(what, v.tv_sec == s.tv_sec && v.tv_nsec == s.tv_nsec);
        CHECK(what, fn(clocks[i], NULL) == 0);
    }
    for (size_t i = 0; i < sizeof(bad_clocks) / sizeof(bad_clocks[0]); i++) {
        struct timespec v;
        snprintf(what, sizeof(what), "%s(%d)", name, bad_clocks[i]);
        CHECK(what, fn(bad_clocks[i], &v) == raw2(SYS_clock_getres, bad_clocks[i], (long)&v));
    }
    printf("%s: resolutions and errors as the syscall\n", name);
}

static int64_t us_of(const struct timeval *t)
{
    return (int64_t)t->tv_sec * 1000000 + t->tv_usec;
}

static void check_gettimeofday(const char *name, gettimeofday_fn fn)
{
    struct timeval a, v, b;
    struct timezone tz = {-1, -1}, stz = {-2, -2};

    CHECK(name, raw2(SYS_gettimeofday, (long)&a, 0) == 0);
    CHECK(name, fn(&v, &tz) == 0);
    CHECK(name, raw2(SYS_gettimeofday, (long)&b, (long)&stz) == 0);
    CHECK(name, us_of(&a) <= us_of(&v) && us_of(&v) <= us_of(&b));
    CHECK(name, v.tv_usec >= 0 && v.tv_usec < 1000000);
    CHECK(name, tz.tz_minuteswest == stz.tz_minuteswest && tz.tz_dsttime == stz.tz_dsttime);
    CHECK(name, fn(NULL, NULL) == 0);
    printf("%s: between two syscalls, same time zone\n", name);
}

static void check_time(const char *name, time_fn fn)
{
    time_t a = raw2(SYS_time, 0, 0), t = 0, v = fn(&t), b = raw2(SYS_time, 0, 0);

    CHECK(name, a <= v && v <= b && t == v);
    CHECK(name, fn(NULL) >= v);
    printf("%s: between two syscalls, stored too\n", name);
}

static void check_getcpu(const char *name, getcpu_fn fn)
{
    unsigned cpu = ~0u, node = ~0u, scpu = ~0u, snode = ~0u;
    long n = sysconf(_SC_NPROCESSORS_CONF);

    CHECK(name, fn(&cpu, &node, NULL) == 0);
    CHECK(name, raw3(SYS_getcpu, (long)&scpu, (long)&snode, 0) == 0);
    CHECK(name, cpu < (unsigned)n && scpu < (unsigned)n && node == snode);
    CHECK(name, fn(NULL, NULL, NULL) == 0);
    printf("%s: a CPU of this machine, the syscall's node\n", name);
}

static void check_vdso(void)
{
    struct image im;
    uintptr_t base = getauxval(AT_SYSINFO_EHDR);
    static const char *const names[] = {"clock_gettime", "gettimeofday", "time", "getcpu",
                                        "clock_getres"};
    void *fn[2][5];

    printf("AT_SYSINFO_EHDR: %s\n", base ? "present" : "absent");
    if (!base || image_open(base, &im)) {
        printf("FAIL: no vDSO image to parse\n");
        failures++;
        return;
    }
    CHECK("page aligned", base % 4096 == 0);
    for (int i = 0; i < 5; i++) {
        char prefixed[64];
        snprintf(prefixed, sizeof(prefixed), "__vdso_%s", names[i]);
        fn[0][i] = lookup(&im, prefixed, "LINUX_2.6");
        fn[1][i] = lookup(&im, names[i], "LINUX_2.6");
        printf("%s@LINUX_2.6: %s, %s: %s\n", prefixed, fn[0][i] ? "found" : "missing", names[i],
               fn[1][i] ? "found" : "missing");
        if (!fn[0][i] || !fn[1][i])
            failures++;
    }
    for (int k = 0; k < 2 && !failures; k++) {
        const char *tag = k ? "alias" : "__vdso";
        char n[5][40];
        for (int i = 0; i < 5; i++)
            snprintf(n[i], sizeof(n[i]), "%s %s", tag, names[i]);
        check_gettime(n[0], (gettime_fn)fn[k][0]);
        check_gettimeofday(n[1], (gettimeofday_fn)fn[k][1]);
        check_time(n[2], (time_fn)fn[k][2]);
        check_getcpu(n[3], (getcpu_fn)fn[k][3]);
        check_getres(n[4], (gettime_fn)fn[k][4]);
    }
}

static long libc_gettime(clockid_t c, struct timespec *t)
{
    return clock_gettime(c, t) ? -1 : 0;
}

/* The libc's own calls (glibc and musl use the vDSO for them when there is one). */
static void check_libc(void)
{
    struct timeval a, v;
    char what[64];

    for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
        struct timespec x, y, z;
        snprintf(what, sizeof(what), "libc clock_gettime(%d)", clocks[i]);
        CHECK(what, raw2(SYS_clock_gettime, clocks[i], (long)&x) == 0);
        CHECK(what, libc_gettime(clocks[i], &y) == 0);
        CHECK(what, raw2(SYS_clock_gettime, clocks[i], (long)&z) == 0);
        CHECK(what, ns_of(&x) <= ns_of(&y) && ns_of(&y) <= ns_of(&z));
    }
    CHECK("libc gettimeofday", raw2(SYS_gettimeofday, (long)&a, 0) == 0);
    CHECK("libc gettimeofday", gettimeofday(&v, NULL) == 0 && us_of(&a) <= us_of(&v));
    CHECK("libc time", time(NULL) >= a.tv_sec);
    printf("libc: clock_gettime, gettimeofday and time agree with the syscalls\n");
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exec") == 0) {
        char *args[] = {argv[0], "after-exec", NULL};
        fflush(stdout);
        execv((const char *)getauxval(AT_EXECFN), args);
        printf("FAIL: execv: %m\n");
        return 1;
    }
    if (argc > 1)
        printf("%s\n", argv[1]);
    check_vdso();
    check_libc();
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
