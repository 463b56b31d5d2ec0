/* inotify_sigio: signal-driven I/O on inotify, as Linux's fsnotify_insert_event signals it:
 * POLL_IN for each event queued, nothing for an event merged into the last one (the same
 * event again before a read), nothing for a read; plain SIGIO through FIOASYNC; the
 * IN_IGNORED event of a removed watch is queued, so it signals too. Works in argv[1] (made
 * here if missing). */
#define _GNU_SOURCE
#include <sys/inotify.h>
#include <sys/stat.h>

#include "sigio_show.h"

static char buf[4096];

static void touch(const char *path)
{
    int fd = open(path, O_CREAT | O_WRONLY, 0600);

    if (fd >= 0)
        close(fd);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "tmp";
    char a[256], b[256];
    int in, wd;

    setvbuf(stdout, NULL, _IONBF, 0);
    sigio_block();
    snprintf(a, sizeof(a), "%s/inotify_sigio.a", dir);
    snprintf(b, sizeof(b), "%s/inotify_sigio.b", dir);
    mkdir(dir, 0700);
    unlink(a);
    unlink(b);
    in = inotify_init1(IN_NONBLOCK);
    printf("inotify async (F_SETSIG): %d\n", sigio_on(in, SIGRT, 0));
    wd = inotify_add_watch(in, dir, IN_CREATE | IN_MODIFY);
    step("watch added");
    touch(a);
    step("create a");
    int fd = open(a, O_WRONLY);
    write(fd, "x", 1);
    step("modify a");
    write(fd, "y", 1);
    step("modify a again (merged)");
    close(fd);
    printf("read: %s\n", read(in, buf, sizeof(buf)) > 0 ? "events" : "nothing");
    step("read");
    touch(b);
    step("create b");
    inotify_rm_watch(in, wd);
    step("watch removed (IN_IGNORED)");
    close(in);
    in = inotify_init1(IN_NONBLOCK);
    printf("inotify FIOASYNC: %d\n", sigio_on(in, 0, 1));
    inotify_add_watch(in, dir, IN_DELETE);
    unlink(a);
    step("delete a, plain SIGIO");
    unlink(b);
    step("delete b, plain SIGIO");
    close(in);
    rmdir(dir);
    return 0;
}
