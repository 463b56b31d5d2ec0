/*
 * test_vdso.c - the vDSO (core/vdso, docs/time.md "vDSO") in hosted mode, where user code is C:
 * a real static-PIE program is exec'd (its code never runs hosted), then the case looks at
 * what the new program would see: AT_SYSINFO_EHDR, the image's ELF (symbols, versions, no
 * relocations), the data page one page below it, /proc/self/maps, and the vDSO's clock
 * functions (core/vdso/vclock.h, the same C the image runs) over the mapped data page with the
 * hosted counter, compared with the syscalls: with the virtual clock standing still between
 * the two, every answer must be equal, not merely ordered. vclock's retry on a concurrent
 * rewrite and its TSC arithmetic are checked on a synthetic page. The legacy vsyscall page's
 * emulation (core/signal/vsyscall.c) is driven as the HAL drives it, by instruction fetch
 * faults at its entries.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>

#include "st.h"

#include "core/mm/uaccess.h"
#include "core/proc/procinfo.h"
#include "core/signal/vsyscall.h"
#include "core/proc/stack.h"
#include "core/vdso/vclock.h"
#include "core/vdso/vdso.h"
#include "fs/vfs/memfs.h"
#include "hal_hosted/hosted.h"

#define NR_execve 59
#define NR_clock_gettime 228
#define NR_clock_getres 229
#define NR_gettimeofday 96
#define NR_time 201
#define NR_getcpu 309
#define NR_mprotect 10
#define NR_munmap 11
#define NR_open 2
#define NR_read 0
#define NR_close 3
#define NR_nanosleep 35

static uint8_t *prog;
static size_t prog_size;

static void read_prog(void)
{
    FILE *f = fopen(SYS_BIN_DIR "/glibc-static-pie", "rb");
    long n;

    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    prog = malloc((size_t)n);
    if (prog && fread(prog, 1, (size_t)n, f) == (size_t)n)
        prog_size = (size_t)n;
    fclose(f);
}

static int put_file(const char *path, const void *data, size_t n, uint32_t mode)
{
    struct vfs_file *f;
    int rc = vfs_openat(NULL, path, VFS_O_WRONLY | VFS_O_CREAT | VFS_O_TRUNC, mode, &f);

    if (rc)
        return rc;
    if (vfs_write(f, data, n) != (long)n)
        rc = -EIO;
    vfs_file_put(f);
    return rc;
}

static uint64_t auxv_get(uint64_t auxv, uint64_t type)
{
    uint64_t pair[2];

    for (int i = 0; i < 64; i++, auxv += 16) {
        if (copy_from_user(pair, uptr_make(auxv), 16) || pair[0] == AT_NULL)
            return 0;
        if (pair[0] == type)
            return pair[1];
    }
    return 0;
}

/* exec /prog (argv { "prog" }, no envp) through the HAL's entry; the new program's
 * AT_SYSINFO_EHDR, or 0. The new space has no st_buf: *buf is a fresh RW page there. */
static uint64_t exec_prog(uint64_t *buf)
{
    struct hal_uregs r = {0};
    uint64_t vec[2] = {st_buf + 64, 0};

    if (put_file("/prog", prog, prog_size, 0755))
        return 0;
    st_str(st_buf, "/prog");
    st_str(st_buf + 64, "prog");
    st_put(st_buf + 128, vec, sizeof(vec));
    r.rax = NR_execve, r.rdi = st_buf, r.rsi = st_buf + 128, r.rdx = 0;
    kernel_syscall(&r);
    if (r.rax != 0)
        return 0;
    *buf = (uint64_t)SC(9 /* mmap */, 0, 65536, 3, 0x22, (uint64_t)-1, 0);
    return auxv_get(st_proc->auxv_addr, AT_SYSINFO_EHDR);
}

