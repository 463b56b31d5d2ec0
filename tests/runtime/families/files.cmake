# files: memfd_create with seals, sendfile file -> pipe, copy_file_range, flock between two
# open file descriptions, RLIMIT_NOFILE and RLIMIT_FSIZE (docs/files.md).
rt_prog(files2)
rt_test(${libc}.files2 ${b}/files2 ${RT_ROOT} /bin/files2 ARGS files2 tmp/files2-${libc}.txt)
