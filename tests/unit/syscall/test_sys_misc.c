/*
 * test_sys_misc.c - memory, time, identity, limits, randomness, thread state, signals
 * (recorded), the dispatcher (-ENOSYS), the tracer's output and the double-fetch check.
 */
#include "st.h"

#include "core/lib/kprintf.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_time.h"
#include "hal_hosted/hosted.h"

#define P(off) (st_buf + (off))

static const uint64_t bad_ptrs[] = {ST_KERNEL_PTR, ST_WRAP_PTR, 0x1000};
#define NBAD (sizeof(bad_ptrs) / sizeof(bad_ptrs[0]))

ST_CASE(mmap_munmap_mprotect)
{
    long a = SC(NR_mmap, 0, 8192, 3, 0x22, (uint64_t)-1, 0);
    uint32_t v = 0x1234, back = 0;

    ST_CHECK(a > 0);
    st_put((uint64_t)a, &v, 4);
    st_get(&back, (uint64_t)a, 4);
    ST_EQ(back, 0x1234);
    ST_EQ(SC(NR_mprotect, a, 4096, 1), 0);
    ST_EQ(SC(NR_write, 1, a, 0), 0);
    ST_EQ(SC(NR_mprotect, a + 1, 4096, 1), -EINVAL);
    ST_EQ(SC(NR_munmap, a, 8192), 0);
    ST_EQ(SC(NR_munmap, a + 1, 8192), -EINVAL);
    ST_EQ(SC(NR_mmap, 0, 0, 3, 0x22, (uint64_t)-1, 0), -EINVAL);
    ST_EQ(SC(NR_mmap, 0, 4096, 3, 0x20, (uint64_t)-1, 0), -EINVAL); /* no map type */
    ST_EQ(SC(NR_mmap, 0, 4096, 3, 0x02, 99, 0), -EBADF);
    /* a private file mapping sees the file */
    st_file("/f", "file bytes");
    long fd = SC(NR_open, st_str(P(0), "/f"), O_RDONLY_);
    long m = SC(NR_mmap, 0, 4096, 1, 0x02, fd, 0);
    char b[16] = {0};
    ST_CHECK(m > 0);
    st_get(b, (uint64_t)m, 10);
    ST_CHECK(memcmp(b, "file bytes", 10) == 0);
}

ST_CASE(brk_moves)
{
    struct vm_space *s = st_proc->vm;

    vm_brk_init(s, s->va_min + (64ULL << 20));
    uint64_t b0 = (uint64_t)SC(NR_brk, 0);
    ST_EQ(b0, s->va_min + (64ULL << 20));
    ST_EQ(SC(NR_brk, b0 + 10000), b0 + 10000);
    st_put(b0 + 9000, "x", 1);
    ST_EQ(SC(NR_brk, b0), b0);
    ST_EQ(SC(NR_brk, 1), b0); /* refused: the current break */
}

ST_CASE(madvise_dontneed_zeroes)
{
    long a = SC(NR_mmap, 0, 3 * 4096, 3, 0x22, (uint64_t)-1, 0);
    uint8_t b = 0;

    st_put((uint64_t)a + 4096, "z", 1);
    ST_EQ(SC(NR_madvise, a, 3 * 4096, 0), 0);
    ST_EQ(SC(NR_madvise, a, 3 * 4096, 3), 0);
    ST_EQ(SC(NR_madvise, a, 3 * 4096, 4), 0);
    st_get(&b, (uint64_t)a + 4096, 1);
    ST_EQ(b, 0);
    ST_EQ(SC(NR_madvise, a + 1, 4096, 4), -EINVAL);
    ST_EQ(SC(NR_madvise, a, 4096, 999), -EINVAL);
    ST_EQ(SC(NR_madvise, a, 0, 4), 0);
    ST_EQ(SC(NR_madvise, st_hole, 4096, 4), -ENOMEM);
    ST_EQ(SC(NR_madvise, st_hole - 4096, 8192, 0), -ENOMEM);
    /* a private file mapping gets the file's bytes back */
    st_file("/f", "orig");
    long fd = SC(NR_open, st_str(P(0), "/f"), O_RDONLY_);
    long m = SC(NR_mmap, 0, 4096, 3, 0x02, fd, 0);
    char c[4];
    st_put((uint64_t)m, "XXXX", 4);
    ST_EQ(SC(NR_madvise, m, 4096, 4), 0);
    st_get(c, (uint64_t)m, 4);
    ST_CHECK(memcmp(c, "orig", 4) == 0);
}

