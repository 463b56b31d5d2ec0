/* inotify_watch: watch a directory while the program changes it, and print the event
 * stream: create, write, close, open/read, rename (the MOVED_FROM/MOVED_TO pair shares a
 * cookie), subdirectories and their own watches, attribute changes, IN_ONESHOT, rm_watch's
 * IN_IGNORED, deletion of a watched file, and the bounded queue's IN_Q_OVERFLOW. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define RT_CHECK_EXIT /* a failed step ends the program */
#include "rt_check.h"

static int fd;
static char buf[1 << 20] __attribute__((aligned(8)));
static uint32_t from_cookie;

static const char *const names[] = {"ACCESS",        "MODIFY", "ATTRIB",      "CLOSE_WRITE",
                                    "CLOSE_NOWRITE", "OPEN",   "MOVED_FROM",  "MOVED_TO",
                                    "CREATE",        "DELETE", "DELETE_SELF", "MOVE_SELF"};

static void print_mask(uint32_t m)
{
    for (int i = 0; i < 12; i++)
        if (m & (1u << i))
            printf(" %s", names[i]);
    if (m & IN_Q_OVERFLOW)
        printf(" Q_OVERFLOW");
    if (m & IN_IGNORED)
        printf(" IGNORED");
    if (m & IN_ISDIR)
        printf(" ISDIR");
}

static void show(const char *what)
{
    long n = read(fd, buf, sizeof(buf));

    printf("%s:", what);
    if (n < 0) {
        printf(" %s\n", errno == EAGAIN ? "(none)" : strerror(errno));
        return;
    }
    printf("\n");
    for (long off = 0; off < n;) {
        struct inotify_event *e = (struct inotify_event *)(buf + off);
        printf("  wd %d", e->wd);
        print_mask(e->mask);
        if (e->len)
            printf(" \"%s\" (len %u)", e->name, e->len);
        if (e->mask & IN_MOVED_FROM)
            from_cookie = e->cookie;
        if (e->mask & IN_MOVED_TO)
            printf(" cookie %s", e->cookie && e->cookie == from_cookie ? "paired" : "UNPAIRED");
        else if (e->cookie && !(e->mask & IN_MOVED_FROM))
            printf(" cookie UNEXPECTED");
        printf("\n");
        off += (long)sizeof(*e) + e->len;
    }
}

static void path(char *out, const char *dir, const char *name)
{
    check(strlen(dir) + strlen(name) + 2 <= 512, "path length");
    strcat(strcat(strcpy(out, dir), "/"), name);
}

static void overflow(const char *dir)
{
    char p[512], q[512];
    int a, b, wd, avail = 0;
    long n, count = 0;
    struct inotify_event *last = NULL;

    wd = inotify_add_watch(fd, dir, IN_MODIFY);
    path(p, dir, "p");
    path(q, dir, "q");
    a = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    b = open(q, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    check(wd > 0 && a >= 0 && b >= 0, "overflow setup");
    show("overflow setup");
    for (int i = 0; i < 8200; i++) /* alternating names: nothing merges */
        check(write(a, "x", 1) == 1 && write(b, "y", 1) == 1, "overflow write");
    check(ioctl(fd, FIONREAD, &avail) == 0, "FIONREAD");
    printf("overflow: FIONREAD %d\n", avail);
    n = read(fd, buf, sizeof(buf));
    for (long off = 0; off < n; count++) {
        last = (struct inotify_event *)(buf + off);
        off += (long)sizeof(*last) + last->len;
    }
    printf("overflow: read %ld bytes, %ld events, last wd %d", n, count, last ? last->wd : 0);
    if (last)
        print_mask(last->mask);
    printf("\n");
    check(write(a, "x", 1) == 1, "write after overflow");
    show("after the overflow");
    close(a);
    close(b);
    unlink(p);
    unlink(q);
    show("overflow cleanup");
    printf("all events again: wd %d\n", inotify_add_watch(fd, dir, IN_ALL_EVENTS));
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "tmp/inotify";
    char a[512], b[512], sub[512], sub2[512], x[512];
    int wd, wsub, f;
    char c;

    path(a, dir, "a");
    path(b, dir, "b");
    path(sub, dir, "sub");
    path(sub2, dir, "sub2");
    path(x, sub, "x");
    check(mkdir(dir, 0755) == 0, "mkdir");
    fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    check(fd >= 0, "inotify_init1");
    wd = inotify_add_watch(fd, dir, IN_ALL_EVENTS);
    printf("watch %d, again %d\n", wd, inotify_add_watch(fd, dir, IN_ALL_EVENTS));
    show("nothing yet");

    f = open(a, O_CREAT | O_WRONLY, 0644);
    check(f >= 0 && write(f, "hello", 5) == 5 && write(f, "!", 1) == 1, "write a");
    close(f);
    show("create, write twice, close");
    f = open(a, O_RDONLY);
    check(f >= 0 && read(f, &c, 1) == 1, "read a");
    close(f);
    show("open, read, close");
    check(rename(a, b) == 0, "rename");
    show("rename a -> b");

    check(mkdir(sub, 0755) == 0, "mkdir sub");
    wsub = inotify_add_watch(fd, sub, IN_ALL_EVENTS | IN_ONLYDIR);
    printf("sub watch %d\n", wsub);
    f = open(x, O_CREAT | O_WRONLY, 0600);
    check(f >= 0, "create x");
    close(f);
    show("mkdir sub, create sub/x");
    check(rename(sub, sub2) == 0, "rename sub");
    show("rename sub -> sub2");
    path(x, sub2, "x");
    check(unlink(x) == 0 && rmdir(sub2) == 0, "remove sub2");
    show("remove sub2/x and sub2");

    check(chmod(b, 0600) == 0 && truncate(b, 2) == 0, "attrib");
    show("chmod, truncate");
    printf("oneshot watch %d\n", inotify_add_watch(fd, b, IN_MODIFY | IN_ONESHOT));
    f = open(b, O_WRONLY | O_APPEND);
    check(f >= 0 && write(f, "1", 1) == 1 && write(f, "2", 1) == 1, "append b");
    close(f);
    show("two writes under IN_ONESHOT");
    printf("file watch %d\n", inotify_add_watch(fd, b, IN_DELETE_SELF | IN_ATTRIB));
    check(unlink(b) == 0, "unlink b");
    show("unlink b");

    overflow(dir);
    printf("rm_watch %d: %d\n", wd, inotify_rm_watch(fd, wd));
    show("rm_watch");
    check(inotify_rm_watch(fd, wd) == -1 && errno == EINVAL, "rm_watch again: EINVAL");
    check(rmdir(dir) == 0, "rmdir");
    show("rmdir without a watch");
    return 0;
}
