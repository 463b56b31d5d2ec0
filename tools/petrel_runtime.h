/*
 * petrel_runtime.h - the files an interpreted or managed runtime reads beyond its ELF
 * libraries (docs/petrel.md, "Runtime files"): Python's standard library and extension
 * modules, Perl's modules, CA certificates, timezone and locale data.
 *
 * One data table of rules chooses named file sets by the program's identity: its file name
 * (python3.11, perl), an ELF section (Go's .go.buildinfo) or a library it needs (libssl).
 * A set is a list of trees whose paths are templates over the program's own layout
 * (${prefix} is the directory above the program's bin directory, ${name} its file name,
 * ${version} the version at the end of its name), with "a|b" alternatives (the first that
 * exists) and globs, and a list of names left out (test suites, build configuration).
 * Some of those are set aside rather than forgotten: trees of third-party packages (Python's
 * site-packages) are not staged, since their size is the user's (hundreds of MB in a
 * pyenv or conda install), but reported, so the user adds what the program imports.
 * ELF files found in a tree (extension modules) get their DT_NEEDED closure added like the
 * program's; a module whose libraries are missing is left out, as Python would fail to
 * import it on a host without them.
 */
#ifndef TOOLS_PETREL_RUNTIME_H
#define TOOLS_PETREL_RUNTIME_H

#include <stddef.h>

#include "tools/petrel.h"

/* Where the staged files go: the image tree of petrel.c (guest path = host path). */
struct pr_sink {
    void (*file)(void *ctx, const char *path); /* a regular file */
    void (*link)(void *ctx, const char *path, const char *target);
    void (*dir)(void *ctx, const char *path);
    void *ctx;
};

/* What was added, for the progress line and `petrel deps`. */
struct pr_report {
    char rules[256];   /* the rules that matched, ", "-separated ("python, tls") */
    char sets[256];    /* the sets added ("python, certs, tz, locale") */
    size_t files;      /* files and links added by the sets */
    size_t modules;    /* ELF files among them whose libraries were resolved */
    size_t skipped;    /* ELF modules left out: a library they need is missing */
    char first_skipped[512]; /* the first of those, with its reason */
    size_t aside;      /* trees of third-party packages left out (the set's `aside` names) */
    char first_aside[512]; /* the first of those */
    size_t aside_entries;  /* the names at the top of those trees */
};

/*
 * Stage the runtime files of program (the real path of an ELF file, resolved into r by
 * pd_resolve) through sink: each set chosen by the rules, once; libraries of modules are
 * added to r (the caller stages r's files afterwards). Returns the number of sets added (0:
 * no rule matched).
 */
int pr_stage(const char *program, const char *ld_library_path,
             struct pd_result *r, const struct pr_sink *sink, struct pr_report *rep);

/* `petrel deps`: pr_stage printing each file ("PATH (runtime)", "PATH -> TARGET (runtime)")
 * and a last line "# runtime RULES: SETS (...)" on stdout; nothing when no rule matches. */
void pr_print(const char *program, const char *ld_library_path, struct pd_result *r);

#endif
