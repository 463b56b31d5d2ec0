/*
 * petrel.c - the `petrel` command: run a Linux program in Petrel with one command
 * (docs/petrel.md).
 *
 *   petrel run [options] PROGRAM [ARGS...]    resolve, build (or reuse) the image, boot it
 *   petrel build [options] PROGRAM [ARGS...]  the same, without booting: prints the image
 *   petrel deps PROGRAM                       what PROGRAM needs (interpreter, libraries)
 *   petrel ldcache [FILE]                     the x86-64 entries of /etc/ld.so.cache
 *   petrel qemu-argv OPTIONS...               the QEMU command line for scripts/qemu's OPTIONS
 *   petrel mkfs|dump|fsck ARGS...             the TFS tools
 *
 * Steps of `run`: find PROGRAM (PATH when it has no '/'), refuse a script or a non-ELF file
 * with advice, resolve its interpreter and libraries from the files (petrel_deps.c), lay out
 * the image tree (the program, its libraries and every --file/--dir at their paths), write a
 * manifest, and key the image by a hash of that manifest and of each host file's identity
 * (device, inode, size, mtime): the same program with the same files and settings reuses
 * the cached image. The boot starts QEMU directly, with the command line scripts/qemu would
 * run for the same options (tools/petrel_qemu.c) and QEMU's -snapshot, so the cached image
 * never changes (unless --persist), and the program's exit code is petrel's.
 *
 * Exit codes: the program's; 2 usage; 125 petrel could not prepare the run (a missing
 * library, mkfs failed...); 126 the program cannot run (a script, not x86-64 ELF); 127 the
 * program does not exist; 124 --timeout expired, 125 QEMU failed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "tools/petrel.h"
#include "tools/petrel_memo.h"
#include "tools/petrel_net.h"
#include "tools/petrel_ops.h"
#include "tools/petrel_qemu.h"
#include "tools/petrel_runtime.h"

#ifndef PETREL_KERNEL
#define PETREL_KERNEL "petrel.elf"
#endif
#ifndef PETREL_MKFS
#define PETREL_MKFS "mkfs"
#endif
#ifndef PETREL_TOOLS_DIR
#define PETREL_TOOLS_DIR "."
#endif
#ifndef PETREL_QEMU
#define PETREL_QEMU "scripts/qemu"
#endif

#define EXIT_USAGE 2
#define EXIT_TIMEOUT 124
#define EXIT_PETREL 125
#define EXIT_CANNOT_RUN 126
#define EXIT_NOT_FOUND 127
#define MAX_ENV 256

enum kind { N_DIR, N_FILE, N_LINK };

struct node {
    char *name;
    enum kind kind;
    char *host; /* N_FILE: the host file; N_LINK: the target */
    struct node *kids, *last, *next; /* children in the order added */
    struct node *parent, *hnext;     /* the (parent, name) hash table's chain */
    size_t hash;
};

struct opts {
    const char *mem, *cpus, *accel, *machine, *keep_image, *user_manifest, *disk_size;
    const char *timeout, *console, *ops_config;
    const char *env[MAX_ENV];
    int nenv;
    const char *files[MAX_ENV], *dirs[MAX_ENV]; /* --file, --dir: added after the program */
    int nfiles, ndirs;
    bool quiet, debug, persist, mem_given, cpus_given, accel_given, tty;
    bool summary, missing_files; /* --summary, --missing-files (run1) */
};

static struct opts o = {.mem = "256M", .accel = "auto", .machine = "microvm", .timeout = "0"};
static struct node root = {.name = "", .kind = N_DIR};
static struct ops_config ops; /* --ops-config */
static size_t nfiles;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    char *line;
    int n;

    if (o.quiet && !pm_recording())
        return;
    va_start(ap, fmt);
    n = vasprintf(&line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    pm_say(line); /* staging's lines, replayed with the memo */
    if (!o.quiet)
        fprintf(stderr, "petrel: %s\n", line);
    free(line);
}

static void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void die(int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fputs("petrel: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(code);
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);

    if (!d)
        die(EXIT_PETREL, "out of memory");
    return d;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);

    if (!p)
        die(EXIT_PETREL, "out of memory");
    return p;
}

/* --- the image tree ------------------------------------------------------------------------ */

/*
 * Children are found through one hash table of (parent, name) for the whole tree, so staging
 * a directory of 50,000 entries costs the same per entry as a small one; each directory keeps
 * its children in a list in the order they were added (the file list's order).
 */
static struct node **htab;
static size_t hcap, hcount;

static size_t node_hash(const struct node *dir, const char *name, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)(uintptr_t)dir;

    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)name[i]) * 0x100000001b3ULL;
    return (size_t)(h ^ (h >> 32));
}

static void hash_insert(struct node *n)
{
    if (hcount + 1 > hcap / 2) { /* grow: rehash every node into twice the buckets */
        size_t ncap = hcap ? hcap * 2 : 1024;
        struct node **nt = xcalloc(ncap, sizeof(*nt));

        for (size_t i = 0; i < hcap; i++)
            for (struct node *m = htab[i], *next; m; m = next) {
                next = m->hnext;
                m->hnext = nt[m->hash & (ncap - 1)];
                nt[m->hash & (ncap - 1)] = m;
            }
        free(htab);
        htab = nt;
        hcap = ncap;
    }
    n->hnext = htab[n->hash & (hcap - 1)];
    htab[n->hash & (hcap - 1)] = n;
    hcount++;
}

static struct node *child(struct node *dir, const char *name, size_t len, bool create)
{
    size_t h = node_hash(dir, name, len);
    struct node *n;

    for (n = hcap ? htab[h & (hcap - 1)] : NULL; n; n = n->hnext)
        if (n->parent == dir && strlen(n->name) == len && memcmp(n->name, name, len) == 0)
            return n;
    if (!create)
        return NULL;
    n = xcalloc(1, sizeof(*n));
    n->name = strndup(name, len);
    n->kind = N_DIR;
    n->parent = dir;
    n->hash = h;
    if (!n->name)
        die(EXIT_PETREL, "out of memory");
    if (dir->last)
        dir->last->next = n;
    else
        dir->kids = n;
    dir->last = n;
    hash_insert(n);
    return n;
}

/* Put a file, link or directory at guest (absolute). A later file replaces an earlier one. */
static void tree_add(const char *guest, enum kind k, const char *host)
{
    struct node *n = &root;
    const char *p = guest;

    if (guest[0] != '/')
        die(EXIT_USAGE, "guest path %s is not absolute", guest);
    while (*p) {
        const char *e;

        while (*p == '/')
            p++;
        e = p + strcspn(p, "/");
        if (e == p)
            break;
        if ((e - p == 1 && p[0] == '.') || (e - p == 2 && p[0] == '.' && p[1] == '.'))
            die(EXIT_USAGE, "guest path %s has . or .. components", guest);
        if (n->kind != N_DIR)
            die(EXIT_PETREL, "%s: a parent of it is a file in the image", guest);
        n = child(n, p, (size_t)(e - p), true);
        p = e;
    }
    if (n == &root || (k == N_DIR && n->kind == N_DIR))
        return;
    if (n->kids)
        die(EXIT_PETREL, "%s: a directory in the image, cannot be a file too", guest);
    nfiles += n->host == NULL;
    n->kind = k;
    free(n->host);
    n->host = xstrdup(host);
}

static void put_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(f, "\\%c", *c);
        else if (*c == '\n')
            fputs("\\n", f);
        else if (*c == '\t')
            fputs("\\t", f);
        else if (*c == '\r')
            fputs("\\r", f);
        else if (*c < 0x20 || *c == 0x7f)
            fprintf(f, "\\x%02x", *c);
        else
            fputc(*c, f);
    }
    fputc('"', f);
}

/*
 * The staged tree as mkfs's file list (mkfs -f, docs/tools.md): one NUL-separated record per
 * entry, each directory before what it holds. A stream, not manifest text: no size limit,
 * and mkfs never parses it whole (a site-packages is tens of thousands of files).
 */
static void put_list(FILE *f, const struct node *dir, const char *prefix)
{
    for (const struct node *n = dir->kids; n; n = n->next) {
        char *g;

        if (asprintf(&g, "%s/%s", prefix, n->name) < 0)
            die(EXIT_PETREL, "out of memory");
        fputc(n->kind == N_FILE ? 'F' : n->kind == N_LINK ? 'L' : 'D', f);
        fwrite(g, 1, strlen(g) + 1, f);
        if (n->kind == N_DIR)
            put_list(f, n, g);
        else
            fwrite(n->host, 1, strlen(n->host) + 1, f);
        free(g);
    }
}

/* --- hashing (the cache key) ------------------------------------------------------------------ */

struct hash {
    uint64_t a, b;
};

static void hash_bytes(struct hash *h, const void *data, size_t n)
{
    const unsigned char *p = data;

    for (size_t i = 0; i < n; i++) { /* two FNV-1a lanes with different offsets: 128 bits */
        h->a = (h->a ^ p[i]) * 0x100000001b3ULL;
        h->b = (h->b ^ p[i]) * 0x100000001b3ULL;
        h->b ^= h->b >> 29;
    }
}

static void hash_file_id(struct hash *h, const char *path)
{
    struct stat st;
    uint64_t v[7] = {0, 0, 0, 0, 0, 0, 0};

    if (stat(path, &st) == 0) { /* ctime too: an mtime set back (touch -r) still counts */
        v[0] = st.st_dev;
        v[1] = st.st_ino;
        v[2] = (uint64_t)st.st_size;
        v[3] = (uint64_t)st.st_mtim.tv_sec;
        v[4] = (uint64_t)st.st_mtim.tv_nsec;
        v[5] = (uint64_t)st.st_ctim.tv_sec;
        v[6] = (uint64_t)st.st_ctim.tv_nsec;
    }
    hash_bytes(h, path, strlen(path) + 1);
    hash_bytes(h, v, sizeof(v));
}

static void hash_tree(struct hash *h, const struct node *dir)
{
    for (const struct node *n = dir->kids; n; n = n->next) {
        if (n->kind == N_FILE)
            hash_file_id(h, n->host);
        hash_tree(h, n);
    }
}

/* SIZE with an optional K, M, G or T suffix (powers of 1024, either case) times unit when it
 * has none (QEMU's -m counts MiB, mkfs's -s bytes). false when it is not a size. */
