/*
 * petrel_ops.h - a Nanos ops config.json read into petrel's settings (petrel_ops.c,
 * docs/petrel.md "Coming from Nanos ops"). Nothing is printed, and with host_files false no
 * host file is looked at either (MapDirs globs are not expanded), so the fuzz target
 * (fuzz/ops_json) runs it on any bytes.
 */
#ifndef TOOLS_PETREL_OPS_H
#define TOOLS_PETREL_OPS_H

#include <stdbool.h>
#include <stddef.h>

struct ops_config {
    char *program;               /* Program (used when the command line names none) */
    char **args;                 /* Args: the arguments after argv[0] */
    size_t nargs;
    char **env;                  /* Env, as KEY=VALUE */
    size_t nenv;
    char **files, **dirs;        /* Files, Dirs, MapDirs as --file/--dir HOST:GUEST specs */
    size_t nfiles, ndirs;
    char *memory, *cpus;         /* RunConfig.Memory, RunConfig.CPUs */
    const char *accel;           /* RunConfig.Accel: "auto" (true), "tcg" (false), or NULL */
    char *disk_size;             /* BaseVolumeSz */
    bool debug;                  /* Debugflags holds "debugsyscalls" or "trace" */
    char **manifest;             /* ManifestPassthrough: key, value, key, value... */
    size_t nmanifest;
    char **ignored;              /* "Key (why)" for every key that has no effect */
    size_t nignored;
};

/* Parse text[0..len). 0, or -1 with a one-line reason in err (c then empty). Free with
 * ops_config_free. host_files: MapDirs globs are expanded against the host's files. */
int ops_config_parse(const char *text, size_t len, bool host_files, struct ops_config *c,
                     char *err, size_t errsz);
void ops_config_free(struct ops_config *c);

#endif
