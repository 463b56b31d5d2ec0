# inotify (docs/inotify.md): a directory watched while the program changes it, the event
# stream printed (cookies, subdirectories, IN_ONESHOT, IN_IGNORED, the overflow of the
# bounded queue); an inotify descriptor in epoll/poll/select with a thread making events,
# edge-triggered wakeups, and a blocking read under a signal (EINTR, SA_RESTART).
rt_prog(inotify_watch DEPENDS progs/rt_check.h)
rt_test(${libc}.inotify_watch ${b}/inotify_watch ${RT_ROOT} /bin/inotify_watch
        ARGS inotify_watch tmp/inotify-${libc})
rt_prog(inotify_epoll FLAGS -pthread DEPENDS progs/rt_check.h)
rt_test(${libc}.inotify_epoll ${b}/inotify_epoll ${RT_ROOT} /bin/inotify_epoll
        ARGS inotify_epoll tmp/inotify-epoll-${libc})
# A file with hard links in two watched directories: each event goes to the directory of the
# name used (and the file's own watch), unlinked and renamed names while open, after many
# other lookups (the dentry cache's limit).
rt_prog(inotify_links DEPENDS progs/rt_check.h)
rt_test(${libc}.inotify_links ${b}/inotify_links ${RT_ROOT} /bin/inotify_links
        ARGS inotify_links tmp/inotify-links-${libc})
# signal-driven I/O on inotify (inotify_sigio: POLL_IN per queued event, none for a merged
# one), compared with its native run.
rt_prog(inotify_sigio DEPENDS progs/sigio_show.h)
rt_test(${libc}.inotify_sigio ${b}/inotify_sigio ${RT_ROOT} /bin/inotify_sigio
        ARGS inotify_sigio tmp/inotify_sigio-${libc})