#define NEED_PROG()                                                                                \
    do {                                                                                           \
        if (!prog_size) {                                                                          \
            print_message("glibc static-pie not built: skipped\n");                                \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* --- the image's ELF ------------------------------------------------------------------------ */

struct dynsyms {
    const Elf64_Sym *sym;
    const char *str;
    const Elf64_Half *versym;
    const Elf64_Verdef *verdef;
    uint32_t n;
    bool relocs;
};

/* The dynamic section of the image copy img (linked at 0). */
static bool parse_dynamic(const uint8_t *img, size_t size, struct dynsyms *d)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff);
    const Elf64_Dyn *dyn = NULL;

    memset(d, 0, sizeof(*d));
    if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_type != ET_DYN ||
        eh->e_machine != EM_X86_64)
        return false;
    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_DYNAMIC)
            dyn = (const Elf64_Dyn *)(img + ph[i].p_offset);
        else if (ph[i].p_type == PT_LOAD && (ph[i].p_vaddr != 0 || ph[i].p_offset != 0 ||
                                             ph[i].p_memsz != ph[i].p_filesz || (ph[i].p_flags & PF_W)))
            return false; /* one read+exec segment from 0, no bss, no data */
    for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
        const uint8_t *p = img + dyn->d_un.d_ptr;

        if (dyn->d_tag == DT_SYMTAB)
            d->sym = (const Elf64_Sym *)p;
        else if (dyn->d_tag == DT_STRTAB)
            d->str = (const char *)p;
        else if (dyn->d_tag == DT_HASH)
            d->n = ((const uint32_t *)p)[1];
        else if (dyn->d_tag == DT_VERSYM)
            d->versym = (const Elf64_Half *)p;
        else if (dyn->d_tag == DT_VERDEF)
            d->verdef = (const Elf64_Verdef *)p;
        else if (dyn->d_tag == DT_RELA || dyn->d_tag == DT_REL || dyn->d_tag == DT_JMPREL ||
                 dyn->d_tag == DT_TEXTREL)
            d->relocs = true;
    }
    return d->sym && d->str && d->n && d->versym && d->verdef;
}

static const char *version_of(const struct dynsyms *d, unsigned ndx)
{
    const Elf64_Verdef *v = d->verdef;

    for (;;) {
        if (v->vd_ndx == ndx)
            return d->str + ((const Elf64_Verdaux *)((const char *)v + v->vd_aux))->vda_name;
        if (!v->vd_next)
            return "";
        v = (const Elf64_Verdef *)((const char *)v + v->vd_next);
    }
}

/* The value of function name@LINUX_2.6, or 0. */
static uint64_t sym_value(const struct dynsyms *d, const char *name)
{
    for (uint32_t i = 1; i < d->n; i++)
        if (ELF64_ST_TYPE(d->sym[i].st_info) == STT_FUNC && d->sym[i].st_shndx != SHN_UNDEF &&
            strcmp(d->str + d->sym[i].st_name, name) == 0 &&
            strcmp(version_of(d, d->versym[i] & 0x7fff), "LINUX_2.6") == 0)
            return d->sym[i].st_value;
    return 0;
}

ST_CASE(vdso_image_symbols)
{
    static const char *const names[] = {"clock_gettime", "gettimeofday", "time", "getcpu",
                                        "clock_getres"};
    struct dynsyms d;
    uint8_t *img = malloc(vdso_image_size);
    uint64_t ehdr, buf;

    NEED_PROG();
    ST_CHECK(img);
    ehdr = exec_prog(&buf);
    ST_CHECK(ehdr && ehdr % 4096 == 0);
    ST_EQ(copy_from_user(img, uptr_make(ehdr), vdso_image_size), 0);
    ST_CHECK(memcmp(img, vdso_image, vdso_image_size) == 0); /* the mapping shows the image */
    ST_CHECK(parse_dynamic(img, vdso_image_size, &d));
    ST_CHECK(!d.relocs); /* nothing would relocate it */
    for (int i = 0; i < 5; i++) {
        char prefixed[40];
        uint64_t v;

        snprintf(prefixed, sizeof(prefixed), "__vdso_%s", names[i]);
        v = sym_value(&d, prefixed);
        ST_CHECK(v != 0 && v < vdso_image_size);
        ST_EQ(sym_value(&d, names[i]), v); /* the weak alias is the same function */
    }
    free(img);
}

/* --- the data page and the clock functions ----------------------------------------------- */