ST_CASE(clocks)
{
    int64_t ts[2], tv[2], res[2], t = 0;

    for (uint64_t id = 0; id <= 7; id++) {
        ST_EQ(SC(NR_clock_gettime, id, P(0)), 0);
        ST_EQ(SC(NR_clock_getres, id, P(100)), 0);
        st_get(res, P(100), 16);
        ST_CHECK(res[0] == 0 && res[1] >= 1);
    }
    ST_EQ(SC(NR_clock_gettime, 0, P(0)), 0);
    st_get(ts, P(0), 16);
    ST_CHECK(ts[0] >= (int64_t)(HOSTED_WALLCLOCK_EPOCH_NS / 1000000000ULL));
    ST_CHECK(ts[1] >= 0 && ts[1] < 1000000000);
    ST_EQ(SC(NR_clock_gettime, 8, P(0)), -EINVAL);
    ST_EQ(SC(NR_clock_gettime, (uint64_t)-2, P(0)), 0); /* the caller's thread CPU clock */
    ST_EQ(SC(NR_clock_gettime, (uint64_t)-1, P(0)), -EINVAL); /* a thread clock of kind 3 */
    ST_EQ(SC(NR_clock_getres, 99, P(0)), -EINVAL);
    ST_EQ(SC(NR_clock_getres, 1, 0), 0);
    ST_EQ(SC(NR_gettimeofday, P(200), P(300)), 0);
    st_get(tv, P(200), 16);
    ST_CHECK(tv[0] == ts[0] && tv[1] < 1000000);
    ST_EQ(SC(NR_gettimeofday, 0, 0), 0);
    ST_EQ(SC(NR_time, P(400)), ts[0]);
    st_get(&t, P(400), 8);
    ST_EQ(t, ts[0]);
    ST_EQ(SC(NR_time, 0), ts[0]);
    for (size_t i = 0; i < NBAD; i++) {
        ST_EQ(SC(NR_clock_gettime, 1, bad_ptrs[i]), -EFAULT);
        ST_EQ(SC(NR_clock_getres, 1, bad_ptrs[i]), -EFAULT);
        ST_EQ(SC(NR_gettimeofday, bad_ptrs[i], 0), -EFAULT);
        ST_EQ(SC(NR_gettimeofday, 0, bad_ptrs[i]), -EFAULT);
        ST_EQ(SC(NR_time, bad_ptrs[i]), -EFAULT);
    }
}

ST_CASE(sleeps)
{
    int64_t req[2] = {2, 500};
    uint64_t t0 = hal_clock_ns();

    st_put(P(0), req, 16);
    ST_EQ(SC(NR_nanosleep, P(0), 0), 0);
    ST_CHECK(hal_clock_ns() - t0 >= 2000000500ULL);
    req[1] = 1000000000;
    st_put(P(0), req, 16);
    ST_EQ(SC(NR_nanosleep, P(0), 0), -EINVAL);
    req[0] = -1;
    req[1] = 0;
    st_put(P(0), req, 16);
    ST_EQ(SC(NR_nanosleep, P(0), 0), -EINVAL);
    ST_EQ(SC(NR_nanosleep, ST_KERNEL_PTR, 0), -EFAULT);
    ST_EQ(SC(NR_nanosleep, 0, 0), -EFAULT);
    /* clock_nanosleep: relative, absolute, flags, clocks */
    req[0] = 1;
    req[1] = 0;
    st_put(P(0), req, 16);
    t0 = hal_clock_ns();
    ST_EQ(SC(NR_clock_nanosleep, 1, 0, P(0), 0), 0);
    ST_CHECK(hal_clock_ns() - t0 >= 1000000000ULL);
    req[0] = (int64_t)(hal_clock_ns() / 1000000000ULL) + 3;
    st_put(P(0), req, 16);
    ST_EQ(SC(NR_clock_nanosleep, 1, 1, P(0), 0), 0);
    ST_CHECK(hal_clock_ns() >= (uint64_t)req[0] * 1000000000ULL);
    ST_EQ(SC(NR_clock_nanosleep, 3, 0, P(0), 0), -EOPNOTSUPP); /* as Linux */
    ST_EQ(SC(NR_clock_nanosleep, 99, 0, P(0), 0), -EINVAL);
    /* the process CPU clock: a deadline already reached returns at once */
    req[0] = 0;
    req[1] = 0;
    st_put(P(0), req, 16);
    ST_EQ(SC(NR_clock_nanosleep, 2, 1, P(0), 0), 0);
    req[1] = 1000;
    st_put(P(0), req, 16);
    /* flag bits other than TIMER_ABSTIME are ignored, as on Linux */
    t0 = hal_clock_ns();
    ST_EQ(SC(NR_clock_nanosleep, 1, 2, P(0), 0), 0);
    ST_CHECK(hal_clock_ns() - t0 >= 1000);
    ST_EQ(SC(NR_clock_nanosleep, 0, 0, ST_KERNEL_PTR, 0), -EFAULT);
    /* an absolute realtime deadline already past returns at once */
    req[0] = 1;
    st_put(P(0), req, 16);
    ST_EQ(SC(NR_clock_nanosleep, 0, 1, P(0), 0), 0);
}

