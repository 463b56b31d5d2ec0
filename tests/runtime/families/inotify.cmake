# inotify (docs/inotify.md): a directory watched while the program changes it, the event
# stream printed (cookies, subdirectories, IN_ONESHOT, IN_IGNORED, the overflow of the
# bounded queue); an inotify descriptor in epoll/poll/select with a thread making events,
# edge-triggered wakeups, and a blocking read under a signal (EINTR, SA_RESTART).
rt_prog(inotify_watch)
rt_test(${libc}.inotify_watch ${b}/inotify_watch ${RT_ROOT} /bin/inotify_watch
        ARGS inotify_watch tmp/inotify-${libc})
rt_prog(inotify_epoll FLAGS -pthread)
rt_test(${libc}.inotify_epoll ${b}/inotify_epoll ${RT_ROOT} /bin/inotify_epoll
        ARGS inotify_epoll tmp/inotify-epoll-${libc})