static const volatile struct vdso_data *mapped_vvar(uint64_t ehdr)
{
    struct vdso_data copy;

    /* fault the page in (the arena shows only mapped pages), then read it in place */
    if (copy_from_user(&copy, uptr_make(ehdr - VDSO_VVAR_SIZE), sizeof(copy)))
        return NULL;
    return (const volatile struct vdso_data *)(uintptr_t)(ehdr - VDSO_VVAR_SIZE);
}

/* Every clock id the vDSO answers gives the syscall's answer; the others are left to it. */
static void compare_clocks(const volatile struct vdso_data *d, uint64_t buf)
{
    for (int id = -12; id < 24; id++) {
        struct linux_timespec v = {-1, -1}, s = {-2, -2};
        bool coarse;
        int rc = vclock_gettime(d, HAL_UCLOCK_HOSTED, hal_uclock_counter, id, &v);
        long sys = SC(NR_clock_gettime, (uint64_t)id, buf);

        if (vclock_base_of(id, &coarse) == VCLOCK_NONE) {
            ST_EQ(rc, VCLOCK_SYSCALL);
        } else {
            ST_EQ(rc, 0);
            ST_EQ(sys, 0);
            st_get(&s, buf, sizeof(s));
            ST_EQ(v.tv_sec, s.tv_sec);
            ST_EQ(v.tv_nsec, s.tv_nsec);
        }
        rc = vclock_getres(d, id, &v);
        sys = SC(NR_clock_getres, (uint64_t)id, buf);
        ST_EQ(rc == 0, vclock_base_of(id, &coarse) != VCLOCK_NONE);
        if (rc == 0) {
            ST_EQ(sys, 0);
            st_get(&s, buf, sizeof(s));
            ST_EQ(v.tv_sec, s.tv_sec);
            ST_EQ(v.tv_nsec, s.tv_nsec);
        }
    }
}

static void compare_others(const volatile struct vdso_data *d, uint64_t buf)
{
    struct linux_timeval tv, stv;
    struct linux_timezone tz = {-1, -1}, stz;
    int64_t t = 0, now = 0;
    uint32_t cpu = 7, node = 7, scpu, snode;

    ST_EQ(vclock_gettimeofday(d, HAL_UCLOCK_HOSTED, hal_uclock_counter, &tv, &tz), 0);
    ST_EQ(SC(NR_gettimeofday, buf, buf + 16), 0);
    st_get(&stv, buf, sizeof(stv));
    st_get(&stz, buf + 16, sizeof(stz));
    ST_CHECK(tv.tv_sec == stv.tv_sec && tv.tv_usec == stv.tv_usec);
    ST_CHECK(tz.tz_minuteswest == stz.tz_minuteswest && tz.tz_dsttime == stz.tz_dsttime);
    ST_EQ(vclock_time(d, HAL_UCLOCK_HOSTED, hal_uclock_counter, &t, &now), 0);
    ST_EQ(now, SC(NR_time, 0));
    ST_EQ(t, now);
    ST_EQ(vclock_getcpu(d, &cpu, &node), 0); /* one CPU */
    ST_EQ(SC(NR_getcpu, buf, buf + 4, 0), 0);
    st_get(&scpu, buf, 4);
    st_get(&snode, buf + 4, 4);
    ST_CHECK(cpu == scpu && node == snode);
}

ST_CASE(vdso_clocks_equal_syscalls)
{
    const volatile struct vdso_data *d;
    uint64_t ehdr, buf;
    struct linux_timespec ts = {1, 500000000};

    NEED_PROG();
    ehdr = exec_prog(&buf);
    ST_CHECK(ehdr);
    d = mapped_vvar(ehdr);
    ST_CHECK(d && d == (const volatile void *)(uintptr_t)(ehdr - 4096));
    ST_EQ(d->clock.mode, HAL_UCLOCK_HOSTED);
    ST_EQ(d->tick_ns, 4000000);
    /* the page reads as the kernel's own copy */
    ST_CHECK(memcmp((const void *)(uintptr_t)(ehdr - 4096), vdso_data(), sizeof(*d)) == 0);
    compare_clocks(d, buf);
    compare_others(d, buf);
    /* 1.5 s later (a sleep moves the virtual clock), still equal */
    st_put(buf, &ts, sizeof(ts));
    ST_EQ(SC(NR_nanosleep, buf, 0), 0);
    compare_clocks(d, buf);
    compare_others(d, buf);
    /* A counter kind other than the caller's: the syscall answers (as the image, which reads
     * the TSC, does on a hosted page) */
    ST_EQ(vclock_gettime(d, HAL_UCLOCK_TSC, hal_uclock_counter, 1, &ts), VCLOCK_SYSCALL);
}

