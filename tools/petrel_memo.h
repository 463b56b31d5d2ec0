/*
 * petrel_memo.h - the staging memo of `petrel run` (petrel_memo.c): the staged tree of a
 * program, replayed on a later run while no host path staging depended on has changed.
 */
#ifndef PETREL_MEMO_H
#define PETREL_MEMO_H

#include <stdbool.h>
#include <stddef.h>

struct pm_memo {
    const char *program;  /* the program's guest path */
    const char **lines;   /* what staging said, in order */
    size_t nlines;
    const char *list;     /* the staged tree, mkfs's file-list format */
    size_t list_len;
    size_t npaths;        /* host paths checked */
    char *buf;            /* owns the strings above */
};

/* Start recording: pm_note and pm_say keep what they are given until pm_save. */
void pm_begin(void);
void pm_end(void); /* stop recording without a memo (pm_save stops it too) */
bool pm_recording(void);
/* A host path (absolute) staging depended on; its directory is recorded with it. */
void pm_note(const char *path);
/* Each directory of a ':'-separated list. */
void pm_note_list(const char *list);
/* A line staging said (replayed by a run that uses the memo). */
void pm_say(const char *line);
/* CLOCK_REALTIME in ns: take it before staging, for pm_save's racily-clean check. */
long long pm_now_ns(void);
/* Write the memo to file: 0 written; 1 not written because a recorded path changed less than
 * 2 s before started_ns (its stamp could hide a later change); -1 an I/O error. */
int pm_save(const char *file, const char *program, const char *list, size_t list_len,
            long long started_ns);
/* Load file into m when every recorded path still has its recorded stat (pm_free after). */
bool pm_load(const char *file, struct pm_memo *m);
void pm_free(struct pm_memo *m);

#endif
