/*
 * test_abi_stat.c - core/abi/stat.h against glibc's <sys/stat.h>, <sys/statfs.h>,
 * <sys/statvfs.h>, <dirent.h>, <sys/sysmacros.h> (this file) and the kernel's <asm/stat.h>,
 * <linux/stat.h> (statx), <asm/statfs.h> (abi_stat_uapi.c). The getdents records are read
 * from the host kernel.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/abi/stat.h"
#include "tests/unit/abi/abi_check.h"

void abi_stat_uapi(void **state);

static void test_mode_bits(void **state)
{
    CK(S_IFMT), CK(S_IFSOCK), CK(S_IFLNK), CK(S_IFREG), CK(S_IFBLK), CK(S_IFDIR), CK(S_IFCHR);
    CK(S_IFIFO), CK(S_ISUID), CK(S_ISGID), CK(S_ISVTX), CK(S_IRWXU), CK(S_IRUSR), CK(S_IWUSR);
    CK(S_IXUSR), CK(S_IRWXG), CK(S_IRGRP), CK(S_IWGRP), CK(S_IXGRP), CK(S_IRWXO), CK(S_IROTH);
    CK(S_IWOTH), CK(S_IXOTH);
    EQ("ALLPERMS|S_ISUID|S_ISGID|S_ISVTX", LINUX_S_IALLUGO, ALLPERMS);
    CK(UTIME_NOW), CK(UTIME_OMIT);
    CK(DT_UNKNOWN), CK(DT_FIFO), CK(DT_CHR), CK(DT_DIR), CK(DT_BLK), CK(DT_REG), CK(DT_LNK);
    CK(DT_SOCK), CK(DT_WHT);
    EQ("makedev(8,1)", LINUX_MAKEDEV(8, 1), makedev(8, 1));
    EQ("makedev(0x12345,0x6789ab)", LINUX_MAKEDEV(0x12345, 0x6789ab), makedev(0x12345, 0x6789ab));
    CK(ST_RDONLY), CK(ST_NOSUID), CK(ST_NODEV), CK(ST_NOEXEC), CK(ST_SYNCHRONOUS);
    CK(ST_MANDLOCK), CK(ST_NOATIME), CK(ST_NODIRATIME), CK(ST_RELATIME);
    (void)state;
}

static void test_stat_layout(void **state)
{
    typedef struct linux_stat S;
    SZ(S, struct stat);
#define F(f) OFF(S, f, struct stat, f)
    F(st_dev), F(st_ino), F(st_nlink), F(st_mode), F(st_uid), F(st_gid), F(st_rdev);
    F(st_size), F(st_blksize), F(st_blocks);
#undef F
    OFF(S, st_atime_sec, struct stat, st_atim.tv_sec);
    OFF(S, st_atime_nsec, struct stat, st_atim.tv_nsec);
    OFF(S, st_mtime_sec, struct stat, st_mtim.tv_sec);
    OFF(S, st_mtime_nsec, struct stat, st_mtim.tv_nsec);
    OFF(S, st_ctime_sec, struct stat, st_ctim.tv_sec);
    OFF(S, st_ctime_nsec, struct stat, st_ctim.tv_nsec);
    typedef struct linux_statfs T;
    SZ(T, struct statfs);
#define F(f) OFF(T, f, struct statfs, f)
    F(f_type), F(f_bsize), F(f_blocks), F(f_bfree), F(f_bavail), F(f_files), F(f_ffree);
    F(f_fsid), F(f_namelen), F(f_frsize), F(f_flags), F(f_spare);
#undef F
    (void)state;
}

/* getdents64 and getdents of a directory holding one file, parsed with our layouts. */
static void test_dirents_native(void **state)
{
    char dir[] = "/tmp/petrel-abi-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof(path), "%s/f", dir);
    int fd = open(path, O_CREAT | O_WRONLY, 0600);
    assert_true(fd >= 0);
    close(fd);
    _Alignas(8) char buf[1024];
    int d = open(dir, O_RDONLY | O_DIRECTORY);
    long n = syscall(SYS_getdents64, d, buf, sizeof(buf));
    int found = 0;
    for (long off = 0; off < n;) {
        struct linux_dirent64 *e = (struct linux_dirent64 *)(buf + off);
        if (strcmp(e->d_name, "f") == 0) {
            EQ("dirent64 d_type", LINUX_DT_REG, e->d_type);
            EQ("dirent64 d_reclen", (19 + 2 + 7) / 8 * 8, e->d_reclen);
            found++;
        }
        off += e->d_reclen;
    }
    lseek(d, 0, SEEK_SET);
    n = syscall(SYS_getdents, d, buf, sizeof(buf));
    for (long off = 0; off < n;) {
        struct linux_dirent *e = (struct linux_dirent *)(buf + off);
        if (strcmp(e->d_name, "f") == 0) {
            EQ("dirent d_type (last byte)", LINUX_DT_REG, buf[off + e->d_reclen - 1]);
            EQ("dirent d_reclen", (18 + 2 + 1 + 7) / 8 * 8, e->d_reclen);
            found++;
        }
        off += e->d_reclen;
    }
    close(d);
    unlink(path);
    rmdir(dir);
    EQ("entries named f", 2, found);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mode_bits),
        cmocka_unit_test(test_stat_layout),
        cmocka_unit_test(test_dirents_native),
        cmocka_unit_test(abi_stat_uapi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