/* /proc/self/maps names them as Linux: [vvar] r--p right below [vdso] r-xp. */
ST_CASE(vdso_maps_and_protection)
{
    char maps[4096], want[128];
    uint64_t ehdr, buf;
    long n, fd;

    NEED_PROG();
    ehdr = exec_prog(&buf);
    ST_CHECK(ehdr);
    ST_EQ(vfs_mkdirat(NULL, "/proc", 0555), 0);
    ST_EQ(procinfo_mount(), 0);
    fd = SC(NR_open, st_str(buf, "/proc/self/maps"), 0, 0);
    ST_CHECK(fd >= 0);
    n = SC(NR_read, (uint64_t)fd, buf, sizeof(maps) - 1);
    ST_CHECK(n > 0);
    st_get(maps, buf, (size_t)n);
    maps[n] = '\0';
    SC(NR_close, (uint64_t)fd);
    snprintf(want, sizeof(want), "%08llx-%08llx r--p 00000000 00:00 0",
             (unsigned long long)(ehdr - 4096), (unsigned long long)ehdr);
    ST_CHECK(strstr(maps, want) && strstr(strstr(maps, want), "[vvar]\n"));
    snprintf(want, sizeof(want), "%08llx-%08llx r-xp 00000000 00:00 0",
             (unsigned long long)ehdr, (unsigned long long)ehdr + 4096);
    ST_CHECK(strstr(maps, want) && strstr(strstr(maps, want), "[vdso]\n"));
    /* the data page never becomes writable (EACCES, as Linux's); msync over both is 0 (as
     * Linux: nothing to write back); both may be unmapped */
    ST_EQ(SC(NR_mprotect, ehdr - 4096, 4096, 3), -EACCES);
    ST_EQ(SC(26 /* msync */, ehdr - 4096, 8192, 4 /* MS_SYNC */), 0);
    ST_EQ(SC(NR_munmap, ehdr - 4096, 8192), 0);
}

/* madvise over [vvar] and [vdso] answers as Linux 6.18 does on the host (each advice over the
 * whole mapping, tests/runtime/progs/vdso.c compares them natively): the data page (Linux's
 * VM_PFNMAP|VM_IO) refuses every advice that wants its pages and DOFORK, both refuse DODUMP,
 * the rest are accepted; mlock leaves them unlocked (DONTNEED still works on [vdso]), and
 * the data page reads the same after the refused calls. */