ST_CASE(identity_and_info)
{
    char u[6][65];
    uint8_t si[112];

    ST_EQ(SC(NR_getpid), 1);
    ST_EQ(SC(NR_gettid), 1);
    ST_EQ(SC(NR_getppid), 0);
    ST_EQ(SC(NR_getuid), 0);
    ST_EQ(SC(NR_geteuid), 0);
    ST_EQ(SC(NR_getgid), 0);
    ST_EQ(SC(NR_getegid), 0);
    ST_EQ(SC(NR_sched_yield), 0);
    ST_EQ(SC(NR_uname, P(0)), 0);
    st_get(u, P(0), sizeof(u));
    ST_CHECK(strcmp(u[0], "Linux") == 0);
    ST_CHECK(strcmp(u[2], "6.1.0-petrel") == 0);
    ST_CHECK(strcmp(u[4], "x86_64") == 0);
    hosted_clock_advance(1500000000ULL); /* 1.5 s more: a fraction to round */
    uint64_t t0 = (hal_clock_ns() + 999999999ULL) / 1000000000ULL;
    ST_EQ(SC(NR_sysinfo, P(1000)), 0);
    uint64_t t1 = (hal_clock_ns() + 999999999ULL) / 1000000000ULL;
    st_get(si, P(1000), sizeof(si));
    uint64_t total, uptime;
    memcpy(&total, si + 32, 8);
    ST_CHECK(total > (32ULL << 20));
    memcpy(&uptime, si, 8); /* seconds rounded up, as Linux's do_sysinfo */
    ST_CHECK(uptime >= t0 && uptime <= t1);
    for (size_t i = 0; i < NBAD; i++) {
        ST_EQ(SC(NR_uname, bad_ptrs[i]), -EFAULT);
        ST_EQ(SC(NR_sysinfo, bad_ptrs[i]), -EFAULT);
    }
    ST_EQ(SC(NR_uname, st_hole - 100), -EFAULT);
}

ST_CASE(rlimits)
{
    uint64_t r[2];

    ST_EQ(SC(NR_getrlimit, 3, P(0)), 0); /* RLIMIT_STACK */
    st_get(r, P(0), 16);
    ST_EQ(r[0], 8ULL << 20);
    ST_EQ(SC(NR_prlimit64, 0, 7, 0, P(0)), 0); /* RLIMIT_NOFILE */
    st_get(r, P(0), 16);
    ST_EQ(r[0], PROC_NOFILE);
    ST_EQ(r[1], PROC_NOFILE);
    r[0] = 256;
    st_put(P(100), r, 16);
    ST_EQ(SC(NR_prlimit64, 1, 7, P(100), P(200)), 0);
    ST_EQ(SC(NR_getrlimit, 7, P(0)), 0);
    st_get(r, P(0), 16);
    ST_EQ(r[0], 256);
    r[0] = 10;
    r[1] = 5;
    st_put(P(100), r, 16);
    ST_EQ(SC(NR_prlimit64, 0, 7, P(100), 0), -EINVAL);
    r[0] = r[1] = 1u << 20;
    st_put(P(100), r, 16);
    ST_EQ(SC(NR_prlimit64, 0, 7, P(100), 0), -EPERM);
    ST_EQ(SC(NR_prlimit64, 5, 7, 0, P(0)), -ESRCH);
    ST_EQ(SC(NR_prlimit64, 0, 99, 0, P(0)), -EINVAL);
    ST_EQ(SC(NR_getrlimit, 99, P(0)), -EINVAL);
    ST_EQ(SC(NR_getrlimit, 3, ST_KERNEL_PTR), -EFAULT);
    ST_EQ(SC(NR_prlimit64, 0, 3, ST_KERNEL_PTR, 0), -EFAULT);
    ST_EQ(SC(NR_prlimit64, 0, 3, 0, ST_WRAP_PTR), -EFAULT);
}

