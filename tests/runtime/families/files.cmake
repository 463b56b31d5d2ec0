# files: memfd_create with seals, sendfile file -> pipe, copy_file_range, flock between two
# open file descriptions, RLIMIT_NOFILE and RLIMIT_FSIZE (docs/files.md).
rt_prog(files2)
rt_test(${libc}.files2 ${b}/files2 ${RT_ROOT} /bin/files2 ARGS files2 tmp/files2-${libc}.txt)
# Offsets and sizes (O_APPEND, pread/pwrite, holes, SEEK_DATA/SEEK_HOLE, ftruncate, shared
# and separate offsets), names (rename, link counts, symlinks, realpath), and a directory of
# 1500 entries read with getdents64 in small buffers, telldir/seekdir, removal while reading.
rt_prog(file_io)
rt_test(${libc}.file_io ${b}/file_io ${RT_ROOT} /bin/file_io ARGS file_io tmp/file-io-${libc}.dat)
rt_prog(file_names)
rt_test(${libc}.file_names ${b}/file_names ${RT_ROOT} /bin/file_names
        ARGS file_names tmp/names-${libc})
rt_prog(dir_big)
rt_test(${libc}.dir_big ${b}/dir_big ${RT_ROOT} /bin/dir_big ARGS dir_big tmp/big-${libc})
# fcntl record locks: POSIX and OFD locks between threads, close releasing, EINTR and
# SA_RESTART on F_SETLKW, flock apart (docs/files.md).
rt_prog(fcntl_locks FLAGS -pthread)
rt_test(${libc}.fcntl_locks ${b}/fcntl_locks ${RT_ROOT} /bin/fcntl_locks ARGS fcntl_locks tmp/locks-${libc}.txt)
# A full filesystem: short count then ENOSPC at write(2), SIGBUS for a store into a hole of a
# shared mapping, nothing failing later at write-back (docs/files.md). Natively on a 4 MiB
# tmpfs the program mounts itself; in Petrel on the image's few free MiB.
rt_prog(enospc)
rt_test(${libc}.enospc ${b}/enospc ${RT_ROOT} /bin/enospc ARGS enospc tmp/enospc-${libc})
