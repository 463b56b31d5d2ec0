/*
 * test_abi_limits.c - core/abi/limits.h against <linux/limits.h>, <sys/random.h>,
 * <sys/xattr.h>, <sys/utsname.h>, and the limits the host kernel enforces (the longest
 * symlink chain, one write's cap, getrandom's cap, the comm length).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "core/abi/limits.h"
#include "tests/unit/abi/abi_check.h"

static void test_headers(void **state)
{
    CK(NAME_MAX), CK(PATH_MAX), CK(XATTR_NAME_MAX), CK(XATTR_SIZE_MAX), CK(XATTR_LIST_MAX);
    CK(NGROUPS_MAX), CK(GRND_NONBLOCK), CK(GRND_RANDOM), CK(GRND_INSECURE);
    CK(XATTR_CREATE), CK(XATTR_REPLACE);
    EQ("sysconf(_SC_IOV_MAX)", LINUX_IOV_MAX, sysconf(_SC_IOV_MAX));
    EQ("utsname field", LINUX_UTS_LEN, sizeof(((struct utsname *)0)->release));
    EQ("sysconf(_SC_HOST_NAME_MAX)", LINUX_HOST_NAME_MAX, sysconf(_SC_HOST_NAME_MAX));
    (void)state;
}

/* A chain of MAXSYMLINKS links resolves; one more is -ELOOP. */
static void test_symlink_depth(void **state)
{
    char dir[] = "/tmp/petrel-abi-XXXXXX", a[80], b[80];
    assert_non_null(mkdtemp(dir));
    snprintf(a, sizeof(a), "%s/l0", dir);
    int fd = open(a, O_CREAT | O_WRONLY, 0600);
    assert_true(fd >= 0);
    close(fd);
    for (int i = 1; i <= LINUX_MAXSYMLINKS + 1; i++) {
        snprintf(a, sizeof(a), "l%d", i - 1);
        snprintf(b, sizeof(b), "%s/l%d", dir, i);
        assert_int_equal(symlink(a, b), 0);
    }
    snprintf(b, sizeof(b), "%s/l%d", dir, LINUX_MAXSYMLINKS);
    fd = open(b, O_RDONLY);
    EQ("open through MAXSYMLINKS links", 1, fd >= 0);
    close(fd);
    snprintf(b, sizeof(b), "%s/l%d", dir, LINUX_MAXSYMLINKS + 1);
    EQ("open through MAXSYMLINKS+1 links", -1, open(b, O_RDONLY));
    EQ("errno", ELOOP, errno);
    for (int i = 0; i <= LINUX_MAXSYMLINKS + 1; i++) {
        snprintf(b, sizeof(b), "%s/l%d", dir, i);
        unlink(b);
    }
    rmdir(dir);
    (void)state;
}

/* One write moves at most MAX_RW_COUNT bytes (/dev/null never touches the buffer);
 * getrandom is no longer capped at 32 MiB - 1 (the old urandom limit): only MAX_RW_COUNT
 * bounds it (too large to ask here). */
static void test_counts(void **state)
{
    int fd = open("/dev/null", O_WRONLY);
    assert_true(fd >= 0);
    static char small[1];
    /* the raw syscall: neither the compiler nor ASan's interceptor should read the buffer */
    EQ("write(/dev/null, 2 GiB)", LINUX_MAX_RW_COUNT,
       syscall(SYS_write, fd, small, 0x80000000UL));
    close(fd);
    size_t big = (32u << 20) + 4096;
    char *buf = malloc(big);
    assert_non_null(buf);
    EQ("getrandom(32 MiB + 4 KiB)", big, getrandom(buf, big, GRND_INSECURE));
    free(buf);
    char name[64];
    memset(name, 'x', sizeof(name));
    name[sizeof(name) - 1] = 0;
    char old[64], got[64];
    assert_int_equal(prctl(PR_GET_NAME, old), 0);
    assert_int_equal(prctl(PR_SET_NAME, name), 0);
    assert_int_equal(prctl(PR_GET_NAME, got), 0);
    EQ("PR_GET_NAME length + NUL", LINUX_TASK_COMM_LEN, strlen(got) + 1);
    assert_int_equal(prctl(PR_SET_NAME, old), 0);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_symlink_depth),
        cmocka_unit_test(test_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
