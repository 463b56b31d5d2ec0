/*
 * test_notify.c - inotify's core (fs/vfs/notify.c) over memfs: the bounded queue and its
 * single IN_Q_OVERFLOW, coalescing of identical consecutive events (never into IN_IGNORED
 * or the overflow event), rename cookies, a deletion told when the last opener goes, and
 * no inode left cached when an instance goes with its watches.
 */
#include "vt.h"

#include "core/abi/inotify.h"
#include "fs/vfs/notify.h"
#include "hal/hal_errno.h"

static struct vfs_notify_group *g;
static char buf[4096] __attribute__((aligned(8)));

/* The i-th event of the last read of n bytes, or NULL. */
static const struct linux_inotify_event *ev_at(long n, int i)
{
    long off = 0;

    for (; off < n; i--) {
        const struct linux_inotify_event *e = (const void *)(buf + off);
        if (i == 0)
            return e;
        off += (long)sizeof(*e) + e->len;
    }
    return NULL;
}

static long drain(void)
{
    return vfs_notify_read_now(g, buf, sizeof(buf));
}

VT_CASE(queue_overflow)
{
    static const char *names[] = {"/a", "/b", "/c", "/d", "/e", "/f"};
    vt_memfs_root();
    VT_EQ(vfs_notify_group_new(4, &g), 0);
    VT_EQ(vfs_notify_add_watch(g, NULL, "/", LINUX_IN_CREATE), 1);
    for (int i = 0; i < 6; i++)
        VT_EQ(vfs_mkdirat(NULL, names[i], 0755), 0);
    VT_EQ(vfs_notify_pending(g), 4 * 32 + 16);
    long n = drain();
    VT_EQ(n, 4 * 32 + 16);
    VT_EQ(ev_at(n, 3)->mask, LINUX_IN_CREATE | LINUX_IN_ISDIR);
    VT_EQ(ev_at(n, 3)->name[0], 'd');
    VT_EQ(ev_at(n, 4)->wd, -1);
    VT_EQ(ev_at(n, 4)->mask, LINUX_IN_Q_OVERFLOW);
    VT_EQ(ev_at(n, 4)->len, 0);
    VT_EQ(drain(), -EAGAIN);
    /* room again: the next event is queued, and a later overflow is told again */
    VT_EQ(vfs_unlinkat(NULL, "/a", VFS_AT_REMOVEDIR), 0);
    VT_EQ(drain(), -EAGAIN); /* IN_DELETE is not watched */
    VT_EQ(vfs_notify_add_watch(g, NULL, "/", LINUX_IN_DELETE), 1);
    for (int i = 1; i < 6; i++)
        VT_EQ(vfs_unlinkat(NULL, names[i], VFS_AT_REMOVEDIR), 0);
    n = drain();
    VT_EQ(n, 4 * 32 + 16);
    VT_EQ(ev_at(n, 4)->mask, LINUX_IN_Q_OVERFLOW);
    vfs_notify_group_free(g);
}

VT_CASE(queue_coalesce)
{
    vt_memfs_root();
    VT_EQ(vfs_notify_group_new(16, &g), 0);
    vfs_notify_queue_event(g, 1, LINUX_IN_MODIFY, 0, "x");
    vfs_notify_queue_event(g, 1, LINUX_IN_MODIFY, 0, "x");  /* merged */
    vfs_notify_queue_event(g, 1, LINUX_IN_MODIFY, 0, "y");  /* another name */
    vfs_notify_queue_event(g, 2, LINUX_IN_MODIFY, 0, "y");  /* another wd */
    vfs_notify_queue_event(g, 2, LINUX_IN_MODIFY, 0, NULL); /* no name */
    vfs_notify_queue_event(g, 2, LINUX_IN_IGNORED, 0, NULL);
    vfs_notify_queue_event(g, 2, LINUX_IN_IGNORED, 0, NULL); /* never into IN_IGNORED */
    long n = drain();
    VT_EQ(n, 3 * 32 + 3 * 16);
    VT_EQ(ev_at(n, 1)->name[0], 'y');
    VT_EQ(ev_at(n, 2)->wd, 2);
    VT_EQ(ev_at(n, 4)->mask, LINUX_IN_IGNORED);
    VT_EQ(ev_at(n, 5)->mask, LINUX_IN_IGNORED);
    /* a long name is NUL-padded to a multiple of 16 */
    vfs_notify_queue_event(g, 3, LINUX_IN_CREATE, 0, "sixteen-chars-xx");
    n = drain();
    VT_EQ(n, 16 + 32);
    VT_EQ(ev_at(n, 0)->len, 32);
    VT_EQ(ev_at(n, 0)->name[16], 0);
    vfs_notify_group_free(g);
}