ST_CASE(getrandom_flags)
{
    uint8_t a[64], b[64];

    ST_EQ(SC(NR_getrandom, P(0), 64, 0), 64);
    ST_EQ(SC(NR_getrandom, P(100), 64, 1), 64);
    st_get(a, P(0), 64);
    st_get(b, P(100), 64);
    ST_CHECK(memcmp(a, b, 64) != 0);
    ST_EQ(SC(NR_getrandom, P(0), 10, 2), 10);
    ST_EQ(SC(NR_getrandom, P(0), 10, 4), 10);
    ST_EQ(SC(NR_getrandom, P(0), 10, 6), -EINVAL);
    ST_EQ(SC(NR_getrandom, P(0), 10, 8), -EINVAL);
    ST_EQ(SC(NR_getrandom, P(0), 0, 0), 0);
    for (size_t i = 0; i < NBAD; i++)
        ST_EQ(SC(NR_getrandom, bad_ptrs[i], 10, 0), -EFAULT);
    ST_EQ(SC(NR_getrandom, st_hole - 300, 1000), 256); /* the bytes before the hole */
}

ST_CASE(thread_state)
{
    uint64_t fs = 0;
    struct hal_uregs regs;

    ST_EQ(SC(NR_set_tid_address, P(0)), 1);
    ST_EQ(st_proc->main.clear_child_tid, P(0));
    ST_EQ(SC(NR_set_robust_list, P(0), 24), 0);
    ST_EQ(SC(NR_set_robust_list, P(0), 23), -EINVAL);
    ST_EQ(SC(NR_arch_prctl, 0x1002, P(64)), 0); /* ARCH_SET_FS */
    ST_EQ(SC(NR_arch_prctl, 0x1003, P(8)), 0);  /* ARCH_GET_FS */
    st_get(&fs, P(8), 8);
    ST_EQ(fs, P(64));
    ST_EQ(SC(NR_arch_prctl, 0x1002, ST_KERNEL_PTR), -EPERM);
    ST_EQ(SC(NR_arch_prctl, 0x1003, ST_KERNEL_PTR), -EFAULT);
    ST_EQ(SC(NR_arch_prctl, 0x1001, P(128)), 0);
    ST_EQ(SC(NR_arch_prctl, 0x1004, P(8)), 0);
    ST_EQ(SC(NR_arch_prctl, 0x3001, P(8)), -EINVAL);
    /* through the HAL entry: the register frame's fs base changes, rax holds the result */
    memset(&regs, 0, sizeof(regs));
    regs.rax = NR_arch_prctl;
    regs.rdi = 0x1002;
    regs.rsi = P(256);
    kernel_syscall(&regs);
    ST_EQ(regs.rax, 0);
    ST_EQ(regs.fs_base, P(256));
    regs.rax = NR_getpid;
    kernel_syscall(&regs);
    ST_EQ(regs.rax, 1);
    regs.rax = 9999;
    kernel_syscall(&regs);
    ST_EQ((long)regs.rax, -ENOSYS);
    regs.rax = NR_write; /* args: rdi rsi rdx */
    regs.rdi = 77;
    kernel_syscall(&regs);
    ST_EQ((long)regs.rax, -EBADF);
}