static bool parse_size(const char *s, uint64_t unit, uint64_t *out)
{
    char *end;
    unsigned long long v;
    int shift = 0;

    if (!s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno)
        return false;
    switch (*end) {
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    case 't': case 'T': shift = 40; break;
    case '\0': break;
    default: return false;
    }
    if (*end && end[1])
        return false;
    if (!shift && unit > 1) {
        if (v > UINT64_MAX / unit)
            return false;
        v *= unit;
    } else if (shift && v > (UINT64_MAX >> shift)) {
        return false;
    }
    *out = shift ? (uint64_t)v << shift : v;
    return true;
}

/* --- files given by the user ------------------------------------------------------------------ */

static char *abs_path(const char *p)
{
    char cwd[PATH_MAX], *r;

    if (p[0] == '/')
        return xstrdup(p);
    if (!getcwd(cwd, sizeof(cwd)))
        die(EXIT_PETREL, "cannot get the current directory: %s", strerror(errno));
    if (asprintf(&r, "%s/%s", cwd, p) < 0)
        die(EXIT_PETREL, "out of memory");
    return r;
}

/* HOST[:GUEST] -> host, guest (GUEST defaults to HOST made absolute). */
static void split_spec(const char *spec, char **host, char **guest)
{
    const char *colon = strrchr(spec, ':');

    *host = colon ? strndup(spec, (size_t)(colon - spec)) : xstrdup(spec);
    *guest = colon ? xstrdup(colon + 1) : abs_path(*host);
}

static void add_dir(const char *host, const char *guest)
{
    DIR *d = opendir(host);
    struct dirent *e;

    if (!d)
        die(EXIT_PETREL, "--dir %s: %s", host, strerror(errno));
    tree_add(guest, N_DIR, NULL);
    while ((e = readdir(d))) {
        char *h, *g, target[PATH_MAX];
        struct stat st;
        ssize_t n;

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (asprintf(&h, "%s/%s", host, e->d_name) < 0 ||
            asprintf(&g, "%s/%s", strcmp(guest, "/") ? guest : "", e->d_name) < 0)
            die(EXIT_PETREL, "out of memory");
        if (lstat(h, &st) != 0)
            die(EXIT_PETREL, "--dir: %s: %s", h, strerror(errno));
        if (S_ISDIR(st.st_mode)) {
            add_dir(h, g);
        } else if (S_ISLNK(st.st_mode) && (n = readlink(h, target, sizeof(target) - 1)) > 0) {
            target[n] = '\0';
            tree_add(g, N_LINK, target);
        } else if (S_ISREG(st.st_mode)) {
            if (access(h, R_OK) != 0)
                die(EXIT_PETREL, "--dir: %s is not readable", h);
            tree_add(g, N_FILE, h);
        } /* sockets, fifos, devices: not image content */
        free(h);
        free(g);
    }
    closedir(d);
}

static void add_file_spec(const char *spec)
{
    char *host, *guest;
    struct stat st;

    split_spec(spec, &host, &guest);
    if (stat(host, &st) != 0)
        die(EXIT_PETREL, "--file %s: %s", host, strerror(errno));
    if (S_ISDIR(st.st_mode))
        die(EXIT_PETREL, "--file %s is a directory (use --dir)", host);
    if (access(host, R_OK) != 0)
        die(EXIT_PETREL, "--file %s is not readable", host);
    tree_add(guest, N_FILE, host);
    free(host);
    free(guest);
}

static void add_dir_spec(const char *spec)
{
    char *host, *guest;

    split_spec(spec, &host, &guest);
    add_dir(host, guest);
    free(host);
    free(guest);
}

/* --- the program ------------------------------------------------------------------------------ */

/* PROGRAM with no '/': the first executable in PATH, as execvp. */
static char *find_program(const char *prog)
{
    const char *path = getenv("PATH");
    char *cand;

    if (strchr(prog, '/'))
        return access(prog, F_OK) == 0 ? realpath(prog, NULL) : NULL;
    pm_note_list(path ? path : "/usr/bin:/bin"); /* a program added earlier in PATH */
    for (const char *p = path ? path : "/usr/bin:/bin"; p && *p;) {
        const char *e = strchr(p, ':');
        int len = e ? (int)(e - p) : (int)strlen(p);

        if (asprintf(&cand, "%.*s/%s", len, p, prog) < 0)
            die(EXIT_PETREL, "out of memory");
        if (access(cand, X_OK) == 0) {
            char *r = realpath(cand, NULL);
            free(cand);
            return r;
        }
        free(cand);
        p = e ? e + 1 : NULL;
    }
    return NULL;
}

static void refuse_non_elf(const char *prog, const char *path)
{
    char line[256] = "";
    FILE *f = fopen(path, "r");

    if (!f)
        die(EXIT_CANNOT_RUN, "%s: cannot read %s: %s", prog, path, strerror(errno));
    if (!fgets(line, sizeof(line), f))
        line[0] = '\0';
    fclose(f);
    line[strcspn(line, "\n")] = '\0';
    if (line[0] == '#' && line[1] == '!') {
        const char *interp = line + 2 + strspn(line + 2, " \t");
        die(EXIT_CANNOT_RUN,
            "%s is a script (%s): run its interpreter with the script as an argument, "
            "e.g. petrel run --file %s %s %s",
            prog, line, path, interp, path);
    }
    die(EXIT_CANNOT_RUN, "%s is not an x86-64 ELF program", path);
}

/*
 * Version managers (pyenv, rbenv, nodenv, asdf...) put shims on PATH: scripts whose one
 * real line is `exec MANAGER exec NAME "$@"`, the manager choosing the version (the
 * directory's .python-version, PYENV_VERSION, the global default). Their common `which`
 * command says which program that is, without running it: `MANAGER which NAME`. A shim's
 * plain `export KEY="VALUE"` lines (PYENV_ROOT) are applied first, as the shim would.
 */
static char *next_word(char **p)
{
    char *s = *p + strspn(*p, " \t"), *w = s, *d = s;
    char q = 0;

    if (!*s)
        return NULL;
    for (; *s && (q || (*s != ' ' && *s != '\t')); s++) {
        if (!q && (*s == '"' || *s == '\''))
            q = *s;
        else if (q && *s == q)
            q = 0;
        else
            *d++ = *s;
    }
    *p = *s ? s + 1 : s;
    *d = '\0';
    return w;
}

/* The exports and the manager of a shim's text; false when it is not a shim. */
static bool shim_parse(char *text, char **manager, char **exports, int *nexports, int max)
{
    *manager = NULL;
    *nexports = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *p = line, *w = next_word(&p);

        if (w && strcmp(w, "export") == 0 && (w = next_word(&p)) && strchr(w, '=') &&
            !strpbrk(w, "$`") && *nexports < max)
            exports[(*nexports)++] = w;
        else if (w && strcmp(w, "exec") == 0 && (w = next_word(&p)) && *w != '$') {
            char *m = w;
            if ((w = next_word(&p)) && strcmp(w, "exec") == 0)
                *manager = m;
        }
    }
    return *manager != NULL;
}

