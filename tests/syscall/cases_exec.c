/*
 * cases_exec.c - execve (59) and execveat (322), error paths only: a successful exec would
 * replace the runner (the runtime family tests/runtime/families/exec.cmake runs those). Each
 * case makes its files in the scratch directory and closes them before exec'ing them (a file
 * open for writing would be -ETXTBSY on Linux). Linux's order of checks shows in the
 * bad-pointer case: a missing file is -ENOENT even with a bad argv (the file is opened first).
 */
#include <fcntl.h>

#include "sc.h"

/* A file of data with mode 0755, closed again (3 steps; descriptor 3 is free after). */
#define XFILE(name, data)                                                                          \
    CALL(open, W(3), S(name), I(O_WRONLY | O_CREAT | O_TRUNC), I(0755)),                          \
        CALL(write, W(sizeof(data) - 1), I(3), D(data), I(sizeof(data) - 1)),                      \
        CALL(close, W(0), I(3))
/* An argv array { a kernel-half pointer, NULL }. */
#define KPTR_ARGV D("\x00\x10\x00\x00\x00\x80\xff\xff\0\0\0\0\0\0\0\0")

const struct sc_case sc_cases_exec[] = {
    CASE("exec.missing", CALL(execve, ERR(ENOENT), S("none"), I(0), I(0)),
         CALL(execve, ERR(ENOENT), S(""), I(0), I(0)),
         CALL(execve, ERR(ENOENT), S("none/x"), I(0), I(0))),
    CASE("exec.not_executable", CALL(mkdir, W(0), S("d"), I(0755)),
         CALL(execve, ERR(EACCES), S("d"), I(0), I(0)),
         CALL(execve, ERR(EACCES), S("."), I(0), I(0)),
         CALL(open, W(3), S("f"), I(O_WRONLY | O_CREAT), I(0644)), CALL(close, W(0), I(3)),
         CALL(execve, ERR(EACCES), S("f"), I(0), I(0))),
    CASE("exec.not_elf", XFILE("j", "hello world\n"),
         CALL(execve, ERR(ENOEXEC), S("j"), I(0), I(0)),
         CALL(execve, ERR(ENOTDIR), S("j/x"), I(0), I(0)), XFILE("e", ""),
         CALL(execve, ERR(ENOEXEC), S("e"), I(0), I(0))),
    CASE("exec.script_no_interpreter", XFILE("a", "#!/nonexistent/interp arg\n"),
         CALL(execve, ERR(ENOENT), S("a"), I(0), I(0)), XFILE("b", "#!  \t \n"),
         CALL(execve, ERR(ENOEXEC), S("b"), I(0), I(0))),
    CASE("exec.script_bad_interpreter", XFILE("c", "#!/\n"),
         CALL(execve, ERR(EACCES), S("c"), I(0), I(0)), XFILE("l", "#!l\n"),
         CALL(execve, ERR(ELOOP), S("l"), I(0), I(0))),
    CASE("exec.bad_pointers", XFILE("j", "junk"),
         CALL(execve, ERR(EFAULT), BAD(NULL), I(0), I(0)),
         CALL(execve, ERR(EFAULT), BAD(KERNEL), I(0), I(0)),
         CALL(execve, ERR(EFAULT), S("j"), BAD(UNMAPPED), I(0)),
         CALL(execve, ERR(EFAULT), S("j"), KPTR_ARGV, I(0)),
         CALL(execve, ERR(EFAULT), S("j"), I(0), BAD(NONCANON)),
         CALL(execve, ERR(EFAULT), S("j"), EDGE("\0\0\0\0"), I(0)),
         CALL(execve, ERR(ENOENT), S("none"), BAD(UNMAPPED), BAD(UNMAPPED))),
    CASE("exec.execveat_flags_and_fds", XFILE("j", "junk"),
         CALL(execveat, ERR(EINVAL), I(AT_FDCWD), S("j"), I(0), I(0), I(0x1)),
         CALL(execveat, ERR(EINVAL), I(AT_FDCWD), S("j"), I(0), I(0), I(AT_SYMLINK_FOLLOW)),
         CALL(execveat, ERR(EBADF), I(99), S("j"), I(0), I(0), I(0)),
         CALL(execveat, ERR(EBADF), I(99), S(""), I(0), I(0), I(AT_EMPTY_PATH)),
         CALL(execveat, ERR(ENOENT), I(99), S("/nonexistent"), I(0), I(0), I(0))),
    CASE("exec.execveat_paths", XFILE("j", "junk"), CALL(symlink, W(0), S("j"), S("s")),
         CALL(open, W(3), S("."), I(O_RDONLY | O_DIRECTORY), I(0)),
         CALL(execveat, ERR(ENOEXEC), I(3), S("j"), I(0), I(0), I(0)),
         CALL(execveat, ERR(ENOEXEC), I(3), S("s"), I(0), I(0), I(0)),
         CALL(execveat, ERR(ELOOP), I(3), S("s"), I(0), I(0), I(AT_SYMLINK_NOFOLLOW)),
         CALL(execveat, ERR(EACCES), I(3), S(""), I(0), I(0), I(AT_EMPTY_PATH)),
         CALL(execveat, ERR(ENOENT), I(3), S(""), I(0), I(0), I(0)),
         CALL(execveat, ERR(EACCES), I(AT_FDCWD), S(""), I(0), I(0), I(AT_EMPTY_PATH))),
    CASE("exec.execveat_fd", XFILE("j", "junk"), CALL(open, W(3), S("j"), I(O_RDONLY), I(0)),
         CALL(execveat, ERR(ENOEXEC), I(3), S(""), I(0), I(0), I(AT_EMPTY_PATH)),
         CALL(execveat, ERR(ENOTDIR), I(3), S("x"), I(0), I(0), I(0))),
    {NULL, NULL, 0, -1, {0}, 0, false},
};