ST_CASE(signals_recorded)
{
    uint64_t act[4] = {0x1234, 0x04000000, 0x5678, ~0ULL}, old[4], mask;
    uint64_t ss[3] = {P(4096), 0, 65536}, oss[3];

    st_put(P(0), act, 32);
    ST_EQ(SC(NR_rt_sigaction, 10, P(0), 0, 8), 0);
    ST_EQ(SC(NR_rt_sigaction, 10, 0, P(100), 8), 0);
    st_get(old, P(100), 32);
    ST_EQ(old[0], 0x1234);
    ST_EQ(old[3], ~0ULL & ~((1ULL << 8) | (1ULL << 18)));
    ST_EQ(SC(NR_rt_sigaction, 9, P(0), 0, 8), -EINVAL);
    ST_EQ(SC(NR_rt_sigaction, 19, P(0), 0, 8), -EINVAL);
    ST_EQ(SC(NR_rt_sigaction, 9, 0, P(100), 8), 0);
    ST_EQ(SC(NR_rt_sigaction, 0, P(0), 0, 8), -EINVAL);
    ST_EQ(SC(NR_rt_sigaction, 65, P(0), 0, 8), -EINVAL);
    ST_EQ(SC(NR_rt_sigaction, 10, P(0), 0, 4), -EINVAL);
    ST_EQ(SC(NR_rt_sigaction, 10, ST_KERNEL_PTR, 0, 8), -EFAULT);
    ST_EQ(SC(NR_rt_sigaction, 10, 0, ST_WRAP_PTR, 8), -EFAULT);
    mask = (1ULL << 1) | (1ULL << 8);
    st_put(P(200), &mask, 8);
    ST_EQ(SC(NR_rt_sigprocmask, 0, P(200), P(300), 8), 0);
    ST_EQ(SC(NR_rt_sigprocmask, 0, 0, P(300), 8), 0);
    st_get(&mask, P(300), 8);
    ST_EQ(mask, 1ULL << 1); /* SIGKILL cannot be blocked */
    ST_EQ(SC(NR_rt_sigprocmask, 1, P(200), 0, 8), 0);
    ST_EQ(st_proc->main.sigmask, 0);
    ST_EQ(SC(NR_rt_sigprocmask, 2, P(200), 0, 8), 0);
    ST_EQ(SC(NR_rt_sigprocmask, 3, P(200), 0, 8), -EINVAL);
    ST_EQ(SC(NR_rt_sigprocmask, 0, P(200), 0, 16), -EINVAL);
    ST_EQ(SC(NR_rt_sigprocmask, 0, ST_KERNEL_PTR, 0, 8), -EFAULT);
    ST_EQ(SC(NR_rt_sigprocmask, 0, 0, ST_KERNEL_PTR, 8), -EFAULT);
    st_put(P(400), ss, 24);
    ST_EQ(SC(NR_sigaltstack, 0, P(500)), 0);
    st_get(oss, P(500), 24);
    ST_EQ(oss[1] & 0xffffffff, 2); /* SS_DISABLE */
    ST_EQ(SC(NR_sigaltstack, P(400), 0), 0);
    ST_EQ(SC(NR_sigaltstack, 0, P(500)), 0);
    st_get(oss, P(500), 24);
    ST_EQ(oss[0], P(4096));
    ss[2] = 100;
    st_put(P(400), ss, 24);
    ST_EQ(SC(NR_sigaltstack, P(400), 0), -ENOMEM);
    ss[1] = 0x40;
    st_put(P(400), ss, 24);
    ST_EQ(SC(NR_sigaltstack, P(400), 0), -EINVAL);
    ST_EQ(SC(NR_sigaltstack, ST_KERNEL_PTR, 0), -EFAULT);
    ST_EQ(SC(NR_sigaltstack, 0, ST_KERNEL_PTR), -EFAULT);
}

ST_CASE(enosys_unknown_and_unimplemented)
{
    char cap[512];

    ST_EQ(SC(9999), -ENOSYS);
    ST_EQ(SC(SYS_NR_MAX), -ENOSYS);
    ST_EQ(SC((uint64_t)-1), -ENOSYS);
    ST_EQ(SC(57), -ENOSYS); /* fork: known, not implemented (Petrel runs one process) */
    hosted_console_capture(cap, sizeof(cap), false);
    sys_trace_set(true);
    ST_EQ(SC(57), -ENOSYS);
    ST_EQ(SC(400), -ENOSYS);
    sys_trace_set(false);
    hosted_console_capture_stop();
    ST_CHECK(strstr(cap, "syscall fork (57) is not implemented") != NULL);
    ST_CHECK(strstr(cap, "unknown syscall 400") != NULL);
}