VT_CASE(rename_cookies)
{
    vt_memfs_root();
    VT_EQ(vfs_mkdirat(NULL, "/d", 0755), 0);
    VT_EQ(vt_write_file("/d/f", "x", 1), 0);
    VT_EQ(vfs_notify_group_new(16, &g), 0);
    VT_EQ(vfs_notify_add_watch(g, NULL, "/d", LINUX_IN_MOVED_FROM | LINUX_IN_MOVED_TO), 1);
    VT_EQ(vfs_notify_add_watch(g, NULL, "/", LINUX_IN_MOVED_FROM | LINUX_IN_MOVED_TO), 2);
    VT_EQ(vfs_renameat2(NULL, "/d/f", NULL, "/g", 0), 0);
    VT_EQ(vfs_renameat2(NULL, "/g", NULL, "/d/f", 0), 0);
    long n = drain();
    VT_EQ(n, 4 * 32);
    VT_EQ(ev_at(n, 0)->wd, 1);
    VT_EQ(ev_at(n, 1)->wd, 2);
    VT_EQ(ev_at(n, 1)->mask, LINUX_IN_MOVED_TO);
    VT_CHECK(ev_at(n, 0)->cookie != 0);
    VT_EQ(ev_at(n, 0)->cookie, ev_at(n, 1)->cookie);
    VT_CHECK(ev_at(n, 2)->cookie != ev_at(n, 0)->cookie);
    VT_EQ(ev_at(n, 2)->mask, LINUX_IN_MOVED_FROM);
    VT_EQ(ev_at(n, 2)->wd, 2); /* /g left "/" */
    VT_EQ(ev_at(n, 3)->cookie, ev_at(n, 2)->cookie);
    vfs_notify_group_free(g);
}

VT_CASE(delete_when_closed)
{
    struct vfs_file *f;
    unsigned cached;

    vt_memfs_root();
    cached = vfs_icache_count();
    VT_EQ(vfs_openat(NULL, "/f", VFS_O_RDWR | VFS_O_CREAT, 0644, &f), 0);
    VT_EQ(vfs_notify_group_new(16, &g), 0);
    VT_EQ(vfs_notify_add_watch(g, NULL, "/f", LINUX_IN_DELETE_SELF | LINUX_IN_CLOSE_WRITE), 1);
    VT_EQ(vfs_unlinkat(NULL, "/f", 0), 0);
    VT_EQ(drain(), -EAGAIN);
    vfs_file_put(f);
    long n = drain();
    VT_EQ(n, 3 * 16);
    VT_EQ(ev_at(n, 0)->mask, LINUX_IN_CLOSE_WRITE);
    VT_EQ(ev_at(n, 1)->mask, LINUX_IN_DELETE_SELF);
    VT_EQ(ev_at(n, 2)->mask, LINUX_IN_IGNORED);
    VT_EQ(vfs_notify_rm_watch(g, 1), -EINVAL);
    VT_EQ(vfs_icache_count(), cached); /* the watched inode went with its watch */
    vfs_notify_group_free(g);
}

VT_CASE(free_with_watches)
{
    unsigned cached;

    vt_memfs_root();
    VT_EQ(vfs_mkdirat(NULL, "/d", 0755), 0);
    VT_EQ(vt_write_file("/d/f", "x", 1), 0);
    cached = vfs_icache_count();
    VT_EQ(vfs_notify_group_new(16, &g), 0);
    VT_EQ(vfs_notify_add_watch(g, NULL, "/d", LINUX_IN_ALL_EVENTS), 1);
    VT_EQ(vfs_notify_add_watch(g, NULL, "/d/f", LINUX_IN_ALL_EVENTS | LINUX_IN_ONLYDIR), -ENOTDIR);
    VT_EQ(vfs_notify_add_watch(g, NULL, "/d/f", LINUX_IN_ALL_EVENTS), 2);
    VT_CHECK(vfs_notify_active());
    VT_EQ(vt_write_file("/d/f", "y", 1), 0);
    VT_CHECK(vfs_notify_pending(g) > 0);
    vfs_notify_group_free(g);
    VT_CHECK(!vfs_notify_active());
    VT_CHECK(vfs_icache_count() <= cached);
}

