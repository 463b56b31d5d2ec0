/*
 * test_file.c - struct file (fs/file/file.h): references and release, status flags through
 * setfl, the position lock and pread's ESPIPE, Linux's defaults for missing ops, and the VFS
 * kind (its own position, O_APPEND changed by F_SETFL reaching the VFS, lseek/getdents at the
 * file's position, mmap/dirfd access).
 */
#include "vt.h"

#include "core/lib/alloc.h"
#include "fs/file/file.h"
#include "hal/hal_errno.h"

static int released;
static unsigned last_setfl;

static void t_release(struct file *f)
{
    released++;
    VT_CHECK(f->priv == &released);
}

static int t_setfl(struct file *f, unsigned flags)
{
    if (flags & 0x40000000u)
        return -EPERM;
    last_setfl = flags;
    return 0;
}

static int t_stat(struct file *f, struct vfs_stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_ino = 7;
    return 0;
}

static const struct file_ops bare_ops = {
    .name = "bare",
    .stat = t_stat,
    .setfl = t_setfl,
    .release = t_release,
};

VT_CASE(refs_and_release)
{
    struct file *f = file_alloc(&bare_ops, &released, VFS_O_RDWR, 0);

    released = 0;
    VT_CHECK(f != NULL);
    VT_EQ(f->refs, 1);
    file_get(f);
    file_get(f);
    VT_EQ(f->refs, 3);
    file_put(f);
    file_put(f);
    VT_EQ(released, 0);
    file_put(f);
    VT_EQ(released, 1);
    file_put(NULL);
}

VT_CASE(defaults_are_linux_errors)
{
    struct file *f = file_alloc(&bare_ops, &released, VFS_O_RDWR, 0);
    struct vfs_stat st;
    struct vfs_file *src;
    uint64_t pos = 0;
    char c;

    VT_EQ(file_read(f, &c, 1, &pos), -EINVAL);
    VT_EQ(file_write(f, &c, 1, &pos), -EINVAL);
    VT_EQ(file_lseek(f, 0, VFS_SEEK_SET), -ESPIPE);
    VT_EQ(file_getdents(f, &c, 1), -ENOTDIR);
    VT_EQ(file_ioctl(f, 0x5401, 0), -ENOTTY);
    VT_EQ(file_mmap(f, 0, 0, &src), -ENODEV);
    VT_EQ(file_fcntl(f, 1031, 4096), -EBADF); /* F_SETPIPE_SZ: not a pipe */
    VT_EQ(file_fcntl(f, 1034, 0), -EINVAL);   /* F_GET_SEALS */
    VT_EQ(file_fsync(f, false), -EINVAL);
    VT_EQ(file_truncate(f, 0), -EINVAL);
    VT_EQ(file_poll(f, NULL), FILE_POLL_DEFAULT);
    VT_EQ(file_stat(f, &st), 0);
    VT_EQ(st.st_ino, 7);
    VT_CHECK(file_vfs(f) == NULL);
    file_put(f);
}

VT_CASE(setfl_keeps_other_bits_and_honours_refusal)
{
    struct file *f = file_alloc(&bare_ops, &released, VFS_O_WRONLY, 0);

    VT_EQ(file_setfl(f, VFS_O_NONBLOCK | VFS_O_APPEND, VFS_O_NONBLOCK | VFS_O_RDWR), 0);
    VT_EQ(file_flags(f), VFS_O_WRONLY | VFS_O_NONBLOCK); /* RDWR outside the mask */
    VT_EQ(last_setfl, VFS_O_WRONLY | VFS_O_NONBLOCK);
    VT_EQ(file_setfl(f, 0x40000000u, 0x40000000u), -EPERM);
    VT_EQ(file_flags(f), VFS_O_WRONLY | VFS_O_NONBLOCK); /* unchanged on refusal */
    VT_EQ(file_setfl(f, VFS_O_NONBLOCK, 0), 0);
    VT_EQ(file_flags(f), VFS_O_WRONLY);
    file_put(f);
}

VT_CASE(pos_begin_modes)
{
    struct file *s = file_alloc(&bare_ops, &released, 0, 0);
    struct file *p = file_alloc(&bare_ops, &released, 0, FILE_MODE_POS | FILE_MODE_PREAD);
    uint64_t local = 99, *pos;

    VT_EQ(file_pos_begin(s, 5, &local, &pos), -ESPIPE); /* a stream: no pread */
    VT_EQ(file_pos_begin(s, -1, &local, &pos), 0);
    VT_CHECK(pos == &local && local == 0 && !mutex_is_held(&s->pos_lock));
    file_pos_end(s, -1);
    VT_EQ(file_pos_begin(p, 5, &local, &pos), 0);
    VT_CHECK(pos == &local && local == 5 && !mutex_is_held(&p->pos_lock));
    file_pos_end(p, 5);
    VT_EQ(file_pos_begin(p, -1, &local, &pos), 0);
    VT_CHECK(pos == &p->pos && mutex_is_held(&p->pos_lock));
    file_pos_end(p, -1);
    VT_CHECK(!mutex_is_held(&p->pos_lock));
    file_put(s);
    file_put(p);
}

static struct file *open_file(const char *path, int flags)
{
    struct vfs_file *vf = vt_open(path, flags, 0644);
    struct file *f = vf ? file_from_vfs(vf) : NULL;

    if (vf && !f)
        vt_put(vf);
    return f;
}