/* What a version manager's shim at path runs: `MANAGER which NAME`, or NULL. */
static char *shim_target(const char *prog, const char *path)
{
    char text[4096], *manager, *exports[16], out[PATH_MAX] = "";
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    int nexp, fd = open(path, O_RDONLY | O_CLOEXEC), pipefd[2], st;
    ssize_t n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
    size_t len = 0;
    pid_t pid;

    if (fd >= 0)
        close(fd);
    if (n <= 0 || (text[n] = '\0', !shim_parse(text, &manager, exports, &nexp, 16)) ||
        pipe2(pipefd, O_CLOEXEC) != 0)
        return NULL;
    if ((pid = fork()) == 0) {
        int null = open("/dev/null", O_RDWR);
        if (null < 0 || dup2(null, 0) < 0 || dup2(pipefd[1], 1) < 0 || dup2(null, 2) < 0)
            _exit(127);
        for (int i = 0; i < nexp; i++)
            putenv(exports[i]);
        execlp(manager, manager, "which", name, (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    while (pid > 0 && len + 1 < sizeof(out) &&
           (n = read(pipefd[0], out + len, sizeof(out) - 1 - len)) != 0)
        if (n > 0)
            len += (size_t)n;
        else if (errno != EINTR)
            break;
    close(pipefd[0]);
    out[len] = '\0';
    out[strcspn(out, "\n")] = '\0';
    while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (pid <= 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0 || out[0] != '/')
        return NULL;
    say("%s: %s is a shim of %s: %s", prog, path, strrchr(manager, '/') ?
        strrchr(manager, '/') + 1 : manager, out);
    return realpath(out, NULL);
}

/* path itself, or the program a version manager's shim at path stands for. */
static char *unshim(const char *prog, char *path)
{
    bool script;
    char *target;

    if (pd_is_elf64(path, &script) || !script || !(target = shim_target(prog, path)))
        return path;
    free(path);
    return target;
}

static const char *env_value(const char *key)
{
    size_t n = strlen(key);

    for (int i = o.nenv - 1; i >= 0; i--)
        if (strncmp(o.env[i], key, n) == 0 && o.env[i][n] == '=')
            return o.env[i] + n + 1;
    return NULL;
}

static void sink_file(void *ctx, const char *path)
{
    (void)ctx;
    pm_note(path);
    tree_add(path, N_FILE, path);
}

static void sink_link(void *ctx, const char *path, const char *target)
{
    (void)ctx;
    pm_note(path);
    tree_add(path, N_LINK, target);
}

static void sink_dir(void *ctx, const char *path)
{
    (void)ctx;
    pm_note(path);
    tree_add(path, N_DIR, NULL);
}

/* The files its runtime reads beyond its libraries (petrel_runtime.c), one line about them. */
static void stage_runtime(const char *path, struct pd_result *r)
{
    static const struct pr_sink sink = {sink_file, sink_link, sink_dir, NULL};
    struct pr_report rep;

    if (!pr_stage(path, env_value("LD_LIBRARY_PATH"), r, &sink, &rep))
        return;
    say("runtime %s: %s (%zu files, %zu modules)", rep.rules, rep.sets, rep.files, rep.modules);
    if (rep.skipped)
        say("left out %zu module%s whose libraries are missing, e.g. %s", rep.skipped,
            rep.skipped > 1 ? "s" : "", rep.first_skipped);
    if (rep.aside) /* third-party packages: the program's imports are the user's to add */
        say("left out %s (third-party packages, %zu entries)%s: add what the program "
            "imports with --dir (--dir %s/NAME)", rep.first_aside, rep.aside_entries,
            rep.aside > 1 ? " and more" : "", rep.first_aside);
}

/* Lay out the program and what it needs; returns the program's guest path. *shim: it was
 * found through a version manager's shim. */
static char *stage_program(const char *prog, bool *shim)
{
    char *path = find_program(prog), err[8192], *found;
    struct pd_result *r = xcalloc(1, sizeof(*r));
    bool script;

    if (!path)
        die(EXIT_NOT_FOUND, "%s: no such program%s", prog, strchr(prog, '/') ? "" : " in PATH");
    found = xstrdup(path);
    path = unshim(prog, path);
    *shim = strcmp(found, path) != 0; /* the manager's choice: not a path to stat */
    pm_note(found);
    free(found);
    if (!pd_is_elf64(path, &script))
        refuse_non_elf(prog, path);
    pm_note(path);
    pm_note_list(env_value("LD_LIBRARY_PATH")); /* where the libraries were looked for */
    pm_note_list("/etc/ld.so.cache:/etc/ld-musl-x86_64.path:/lib/x86_64-linux-gnu:"
                 "/usr/lib/x86_64-linux-gnu:/lib64:/usr/lib64:/lib:/usr/local/lib:/usr/lib");
    if (pd_resolve("", path, env_value("LD_LIBRARY_PATH"), r, err, sizeof(err)))
        die(EXIT_PETREL, "%s: %s%s", prog, err,
            r->missing ? " (add it with --file HOST:GUEST, or -e LD_LIBRARY_PATH=DIR with "
                         "--dir DIR)"
                       : "");
    tree_add(path, N_FILE, path);
    tree_add("/proc", N_DIR, NULL); /* the kernel mounts /proc, /dev, /sys on these */
    tree_add("/dev", N_DIR, NULL);
    tree_add("/tmp", N_DIR, NULL); /* a tmpfs there and on /dev/shm (docs/petrel.md) */
    tree_add("/sys", N_DIR, NULL);
    if (r->interp)
        say("%s: dynamic (%s), interpreter %s, %zu libraries", path, r->musl ? "musl" : "glibc",
            r->interp, r->nfiles - 1);
    else
        say("%s: static", path);
    stage_runtime(path, r); /* adds its modules' libraries to r */
    for (size_t i = 0; i < r->nfiles; i++) {
        pm_note(r->files[i].path);
        tree_add(r->files[i].path, N_FILE, r->files[i].path);
    }
    if (r->interp && !r->musl && access("/etc/ld.so.cache", R_OK) == 0)
        tree_add("/etc/ld.so.cache", N_FILE, "/etc/ld.so.cache"); /* the same lookups */
    pd_free(r);
    free(r);
    return path;
}

/*
 * `petrel run /lib64/ld-linux-x86-64.so.2 /bin/prog ARGS`: the dynamic linker run as a program
 * opens its first operand itself (after its own --options), so that program and its libraries
 * go into the image too, and a link at the path as typed when its real path differs (merged
 * /usr: /bin/prog is /usr/bin/prog). Only an absolute operand: the guest's cwd is /, not ours.
 */
static void stage_ldso_operand(const char *ldso, char **args, int nargs)
{
    static const char *const with_value[] = {"--library-path", "--preload", "--audit",
                                             "--argv0", "--glibc-hwcaps-prepend",
                                             "--glibc-hwcaps-mask"};
    const char *base = strrchr(ldso, '/') ? strrchr(ldso, '/') + 1 : ldso;
    char *real;
    bool shim = false;
    int i = 1;

    if (strncmp(base, "ld-linux", 8) != 0 && strncmp(base, "ld-musl", 7) != 0)
        return;
    while (i < nargs && strncmp(args[i], "--", 2) == 0) {
        size_t k = 0;
        while (k < sizeof(with_value) / sizeof(with_value[0]) && strcmp(args[i], with_value[k]))
            k++;
        i += k < sizeof(with_value) / sizeof(with_value[0]) ? 2 : 1;
    }
    if (i >= nargs || args[i][0] != '/' || access(args[i], R_OK) != 0)
        return;
    real = stage_program(args[i], &shim);
    if (strcmp(real, args[i]) != 0)
        tree_add(args[i], N_LINK, real);
    free(real);
}

/* --- manifest, image, boot -------------------------------------------------------------------- */

/*
 * What libcs read about users, groups, host names and DNS (getpwnam, getaddrinfo), supplied
 * when the image has none of its own (--file and --dir come first and win): root and nobody,
 * localhost, and QEMU user networking's resolver (10.0.2.3, slirp's default network). The
 * contents never change, so they are written once into the cache (etc-1/) and their identity,
 * part of the image key, stays the same.
 */
static const struct {
    const char *name, *text;
} etc_files[] = {
    {"passwd", "root:x:0:0:root:/root:/bin/sh\n"
               "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"},
    {"group", "root:x:0:\nnogroup:x:65534:\n"},
    {"hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"},
    {"resolv.conf", "nameserver 10.0.2.3\n"},
};

static char *cache_dir(void);
static void write_file(const char *path, const char *data, size_t len);

static void add_etc_defaults(void)
{
    struct node *etc = child(&root, "etc", 3, false);
    char *dir = cache_dir(), *sub, *path, *tmp;

    if ((etc && etc->kind != N_DIR) || asprintf(&sub, "%s/etc-1", dir) < 0)
        return;
    if (mkdir(sub, 0755) != 0 && errno != EEXIST)
        die(EXIT_PETREL, "cannot create %s: %s", sub, strerror(errno));
    for (size_t i = 0; i < sizeof(etc_files) / sizeof(etc_files[0]); i++) {
        const char *name = etc_files[i].name;
        char guest[32];

        if (etc && child(etc, name, strlen(name), false))
            continue;
        if (asprintf(&path, "%s/%s", sub, name) < 0 ||
            asprintf(&tmp, "%s.tmp%d", path, getpid()) < 0)
            die(EXIT_PETREL, "out of memory");
        if (access(path, R_OK) != 0) { /* once; a rename, so a parallel run reads it whole */
            write_file(tmp, etc_files[i].text, strlen(etc_files[i].text));
            if (rename(tmp, path) != 0)
                die(EXIT_PETREL, "cannot write %s: %s", path, strerror(errno));
        }
        snprintf(guest, sizeof(guest), "/etc/%s", name);
        tree_add(guest, N_FILE, path);
        free(path);
        free(tmp);
    }
    free(sub);
    free(dir);
}

#define DEFAULT_FREE (1ull << 30) /* room for the program to write: the image file is sparse */

/* Bytes the staged tree takes in the image, as mkfs counts them (whole blocks per file, 1 KiB
 * per entry); *entries counts the entries. */
static uint64_t tree_bytes(const struct node *dir, uint64_t *entries)
{
    uint64_t sum = 0;
    struct stat st;

    for (const struct node *n = dir->kids; n; n = n->next) {
        ++*entries;
        if (n->kind == N_FILE && stat(n->host, &st) == 0)
            sum += ((uint64_t)st.st_size + 4095) & ~(uint64_t)4095;
        sum += tree_bytes(n, entries);
    }
    return sum;
}

/* The image size to ask for: NULL (mkfs -s with --disk-size SIZE), else the content as mkfs
 * sizes it (+ 25% + 4 MiB) plus the free space (--disk-size +SIZE, default DEFAULT_FREE) as
 * the manifest's imagesize, which mkfs takes as a minimum: content it adds from --manifest
 * still fits. */
static uint64_t image_size(uint64_t *free_bytes)
{
    uint64_t entries = 0, content = tree_bytes(&root, &entries), need;

    *free_bytes = DEFAULT_FREE;
    if (o.disk_size && o.disk_size[0] != '+')
        return 0;
    if (o.disk_size && !parse_size(o.disk_size + 1, 1, free_bytes))
        die(EXIT_USAGE, "--disk-size %s: not a size", o.disk_size);
    need = content + entries * 1024 + (4u << 20);
    need += need / 4;
    if (*free_bytes > (1ull << 50))
        die(EXIT_USAGE, "--disk-size %s: too large", o.disk_size);
    return (need + *free_bytes + (1u << 20) - 1) & ~(uint64_t)((1u << 20) - 1);
}

/*
 * The settings of one run: the arguments, the environment, the diagnostics flags and a static
 * address (--ip, --netmask, --gateway). `petrel run` passes them at boot on the kernel
 * command line (boot_settings), so the image - and its cache key - holds only the files and
 * what does not change between command lines; `petrel build` writes them into the manifest,
 * so the image it prints boots alone (docs/petrel.md, "Arguments at boot").
 */
enum form { FORM_MANIFEST, FORM_CMDLINE };

/* A string in manifest syntax. On the command line, which words split at spaces and which
 * must stay ASCII through QEMU, every byte but printable ASCII is \xHH, quotes and
 * backslashes too: any bytes arrive exact. */
static void put_string(FILE *f, const char *s, enum form form)
{
    if (form == FORM_MANIFEST) {
        put_quoted(f, s);
        return;
    }
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (*c > 0x20 && *c < 0x7f && *c != '"' && *c != '\\')
            fputc(*c, f);
        else
            fprintf(f, "\\x%02x", *c);
    fputc('"', f);
}

/* -e KEY=... given twice (or a default given again): the variable stays where it first was,
 * with the last value, as env(1) and setenv do. NULL when an earlier one stands for i. */
static const char *env_final(int i)
{
    size_t klen = (size_t)(strchr(o.env[i], '=') - o.env[i]) + 1;
    const char *last = o.env[i];

    for (int k = 0; k < i; k++)
        if (strncmp(o.env[k], o.env[i], klen) == 0)
            return NULL;
    for (int k = i + 1; k < o.nenv; k++)
        if (strncmp(o.env[k], o.env[i], klen) == 0)
            last = o.env[k];
    return last + klen;
}

static void put_settings(FILE *f, char **argv, int argc, enum form form)
{
    const char *pre = form == FORM_MANIFEST ? "  " : "", *eq = form == FORM_MANIFEST ? ":" : "=";
    const char *post = form == FORM_MANIFEST ? "\n" : " ", *sep = form == FORM_MANIFEST ? " " : "";

    fprintf(f, "%sarguments%s[", pre, eq);
    for (int i = 0; i < argc; i++) {
        fputs(i ? sep : "", f);
        put_string(f, argv[i], form);
    }
    fprintf(f, "]%s%senvironment%s(", post, pre, eq);
    for (int i = 0, first = 1; i < o.nenv; i++) {
        const char *value = env_final(i);
        char *key;

        if (!value)
            continue;
        key = strndup(o.env[i], (size_t)(strchr(o.env[i], '=') - o.env[i]));
        fputs(first ? "" : sep, f);
        put_string(f, key, form);
        fputc(':', f);
        put_string(f, value, form);
        free(key);
        first = 0;
    }
    fprintf(f, ")%s", post);
    if (o.debug)
        fprintf(f, "%sdebugsyscalls%st%s", pre, eq, post);
    if (o.summary)
        fprintf(f, "%ssyscall_summary%st%s", pre, eq, post);
    if (o.missing_files)
        fprintf(f, "%smissing_files%st%s", pre, eq, post);
    pn_settings(f, form == FORM_CMDLINE); /* --ip: the en1 tuple (petrel_net.c) */
}

/* The manifest mkfs gets: the tree is in the file list (put_list), the settings only when
 * baked (build). */
static void write_manifest(FILE *f, const char *program, uint64_t size, char **argv, int argc,
                           bool bake)
{
    fputs("# written by petrel (tools/petrel.c); the files are in the .files list\n(\n"
          "  program:", f);
    put_quoted(f, program);
    fputs("\n  cwd:/\n", f);
    if (bake)
        put_settings(f, argv, argc, FORM_MANIFEST);
    for (size_t i = 0; i + 1 < ops.nmanifest; i += 2) { /* ops' ManifestPassthrough */
        fprintf(f, "  %s:", ops.manifest[i]);
        put_quoted(f, ops.manifest[i + 1]);
        fputc('\n', f);
    }
    if (size)
        fprintf(f, "  imagesize:%lluK\n", (unsigned long long)(size >> 10));
    pn_manifest(f); /* the wait for DHCP's address (petrel_net.c) */
    fputs(")\n", f);
}

/*
 * The settings as kernel command line words (`arguments=["prog""a\x20b"]
 * environment=("PATH":"/bin")`, proc_cmdline_override). They reach the kernel as the fw_cfg
 * file opt/petrel/cmdline (fw_cmdline_file), which it takes up to 1 MiB (hal_x86/boot.c, the
 * manifest parser's bound); the rest of that is room for terminal=. More cannot go into the
 * image either (mkfs stores at most 64 KiB of configuration): refused before anything is
 * built, as execve refuses an argument list too long (E2BIG; shells exit 126).
 */
#define CMDLINE_MAX ((1u << 20) - 4096)

static char *boot_settings(char **argv, int argc)
{
    char *text;
    size_t len;
    FILE *f = open_memstream(&text, &len);

    if (!f)
        die(EXIT_PETREL, "out of memory");
    put_settings(f, argv, argc, FORM_CMDLINE);
    fclose(f);
    if (len > CMDLINE_MAX)
        die(EXIT_CANNOT_RUN, "argument list too long: the arguments and environment take %zu "
            "bytes on the kernel command line, over its %u (bytes that are not printable "
            "ASCII take 4 each): pass large data in a file (--file)", len, CMDLINE_MAX);
    return text;
}

static char *read_text(const char *path, const char *what)
{
    FILE *f = fopen(path, "r");
    char *buf;
    size_t len = 0;

    if (!f)
        die(EXIT_PETREL, "%s %s: %s", what, path, strerror(errno));
    buf = xcalloc(1, 1 << 20);
    len = fread(buf, 1, (1 << 20) - 1, f);
    if (!feof(f))
        die(EXIT_PETREL, "%s %s: larger than 1 MiB", what, path);
    buf[len] = '\0';
    fclose(f);
    return buf;
}

static char *cache_dir(void)
{
    const char *c = getenv("PETREL_CACHE"), *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
    char *d;

    if (c && *c)
        d = xstrdup(c);
    else if ((x && *x ? asprintf(&d, "%s/petrel", x)
                      : asprintf(&d, "%s/.cache/petrel", h && *h ? h : "/tmp")) < 0)
        die(EXIT_PETREL, "out of memory");
    for (char *p = d + 1;; p++) { /* mkdir -p */
        char c2 = *p;

        if (c2 == '/' || c2 == '\0') {
            *p = '\0';
            if (mkdir(d, 0755) != 0 && errno != EEXIST)
                die(EXIT_PETREL, "cannot create the cache %s: %s", d, strerror(errno));
            *p = c2;
        }
        if (!c2)
            break;
    }
    return d;
}

static int run_wait(char *const argv[], bool quiet_stdout)
{
    pid_t pid = fork();
    int st;

    if (pid < 0)
        die(EXIT_PETREL, "fork: %s", strerror(errno));
    if (pid == 0) {
        if (quiet_stdout) {
            int fd = open("/dev/null", O_WRONLY);
            if (fd >= 0)
                dup2(fd, 1);
        }
        execv(argv[0], argv);
        fprintf(stderr, "petrel: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    if (waitpid(pid, &st, 0) < 0)
        die(EXIT_PETREL, "waitpid: %s", strerror(errno));
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static const char *tool(const char *name)
{
    static char buf[PATH_MAX];
    const char *env = getenv("PETREL_TOOLS");

    snprintf(buf, sizeof(buf), "%s/%s", env && *env ? env : PETREL_TOOLS_DIR, name);
    return buf;
}

/* Text written by fn into memory. */
static char *mem_text(void (*fn)(FILE *, void *), void *arg, size_t *len)
{
    char *text;
    FILE *f = open_memstream(&text, len);

    if (!f)
        die(EXIT_PETREL, "out of memory");
    fn(f, arg);
    if (fclose(f) != 0)
        die(EXIT_PETREL, "out of memory");
    return text;
}

struct image_desc {
    const char *program;
    char **argv;
    int argc;
    bool bake;
    uint64_t size;
};

static void manifest_text(FILE *f, void *arg)
{
    const struct image_desc *d = arg;

    write_manifest(f, d->program, d->size, d->argv, d->argc, d->bake);
}

static void list_text(FILE *f, void *arg)
{
    (void)arg;
    put_list(f, &root, "");
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "w");

    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        die(EXIT_PETREL, "cannot write %s: %s", path, strerror(errno));
}

/* mkfs the manifest and file list into tmp; its exit code. */
static int run_mkfs(const char *man, const char *lst, const char *user, uint64_t size,
                    const char *tmp)
{
    char *args[16];
    int n = 0;

    args[n++] = (char *)tool("mkfs");
    args[n++] = "-l";
    args[n++] = "petrel-run";
    if (!size) {
        args[n++] = "-s";
        args[n++] = (char *)o.disk_size;
    }
    if (user) {
        args[n++] = "-t";
        args[n++] = (char *)user;
    }
    args[n++] = "-f";
    args[n++] = (char *)lst;
    args[n++] = "-m";
    args[n++] = (char *)man;
    args[n++] = (char *)tmp;
    args[n] = NULL;
    return run_wait(args, true);
}

/*
 * Build (or find) the image for the staged tree; returns its path. The key hashes the
 * manifest (program, settings when baked, size), the file list, --manifest, --disk-size,
 * mkfs's identity and each host file's identity: not the arguments of a run (boot_settings).
 */
static char *make_image(const char *program, char **argv, int argc, bool bake)
{
    char *dir = cache_dir(), *img, *man, *lst, *tmp, *user = NULL, *text, *list;
    struct hash h = {0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL};
    uint64_t free_bytes;
    struct image_desc d = {program, argv, argc, bake, image_size(&free_bytes)};
    size_t len, list_len;

    text = mem_text(manifest_text, &d, &len);
    list = mem_text(list_text, NULL, &list_len);
    if (o.user_manifest)
        user = read_text(o.user_manifest, "--manifest");
    hash_bytes(&h, text, len);
    hash_bytes(&h, list, list_len);
    hash_bytes(&h, user ? user : "", user ? strlen(user) + 1 : 1);
    hash_bytes(&h, o.disk_size ? o.disk_size : "", o.disk_size ? strlen(o.disk_size) + 1 : 1);
    hash_tree(&h, &root);
    hash_file_id(&h, tool("mkfs"));
    if (asprintf(&img, "%s/%016llx%016llx.img", dir, (unsigned long long)h.a,
                 (unsigned long long)h.b) < 0 || asprintf(&man, "%s.manifest", img) < 0 ||
        asprintf(&lst, "%s.files", img) < 0 || asprintf(&tmp, "%s.tmp%d", img, getpid()) < 0)
        die(EXIT_PETREL, "out of memory");
    if (access(img, R_OK) == 0) {
        say("image %s (cached)", img);
    } else {
        int rc;

        if (d.size)
            say("building image %s (%zu files, %llu MiB free)", img, nfiles,
                (unsigned long long)(free_bytes >> 20));
        else
            say("building image %s (%zu files, %s in all)", img, nfiles, o.disk_size);
        write_file(man, text, len);
        write_file(lst, list, list_len);
        rc = run_mkfs(man, lst, user, d.size, tmp);
        if (rc != 0 || rename(tmp, img) != 0) {
            unlink(tmp);
            die(EXIT_PETREL, "mkfs failed (exit %d)%s; manifest in %s, files in %s", rc,
                d.size ? "" : " (is --disk-size large enough? +SIZE adds free space instead)",
                man, lst);
        }
    }
    free(text);
    free(list);
    free(user);
    free(man);
    free(lst);
    free(tmp);
    free(dir);
    return img;
}

/* --- the staging memo (petrel_memo.c) ------------------------------------------------------ */

/* The memo's file: a hash of what staging depends on besides host files (petrel itself,
 * the program as typed, the directory it is typed in, PATH, the guest's LD_LIBRARY_PATH). */
static char *memo_file(const char *prog)
{
    struct hash h = {0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL};
    const char *vals[] = {prog, getenv("PATH"), env_value("LD_LIBRARY_PATH")};
    char cwd[PATH_MAX], *dir = cache_dir(), *file;

    hash_bytes(&h, "petrel-stage-memo 1", 20);
    hash_file_id(&h, "/proc/self/exe"); /* a new petrel may stage differently */
    if (!getcwd(cwd, sizeof(cwd)))
        cwd[0] = '\0';
    hash_bytes(&h, cwd, strlen(cwd) + 1);
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
        hash_bytes(&h, vals[i] ? vals[i] : "", vals[i] ? strlen(vals[i]) + 1 : 1);
    if (asprintf(&file, "%s/stage-%016llx%016llx.memo", dir, (unsigned long long)h.a,
                 (unsigned long long)h.b) < 0)
        die(EXIT_PETREL, "out of memory");
    free(dir);
    return file;
}

/* Put the memo's tree (mkfs's file-list format) back into the image tree. */
static void memo_replay(const struct pm_memo *m)
{
    const char *p = m->list, *end = m->list + m->list_len;

    while (p < end) {
        char k = *p++;
        const char *guest = p, *host = NULL;

        p += strnlen(p, (size_t)(end - p)) + 1;
        if (k != 'D') {
            host = p;
            p += strnlen(p, (size_t)(end - p)) + 1;
        }
        if (p > end)
            die(EXIT_PETREL, "the staging memo is cut short (remove it from the cache)");
        tree_add(guest, k == 'F' ? N_FILE : k == 'L' ? N_LINK : N_DIR, host);
    }
}

/* stage_program, or its memo when no host path it depended on changed (PETREL_MEMO=0: never). */
static char *stage(const char *prog)
{
    const char *env = getenv("PETREL_MEMO");
    bool use = !env || strcmp(env, "0") != 0, shim = false;
    char *file = use ? memo_file(prog) : NULL, *program, *list;
    long long t0 = pm_now_ns();
    struct pm_memo m;
    size_t len;

    if (use && pm_load(file, &m)) {
        for (size_t i = 0; i < m.nlines; i++)
            say("%s", m.lines[i]);
        say("staged as before: %zu host paths unchanged", m.npaths);
        memo_replay(&m);
        program = xstrdup(m.program);
        pm_free(&m);
        free(file);
        return program;
    }
    if (use)
        pm_begin();
    program = stage_program(prog, &shim);
    if (use && !shim) {
        list = mem_text(list_text, NULL, &len);
        (void)pm_save(file, program, list, len, t0); /* best effort: no memo, no harm */
        free(list);
    }
    pm_end();
    free(file);
    return program;
}

static int copy_file(const char *from, const char *to)
{
    char *args[] = {"/bin/cp", "--sparse=always", (char *)from, (char *)to, NULL};

    return run_wait(args, false);
}

/* --- the VM and its standard streams ------------------------------------------------------- */

/*
 * The program's stdin, stdout and stderr are one socket pair each, plus one for interrupt
 * requests (scripts/qemu --streams makes them virtio-console ports; the kernel presents them
 * as descriptors 0-2, fs/file/console.c). petrel keeps its ends and relays: its stdin to the
 * stdin socket (the end of input becomes shutdown(SHUT_WR), which the guest reads as the end
 * of input), the stdout and stderr sockets to its own stdout and stderr, byte for byte, and
 * the kernel's console (scripts/qemu's stdout, the serial port) to stderr or --console FILE.
 * The VM runs in a process group of its own and never touches the terminal, so Ctrl-C
 * reaches only petrel: the first one asks the guest to send SIGINT to the program (a 0x03 on
 * the control socket), a second within a second stops the VM (exit 130).
 */
enum { S_IN, S_OUT, S_ERR, S_CTL, S_N };

#define RELAY_BUF 65536

struct relay {
    int sock[S_N]; /* petrel's end of each stream (-1 once closed) */
    int con;       /* the kernel console (scripts/qemu's stdout), -1 once closed */
    int con_out;   /* where console bytes go */
    pid_t vm;      /* scripts/qemu, leader of the VM's process group */
    char in[RELAY_BUF];
    size_t in_len, in_off;
    bool in_eof;       /* petrel's stdin ended (or failed) */
    bool in_shut;      /* and the stdin socket was shut down for writing */
    bool started;      /* the kernel said "started" on the control socket */
    char ctl[128];     /* the control socket's partial line */
    size_t ctl_len;
    bool stopped;      /* petrel stopped the VM (second Ctrl-C, SIGTERM, broken stdout) */
    int stop_code;     /* petrel's exit code then */
    struct timespec last_intr;
    int64_t deadline;  /* --timeout: when to stop the VM (CLOCK_MONOTONIC ns; 0 never) */
    int64_t kill_at;   /* after stop_vm: when a VM still running gets SIGKILL (0 never) */
};

static int sig_pipe[2] = {-1, -1};
static bool tty_raw; /* -t: the host terminal is raw (tty_setup) */
static volatile sig_atomic_t sig_seen[NSIG];

static void on_signal(int sig)
{
    int e = errno;

    sig_seen[sig] = 1;
    if (write(sig_pipe[1], "", 1) < 0) { /* the pipe is full: the loop wakes anyway */
    }
    errno = e;
}

static void catch_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; /* no SA_RESTART: a blocked write to stdout returns EINTR */
    sigemptyset(&sa.sa_mask);
    if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        die(EXIT_PETREL, "pipe: %s", strerror(errno));
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    if (tty_raw) /* -t: the host terminal's new size goes to the guest (tty_winch) */
        sigaction(SIGWINCH, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a closed stdout is an EPIPE the relay handles */
}

static int64_t now_ns(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* SIGTERM to the VM's process group (QEMU exits at once), SIGKILL 2 s later if it did not
 * (scripts/qemu's timeout -k 2). */
static void stop_vm(struct relay *r, int code, const char *why)
{
    if (!r->stopped) {
        if (why)
            fprintf(stderr, "petrel: %s\n", why);
        kill(-r->vm, SIGTERM);
        r->kill_at = now_ns() + 2000000000;
    }
    r->stopped = true;
    r->stop_code = code;
}

/* The host terminal's window size, 24x80 when it has none. */
static struct winsize host_winsize(void)
{
    struct winsize ws = {0, 0, 0, 0};

    if ((ioctl(1, TIOCGWINSZ, &ws) != 0 && ioctl(0, TIOCGWINSZ, &ws) != 0) || !ws.ws_row ||
        !ws.ws_col)
        ws.ws_row = 24, ws.ws_col = 80;
    return ws;
}

/* -t, SIGWINCH: the new size on the control port as xterm's resize sequence ESC[8;R;Ct; the
 * kernel updates TIOCGWINSZ and sends SIGWINCH to the program (hal_x86/virtio/console.c,
 * fs/file/console.c). The start size went on the kernel command line (tty_setup). */
static void tty_winch(struct relay *r)
{
    struct winsize ws = host_winsize();
    char msg[32];
    int n = snprintf(msg, sizeof(msg), "\033[8;%u;%ut", ws.ws_row, ws.ws_col);

    if (r->sock[S_CTL] >= 0)
        send(r->sock[S_CTL], msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static void handle_signals(struct relay *r)
{
    char drain[64];

    while (read(sig_pipe[0], drain, sizeof(drain)) > 0) {
    }
    if (sig_seen[SIGINT]) {
        struct timespec now;
        sig_seen[SIGINT] = 0;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double since = (double)(now.tv_sec - r->last_intr.tv_sec) +
                       (double)(now.tv_nsec - r->last_intr.tv_nsec) / 1e9;
        if (r->last_intr.tv_sec && since < 1.0)
            stop_vm(r, 128 + SIGINT, "second Ctrl-C: stopping the VM");
        else if (r->sock[S_CTL] >= 0 && send(r->sock[S_CTL], "\003", 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
            stop_vm(r, 128 + SIGINT, "Ctrl-C: the guest does not listen; stopping the VM");
        r->last_intr = now;
    }
    if (sig_seen[SIGWINCH]) {
        sig_seen[SIGWINCH] = 0;
        tty_winch(r);
    }
    if (sig_seen[SIGHUP] || sig_seen[SIGTERM]) {
        int sig = sig_seen[SIGTERM] ? SIGTERM : SIGHUP;
        sig_seen[SIGHUP] = sig_seen[SIGTERM] = 0;
        stop_vm(r, 128 + sig, NULL);
    }
}

/* Write all of buf to fd (blocking). 0, or -1 with errno (EPIPE: the reader left). */
static int write_all(int fd, const char *buf, size_t n)
{
    while (n) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

static void close_sock(struct relay *r, int s)
{
    if (r->sock[s] >= 0)
        close(r->sock[s]);
    r->sock[s] = -1;
}

/* Data on the stdout/stderr socket (or the console): copy one buffer to `to`. */
static void relay_out(struct relay *r, int *from, int to, bool is_con)
{
    static char buf[RELAY_BUF];
    ssize_t n = read(*from, buf, sizeof(buf));

    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        close(*from);
        *from = -1;
        return;
    }
    if (r->stopped && (is_con || r->stop_code == 128 + SIGPIPE))
        return; /* petrel stopped the VM (its messages about that are noise), or the reader
                 * is gone: discard until the VM has stopped */
    if (is_con) { /* the serial console sends \r\n: plain lines on the host */
        ssize_t k = 0;
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] != '\r')
                buf[k++] = buf[i];
        n = k;
    }
    if (write_all(to, buf, (size_t)n) != 0 && !is_con)
        stop_vm(r, 128 + SIGPIPE, NULL); /* as the program would die of SIGPIPE */
}

/* -t: a Ctrl-C typed is the guest's (its line discipline sends SIGINT); a second one within
 * a second stops the VM, as without -t. */
static void tty_intr(struct relay *r)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    double since = (double)(now.tv_sec - r->last_intr.tv_sec) +
                   (double)(now.tv_nsec - r->last_intr.tv_nsec) / 1e9;
    if (r->last_intr.tv_sec && since < 1.0)
        stop_vm(r, 128 + SIGINT, "second Ctrl-C: stopping the VM");
    r->last_intr = now;
}

static void relay_in(struct relay *r, short rev_stdin, short rev_sock)
{
    if (rev_stdin) {
        ssize_t n = read(0, r->in, sizeof(r->in));
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            return;
        if (n <= 0)
            r->in_eof = true;
        else
            r->in_len = (size_t)n, r->in_off = 0;
        if (n > 0 && tty_raw && memchr(r->in, 3, (size_t)n)) /* -t: Ctrl-C is a byte now */
            tty_intr(r);
    }
    if (rev_sock && r->in_len) {
        ssize_t w = send(r->sock[S_IN], r->in + r->in_off, r->in_len - r->in_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && (errno == EINTR || errno == EAGAIN))
            return;
        if (w < 0) { /* the VM is gone: nobody reads any more */
            close_sock(r, S_IN);
            r->in_eof = true;
            return;
        }
        r->in_off += (size_t)w;
        if (r->in_off == r->in_len)
            r->in_len = r->in_off = 0;
    }
    if (r->in_eof && r->in_len == 0 && r->sock[S_IN] >= 0 && !r->in_shut) {
        /* The guest's read returns 0 once it has read every byte before. The socket stays
         * open: closing it would hang up QEMU's end, which then drops what is unread. */
        shutdown(r->sock[S_IN], SHUT_WR);
        r->in_shut = true;
    }
}

/* Status lines from the kernel on the control socket (hal_stdio_control). */
static void relay_ctl(struct relay *r)
{
    ssize_t n = read(r->sock[S_CTL], r->ctl + r->ctl_len, sizeof(r->ctl) - 1 - r->ctl_len);

    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        close_sock(r, S_CTL);
        return;
    }
    r->ctl_len += (size_t)n;
    r->ctl[r->ctl_len] = '\0';
    for (char *nl; (nl = strchr(r->ctl, '\n'));) {
        *nl = '\0';
        r->started |= strcmp(r->ctl, "started") == 0;
        r->ctl_len -= (size_t)(nl + 1 - r->ctl);
        memmove(r->ctl, nl + 1, r->ctl_len + 1);
    }
    if (r->ctl_len == sizeof(r->ctl) - 1)
        r->ctl_len = 0; /* no line that long is ours */
}

/* poll's timeout: until the next of --timeout's deadline and the SIGKILL after a stop. */
static int poll_timeout(const struct relay *r)
{
    int64_t next = r->stopped ? r->kill_at : r->deadline;

    if (!next)
        return -1;
    int64_t ms = (next - now_ns()) / 1000000 + 1;
    return ms < 0 ? 0 : ms > 1000000 ? 1000000 : (int)ms;
}

static void check_timers(struct relay *r)
{
    int64_t now = now_ns();

    if (!r->stopped && r->deadline && now >= r->deadline) {
        fprintf(stderr, "petrel: timed out after %ss: stopping the VM\n", o.timeout);
        stop_vm(r, EXIT_TIMEOUT, NULL);
    } else if (r->stopped && r->kill_at && now >= r->kill_at) {
        kill(-r->vm, SIGKILL);
        r->kill_at = 0;
    }
}

static void relay_loop(struct relay *r)
{
    while (r->sock[S_OUT] >= 0 || r->sock[S_ERR] >= 0 || r->con >= 0) {
        struct pollfd p[7] = {{sig_pipe[0], POLLIN, 0}};
        int n = 1, i_stdin = -1, i_in = -1, i_out = -1, i_err = -1, i_con = -1, i_ctl = -1;

        if (r->sock[S_IN] >= 0 && !r->in_eof && r->in_len == 0)
            p[i_stdin = n++] = (struct pollfd){0, POLLIN, 0};
        if (r->sock[S_IN] >= 0 && r->in_len)
            p[i_in = n++] = (struct pollfd){r->sock[S_IN], POLLOUT, 0};
        if (r->sock[S_OUT] >= 0)
            p[i_out = n++] = (struct pollfd){r->sock[S_OUT], POLLIN, 0};
        if (r->sock[S_ERR] >= 0)
            p[i_err = n++] = (struct pollfd){r->sock[S_ERR], POLLIN, 0};
        if (r->con >= 0)
            p[i_con = n++] = (struct pollfd){r->con, POLLIN, 0};
        if (r->sock[S_CTL] >= 0)
            p[i_ctl = n++] = (struct pollfd){r->sock[S_CTL], POLLIN, 0};
        int rc = poll(p, (nfds_t)n, poll_timeout(r));
        if (rc < 0 && errno != EINTR)
            die(EXIT_PETREL, "poll: %s", strerror(errno));
        if (r->deadline || r->kill_at) /* also while output flows without a pause */
            check_timers(r);
        if (rc <= 0)
            continue;
        if (p[0].revents)
            handle_signals(r);
        if ((i_stdin >= 0 && p[i_stdin].revents) || (i_in >= 0 && p[i_in].revents))
            relay_in(r, i_stdin >= 0 ? p[i_stdin].revents : 0, i_in >= 0 ? p[i_in].revents : 0);
        if (i_out >= 0 && p[i_out].revents)
            relay_out(r, &r->sock[S_OUT], 1, false);
        if (i_err >= 0 && p[i_err].revents)
            relay_out(r, &r->sock[S_ERR], 2, false);
        if (i_con >= 0 && p[i_con].revents)
            relay_out(r, &r->con, r->con_out, true);
        if (i_ctl >= 0 && p[i_ctl].revents)
            relay_ctl(r);
    }
}

/* Fork the VM (QEMU itself, or the PETREL_QEMU script) in a process group of its own with the
 * streams' far ends. */
static pid_t spawn_vm(char **args, int far[S_N], int con_w)
{
    int ep[2], err = 0; /* the child's errno when the exec failed (closed on exec) */
    pid_t pid;

    if (pipe2(ep, O_CLOEXEC) != 0 || (pid = fork()) < 0)
        die(EXIT_PETREL, "fork: %s", strerror(errno));
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);

        setpgid(0, 0);
        /* QEMU's own messages join the kernel's console */
        if (null >= 0 && dup2(null, 0) >= 0 && dup2(con_w, 1) >= 0 && dup2(con_w, 2) >= 0) {
            signal(SIGPIPE, SIG_DFL);
            execvp(args[0], args);
        }
        err = errno;
        if (write(ep[1], &err, sizeof(err)) < 0) { /* the parent then sees the pipe closed */
        }
        _exit(EXIT_PETREL);
    }
    setpgid(pid, pid); /* also here: no window where a Ctrl-C reaches the VM */
    close(ep[1]);
    while (read(ep[0], &err, sizeof(err)) < 0 && errno == EINTR) {
    }
    close(ep[0]);
    if (err) { /* not QEMU's exit status: its 125 would read as the kernel's exit 62 */
        waitpid(pid, NULL, 0);
        die(EXIT_PETREL, "cannot run %s: %s", args[0], strerror(err));
    }
    for (int i = 0; i < S_N; i++)
        close(far[i]);
    close(con_w);
    return pid;
}

/* --timeout's seconds (a number, with timeout(1)'s s/m/h/d suffixes); -1 when malformed. */
static double timeout_seconds(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    static const struct {
        char c;
        double mul;
    } suf[] = {{'\0', 1}, {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};

    if (end == s || v < 0 || (*end && end[1]))
        return -1;
    for (size_t i = 0; i < sizeof(suf) / sizeof(suf[0]); i++)
        if (*end == suf[i].c)
            return v * suf[i].mul;
    return -1;
}

/*
 * The QEMU command line scripts/qemu would run for its options args[1..nargs-1]
 * (tools/petrel_qemu.c), COM2's exit file a memfd (*exit_fd) that QEMU opens as /dev/fd/N.
 */
static char **qemu_argv(char **args, int nargs, int *exit_fd)
{
    static char *argv[PQ_MAX_ARGV], buf[8192];
    char err[512], path[32];
    struct pq_opts q;

    *exit_fd = memfd_create("petrel-exit", 0);
    if (*exit_fd < 0)
        die(EXIT_PETREL, "memfd_create: %s", strerror(errno));
    snprintf(path, sizeof(path), "/dev/fd/%d", *exit_fd);
    if (pq_parse(nargs - 1, args + 1, &q, err, sizeof(err)) != 0 ||
        pq_argv(&q, path, argv, buf, sizeof(buf), err, sizeof(err)) != 0)
        die(EXIT_PETREL, "%s", err);
    return argv;
}

/* The kernel's exit code, as scripts/qemu reads it: the last "exit N" line COM2 wrote, else
 * QEMU's isa-debug-exit status ((code << 1) | 1), else 125 (QEMU failed). */
static int qemu_result(int st, int exit_fd)
{
    char text[4096];
    off_t size = lseek(exit_fd, 0, SEEK_END);
    off_t from = size > (off_t)sizeof(text) ? size - (off_t)sizeof(text) : 0;
    ssize_t n = size > 0 ? pread(exit_fd, text, sizeof(text), from) : 0;
    int code = n > 0 ? pq_exit_code(text, (size_t)n) : -1;

    if (code >= 0)
        return code;
    if (WIFEXITED(st) && WEXITSTATUS(st) % 2 == 1 && WEXITSTATUS(st) > 1)
        return (WEXITSTATUS(st) - 1) / 2;
    if (WIFSIGNALED(st))
        fprintf(stderr, "petrel: QEMU was killed by signal %d\n", WTERMSIG(st));
    else
        fprintf(stderr, "petrel: QEMU ended (status %d) without the kernel calling hal_exit\n",
                WEXITSTATUS(st));
    return EXIT_PETREL;
}

/* Open the streams' socket pairs (petrel's ends close on exec) and the console pipe. */
static void open_streams(struct relay *r, int far[S_N], int con[2])
{
    for (int i = 0; i < S_N; i++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
            die(EXIT_PETREL, "socketpair: %s", strerror(errno));
        fcntl(sv[0], F_SETFD, FD_CLOEXEC);
        r->sock[i] = sv[0];
        far[i] = sv[1];
    }
    if (pipe(con) != 0)
        die(EXIT_PETREL, "pipe: %s", strerror(errno));
    fcntl(con[0], F_SETFD, FD_CLOEXEC);
    r->con = con[0];
    if (o.console && (r->con_out = open(o.console, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                                        0644)) < 0)
        die(EXIT_PETREL, "--console %s: %s", o.console, strerror(errno));
}

/*
 * Boot: args are scripts/qemu's options (args[0] the script). petrel starts QEMU itself with
 * the command line the script would run; with PETREL_QEMU set it runs that script instead.
 * Returns petrel's exit code.
 */
static int run_vm(char **args, int nargs, char *streams_arg, size_t streams_size)
{
    struct relay r = {.con_out = 2};
    int far[S_N], con[2], st, exit_fd = -1;
    const char *script = getenv("PETREL_QEMU");
    double tmo = timeout_seconds(o.timeout);
    char **argv = args;
    pid_t w;

    open_streams(&r, far, con);
    snprintf(streams_arg, streams_size, "%d,%d,%d,%d,%s%s%s", far[S_IN], far[S_OUT], far[S_ERR],
             far[S_CTL], isatty(0) ? "i" : "", isatty(1) ? "o" : "", isatty(2) ? "e" : "");
    args[nargs] = NULL;
    if (!script || !*script) {
        argv = qemu_argv(args, nargs, &exit_fd);
        if (tmo > 0) /* the script's timeout(1), here in the relay loop */
            r.deadline = now_ns() + (int64_t)(tmo * 1e9);
    }
    catch_signals();
    fflush(stderr);
    r.vm = spawn_vm(argv, far, con[1]);
    relay_loop(&r);
    while ((w = waitpid(r.vm, &st, 0)) < 0 && errno == EINTR) {
    }
    if (w < 0)
        die(EXIT_PETREL, "waitpid: %s", strerror(errno));
    if (r.stopped)
        return r.stop_code;
    if (exit_fd >= 0)
        st = qemu_result(st, exit_fd);
    else if (!WIFEXITED(st))
        return EXIT_PETREL;
    else
        st = WEXITSTATUS(st);
    if (!r.started && st != EXIT_TIMEOUT && st != EXIT_PETREL) {
        /* the kernel ended before the program began: its reason is on the console above */
        fprintf(stderr, "petrel: the kernel could not start the program (kernel exit %d)\n", st);
        return EXIT_PETREL;
    }
    return st;
}

/*
 * -t: the host terminal in raw mode (no echo, no line editing, no signals: every key goes to
 * the guest, whose line discipline does that, fs/file/ldisc.c), output processing kept; the
 * settings come back at exit (atexit, also after die()) and on the signals petrel handles.
 * The window size goes to the kernel as terminal=ROWSxCOLS on its command line.
 */
static struct termios tty_saved;

static void tty_restore(void)
{
    if (tty_raw)
        tcsetattr(0, TCSADRAIN, &tty_saved);
    tty_raw = false;
}

/* Raw mode on stdin; the kernel command line word in buf. False when stdin is no terminal. */
static bool tty_setup(char *buf, size_t size)
{
    struct termios t;
    struct winsize ws;

    if (!isatty(0) || tcgetattr(0, &tty_saved) != 0)
        return false;
    ws = host_winsize();
    snprintf(buf, size, "terminal=%ux%u", ws.ws_row, ws.ws_col);
    t = tty_saved;
    t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
    t.c_iflag &= ~(tcflag_t)(ICRNL | INLCR | IGNCR | IXON | BRKINT | ISTRIP);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    atexit(tty_restore);
    if (tcsetattr(0, TCSADRAIN, &t) != 0)
        return false;
    tty_raw = true;
    return true;
}

/*
 * The kernel command line's words as the file QEMU gives the guest through fw_cfg (scripts/qemu
 * -f: -fw_cfg name=opt/petrel/cmdline,file=...), which the kernel appends to the PVH command
 * line (hal_x86/boot.c): q35's PVH loader has room for ~4 KiB of -append, microvm's is one
 * host argument (128 KiB), fw_cfg takes what the kernel does (1 MiB). The file is a memfd that
 * QEMU inherits and opens as /dev/fd/N: nothing to clean up on disk.
 */
static char *fw_cmdline_file(const char *text, char *path, size_t size)
{
    int fd = memfd_create("petrel-cmdline", 0);

    if (fd < 0 || write_all(fd, text, strlen(text)) != 0)
        die(EXIT_PETREL, "cannot write the kernel command line: %s", strerror(errno));
    snprintf(path, size, "/dev/fd/%d", fd);
    return path;
}

static int boot(const char *img, const char *settings)
{
    const char *kernel = getenv("PETREL_KERNEL");
    const char *accel = o.accel;
    const char *disk = img;
    char *args[32], streams[64], term[32] = "", *append, fw_path[32];
    int n = 0;

    if (!kernel || !*kernel)
        kernel = PETREL_KERNEL;
    if (access(kernel, R_OK) != 0)
        die(EXIT_PETREL, "kernel %s is missing (build the tree, or set PETREL_KERNEL)", kernel);
    if (strcmp(accel, "auto") == 0)
        accel = pq_kvm_usable() ? "kvm" : "tcg";
    if (o.keep_image) {
        if (copy_file(img, o.keep_image) != 0)
            die(EXIT_PETREL, "cannot copy the image to %s", o.keep_image);
        disk = o.keep_image;
        say("image kept in %s (the program's writes stay there)", disk);
    }
    say("booting %s (%s, %s, %s)", kernel, o.machine, accel, o.mem);
    if (pn_summary())
        say("%s", pn_summary());
    args[n++] = (char *)(getenv("PETREL_QEMU") && *getenv("PETREL_QEMU") ? getenv("PETREL_QEMU")
                                                                          : PETREL_QEMU);
    args[n++] = "-M";
    args[n++] = (char *)o.machine;
    args[n++] = "-a";
    args[n++] = (char *)accel;
    args[n++] = "-m";
    args[n++] = (char *)o.mem;
    args[n++] = "-t";
    args[n++] = (char *)o.timeout;
    args[n++] = "-d";
    args[n++] = (char *)disk;
    pn_qemu_args(args, &n); /* the NIC: -p, --net (petrel_net.c) */
    args[n++] = "-s";
    args[n++] = streams; /* filled by run_vm */
    if (o.tty && !tty_setup(term, sizeof(term))) {
        say("-t: stdin is not a terminal: no terminal mode");
        term[0] = '\0';
    }
    if (asprintf(&append, "%s%s%s", term, term[0] && settings ? " " : "",
                 settings ? settings : "") < 0)
        die(EXIT_PETREL, "out of memory");
    if (append[0]) { /* the kernel command line's words: terminal=, the run's settings */
        args[n++] = "-f";
        args[n++] = fw_cmdline_file(append, fw_path, sizeof(fw_path));
    }
    args[n++] = (char *)kernel;
    if (!o.persist && !o.keep_image) {
        args[n++] = "--";
        args[n++] = "-snapshot"; /* a fresh copy-on-write view of the cached image */
    }
    return run_vm(args, n, streams, sizeof(streams));
}

/* --- commands --------------------------------------------------------------------------------- */

static void usage(void)
{
    fputs("usage: petrel run [options] PROGRAM [ARGS...]   run PROGRAM in Petrel\n"
          "       petrel build [options] PROGRAM [ARGS...] build its image, print its path\n"
          "       petrel deps PROGRAM                      list what PROGRAM needs\n"
          "       petrel ldcache [FILE]                    list /etc/ld.so.cache (x86-64)\n"
          "       petrel qemu-argv OPTIONS...              QEMU's command line for scripts/qemu's OPTIONS\n"
          "       petrel mkfs|dump|fsck ARGS...            the TFS tools\n"
          "options:\n"
          "  -m, --mem SIZE          guest memory (default 256M)\n"
          "  -c, --cpus N            CPUs (accepted; Petrel runs on one CPU for now)\n"
          "  -e, --env KEY=VAL       environment variable (repeatable)\n"
          "  --file HOST[:GUEST]     add a file (GUEST defaults to HOST's absolute path)\n"
          "  --dir HOST[:GUEST]      add a directory tree\n"
          "  --manifest FILE         merge a manifest (its keys win)\n"
          "  -d, --debugsyscalls     trace every system call on the console\n"
          "  --summary               count syscalls (calls, errors, time) and print a table at exit\n"
          "  --missing-files         list the paths the program failed to open (ENOENT) at exit\n"
          "  --accel auto|kvm|tcg    accelerator (default auto: KVM when usable)\n"
          "  --machine microvm|q35   QEMU machine (default microvm)\n"
          "  --keep-image PATH       boot a copy of the image at PATH and keep it\n"
          "  --persist               boot the cached image itself (writes are kept)\n"
          "  --disk-size [+]SIZE     image size, or +SIZE: free space (default +1G)\n"
          "  --timeout SECONDS       stop the VM after this long (default: never)\n"
          "  --console FILE          the kernel's messages go to FILE (default: stderr)\n"
          "  -p, --publish [HOSTIP:]HOST:GUEST[/udp]  forward a host port (repeatable)\n"
          "  --net user|tap:NAME|none  the NIC's backend (default: user with -p/--ip)\n"
          "  --ip ADDR, --netmask MASK, --gateway ADDR  a static IPv4 address (else DHCP)\n"
          "  --ops-config FILE       read a Nanos ops config.json (Args, Env, Files, Dirs,\n"
          "                          MapDirs, RunConfig.Memory...; says what it ignores)\n"
          "  -t, --tty               a terminal: the host's raw, the guest's line discipline\n"
          "  -q, --quiet             no progress lines on stderr\n",
          stderr);
    exit(EXIT_USAGE);
}

/* -m: QEMU's syntax; below MIN_MEM the kernel (loaded at 1 MiB) cannot even say why it
 * stops, so refuse it here. Too little memory above that is the kernel's to report. */
#define MIN_MEM (2u << 20)
static void check_mem(void)
{
    uint64_t bytes;

    if (!parse_size(o.mem, 1u << 20, &bytes))
        die(EXIT_USAGE, "-m %s: not a size (MiB, or a number with a K, M or G suffix)", o.mem);
    if (bytes < MIN_MEM)
        die(EXIT_USAGE, "-m %s: too little memory: the kernel needs at least 2 MiB to start "
                        "(a program usually 8 MiB or more)", o.mem);
}

/* Keys petrel writes itself: a ManifestPassthrough key among them would be a duplicate. */
static bool petrel_key(const char *k)
{
    static const char *const keys[] = {"children", "program", "arguments", "environment",
                                       "cwd", "imagesize", "debugsyscalls"};

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (strcmp(k, keys[i]) == 0)
            return true;
    return false;
}

/* --ops-config FILE: its settings under the command line's (which win: options given,
 * -e after Env, --file/--dir after Files/Dirs/MapDirs); the keys it ignores said once. */
static void load_ops_config(const char *path)
{
    char *text = read_text(path, "--ops-config"), err[512];

    if (ops_config_parse(text, strlen(text), true, &ops, err, sizeof(err)))
        die(EXIT_USAGE, "--ops-config %s: %s", path, err);
    free(text);
    for (size_t i = 0; i + 1 < ops.nmanifest; i += 2)
        if (petrel_key(ops.manifest[i]))
            die(EXIT_USAGE, "--ops-config %s: ManifestPassthrough.%s: petrel sets that key "
                            "itself (use Args, Env, Files...)", path, ops.manifest[i]);
    if (ops.memory && !o.mem_given)
        o.mem = ops.memory;
    if (ops.cpus && !o.cpus_given)
        o.cpus = ops.cpus;
    if (ops.accel && !o.accel_given)
        o.accel = ops.accel;
    if (ops.disk_size && !o.disk_size)
        o.disk_size = ops.disk_size;
    o.debug |= ops.debug;
    if (ops.nenv + (size_t)o.nenv > MAX_ENV || ops.nfiles + (size_t)o.nfiles > MAX_ENV ||
        ops.ndirs + (size_t)o.ndirs > MAX_ENV)
        die(EXIT_USAGE, "--ops-config %s: too many Env, Files or Dirs entries", path);
    memmove(o.env + ops.nenv, o.env, (size_t)o.nenv * sizeof(o.env[0]));
    memcpy(o.env, ops.env, ops.nenv * sizeof(o.env[0]));
    o.nenv += (int)ops.nenv;
    memmove(o.files + ops.nfiles, o.files, (size_t)o.nfiles * sizeof(o.files[0]));
    memcpy(o.files, ops.files, ops.nfiles * sizeof(o.files[0]));
    o.nfiles += (int)ops.nfiles;
    memmove(o.dirs + ops.ndirs, o.dirs, (size_t)o.ndirs * sizeof(o.dirs[0]));
    memcpy(o.dirs, ops.dirs, ops.ndirs * sizeof(o.dirs[0]));
    o.ndirs += (int)ops.ndirs;
    for (size_t i = 0; i < ops.nignored; i++)
        say("--ops-config %s: ignored %s", path, ops.ignored[i]);
}

static int parse_opts(int argc, char **argv)
{
    static const struct option lo[] = {{"mem", 1, 0, 'm'},           {"cpus", 1, 0, 'c'},
                                       {"env", 1, 0, 'e'},           {"file", 1, 0, 'F'},
                                       {"dir", 1, 0, 'D'},           {"manifest", 1, 0, 'M'},
                                       {"debugsyscalls", 0, 0, 'd'}, {"accel", 1, 0, 'A'},
                                       {"machine", 1, 0, 'T'},       {"keep-image", 1, 0, 'K'},
                                       {"persist", 0, 0, 'P'},       {"disk-size", 1, 0, 'S'},
                                       {"timeout", 1, 0, 'W'}, {"console", 1, 0, 'C'},       {"quiet", 0, 0, 'q'},
                                       {"ops-config", 1, 0, 'O'},    {"tty", 0, 0, 't'},
                                       {"help", 0, 0, 'h'},
                                       /* networking (petrel_net.c) */
                                       {"publish", 1, 0, PN_OPT_PUBLISH},
                                       {"net", 1, 0, PN_OPT_NET},
                                       {"ip", 1, 0, PN_OPT_IP},
                                       {"gateway", 1, 0, PN_OPT_GATEWAY},
                                       {"netmask", 1, 0, PN_OPT_NETMASK},
                                       {"summary", 0, 0, 's'},       {"missing-files", 0, 0, 'N'},
                                       {0, 0, 0, 0}};
    int c;

    while ((c = getopt_long(argc, argv, "+m:c:e:dqthp:", lo, NULL)) != -1) {
        switch (c) {
        case 'm':
            o.mem = optarg;
            o.mem_given = true;
            break;
        case 'c':
            o.cpus = optarg;
            o.cpus_given = true;
            break;
        case 'O':
            o.ops_config = optarg;
            break;
        case 't':
            o.tty = true;
            break;
        case 'e':
            if (!strchr(optarg, '=') || optarg[0] == '=' || o.nenv == MAX_ENV)
                die(EXIT_USAGE, "-e %s: expected KEY=VALUE", optarg);
            o.env[o.nenv++] = optarg;
            break;
        case 'F':
        case 'D':
            if ((c == 'F' ? o.nfiles : o.ndirs) == MAX_ENV)
                die(EXIT_USAGE, "too many --file/--dir options");
            if (c == 'F')
                o.files[o.nfiles++] = optarg;
            else
                o.dirs[o.ndirs++] = optarg;
            break;
        case 'M':
            o.user_manifest = optarg;
            break;
        case 'd':
            o.debug = true;
            break;
        case 'A':
            o.accel = optarg;
            o.accel_given = true;
            break;
        case 'T':
            o.machine = optarg;
            break;
        case 'K':
            o.keep_image = optarg;
            break;
        case 'P':
            o.persist = true;
            break;
        case 'S': {
            uint64_t v;
            if (!parse_size(optarg[0] == '+' ? optarg + 1 : optarg, 1, &v))
                die(EXIT_USAGE, "--disk-size %s: not a size (bytes with a K, M, G or T "
                                "suffix; +SIZE: that much free space)", optarg);
            o.disk_size = optarg;
            break;
        }
        case 'W':
            if (timeout_seconds(optarg) < 0)
                die(EXIT_USAGE, "--timeout %s: not a number of seconds", optarg);
            o.timeout = optarg;
            break;
        case 'C':
            o.console = optarg;
            break;
        case 'q':
            o.quiet = true;
            break;
        case PN_OPT_PUBLISH: /* networking (petrel_net.c) */
        case PN_OPT_NET:
        case PN_OPT_IP:
        case PN_OPT_GATEWAY:
        case PN_OPT_NETMASK:
            pn_option(c, optarg);
            break;
        case 's': /* diagnostics printed by the kernel at exit (docs/manifest.md) */
            o.summary = true;
            break;
        case 'N':
            o.missing_files = true;
            break;
        default:
            usage();
        }
    }
    if (strcmp(o.accel, "auto") && strcmp(o.accel, "kvm") && strcmp(o.accel, "tcg"))
        die(EXIT_USAGE, "--accel must be auto, kvm or tcg");
    if (strcmp(o.machine, "microvm") && strcmp(o.machine, "q35"))
        die(EXIT_USAGE, "--machine must be microvm or q35");
    pn_finish();
    if (o.ops_config)
        load_ops_config(o.ops_config);
    check_mem();
    if (o.cpus && strcmp(o.cpus, "1") != 0)
        say("-c %s: Petrel runs programs on one CPU for now", o.cpus);
    if (optind >= argc && !ops.program)
        usage();
    return optind;
}

static int cmd_deps(int argc, char **argv)
{
    struct pd_result *r = xcalloc(1, sizeof(*r));
    char err[8192], *path;

    if (argc != 2)
        usage();
    path = find_program(argv[1]);
    if (!path)
        die(EXIT_NOT_FOUND, "%s: no such program", argv[1]);
    path = unshim(argv[1], path);
    if (pd_resolve("", path, getenv("LD_LIBRARY_PATH"), r, err, sizeof(err)))
        die(EXIT_PETREL, "%s: %s", argv[1], err);
    printf("%s\n", path);
    pr_print(path, getenv("LD_LIBRARY_PATH"), r); /* adds its modules' libraries to r */
    for (size_t i = 0; i < r->nfiles; i++)
        printf("%s%s%s%s\n", r->files[i].path, r->files[i].name ? " (" : " (interpreter",
               r->files[i].name ? r->files[i].name : "", ")");
    pd_free(r);
    free(r);
    free(path);
    return 0;
}

static void print_cache_entry(const char *soname, const char *path, void *arg)
{
    (void)arg;
    printf("%s => %s\n", soname, path);
}

static int cmd_ldcache(int argc, char **argv)
{
    const char *file = argc > 1 ? argv[1] : "/etc/ld.so.cache";

    if (pd_cache_each(file, print_cache_entry, NULL))
        die(EXIT_PETREL, "%s: not a readable glibc ld.so.cache", file);
    return 0;
}

static int cmd_tool(const char *name, int argc, char **argv)
{
    argv[0] = (char *)tool(name);
    execv(argv[0], argv);
    die(EXIT_PETREL, "cannot run %s: %s", argv[0], strerror(errno));
    (void)argc;
}

/* petrel qemu-argv [scripts/qemu options]: the QEMU command line petrel would start for them,
 * one argument a line, COM2's exit file shown as EXIT: what scripts/qemu --print-argv prints
 * (tools/tests/petrel_qemu_test.sh compares the two). */
static int cmd_qemu_argv(int argc, char **argv)
{
    static char *qargv[PQ_MAX_ARGV], buf[8192];
    char err[512];
    struct pq_opts q;

    if (pq_parse(argc - 1, argv + 1, &q, err, sizeof(err)) != 0 ||
        pq_argv(&q, "EXIT", qargv, buf, sizeof(buf), err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    for (int i = 0; qargv[i]; i++)
        printf("%s\n", qargv[i]);
    return 0;
}

static void default_env(void)
{
    static const char *defs[] = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/"};
    const char *given[MAX_ENV];
    int n = o.nenv;

    memcpy(given, o.env, sizeof(given));
    o.nenv = 0;
    for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
        o.env[o.nenv++] = defs[i];
    for (int i = 0; i < n && o.nenv < MAX_ENV; i++)
        o.env[o.nenv++] = given[i];
}

/* The program's argv: PROGRAM (or ops' Program), ops' Args, then the command line's. */
static char **with_ops_args(char **argv, int argc, int *n)
{
    char **v = xcalloc((size_t)argc + ops.nargs + 2, sizeof(*v));
    int k = 0;

    v[k++] = argc > 0 ? argv[0] : ops.program;
    for (size_t i = 0; i < ops.nargs; i++)
        v[k++] = ops.args[i];
    for (int i = 1; i < argc; i++)
        v[k++] = argv[i];
    *n = k;
    return v;
}

int main(int argc, char **argv)
{
    int first, nargs;
    char *program, *img, **args, *settings;

    if (argc < 2)
        usage();
    if (!strcmp(argv[1], "mkfs") || !strcmp(argv[1], "dump") || !strcmp(argv[1], "fsck"))
        return cmd_tool(argv[1], argc - 1, argv + 1);
    if (!strcmp(argv[1], "deps"))
        return cmd_deps(argc - 1, argv + 1);
    if (!strcmp(argv[1], "ldcache"))
        return cmd_ldcache(argc - 1, argv + 1);
    if (!strcmp(argv[1], "qemu-argv"))
        return cmd_qemu_argv(argc - 1, argv + 1);
    if (strcmp(argv[1], "run") && strcmp(argv[1], "build"))
        usage();
    first = parse_opts(argc - 1, argv + 1) + 1;
    default_env();
    args = with_ops_args(argv + first, argc - first, &nargs);
    program = stage(args[0]); /* argv[0] stays as typed, like a shell's */
    stage_ldso_operand(program, args, nargs);
    for (int i = 0; i < o.ndirs; i++)     /* the user's files win over what was found */
        add_dir_spec(o.dirs[i]);
    for (int i = 0; i < o.nfiles; i++)
        add_file_spec(o.files[i]);
    add_etc_defaults(); /* after them: the image's own /etc files win */
    settings = strcmp(argv[1], "build") ? boot_settings(args, nargs) : NULL;
    img = make_image(program, args, nargs, settings == NULL); /* build: a standalone image */
    if (!strcmp(argv[1], "build")) {
        if (o.keep_image && copy_file(img, o.keep_image) != 0)
            die(EXIT_PETREL, "cannot copy the image to %s", o.keep_image);
        printf("%s\n", o.keep_image ? o.keep_image : img);
        free(img);
        free(program);
        return 0;
    }
    return boot(img, settings);
}
