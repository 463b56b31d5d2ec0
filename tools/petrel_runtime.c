/*
 * petrel_runtime.c - the files runtimes read beyond their libraries (petrel_runtime.h).
 *
 * Everything runtime-specific is data: `rules` say which sets a program gets, `sets` say
 * where their files are. The code only expands templates, walks trees and resolves the
 * libraries of the ELF files it meets. A set's tree is walked with lstat: directories
 * recursively (sorted, so the manifest and the image hash are stable), symlinks kept as
 * links and their targets added too when they lead out of the tree (Debian's
 * sitecustomize.py points into /etc/python3.11), and names matching the set's `skip` globs
 * left out. Python's compiled __pycache__ files are kept with their sources: mkfs preserves
 * the host's mtimes, so Python finds them current and compiles nothing at start-up.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fnmatch.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/petrel_runtime.h"

#define PR_MAX 16

struct pr_set {
    const char *name;
    const char *trees[PR_MAX]; /* templates: ${prefix} ${name} ${version}, "a|b", globs */
    const char *landmark;      /* a tree must contain this file to count (NULL: any) */
    const char *skip[PR_MAX];  /* basename globs left out */
    const char *aside[PR_MAX]; /* basename globs left out and reported (third-party trees) */
};

enum pr_match { PR_NAME, PR_SECTION, PR_NEEDED };

struct pr_rule {
    const char *name;
    enum pr_match kind;
    const char *pattern; /* PR_NAME: glob on the file name; PR_SECTION: an ELF section;
                          * PR_NEEDED: glob on a needed library's name */
    const char *sets[PR_MAX];
};

static const struct pr_set sets[] = {
    {"python",
     {"${prefix}/lib/python${version}|${prefix}/lib/python3.*"},
     "os.py", /* Python's own landmark for its standard library (getpath) */
     {"test", "tests", "idle_test", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3",
      "config-[0-9]*", "*.opt-1.pyc", "*.opt-2.pyc", "*.exe", "_test*.so"},
     {"site-packages", "dist-packages"}},
    {"perl",
     {"/etc/perl", "${prefix}/lib/x86_64-linux-gnu/perl-base",
      "${prefix}/lib/x86_64-linux-gnu/perl/${version}|${prefix}/lib/x86_64-linux-gnu/perl/5.*",
      "${prefix}/share/perl/${version}|${prefix}/share/perl/5.*", "${prefix}/share/perl5",
      "${prefix}/lib/x86_64-linux-gnu/perl5/5.*"},
     NULL,
     {"*.pod", "pod"},
     {0}},
    {"certs",
     {"/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/openssl.cnf", "/usr/lib/ssl/cert.pem",
      "/usr/lib/ssl/openssl.cnf", "/etc/pki/tls/certs/ca-bundle.crt"},
     NULL,
     {0},
     {0}},
    {"tz", {"/etc/localtime", "/etc/timezone", "/usr/share/zoneinfo"}, NULL, {"right", "posix"},
     {0}},
    {"locale",
     {"/usr/lib/locale/C.utf8|/usr/lib/locale/C.UTF-8", "/usr/lib/locale/locale-archive"},
     NULL,
     {0},
     {0}},
};

static const struct pr_rule rules[] = {
    {"python", PR_NAME, "python[0-9]*", {"python", "certs", "tz", "locale"}},
    {"perl", PR_NAME, "perl", {"perl", "locale"}},
    {"perl", PR_NAME, "perl5*", {"perl", "locale"}},
    {"go", PR_SECTION, ".go.buildinfo", {"certs", "tz"}},
    {"tls", PR_NEEDED, "libssl.so*", {"certs"}},
    {"tls", PR_NEEDED, "libgnutls.so*", {"certs"}},
};

struct walk {
    const char *program, *llp;
    struct pd_result *r;
    const struct pr_sink *sink;
    struct pr_report *rep;
    const struct pr_set *set;
    char **seen; /* real paths of the directories walked */
    size_t nseen;
};

static void *xmalloc(size_t n)
{
    void *p = malloc(n);

    if (!p) {
        perror("petrel");
        exit(125);
    }
    return p;
}

static void append(char *list, size_t size, const char *item)
{
    size_t n = strlen(list);

    if (n + strlen(item) + 3 < size)
        snprintf(list + n, size - n, "%s%s", n ? ", " : "", item);
}

static bool listed(const char *list, const char *item)
{
    size_t n = strlen(item);

    for (const char *p = list; (p = strstr(p, item)); p += n)
        if ((p == list || (p - list >= 2 && p[-2] == ',')) && (p[n] == '\0' || p[n] == ','))
            return true;
    return false;
}

/* --- templates ------------------------------------------------------------------------------ */

struct vars {
    char prefix[PATH_MAX], name[256], version[64];
};

/* ${prefix}: two levels above the program (/usr for /usr/bin/python3.11); ${name}: its file
 * name; ${version}: the digits and dots that end the name ("3.11", "5.36.0", "" for perl). */