/* Checked natively (a tmpfs on a watched directory, Linux 6.18): umount succeeds with watches
 * on it; each watch gets IN_UNMOUNT (IN_ISDIR for directories, whatever its mask), then
 * IN_IGNORED, the newest watched inode first; the covering directory's watch gets nothing.
 * A busy mount (an open file) fails with EBUSY and keeps its watches. */
VT_CASE(unmount_watched)
{
    struct vfs_file *f;
    unsigned cached;
    long n;

    vt_memfs_root();
    VT_EQ(vfs_mkdirat(NULL, "/m", 0755), 0);
    cached = vfs_icache_count();
    VT_EQ(memfs_mount(NULL, "/m", NULL, NULL), 0);
    VT_EQ(vfs_mkdirat(NULL, "/m/sub", 0755), 0);
    VT_EQ(vt_write_file("/m/x", "x", 1), 0);
    VT_EQ(vfs_notify_group_new(64, &g), 0);
    VT_EQ(vfs_notify_add_watch(g, NULL, "/", LINUX_IN_ALL_EVENTS), 1);
    VT_EQ(vfs_notify_add_watch(g, NULL, "/m", LINUX_IN_ALL_EVENTS), 2);
    VT_EQ(vfs_notify_add_watch(g, NULL, "/m/sub", LINUX_IN_ALL_EVENTS), 3);
    VT_EQ(vfs_notify_add_watch(g, NULL, "/m/x", LINUX_IN_ATTRIB), 4);
    VT_EQ(vfs_openat(NULL, "/m/sub", VFS_O_RDONLY, 0, &f), 0);
    VT_EQ(drain(), 32 + 16); /* IN_OPEN|IN_ISDIR "sub" to wd 2, and to wd 3 */
    VT_EQ(vfs_umount(NULL, "/m"), -EBUSY);
    VT_EQ(drain(), -EAGAIN);
    vfs_file_put(f);
    VT_CHECK(drain() > 0); /* IN_CLOSE_NOWRITE */
    VT_EQ(vfs_umount(NULL, "/m"), 0);
    n = drain();
    VT_EQ(n, 6 * 16);
    VT_EQ(ev_at(n, 0)->wd, 4);
    VT_EQ(ev_at(n, 0)->mask, LINUX_IN_UNMOUNT);
    VT_EQ(ev_at(n, 1)->wd, 4);
    VT_EQ(ev_at(n, 1)->mask, LINUX_IN_IGNORED);
    VT_EQ(ev_at(n, 2)->wd, 3);
    VT_EQ(ev_at(n, 2)->mask, LINUX_IN_UNMOUNT | LINUX_IN_ISDIR);
    VT_EQ(ev_at(n, 3)->mask, LINUX_IN_IGNORED);
    VT_EQ(ev_at(n, 4)->wd, 2);
    VT_EQ(ev_at(n, 4)->mask, LINUX_IN_UNMOUNT | LINUX_IN_ISDIR);
    VT_EQ(ev_at(n, 5)->wd, 2);
    VT_EQ(ev_at(n, 5)->mask, LINUX_IN_IGNORED);
    VT_EQ(vfs_notify_rm_watch(g, 2), -EINVAL);
    VT_EQ(vfs_icache_count(), cached + 1); /* the mounted inodes went; "/m" is cached now */
    VT_EQ(vfs_notify_rm_watch(g, 1), 0);
    vfs_notify_group_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(queue_overflow),    cmocka_unit_test(queue_coalesce),
        cmocka_unit_test(rename_cookies),    cmocka_unit_test(delete_when_closed),
        cmocka_unit_test(free_with_watches), cmocka_unit_test(unmount_watched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