ST_CASE(vdso_madvise_as_linux)
{
    static const int vvar_einval[] = {4 /* DONTNEED */, 8 /* FREE */, 9 /* REMOVE */,
                                      11 /* DOFORK */, 17 /* DODUMP */, 20 /* COLD */,
                                      21 /* PAGEOUT */, 22 /* POPULATE_READ */,
                                      23 /* POPULATE_WRITE */, 24 /* DONTNEED_LOCKED */};
    static const int vvar_ok[] = {0, 1, 2, 3, 10, 12, 13, 14, 15, 16, 18, 19};
    static const int vdso_einval[] = {8, 9, 17, 23};
    static const int vdso_ok[] = {0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 22, 24};
    struct vdso_data seen;
    uint64_t ehdr, buf, vvar_at;

    NEED_PROG();
    ehdr = exec_prog(&buf);
    ST_CHECK(ehdr);
    vvar_at = ehdr - 4096;
    for (unsigned i = 0; i < sizeof(vvar_einval) / sizeof(vvar_einval[0]); i++)
        ST_EQ(SC(28 /* madvise */, vvar_at, 4096, (uint64_t)vvar_einval[i]), -EINVAL);
    for (unsigned i = 0; i < sizeof(vvar_ok) / sizeof(vvar_ok[0]); i++)
        ST_EQ(SC(28, vvar_at, 4096, (uint64_t)vvar_ok[i]), 0);
    for (unsigned i = 0; i < sizeof(vdso_einval) / sizeof(vdso_einval[0]); i++)
        ST_EQ(SC(28, ehdr, 4096, (uint64_t)vdso_einval[i]), -EINVAL);
    for (unsigned i = 0; i < sizeof(vdso_ok) / sizeof(vdso_ok[0]); i++)
        ST_EQ(SC(28, ehdr, 4096, (uint64_t)vdso_ok[i]), 0);
    ST_EQ(SC(28, vvar_at, 4096, 25 /* COLLAPSE: unknown here, as on the host's vvar */), -EINVAL);
    ST_EQ(SC(NR_mprotect, vvar_at, 4096, 5 /* READ|EXEC */), -EACCES);
    ST_EQ(SC(149 /* mlock */, vvar_at, 8192), 0);
    ST_EQ(SC(28, ehdr, 4096, 4 /* DONTNEED: not locked */), 0);
    st_get(&seen, vvar_at, sizeof(seen)); /* still the kernel's page: nothing dropped it */
    ST_CHECK(seen.tick_ns != 0 && seen.tick_ns == vdso_data()->tick_ns);
    ST_EQ(seen.ncpus, vdso_data()->ncpus);
    ST_EQ(SC(NR_munmap, vvar_at, 8192), 0);
}

/* --- vclock.h alone, on a page the test writes ------------------------------------------- */

static struct vdso_data fake;
static uint64_t fake_tsc;
static int rewrites;

/* The counter read in the middle of a rewrite: the first read sees the old parameters with
 * an odd count (the writer is at work), so the reader must take the new ones. */
static uint64_t counter_racing(void)
{
    if (rewrites++ == 0) {
        fake.clock.seq++; /* odd: being rewritten */
        fake.clock.ns_base = 5000000000ULL;
        fake.clock.cycle_base = 1000;
        fake.clock.seq++;
    }
    return fake_tsc;
}

static uint64_t counter_fixed(void)
{
    return fake_tsc;
}

ST_CASE(vclock_arithmetic_and_retry)
{
    struct linux_timespec ts;
    bool coarse;

    fake = (struct vdso_data){.ncpus = 2, .tick_ns = 4000000};
    /* a 3 GHz TSC: mult = 2^32 / 3 ns per tick, 1000 s of wall offset */
    fake.clock = (struct hal_uclock){.mode = HAL_UCLOCK_TSC,
                                     .cycle_base = 1000,
                                     .ns_base = 7,
                                     .mult = (1000000000ULL << 32) / 3000000000ULL,
                                     .wall_offset = 1000000000000ULL};
    fake_tsc = 1000 + 3000000000ULL; /* one second of ticks later */
    ST_EQ(vclock_gettime(&fake, HAL_UCLOCK_TSC, counter_fixed, 1, &ts), 0);
    /* mult truncates 1/3 ns: 3e9 ticks are 999999999.77 ns, so 999999999, + 7 */
    ST_EQ(hal_uclock_ns(1000, 0, fake.clock.mult, fake_tsc), 999999999);
    ST_EQ(ts.tv_sec, 1);
    ST_EQ(ts.tv_nsec, 6);
    ST_EQ(vclock_gettime(&fake, HAL_UCLOCK_TSC, counter_fixed, 0, &ts), 0);
    ST_EQ(ts.tv_sec, 1001);
    /* a counter behind the base (read before a rebase): the base, never earlier */
    fake_tsc = 10;
    ST_EQ(vclock_gettime(&fake, HAL_UCLOCK_TSC, counter_fixed, 7, &ts), 0);
    ST_CHECK(ts.tv_sec == 0 && ts.tv_nsec == 7);
    /* a rewrite during the read: the reader retries and uses the new parameters */
    fake_tsc = 1000 + 3;
    rewrites = 0;
    ST_EQ(vclock_gettime(&fake, HAL_UCLOCK_TSC, counter_racing, 1, &ts), 0);
    ST_EQ(rewrites, 2);
    ST_EQ(ts.tv_sec, 5);
    ST_EQ(ts.tv_nsec, 0); /* 3 ticks of 1/3 ns truncate to 0 */
    /* what the page cannot answer */
    ST_EQ(vclock_getcpu(&fake, NULL, NULL), VCLOCK_SYSCALL); /* two CPUs */
    fake.clock.mode = HAL_UCLOCK_NONE;
    ST_EQ(vclock_gettime(&fake, HAL_UCLOCK_NONE, counter_fixed, 1, &ts), VCLOCK_SYSCALL);
    ST_EQ(vclock_time(&fake, HAL_UCLOCK_TSC, counter_fixed, NULL, &ts.tv_sec), VCLOCK_SYSCALL);
    ST_EQ(vclock_gettimeofday(&fake, HAL_UCLOCK_TSC, counter_fixed, NULL, NULL), 0);
    ST_EQ(vclock_getres(&fake, LINUX_CLOCK_MONOTONIC_COARSE, &ts), 0);
    ST_EQ(ts.tv_nsec, 4000000);
    ST_EQ(vclock_base_of(LINUX_CLOCK_PROCESS_CPUTIME_ID, &coarse), VCLOCK_NONE);
}