static void vars_of(const char *program, struct vars *v)
{
    const char *slash = strrchr(program, '/');
    size_t n;

    snprintf(v->name, sizeof(v->name), "%s", slash ? slash + 1 : program);
    snprintf(v->prefix, sizeof(v->prefix), "%.*s", slash ? (int)(slash - program) : 0, program);
    slash = strrchr(v->prefix, '/');
    v->prefix[slash ? (size_t)(slash - v->prefix) : 0] = '\0';
    n = strlen(v->name);
    while (n && (v->name[n - 1] == '.' || (v->name[n - 1] >= '0' && v->name[n - 1] <= '9')))
        n--;
    snprintf(v->version, sizeof(v->version), "%.63s", v->name + n); /* a version, not 255 B */
}

/* Expand one alternative; false when it uses a variable that is empty. */
static bool expand(const char *t, size_t len, const struct vars *v, char *out, size_t size)
{
    static const char *const names[] = {"${prefix}", "${name}", "${version}"};
    const char *vals[] = {v->prefix, v->name, v->version};
    size_t o = 0;

    for (size_t i = 0; i < len && o + 1 < size;) {
        size_t k = 0, nl = 0;

        for (; k < 3; k++)
            if (strncmp(t + i, names[k], (nl = strlen(names[k]))) == 0 && i + nl <= len)
                break;
        if (k == 3) {
            out[o++] = t[i++];
            continue;
        }
        if (!vals[k][0])
            return false;
        o += (size_t)snprintf(out + o, size - o, "%s", vals[k]);
        if (o >= size)
            o = size - 1;
        i += nl;
    }
    out[o] = '\0';
    return true;
}

struct walk;

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;

    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* The first path matched by an alternative of template (globs: the highest match); the
 * other matches that are the same file (symlinks to it) go to aliases(w, path). */
static bool pick(const char *tmpl, const struct vars *v, const char *landmark, char *out,
                 size_t size, void (*aliases)(struct walk *, const char *), struct walk *w)
{
    for (const char *p = tmpl; p;) {
        const char *bar = strchr(p, '|');
        char cand[PATH_MAX];
        glob_t g;

        if (expand(p, bar ? (size_t)(bar - p) : strlen(p), v, cand, sizeof(cand)) &&
            glob(cand, GLOB_NOSORT, NULL, &g) == 0) {
            const char *best = NULL;

            for (size_t i = 0; i < g.gl_pathc; i++) {
                char lm[PATH_MAX + 64];
                snprintf(lm, sizeof(lm), "%s/%s", g.gl_pathv[i], landmark ? landmark : "");
                if ((!landmark || access(lm, R_OK) == 0) &&
                    (!best || strverscmp(g.gl_pathv[i], best) > 0))
                    best = g.gl_pathv[i];
            }
            if (best)
                snprintf(out, size, "%s", best);
            if (best && aliases) /* other names of the same tree (perl/5.36 -> 5.36.0) */
                for (size_t i = 0; i < g.gl_pathc; i++)
                    if (g.gl_pathv[i] != best && same_file(g.gl_pathv[i], best))
                        aliases(w, g.gl_pathv[i]);
            globfree(&g);
            if (best)
                return true;
        }
        p = bar ? bar + 1 : NULL;
    }
    return false;
}

/* --- the walk ------------------------------------------------------------------------------- */

static bool skipped(const struct pr_set *s, const char *name)
{
    for (int i = 0; i < PR_MAX && s->skip[i]; i++)
        if (fnmatch(s->skip[i], name, 0) == 0)
            return true;
    return false;
}

/* A name in the set's aside list: not staged, but reported with its size in names. */
static bool set_aside(struct walk *w, const char *path, const char *name)
{
    DIR *d;

    for (int i = 0; i < PR_MAX && w->set->aside[i]; i++) {
        if (fnmatch(w->set->aside[i], name, 0) != 0)
            continue;
        if (!w->rep->aside++)
            snprintf(w->rep->first_aside, sizeof(w->rep->first_aside), "%s", path);
        if ((d = opendir(path))) {
            for (struct dirent *e; (e = readdir(d));)
                w->rep->aside_entries += e->d_name[0] != '.';
            closedir(d);
        }
        return true;
    }
    return false;
}

static void walk_path(struct walk *w, const char *path);

/* An ELF file: stage it only when the libraries it needs can be found. */
static void add_file(struct walk *w, const char *path)
{
    char err[256];

    if (pd_is_elf64(path, NULL) && w->r->interp) {
        if (pd_resolve_object("", w->program, w->llp, path, w->r, err, sizeof(err))) {
            if (!w->rep->skipped++)
                snprintf(w->rep->first_skipped, sizeof(w->rep->first_skipped), "%.200s: %.250s",
                         path, err);
            return;
        }
        w->rep->modules++;
    }
    w->sink->file(w->sink->ctx, path);
    w->rep->files++;
}

