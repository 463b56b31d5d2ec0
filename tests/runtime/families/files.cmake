# files: memfd_create with seals, sendfile file -> pipe, copy_file_range, flock between two
# open file descriptions, RLIMIT_NOFILE and RLIMIT_FSIZE (docs/files.md).
rt_prog(files2)
rt_test(${libc}.files2 ${b}/files2 ${RT_ROOT} /bin/files2 ARGS files2 tmp/files2-${libc}.txt)
# fcntl record locks: POSIX and OFD locks between threads, close releasing, EINTR and
# SA_RESTART on F_SETLKW, flock apart (docs/files.md).
rt_prog(fcntl_locks FLAGS -pthread)
rt_test(${libc}.fcntl_locks ${b}/fcntl_locks ${RT_ROOT} /bin/fcntl_locks ARGS fcntl_locks tmp/locks-${libc}.txt)