/* --- the legacy vsyscall page (core/signal/vsyscall.c) -------------------------------------- */

/* A call of entry off of the page as the HAL reports it: an instruction fetch fault at the
 * entry with rip there, the return address on the user stack at sp. */
static void vcall(struct hal_uregs *r, uint64_t off, uint64_t sp, uint64_t rdi, uint64_t rsi)
{
    uint64_t ret = 0x5150;

    memset(r, 0, sizeof(*r));
    st_put(sp, &ret, 8);
    r->rip = VSYSCALL_ADDR + off;
    r->rsp = sp;
    r->rdi = rdi;
    r->rsi = rsi;
    r->rax = 0xdead;
    kernel_user_fault(r, HAL_FAULT_PAGE_EXEC, r->rip);
}

/* The SIGSEGV the last call queued: its si_code and si_addr (a handler is installed). */
static int segv_taken(int32_t *code, uint64_t *addr)
{
    uint64_t set = 1ULL << (LINUX_SIGSEGV - 1), zero[2] = {0, 0};
    struct linux_siginfo si;
    long sig = SC(128 /* rt_sigtimedwait */, st_put(st_buf + 512, &set, 8), st_buf + 1024,
                  st_put(st_buf + 768, zero, 16), 8);

    st_get(&si, st_buf + 1024, sizeof(si));
    *code = si.si_code;
    *addr = si.u.fault.addr;
    return (int)sig;
}

ST_CASE(vsyscall_calls_emulated)
{
    struct hal_uregs r;
    struct linux_timeval tv;
    struct linux_timezone tz;
    uint64_t stack = st_buf + 8192, t;
    uint32_t cpu = 9, node = 9;

    hosted_clock_advance(1234567891ULL);
    vcall(&r, 0, stack, st_buf, st_buf + 16); /* gettimeofday(tv, tz) */
    ST_EQ(r.rax, 0);
    ST_EQ(r.rip, 0x5150); /* returned to the caller */
    ST_EQ(r.rsp, stack + 8);
    st_get(&tv, st_buf, sizeof(tv));
    st_get(&tz, st_buf + 16, sizeof(tz));
    ST_EQ((uint64_t)tv.tv_sec * 1000000000ULL + (uint64_t)tv.tv_usec * 1000,
          hal_wallclock_ns() / 1000 * 1000);
    ST_CHECK(tz.tz_minuteswest == 0 && tz.tz_dsttime == 0);
    vcall(&r, 0x400, stack, st_buf + 32, 0); /* time(&t) */
    st_get(&t, st_buf + 32, 8);
    ST_EQ(r.rax, hal_wallclock_ns() / 1000000000ULL);
    ST_EQ(t, r.rax);
    vcall(&r, 0x400, stack, 0, 0); /* time(NULL) */
    ST_EQ(r.rax, hal_wallclock_ns() / 1000000000ULL);
    st_put(st_buf + 40, &cpu, 4);
    st_put(st_buf + 44, &node, 4);
    vcall(&r, 0x800, stack, st_buf + 40, st_buf + 44); /* getcpu(&cpu, &node, NULL) */
    ST_EQ(r.rax, 0);
    st_get(&cpu, st_buf + 40, 4);
    st_get(&node, st_buf + 44, 4);
    ST_CHECK(cpu == 0 && node == 0);
    ST_EQ(r.rip, 0x5150);
}

