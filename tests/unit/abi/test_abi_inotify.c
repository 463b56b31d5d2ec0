/*
 * test_abi_inotify.c - core/abi/inotify.h against <sys/inotify.h>.
 */
#define _GNU_SOURCE
#include <sys/inotify.h>

#include "core/abi/inotify.h"
#include "tests/unit/abi/abi_check.h"

static void test_inotify_bits(void **state)
{
    CK(IN_ACCESS), CK(IN_MODIFY), CK(IN_ATTRIB), CK(IN_CLOSE_WRITE), CK(IN_CLOSE_NOWRITE);
    CK(IN_OPEN), CK(IN_MOVED_FROM), CK(IN_MOVED_TO), CK(IN_CREATE), CK(IN_DELETE);
    CK(IN_DELETE_SELF), CK(IN_MOVE_SELF), CK(IN_ALL_EVENTS), CK(IN_UNMOUNT), CK(IN_Q_OVERFLOW);
    CK(IN_IGNORED), CK(IN_ONLYDIR), CK(IN_DONT_FOLLOW), CK(IN_EXCL_UNLINK), CK(IN_MASK_ADD);
    CK(IN_ISDIR), CK(IN_ONESHOT), CK(IN_CLOEXEC), CK(IN_NONBLOCK);
#ifdef IN_MASK_CREATE
    CK(IN_MASK_CREATE);
#endif
    SZ(struct linux_inotify_event, struct inotify_event);
    OFF(struct linux_inotify_event, wd, struct inotify_event, wd);
    OFF(struct linux_inotify_event, mask, struct inotify_event, mask);
    OFF(struct linux_inotify_event, cookie, struct inotify_event, cookie);
    OFF(struct linux_inotify_event, len, struct inotify_event, len);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_inotify_bits)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