ST_CASE(tracer_lines)
{
    char cap[1024], line[256];
    static char longp[100];
    const struct sys_desc *d = sys_lookup(NR_openat);
    uint64_t a[6] = {AT_FDCWD_U, st_str(P(0), "/no\001pe"), 0x80000, 0644, 0, 0};

    hosted_console_capture(cap, sizeof(cap), false);
    sys_trace_set(true);
    SC(NR_openat, a[0], a[1], a[2], a[3]);
    SC(NR_getpid);
    SC(NR_read, 77, 0, 5);
    sys_trace_set(false);
    hosted_console_capture_stop();
    ST_CHECK(strstr(cap, "openat(AT_FDCWD, \"/no\\x01pe\", 0x80000, 0644) = -2\n") != NULL);
    ST_CHECK(strstr(cap, "getpid() = 1\n") != NULL);
    ST_CHECK(strstr(cap, "read(77, NULL, 5) = -9\n") != NULL);
    /* a long string is cut, an unreadable one shows its address */
    memset(longp, 'p', sizeof(longp) - 1);
    st_str(P(1000), longp);
    a[1] = P(1000);
    sys_trace_format(line, sizeof(line), d, a, 3);
    ST_CHECK(strstr(line, "pppp\"...") != NULL);
    a[1] = ST_KERNEL_PTR;
    sys_trace_format(line, sizeof(line), d, a, -14);
    ST_CHECK(strstr(line, "0xffff800000001000, 0x80000") != NULL);
    /* a small buffer truncates safely */
    ST_CHECK(sys_trace_format(line, 8, d, a, 0) > 8);
    ST_EQ(strlen(line), 7);
    ST_CHECK(sys_trace_enabled() == false);
}

ST_CASE(table_is_consistent)
{
    unsigned impl = 0, prev = 0;

    ST_CHECK(sys_table_count() > 80);
    for (size_t i = 0; i < sys_table_count(); i++) {
        const struct sys_desc *d = sys_table_at(i);
        ST_CHECK(d && d->name);
        ST_CHECK(i == 0 || d->nr > prev);
        ST_CHECK(d->nargs <= SYS_MAX_ARGS);
        ST_CHECK(sys_lookup(d->nr) == d);
        for (unsigned k = 0; k < d->nargs; k++) {
            const struct sys_arg *a = &d->args[k];
            if (a->kind == SYS_ARG_IN || a->kind == SYS_ARG_OUT || a->kind == SYS_ARG_IOV)
                ST_CHECK(a->param < d->nargs && a->param != k);
        }
        impl += d->fn != NULL;
        prev = d->nr;
    }
    ST_CHECK(impl >= 75);
    ST_CHECK(sys_table_at(sys_table_count()) == NULL);
    ST_CHECK(sys_lookup(183) == NULL); /* afs_syscall: not in the table */
}

/* The check can fail: a handler that read the same bytes twice would be caught. */
ST_CASE(double_fetch_is_detected)
{
    uint64_t before = sys_double_fetches(), v;

    st_put(P(0), "12345678", 8);
    sys_fetch_reset();
    ST_EQ(sys_copy_in(&v, P(0), 8), 0);
    ST_EQ(sys_copy_in(&v, P(4), 8), 0);
    ST_EQ(sys_double_fetches() - before, 1);
    st_doubles_expected = 1;
    /* a syscall reads each argument once: writev's iovec array, then each buffer */
    uint64_t iov[4] = {P(100), 2, P(200), 2};
    st_put(P(300), iov, sizeof(iov));
    ST_EQ(SC(NR_writev, 1, P(300), 2), 4);
    ST_EQ(sys_last_fetch_count(), 3);
    ST_EQ(sys_double_fetches() - before, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mmap_munmap_mprotect),
        cmocka_unit_test(brk_moves),
        cmocka_unit_test(madvise_dontneed_zeroes),
        cmocka_unit_test(clocks),
        cmocka_unit_test(sleeps),
        cmocka_unit_test(identity_and_info),
        cmocka_unit_test(rlimits),
        cmocka_unit_test(getrandom_flags),
        cmocka_unit_test(thread_state),
        cmocka_unit_test(signals_recorded),
        cmocka_unit_test(enosys_unknown_and_unimplemented),
        cmocka_unit_test(tracer_lines),
        cmocka_unit_test(table_is_consistent),
        cmocka_unit_test(double_fetch_is_detected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