/* What Linux's vsyscall=xonly answers with SIGSEGV (checked natively by
 * tests/runtime/progs/vsyscall.c): reads, other offsets, bad pointers, a bad stack. */
ST_CASE(vsyscall_faults_as_linux)
{
    uint64_t act[4] = {0x4000, 0, 0, 0}, addr, stack = st_buf + 8192;
    struct hal_uregs r;
    int32_t code;

    ST_EQ(SC(NR_rt_sigaction, LINUX_SIGSEGV, st_put(st_buf + 256, act, 32), 0, 8), 0);
    memset(&r, 0, sizeof(r));
    r.rip = 0x400000;
    kernel_user_fault(&r, HAL_FAULT_PAGE_READ, VSYSCALL_ADDR); /* a read: no mapping */
    ST_EQ(segv_taken(&code, &addr), LINUX_SIGSEGV);
    ST_CHECK(code == LINUX_SEGV_MAPERR && addr == VSYSCALL_ADDR);
    vcall(&r, 0x100, stack, 0, 0); /* not an entry */
    ST_EQ(segv_taken(&code, &addr), LINUX_SIGSEGV);
    ST_CHECK(code == LINUX_SI_KERNEL && addr == 0);
    ST_EQ(r.rip, VSYSCALL_ADDR + 0x100); /* the signal is taken at the page */
    vcall(&r, 0xc00, stack, 0, 0); /* the fourth slot is no entry either */
    ST_EQ(segv_taken(&code, &addr), LINUX_SIGSEGV);
    ST_EQ(code, LINUX_SI_KERNEL);
    vcall(&r, 0x400, stack, 8, 0); /* time(unmapped): the syscall's EFAULT */
    ST_EQ(segv_taken(&code, &addr), LINUX_SIGSEGV);
    ST_CHECK(code == LINUX_SI_KERNEL && addr == 0);
    ST_EQ(r.rip, VSYSCALL_ADDR + 0x400);
    vcall(&r, 0, stack, ST_KERNEL_PTR, 0); /* gettimeofday(kernel pointer) */
    ST_EQ(segv_taken(&code, &addr), LINUX_SIGSEGV);
    ST_CHECK(code == LINUX_SEGV_MAPERR && addr == ST_KERNEL_PTR);
    vcall(&r, 0x800, stack, st_buf, 16); /* getcpu(cpu, unmapped node) */
    ST_EQ(segv_taken(&code, &addr), LINUX_SIGSEGV);
    ST_EQ(code, LINUX_SI_KERNEL);
    memset(&r, 0, sizeof(r)); /* no stack to return through */
    r.rip = VSYSCALL_ADDR;
    r.rsp = st_hole;
    kernel_user_fault(&r, HAL_FAULT_PAGE_EXEC, VSYSCALL_ADDR);
    ST_EQ(segv_taken(&code, &addr), LINUX_SIGSEGV);
    ST_EQ(code, LINUX_SI_KERNEL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vdso_image_symbols),
        cmocka_unit_test(vdso_clocks_equal_syscalls),
        cmocka_unit_test(vdso_maps_and_protection),
        cmocka_unit_test(vdso_madvise_as_linux),
        cmocka_unit_test(vclock_arithmetic_and_retry),
        cmocka_unit_test(vsyscall_calls_emulated),
        cmocka_unit_test(vsyscall_faults_as_linux),
    };

    read_prog();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