VT_CASE(vfs_kind_position_is_the_files)
{
    struct file *f, *g;
    uint64_t local, *pos;
    char buf[8] = {0};

    vt_memfs_root();
    f = open_file("/a", VFS_O_CREAT | VFS_O_RDWR);
    VT_CHECK(f != NULL);
    VT_CHECK(file_vfs(f) != NULL);
    VT_EQ(f->mode, FILE_MODE_POS | FILE_MODE_PREAD);
    VT_EQ(file_pos_begin(f, -1, &local, &pos), 0);
    VT_EQ(file_write(f, "hello", 5, pos), 5);
    file_pos_end(f, -1);
    VT_EQ(f->pos, 5);
    VT_EQ(file_vfs(f)->pos, 0); /* the VFS's own position is not used */
    VT_EQ(file_pos_begin(f, 1, &local, &pos), 0);
    VT_EQ(file_read(f, buf, 3, pos), 3); /* pread */
    file_pos_end(f, 1);
    VT_CHECK(memcmp(buf, "ell", 3) == 0);
    VT_EQ(f->pos, 5);
    VT_EQ(file_lseek(f, -2, VFS_SEEK_CUR), 3);
    VT_EQ(file_lseek(f, 0, VFS_SEEK_END), 5);
    VT_EQ(file_lseek(f, 1, VFS_SEEK_SET), 1);
    VT_EQ(file_read(f, buf, 8, &f->pos), 4);
    VT_EQ(f->pos, 5);
    /* A second open is a second description with its own position. */
    g = open_file("/a", VFS_O_RDONLY);
    VT_EQ(file_read(g, buf, 2, &g->pos), 2);
    VT_EQ(g->pos, 2);
    VT_EQ(file_write(g, "x", 1, &g->pos), -EBADF);
    file_put(g);
    file_put(f);
}

VT_CASE(vfs_kind_setfl_append_reaches_the_vfs)
{
    struct file *f;
    struct vfs_stat st;
    char buf[16] = {0};

    vt_memfs_root();
    f = open_file("/b", VFS_O_CREAT | VFS_O_WRONLY);
    VT_EQ(file_write(f, "0123456789", 10, &f->pos), 10);
    VT_EQ(file_lseek(f, 2, VFS_SEEK_SET), 2);
    VT_EQ(file_setfl(f, VFS_O_APPEND, VFS_O_APPEND), 0);
    VT_CHECK(file_vfs(f)->flags & VFS_O_APPEND);
    VT_EQ(file_write(f, "ab", 2, &f->pos), 2);
    VT_EQ(f->pos, 12); /* appended, and the position follows */
    VT_EQ(file_setfl(f, VFS_O_APPEND, 0), 0);
    VT_EQ(file_lseek(f, 0, VFS_SEEK_SET), 0);
    VT_EQ(file_write(f, "Z", 1, &f->pos), 1);
    VT_EQ(file_stat(f, &st), 0);
    VT_EQ(st.st_size, 12);
    VT_EQ(file_truncate(f, 4), 0);
    VT_EQ(file_fsync(f, true), 0);
    VT_EQ(file_poll(f, NULL), FILE_POLL_DEFAULT);
    struct vfs_file *src = NULL;
    VT_EQ(file_mmap(f, 0, 0, &src), -EACCES); /* a mapping needs read access (Linux) */
    file_put(f);
    f = open_file("/b", VFS_O_RDONLY);
    VT_EQ(file_mmap(f, 0, 0, &src), 0);
    VT_CHECK(src == file_vfs(f));
    file_put(f);
    VT_EQ(vt_read_file("/b", buf, sizeof(buf)), 4);
    VT_CHECK(memcmp(buf, "Z123", 4) == 0);
}

VT_CASE(vfs_kind_o_path_and_directories)
{
    struct file *f, *d;
    char *buf = kzalloc(512);

    vt_memfs_root();
    VT_EQ(vfs_mkdirat(NULL, "/d", 0755), 0);
    VT_EQ(vt_write_file("/d/x", "1", 1), 0);
    f = open_file("/d/x", VFS_O_PATH);
    VT_EQ(file_setfl(f, VFS_O_NONBLOCK, VFS_O_NONBLOCK), -EBADF); /* Linux: EBADF */
    VT_EQ(file_flags(f) & VFS_O_NONBLOCK, 0);
    VT_EQ(file_read(f, buf, 1, &f->pos), -EBADF);
    file_put(f);
    d = open_file("/d", VFS_O_RDONLY | VFS_O_DIRECTORY);
    long n = file_getdents(d, buf, 512);
    VT_CHECK(n > 0);
    VT_CHECK(d->pos == 3); /* ".", "..", "x": the cookie of the next entry */
    VT_EQ(file_getdents(d, buf, 512), 0);
    VT_EQ(file_lseek(d, 0, VFS_SEEK_SET), 0);
    VT_EQ(file_getdents(d, buf, 512), n);
    VT_EQ(file_read(d, buf, 1, &d->pos), -EISDIR);
    file_put(d);
    kfree(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refs_and_release),
        cmocka_unit_test(defaults_are_linux_errors),
        cmocka_unit_test(setfl_keeps_other_bits_and_honours_refusal),
        cmocka_unit_test(pos_begin_modes),
        cmocka_unit_test(vfs_kind_position_is_the_files),
        cmocka_unit_test(vfs_kind_setfl_append_reaches_the_vfs),
        cmocka_unit_test(vfs_kind_o_path_and_directories),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
