/*
 * st.c - the syscall tests' fixture (st.h).
 */
#include "st.h"

#include "core/lib/kprintf.h"
#include "core/mm/uaccess.h"
#include "fs/vfs/memfs.h"
#include "hal_hosted/hosted.h"

int st_failures;
uint64_t st_buf, st_hole;
uint64_t st_doubles_expected;
struct proc *st_proc;
static void (*st_body)(void);

void st_fail(const char *file, int line, const char *expr, long long a, long long b)
{
    kprintf("SYSCALL TEST FAILED %s:%d: %s (%lld vs %lld)\n", file, line, expr, a, b);
    st_failures++;
}

long st_call(uint64_t nr, const uint64_t a[6])
{
    return ksys_call(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

uint64_t st_put(uint64_t u, const void *data, size_t n)
{
    if (copy_to_user(uptr_make(u), data, n))
        st_fail(__FILE__, __LINE__, "st_put", (long long)u, (long long)n);
    return u;
}

uint64_t st_str(uint64_t u, const char *s)
{
    return st_put(u, s, strlen(s) + 1);
}

void st_get(void *dst, uint64_t u, size_t n)
{
    if (copy_from_user(dst, uptr_make(u), n))
        st_fail(__FILE__, __LINE__, "st_get", (long long)u, (long long)n);
}

void st_file(const char *path, const char *data)
{
    uint64_t p = st_str(st_buf + ST_BUF_SIZE - 4096, path);
    uint64_t d = st_put(st_buf + ST_BUF_SIZE - 2048, data, strlen(data));
    long fd = SC(NR_open, p, O_WRONLY_ | O_CREAT_ | O_TRUNC_, 0644);

    if (fd < 0 || SC(NR_write, (uint64_t)fd, d, strlen(data)) != (long)strlen(data) ||
        SC(NR_close, (uint64_t)fd) != 0)
        st_fail(__FILE__, __LINE__, "st_file", fd, 0);
}

static int st_entry(void *arg)
{
    long a;
    uint64_t doubles;

    (void)arg;
    vfs_init();
    if (memfs_mount(NULL, "/", NULL, NULL) || proc_create(NULL, &st_proc)) {
        st_fail(__FILE__, __LINE__, "setup", 0, 0);
        return 1;
    }
    proc_attach(st_proc, NULL);
    a = SC(NR_mmap, 0, ST_BUF_SIZE + 4096, 3, 0x22, (uint64_t)-1, 0);
    st_buf = (uint64_t)a;
    /* the last page is unmapped again: a known hole right after the buffer */
    st_hole = st_buf + ST_BUF_SIZE;
    if (a < 0 || SC(NR_munmap, st_hole, 4096) != 0)
        st_fail(__FILE__, __LINE__, "mmap", a, 0);
    doubles = sys_double_fetches();
    st_doubles_expected = 0;
    st_body();
    if (sys_double_fetches() - doubles != st_doubles_expected)
        st_fail(__FILE__, __LINE__, "a syscall read user memory twice",
                (long long)(sys_double_fetches() - doubles), 0);
    sys_trace_set(false);
    proc_detach(NULL);
    proc_destroy(st_proc);
    st_proc = NULL;
    vfs_shutdown();
    return st_failures ? 1 : 0;
}

void st_run(void (*body)(void))
{
    struct hosted_config c;
    int rc;

    memset(&c, 0, sizeof(c));
    c.ram_bytes = 64u << 20;
    c.entry = st_entry;
    st_failures = 0;
    st_body = body;
    rc = hosted_boot(&c);
    assert_int_equal(st_failures, 0);
    assert_int_equal(rc, 0);
}
