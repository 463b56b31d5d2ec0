/* inotify_links: a file reached by two names (hard links in two watched directories, and a
 * watch on the file itself) and what each watch is told. Linux tells the directory of the
 * name the call went through, with that name, never the directory holding the other link:
 * open/write/close through one name, chmod and truncate by each path, fchmod through a
 * description, a new link and unlinks (IN_ATTRIB to the file's own watch only). A name
 * unlinked while open is still told (not to an IN_EXCL_UNLINK watch); a rename while open
 * moves the name later events carry. Many other names are looked up in between, so a
 * dentry cache that dropped the opened name would show. Checked natively first. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define RT_CHECK_EXIT /* a failed step ends the program */
#include "rt_check.h"

static int fd;
static char buf[65536] __attribute__((aligned(8)));
static const char *top;

static const char *const names[] = {"ACCESS",        "MODIFY", "ATTRIB",     "CLOSE_WRITE",
                                    "CLOSE_NOWRITE", "OPEN",   "MOVED_FROM", "MOVED_TO",
                                    "CREATE",        "DELETE", "DELETE_SELF", "MOVE_SELF"};

static void show(const char *what)
{
    long n = read(fd, buf, sizeof(buf));

    printf("%s:%s\n", what, n < 0 ? (errno == EAGAIN ? " (none)" : " ERROR") : "");
    for (long off = 0; off < n;) {
        struct inotify_event *e = (struct inotify_event *)(buf + off);
        printf("  wd %d", e->wd);
        for (int i = 0; i < 12; i++)
            if (e->mask & (1u << i))
                printf(" %s", names[i]);
        if (e->mask & IN_IGNORED)
            printf(" IGNORED");
        if (e->mask & IN_ISDIR)
            printf(" ISDIR");
        if (e->len)
            printf(" \"%s\"", e->name);
        printf("\n");
        off += (long)sizeof(*e) + e->len;
    }
}

static const char *p(const char *rel)
{
    static char bufs[4][512];
    static int i;
    char *out = bufs[i++ % 4];

    snprintf(out, 512, "%s/%s", top, rel);
    return out;
}

/* Look up many other names, so an LRU dentry cache would drop the ones used before. */
static void churn(void)
{
    struct stat st;
    char name[64];

    for (int i = 0; i < 3000; i++) {
        snprintf(name, sizeof(name), "other/n%d", i);
        check(stat(p(name), &st) == -1 && errno == ENOENT, "stat of a missing name");
    }
}

int main(int argc, char **argv)
{
    int f, g, wa, wb, wi;
    char c;

    top = argc > 1 ? argv[1] : "tmp/inotify-links";
    check(mkdir(top, 0755) == 0 && mkdir(p("a"), 0755) == 0 && mkdir(p("b"), 0755) == 0 &&
              mkdir(p("other"), 0755) == 0,
          "mkdir");
    f = open(p("a/f"), O_CREAT | O_WRONLY, 0644);
    check(f >= 0 && close(f) == 0 && link(p("a/f"), p("b/g")) == 0, "a/f and b/g");
    fd = inotify_init1(IN_NONBLOCK);
    wa = inotify_add_watch(fd, p("a"), IN_ALL_EVENTS);
    wb = inotify_add_watch(fd, p("b"), IN_ALL_EVENTS);
    wi = inotify_add_watch(fd, p("a/f"), IN_ALL_EVENTS);
    printf("watches %d %d %d\n", wa, wb, wi);
    show("nothing yet");

    f = open(p("b/g"), O_WRONLY);
    check(f >= 0 && write(f, "x", 1) == 1 && close(f) == 0, "write b/g");
    show("open, write, close through b/g");
    check(chmod(p("b/g"), 0600) == 0, "chmod b/g");
    show("chmod b/g");
    check(chmod(p("a/f"), 0644) == 0, "chmod a/f");
    show("chmod a/f");
    f = open(p("a/f"), O_RDONLY);
    check(f >= 0 && read(f, &c, 1) == 1 && close(f) == 0, "read a/f");
    show("open, read, close through a/f");
    check(truncate(p("b/g"), 0) == 0, "truncate b/g");
    show("truncate b/g");
    check(link(p("a/f"), p("b/h")) == 0, "link");
    show("link a/f to b/h");

    f = open(p("b/h"), O_RDWR);
    check(f >= 0, "open b/h");
    show("open b/h");
    churn();
    check(write(f, "y", 1) == 1 && fchmod(f, 0640) == 0, "write, fchmod b/h");
    show("write and fchmod through b/h after many other lookups");
    check(unlink(p("b/h")) == 0, "unlink b/h");
    show("unlink b/h while open (a/f and b/g remain)");
    check(write(f, "z", 1) == 1, "write unlinked b/h");
    show("write through the unlinked b/h");
    check(inotify_rm_watch(fd, wb) == 0, "rm_watch b");
    wb = inotify_add_watch(fd, p("b"), IN_ALL_EVENTS | IN_EXCL_UNLINK);
    show("b watched again with IN_EXCL_UNLINK");
    check(write(f, "z", 1) == 1 && close(f) == 0, "write unlinked b/h again");
    show("write, close through the unlinked b/h");

    g = open(p("a/f"), O_WRONLY);
    check(g >= 0 && rename(p("a/f"), p("b/k")) == 0, "rename a/f to b/k");
    show("rename a/f to b/k while open");
    check(write(g, "w", 1) == 1 && close(g) == 0, "write renamed");
    show("write, close through the renamed description");
    check(unlink(p("b/g")) == 0 && unlink(p("b/k")) == 0, "unlink the last names");
    show("unlink b/g and b/k");
    return 0;
}
