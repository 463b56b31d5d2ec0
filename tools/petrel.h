/*
 * petrel.h - the `petrel` command's parts (docs/petrel.md): the dependency resolver
 * (petrel_deps.c) and the image tree (petrel_tree.c) that petrel.c drives.
 *
 * The resolver finds what a dynamic program needs the way its own ld.so would, by reading
 * files only (never by running ldd or the program): PT_INTERP, then DT_NEEDED breadth first,
 * each name searched like glibc's ld.so (DT_RPATH when there is no DT_RUNPATH, the
 * executable's DT_RPATH, LD_LIBRARY_PATH, DT_RUNPATH, /etc/ld.so.cache parsed directly, the
 * default directories) or like musl's (LD_LIBRARY_PATH, RPATH/RUNPATH, the
 * /etc/ld-musl-x86_64.path list or /lib:/usr/local/lib:/usr/lib; libc/libm/libpthread... are
 * musl's own ld.so), with $ORIGIN, $LIB and $PLATFORM expanded. A candidate counts only if it
 * is an x86-64 ELF64 file: an ELF of another class or machine is skipped, a file that is not
 * ELF at all (or a directory) stops the search with an error, as ld.so does. A DT_NEEDED
 * holding a '/' is opened as is, in the sysroot.
 */
#ifndef TOOLS_PETREL_H
#define TOOLS_PETREL_H

#include <stdbool.h>
#include <stddef.h>

#define PD_MAX_FILES 1024

/* One file the program needs, at the path its ld.so will open (same path in the image). */
struct pd_file {
    char *path;      /* absolute path as ld.so looks for it (image path = host path) */
    char *needed_by; /* the object that named it (NULL: the interpreter or the program) */
    char *name;      /* the DT_NEEDED name, or NULL */
};

struct pd_result {
    char *interp;                       /* PT_INTERP path, NULL for a static program */
    bool musl;                          /* the interpreter is musl's */
    bool uses_origin_exe;               /* the program's own RPATH/RUNPATH uses $ORIGIN */
    struct pd_file files[PD_MAX_FILES]; /* interpreter first, then libraries */
    size_t nfiles;
    char *missing;    /* first DT_NEEDED not found (then resolve fails) */
    char *missing_by; /* who needed it */
    char *searched;   /* the directories searched for it, ':'-separated */
};

/*
 * Resolve program (an absolute path to an ELF file). sysroot: where the host's files are
 * ("" for /; tests use fixture trees), ld_library_path: the guest's LD_LIBRARY_PATH or NULL.
 * Returns 0 (r filled), or -1 with a one-line reason in err (and, for a missing library,
 * r->missing/needed_by/searched set). Free with pd_free.
 */
int pd_resolve(const char *sysroot, const char *program, const char *ld_library_path,
               struct pd_result *r, char *err, size_t errsz);
void pd_free(struct pd_result *r);

/*
 * Parse an ld.so.cache file: call fn(soname, path, arg) for every x86-64 libc6 entry, in
 * the file's order (glibc's lookup takes the first match). Returns 0, or -1 when the file
 * is missing or malformed (glibc would ignore it too).
 */
int pd_cache_each(const char *cache_path,
                  void (*fn)(const char *soname, const char *path, void *arg), void *arg);

/*
 * Add to r (a pd_resolve result of program) the libraries that object (an ELF file the
 * program dlopens, at its image path) needs, searched as from object. 0, or -1 with the reason
 * in err when one is missing; then r is as it was (the object cannot be loaded).
 */
int pd_resolve_object(const char *sysroot, const char *program, const char *ld_library_path,
                      const char *object, struct pd_result *r, char *err, size_t errsz);

/* Does the ELF file at path have a section called name (e.g. Go's ".go.buildinfo")? */
bool pd_has_section(const char *path, const char *name);

/* Is path a readable ELF64 x86-64 file? With *is_script set when it starts with "#!". */
bool pd_is_elf64(const char *path, bool *is_script);

#endif
