/*
 * sc_tables.c - the list of written case tables; add a new cases_<topic>.c here. The
 * templates run as written cases too (their expectations are checked like any other).
 */
#include "sc.h"

const struct sc_case *const sc_tables[] = {
    sc_cases_file, sc_cases_path, sc_cases_mem, sc_cases_time, sc_cases_misc, sc_cases_io, sc_cases_attr, sc_cases_sched, sc_cases_meta, sc_cases_epoll, sc_cases_exec, sc_cases_files2, sc_cases_futex, sc_cases_inotify, sc_cases_locks, sc_cases_poll, sc_cases_ptimer, sc_cases_rlimit, sc_cases_rt, sc_cases_signal, sc_cases_sock, sc_cases_space, sc_cases_splice, sc_cases_unix, sc_cases_wait, sc_cases_fileops, sc_cases_fown, sc_templates, NULL,
};
