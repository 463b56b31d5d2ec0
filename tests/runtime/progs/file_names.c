/*
 * file_names: names in a directory tree. rename over an existing file (the old inode's
 * descriptor still reads its data), of a directory over an empty one, and its errors
 * (EISDIR, ENOTDIR, ENOTEMPTY, EINVAL into itself, ENOENT); link counts through link and
 * unlink (st_nlink), a file unlinked while open still readable; symlinks: readlink (no NUL,
 * truncated to the buffer), lstat vs stat, a dangling link (ENOENT through it, lstat works),
 * a loop (ELOOP), O_NOFOLLOW (ELOOP), symlinks to directories in the middle of a path;
 * realpath through links and "..". argv[1]: a scratch directory. Output is the same natively
 * and in Petrel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *e(int rc)
{
    if (rc >= 0)
        return "ok";
    switch (errno) {
    case ENOENT:
        return "ENOENT";
    case EEXIST:
        return "EEXIST";
    case EISDIR:
        return "EISDIR";
    case ENOTDIR:
        return "ENOTDIR";
    case ENOTEMPTY:
        return "ENOTEMPTY";
    case EINVAL:
        return "EINVAL";
    case ELOOP:
        return "ELOOP";
    case EPERM:
        return "EPERM";
    default:
        return "other";
    }
}

static void put(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    write(fd, text, strlen(text));
    close(fd);
}

static long nlink(const char *path)
{
    struct stat st;

    return stat(path, &st) ? -1 : (long)st.st_nlink;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "tmp/names";
    char buf[256];
    struct stat st, lst;
    int fd;
    ssize_t n;

    setvbuf(stdout, NULL, _IOLBF, 0);
    int top = open(".", O_RDONLY | O_DIRECTORY);
    mkdir(dir, 0755);
    if (chdir(dir)) {
        perror(dir);
        return 1;
    }
    put("a", "AAAA");
    put("b", "BB");
    fd = open("b", O_RDONLY);
    printf("rename a over b: %s\n", e(rename("a", "b")));
    memset(buf, 0, sizeof(buf));
    read(fd, buf, sizeof(buf) - 1);
    close(fd);
    fd = open("b", O_RDONLY);
    n = read(fd, buf + 10, 10);
    close(fd);
    printf("  the old b's descriptor reads '%s', the name reads '%.*s', a is gone: %s\n", buf,
           (int)n, buf + 10, e(access("a", F_OK)));
    mkdir("d1", 0755);
    mkdir("d2", 0755);
    put("d1/f", "in d1");
    printf("rename d1 over empty d2: %s\n", e(rename("d1", "d2")));
    mkdir("d3", 0755);
    printf("rename file over dir: %s\n", e(rename("b", "d3")));
    printf("rename dir over file: %s\n", e(rename("d3", "b")));
    mkdir("d4", 0755);
    put("d4/x", "x");
    printf("rename dir over non-empty dir: %s\n", e(rename("d3", "d4")));
    printf("rename dir into itself: %s\n", e(rename("d2", "d2/sub")));
    printf("rename missing: %s\n", e(rename("nope", "x")));
    printf("rename onto itself: %s\n", e(rename("b", "b")));

    int rc = link("b", "c");
    printf("link b c: %s, nlink %ld\n", e(rc), nlink("b"));
    printf("link onto an existing name: %s\n", e(link("b", "c")));
    printf("link a directory: %s\n", e(link("d2", "d5")));
    unlink("b");
    printf("unlink b: nlink of c %ld\n", nlink("c"));
    fd = open("c", O_RDONLY);
    unlink("c");
    memset(buf, 0, sizeof(buf));
    n = read(fd, buf, 10);
    fstat(fd, &st);
    printf("unlinked while open: read '%.*s', nlink %ld\n", (int)n, buf, (long)st.st_nlink);
    close(fd);
    printf("dir nlink: d2 %ld (2 + subdirs)\n", nlink("d2"));
    mkdir("d2/s", 0755);
    printf("after mkdir d2/s: %ld\n", nlink("d2"));

    put("target", "0123456789");
    symlink("target", "ln");
    n = readlink("ln", buf, sizeof(buf));
    printf("readlink: %zd '%.*s'\n", n, (int)n, buf);
    n = readlink("ln", buf, 3);
    printf("readlink into 3 bytes: %zd '%.*s'\n", n, (int)n, buf);
    printf("readlink of a file: %s\n", e((int)readlink("target", buf, sizeof(buf))));
    stat("ln", &st);
    lstat("ln", &lst);
    printf("stat size %lld regular %d; lstat size %lld link %d\n", (long long)st.st_size,
           S_ISREG(st.st_mode), (long long)lst.st_size, S_ISLNK(lst.st_mode));
    symlink("missing", "dangling");
    printf("dangling: open %s, lstat %s\n", e(open("dangling", O_RDONLY)),
           e(lstat("dangling", &lst)));
    symlink("loop2", "loop1");
    symlink("loop1", "loop2");
    printf("loop: open %s\n", e(open("loop1", O_RDONLY)));
    printf("O_NOFOLLOW on a link: %s\n", e(open("ln", O_RDONLY | O_NOFOLLOW)));
    symlink("d2", "dl");
    fd = open("dl/f", O_RDONLY);
    n = read(fd, buf, sizeof(buf));
    close(fd);
    printf("through a directory link: '%.*s'\n", (int)n, buf);
    printf("symlink onto an existing name: %s\n", e(symlink("x", "ln")));

    char *rp = realpath("dl/s/../f", NULL), *cwd = getcwd(NULL, 0);
    if (rp && cwd && !strncmp(rp, cwd, strlen(cwd)))
        printf("realpath dl/s/../f: <cwd>%s\n", rp + strlen(cwd));
    else
        printf("realpath: %s\n", rp ? rp : "NULL");
    printf("realpath of a dangling link: %s\n", realpath("dangling", buf) ? "ok" : e(-1));
    free(rp);
    free(cwd);

    const char *names[] = {"d2/s",   "d2/f", "d2",       "d3",    "d4/x",  "d4",
                           "target", "ln",   "dangling", "loop1", "loop2", "dl"};
    int bad = 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        int rc = (lstat(names[i], &lst) == 0 && S_ISDIR(lst.st_mode)) ? rmdir(names[i])
                                                                      : unlink(names[i]);
        bad += rc != 0;
    }
    fchdir(top);
    bad += rmdir(dir) != 0;
    printf("cleaned up, failures %d\n", bad);
    return 0;
}