static void walk_dir(struct walk *w, const char *path)
{
    struct dirent **list;
    char real[PATH_MAX];
    int n;

    if (!realpath(path, real))
        return;
    for (size_t i = 0; i < w->nseen; i++)
        if (strcmp(w->seen[i], real) == 0)
            return;
    w->seen = realloc(w->seen, (w->nseen + 1) * sizeof(*w->seen));
    if (!w->seen || !(w->seen[w->nseen++] = strdup(real))) {
        perror("petrel");
        exit(125);
    }
    w->sink->dir(w->sink->ctx, path);
    if ((n = scandir(path, &list, NULL, alphasort)) < 0)
        return;
    for (int i = 0; i < n; i++) {
        const char *name = list[i]->d_name;

        if (strcmp(name, ".") && strcmp(name, "..") && !skipped(w->set, name)) {
            char *child = xmalloc(strlen(path) + strlen(name) + 2);
            sprintf(child, "%s/%s", path, name);
            if (!set_aside(w, child, name))
                walk_path(w, child);
            free(child);
        }
        free(list[i]);
    }
    free(list);
}

static void walk_path(struct walk *w, const char *path)
{
    struct stat st;
    char target[PATH_MAX], real[PATH_MAX];
    ssize_t n;

    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        walk_dir(w, path);
    } else if (S_ISREG(st.st_mode) && access(path, R_OK) == 0) {
        add_file(w, path);
    } else if (S_ISLNK(st.st_mode) && (n = readlink(path, target, sizeof(target) - 1)) > 0 &&
               realpath(path, real)) {
        target[n] = '\0';
        w->sink->link(w->sink->ctx, path, target);
        w->rep->files++;
        walk_path(w, real); /* the target too, wherever it is (a directory only once) */
    }
}

static void add_set(struct walk *w, const struct pr_set *s, const struct vars *v)
{
    w->set = s;
    for (int i = 0; i < PR_MAX && s->trees[i]; i++) {
        char path[PATH_MAX];

        if (pick(s->trees[i], v, s->landmark, path, sizeof(path), walk_path, w))
            walk_path(w, path);
    }
    append(w->rep->sets, sizeof(w->rep->sets), s->name);
}

/* --- the rules ------------------------------------------------------------------------------ */

static bool rule_matches(const struct pr_rule *rule, const char *program, const struct vars *v,
                         const struct pd_result *r)
{
    switch (rule->kind) {
    case PR_NAME:
        return fnmatch(rule->pattern, v->name, 0) == 0;
    case PR_SECTION:
        return pd_has_section(program, rule->pattern);
    case PR_NEEDED:
        for (size_t i = 0; i < r->nfiles; i++)
            if (r->files[i].name && fnmatch(rule->pattern, r->files[i].name, 0) == 0)
                return true;
        return false;
    }
    return false;
}

static const struct pr_set *set_named(const char *name)
{
    for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
        if (strcmp(sets[i].name, name) == 0)
            return &sets[i];
    return NULL;
}

int pr_stage(const char *program, const char *ld_library_path, struct pd_result *r,
             const struct pr_sink *sink, struct pr_report *rep)
{
    struct walk w = {program, ld_library_path, r, sink, rep, NULL, NULL, 0};
    struct vars v;
    int added = 0;

    memset(rep, 0, sizeof(*rep));
    vars_of(program, &v);
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        if (!rule_matches(&rules[i], program, &v, r))
            continue;
        if (!listed(rep->rules, rules[i].name))
            append(rep->rules, sizeof(rep->rules), rules[i].name);
        for (int k = 0; k < PR_MAX && rules[i].sets[k]; k++) {
            const struct pr_set *s = set_named(rules[i].sets[k]);

            if (s && !listed(rep->sets, s->name)) {
                add_set(&w, s, &v);
                added++;
            }
        }
    }
    for (size_t i = 0; i < w.nseen; i++)
        free(w.seen[i]);
    free(w.seen);
    return added;
}

/* --- petrel deps ---------------------------------------------------------------------------- */

static void print_file(void *ctx, const char *path)
{
    (void)ctx;
    printf("%s (runtime)\n", path);
}

static void print_link(void *ctx, const char *path, const char *target)
{
    (void)ctx;
    printf("%s -> %s (runtime)\n", path, target);
}

static void print_dir(void *ctx, const char *path)
{
    (void)ctx;
    (void)path;
}

void pr_print(const char *program, const char *ld_library_path, struct pd_result *r)
{
    static const struct pr_sink sink = {print_file, print_link, print_dir, NULL};
    struct pr_report rep;

    if (!pr_stage(program, ld_library_path, r, &sink, &rep))
        return;
    printf("# runtime %s: %s (%zu files, %zu modules, %zu left out%s%s)\n", rep.rules, rep.sets,
           rep.files, rep.modules, rep.skipped, rep.skipped ? ": " : "", rep.first_skipped);
    if (rep.aside)
        printf("# set aside: %s (%zu entries)%s\n", rep.first_aside, rep.aside_entries,
               rep.aside > 1 ? " and others" : "");
}
