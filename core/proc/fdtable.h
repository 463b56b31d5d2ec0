/*
 * fdtable.h - the process's descriptor table: descriptor numbers -> open files.
 *
 * A slot holds a reference to an open file description (struct file, fs/file/file.h) and the
 * descriptor's own flag, FD_CLOEXEC. The table is a fixed array of PROC_NOFILE slots under
 * one mutex (fdtable.c says why lookups take their own reference). Every call may sleep.
 */
#ifndef CORE_PROC_FDTABLE_H
#define CORE_PROC_FDTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/sched/sched.h"

struct file;

#define PROC_NOFILE 1024 /* descriptors 0..1023: the hard RLIMIT_NOFILE */

/* What a descriptor refers to. A slot is free when file is NULL. */
struct fd_slot {
    struct file *file; /* a reference, or NULL */
    bool cloexec;      /* FD_CLOEXEC */
};

struct fdtable {
    struct mutex lock; /* guards slots and nofile */
    unsigned nofile;   /* RLIMIT_NOFILE's soft limit, at most PROC_NOFILE: new descriptors
                          are below it (those above, from before it was lowered, stay) */
    struct fd_slot slots[PROC_NOFILE];
};

void fdtable_init(struct fdtable *t);
/* Close every descriptor. */
void fdtable_destroy(struct fdtable *t);
/*
 * Put f (its reference passes to the table) in the lowest free slot >= minfd and below the
 * RLIMIT_NOFILE limit, with FD_CLOEXEC = cloexec. Returns the descriptor, -EMFILE (none free)
 * or -EINVAL (minfd negative). On failure the caller keeps its reference. (F_DUPFD's -EINVAL
 * for minfd at or above the limit is the caller's check, with fdtable_limit.)
 */
int fd_install(struct fdtable *t, int minfd, struct file *f, bool cloexec);
/* RLIMIT_NOFILE's soft limit as the table applies it (a snapshot), and setting it (n is
 * capped at PROC_NOFILE). Never sleeps / may sleep. */
unsigned fdtable_limit(struct fdtable *t);
void fdtable_set_limit(struct fdtable *t, uint64_t n);
/* The file of fd with a new reference (drop it with file_put), into *out. 0 or -EBADF. */
int fd_get(struct fdtable *t, int fd, struct file **out);
/* Close fd: 0 or -EBADF. */
int fd_close(struct fdtable *t, int fd);
/* dup2/dup3 core: make newfd refer to oldfd's file (closing what newfd held), with
 * cloexec. Returns newfd or -EBADF (also newfd at or above the RLIMIT_NOFILE limit, as
 * Linux). oldfd == newfd returns newfd after checking oldfd, whatever the limit. */
int fd_dup_to(struct fdtable *t, int oldfd, int newfd, bool cloexec);
/* FD_CLOEXEC of fd: get (0/1 or -EBADF) and set (0 or -EBADF). */
int fd_get_cloexec(struct fdtable *t, int fd);
int fd_set_cloexec(struct fdtable *t, int fd, bool on);
/* Descriptors in use (tests). */
unsigned fd_count(struct fdtable *t);

#endif
