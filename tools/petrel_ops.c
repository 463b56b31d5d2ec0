/*
 * petrel_ops.c - `petrel run --ops-config FILE`: the keys of a Nanos ops config.json that
 * mean something to Petrel, turned into petrel's own settings (petrel_ops.h,
 * docs/petrel.md "Coming from Nanos ops"). Every other key is listed as ignored, with why,
 * and a key ops itself does not know gets the nearest ops key: a typo should not pass
 * silently. The JSON is parsed by petrel_json.c; relative paths in Files, Dirs and MapDirs
 * are relative to LocalFilesParentDirectory, else to the current directory, as ops resolves
 * them (ops runs in the project's directory).
 */
#define _GNU_SOURCE
#include "tools/petrel_ops.h"

#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tools/petrel_json.h"

struct ctx {
    struct ops_config *c;
    bool host_files;
    const char *parent; /* LocalFilesParentDirectory or "." */
    char *err;
    size_t errsz;
};

/* ops keys with no meaning here, and why (shown to the user). */
static const char *const ignored_keys[][2] = {
    {"Boot", "Nanos boot loader"},         {"UefiBoot", "Nanos boot loader"},
    {"Uefi", "Nanos boot loader"},         {"Kernel", "Petrel uses its own kernel"},
    {"NanosVersion", "Nanos only"},        {"NightlyBuild", "Nanos only"},
    {"CloudConfig", "cloud images"},       {"BuildDir", "ops' build directory"},
    {"Force", "ops only"},                 {"Mounts", "no volumes"},
    {"NameServer", "no DNS setting yet"},  {"NoTrace", "no per-syscall trace filter"},
    {"ProgramPath", "ops attach/detach"},  {"RebootOnExit", "the VM always stops"},
    {"TargetRoot", "no target root"},      {"Version", "metadata"},
    {"Language", "metadata"},              {"Runtime", "metadata"},
    {"Description", "metadata"},           {"VolumesDir", "no volumes"},
    {"PackageBaseURL", "no packages"},     {"PackageManifestURL", "no packages"},
    {"DisableArgsCopy", "arguments are never copied as files"},
};
static const char *const used_keys[] = {
    "Args", "Env", "Files", "Dirs", "MapDirs", "Program", "RunConfig", "BaseVolumeSz",
    "Debugflags", "ManifestPassthrough", "LocalFilesParentDirectory",
};
static const char *const run_used[] = {"Memory", "CPUs", "Accel"};
static const char *const run_ignored[][2] = {
    {"Ports", "use -p"},           {"UDPPorts", "use -p"},        {"Bridged", "no bridge"},
    {"BridgeName", "no bridge"},   {"TapName", "no tap"},         {"Gateway", "no static IP"},
    {"IPAddress", "no static IP"}, {"IPv6Address", "no static IP"}, {"NetMask", "no static IP"},
    {"Debug", "no gdb stub"},      {"GdbPort", "no gdb stub"},    {"Imagename", "ops only"},
    {"InstanceGroup", "cloud"},    {"InstanceName", "cloud"},     {"Klibs", "no klibs"},
    {"Vga", "no display"},         {"Mounts", "no volumes"},      {"Background", "ops only"},
    {"ShowDebug", "use --console"}, {"ShowErrors", "always shown"}, {"ShowWarnings", "always shown"},
    {"JSON", "ops only"},          {"Verbose", "use -d"},         {"VolumeSizeInGb", "cloud"},
};

static int fail(struct ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct ctx *x, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(x->err, x->errsz, fmt, ap);
    va_end(ap);
    return -1;
}

static int push(struct ctx *x, char ***v, size_t *n, char *s)
{
    char **nv = s ? realloc(*v, (*n + 1) * sizeof(**v)) : NULL;

    if (!nv) {
        free(s);
        return fail(x, "out of memory");
    }
    nv[(*n)++] = s;
    *v = nv;
    return 0;
}

static int pushf(struct ctx *x, char ***v, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int pushf(struct ctx *x, char ***v, size_t *n, const char *fmt, ...)
{
    va_list ap;
    char *s;
    int r;

    va_start(ap, fmt);
    r = vasprintf(&s, fmt, ap);
    va_end(ap);
    return push(x, v, n, r < 0 ? NULL : s);
}

/* Levenshtein distance, ignoring case (ops' keys are Go field names), at most 64 bytes. */
static unsigned distance(const char *a, const char *b)
{
    unsigned row[65], la = (unsigned)strnlen(a, 64), lb = (unsigned)strnlen(b, 64);

    for (unsigned j = 0; j <= lb; j++)
        row[j] = j;
    for (unsigned i = 1; i <= la; i++) {
        unsigned diag = row[0];
        row[0] = i;
        for (unsigned j = 1; j <= lb; j++) {
            unsigned up = row[j];
            unsigned best = diag + ((a[i - 1] | 0x20) != (b[j - 1] | 0x20));
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

/* A key neither used nor known as ignored: "Key (unknown; did you mean Near?)", the nearest
 * among the used names and the ignored ones (pairs: name, why). */
static int unknown(struct ctx *x, const char *prefix, const char *key, const char *const *names,
                   size_t nnames, const char *const (*pairs)[2], size_t npairs)
{
    const char *near = NULL;
    unsigned best = 4;

    for (size_t i = 0; i < nnames + npairs; i++) {
        const char *name = i < nnames ? names[i] : pairs[i - nnames][0];
        unsigned d = distance(key, name);
        if (d < best)
            best = d, near = name;
    }
    if (near)
        return pushf(x, &x->c->ignored, &x->c->nignored, "%s%s (unknown; did you mean %s?)",
                     prefix, key, near);
    return pushf(x, &x->c->ignored, &x->c->nignored, "%s%s (unknown)", prefix, key);
}

static const char *want_string(struct ctx *x, const struct pj_value *v, const char *what)
{
    const char *s = pj_cstr(v);

    if (!s)
        fail(x, "%s: expected a string without NUL bytes, found %s", what,
             v ? pj_type_name(v->type) : "nothing");
    return s;
}

static int strings(struct ctx *x, const struct pj_value *v, const char *key,
                   int (*each)(struct ctx *x, const char *s))
{
    if (v->type != PJ_ARRAY)
        return fail(x, "%s: expected an array of strings, found %s", key,
                    pj_type_name(v->type));
    for (size_t i = 0; i < v->n; i++) {
        const char *s = want_string(x, v->items[i], key);
        if (!s || each(x, s))
            return -1;
    }
    return 0;
}

static int add_arg(struct ctx *x, const char *s)
{
    return push(x, &x->c->args, &x->c->nargs, strdup(s));
}

/* A host path of Files/Dirs: relative to the parent directory; the guest path is the same
 * path made absolute (ops puts "static/index.html" at /static/index.html). */
static int add_path(struct ctx *x, const char *s, bool dir)
{
    char ***v = dir ? &x->c->dirs : &x->c->files;
    size_t *n = dir ? &x->c->ndirs : &x->c->nfiles;
    const char *rel = s;

    if (strchr(s, ':'))
        return fail(x, "%s %s: ':' in a path is not supported", dir ? "Dirs" : "Files", s);
    while (rel[0] == '.' && rel[1] == '/')
        rel += 2;
    if (s[0] == '/')
        return pushf(x, v, n, "%s:%s", s, s);
    return pushf(x, v, n, "%s/%s:/%s", x->parent, rel, rel);
}

static int add_file(struct ctx *x, const char *s)
{
    return add_path(x, s, false);
}

static int add_dir(struct ctx *x, const char *s)
{
    return add_path(x, s, true);
}

/* MapDirs {"HOST": "/GUEST"}: HOST (a glob) matches files and directories; a match goes to
 * GUEST/<its name>, except a HOST without wildcards naming a directory: that directory is
 * GUEST itself. */
static int map_dirs(struct ctx *x, const struct pj_value *v)
{
    if (v->type != PJ_OBJECT)
        return fail(x, "MapDirs: expected an object, found %s", pj_type_name(v->type));
    for (size_t i = 0; i < v->n; i++) {
        const char *guest = want_string(x, v->items[i], "MapDirs"), *host = v->keys[i];
        bool wild = strpbrk(host, "*?[") != NULL;
        char *pat;
        glob_t g;
        int rc = 0;

        if (!guest)
            return -1;
        if (guest[0] != '/' || strchr(guest, ':') || strchr(host, ':') ||
            strlen(host) != v->key_lens[i])
            return fail(x, "MapDirs \"%s\": \"%s\": expected a host path and an absolute "
                        "guest path without ':'", host, guest);
        if (asprintf(&pat, "%s%s%s", host[0] == '/' ? "" : x->parent,
                     host[0] == '/' ? "" : "/", host) < 0)
            return fail(x, "out of memory");
        if (!x->host_files) { /* recorded as written */
            rc = pushf(x, &x->c->dirs, &x->c->ndirs, "%s:%s", pat, guest);
            free(pat);
            if (rc)
                return -1;
            continue;
        }
        if (glob(pat, 0, NULL, &g) != 0) {
            free(pat);
            return fail(x, "MapDirs \"%s\": nothing matches", host);
        }
        for (size_t k = 0; k < g.gl_pathc && rc == 0; k++) {
            struct stat st;
            const char *m = g.gl_pathv[k], *base = strrchr(m, '/');
            bool isdir = stat(m, &st) == 0 && S_ISDIR(st.st_mode);

            base = base ? base + 1 : m;
            if (isdir && !wild)
                rc = pushf(x, &x->c->dirs, &x->c->ndirs, "%s:%s", m, guest);
            else
                rc = pushf(x, isdir ? &x->c->dirs : &x->c->files,
                           isdir ? &x->c->ndirs : &x->c->nfiles, "%s:%s%s%s", m, guest,
                           strcmp(guest, "/") ? "/" : "", base);
        }
        globfree(&g);
        free(pat);
        if (rc)
            return -1;
    }
    return 0;
}

static int env(struct ctx *x, const struct pj_value *v)
{
    if (v->type != PJ_OBJECT)
        return fail(x, "Env: expected an object of strings, found %s", pj_type_name(v->type));
    for (size_t i = 0; i < v->n; i++) {
        const char *val = want_string(x, v->items[i], "Env");
        if (!val)
            return -1;
        if (!v->keys[i][0] || strchr(v->keys[i], '=') || strlen(v->keys[i]) != v->key_lens[i])
            return fail(x, "Env: \"%s\" is not a variable name", v->keys[i]);
        if (pushf(x, &x->c->env, &x->c->nenv, "%s=%s", v->keys[i], val))
            return -1;
    }
    return 0;
}

/* RunConfig: Memory, CPUs, Accel; the rest ignored with why. */
static int run_config(struct ctx *x, const struct pj_value *v)
{
    if (v->type != PJ_OBJECT)
        return fail(x, "RunConfig: expected an object, found %s", pj_type_name(v->type));
    for (size_t i = 0; i < v->n; i++) {
        const char *k = v->keys[i];
        const struct pj_value *e = v->items[i];
        size_t j;

        if (strcmp(k, "Memory") == 0) {
            const char *m = want_string(x, e, "RunConfig.Memory");
            if (!m || !(x->c->memory = strdup(m)))
                return m ? fail(x, "out of memory") : -1;
        } else if (strcmp(k, "CPUs") == 0) {
            if (e->type != PJ_NUMBER || strspn(e->str, "0123456789") != e->len || e->len > 4)
                return fail(x, "RunConfig.CPUs: expected a small whole number");
            if (!(x->c->cpus = strdup(e->str)))
                return fail(x, "out of memory");
        } else if (strcmp(k, "Accel") == 0) {
            if (e->type != PJ_BOOL)
                return fail(x, "RunConfig.Accel: expected true or false");
            x->c->accel = e->boolean ? "auto" : "tcg";
        } else {
            for (j = 0; j < sizeof(run_ignored) / sizeof(run_ignored[0]); j++)
                if (strcmp(k, run_ignored[j][0]) == 0)
                    break;
            int rc = j < sizeof(run_ignored) / sizeof(run_ignored[0])
                         ? pushf(x, &x->c->ignored, &x->c->nignored, "RunConfig.%s (%s)", k,
                                 run_ignored[j][1])
                         : unknown(x, "RunConfig.", k, run_used,
                                   sizeof(run_used) / sizeof(run_used[0]), run_ignored,
                                   sizeof(run_ignored) / sizeof(run_ignored[0]));
            if (rc)
                return -1;
        }
    }
    return 0;
}

/* Debugflags: "debugsyscalls" (or "trace") is -d; the others are Nanos' own. */
static int debug_flag(struct ctx *x, const char *s)
{
    if (strcmp(s, "debugsyscalls") == 0 || strcmp(s, "trace") == 0) {
        x->c->debug = true;
        return 0;
    }
    return pushf(x, &x->c->ignored, &x->c->nignored, "Debugflags \"%s\" (Nanos only)", s);
}

/* ManifestPassthrough: string values become manifest keys (the manifest is ops' too). */
static int passthrough(struct ctx *x, const struct pj_value *v)
{
    if (v->type != PJ_OBJECT)
        return fail(x, "ManifestPassthrough: expected an object, found %s",
                    pj_type_name(v->type));
    for (size_t i = 0; i < v->n; i++) {
        const char *val = pj_cstr(v->items[i]), *k = v->keys[i];
        bool bare = k[0] && strlen(k) == v->key_lens[i] && strspn(k, "abcdefghijklmnopqrstuvw"
                                                                  "xyz0123456789_") == strlen(k);
        if (!val || !bare) {
            if (pushf(x, &x->c->ignored, &x->c->nignored,
                      "ManifestPassthrough.%s (only lower-case keys with string values)", k))
                return -1;
            continue;
        }
        if (pushf(x, &x->c->manifest, &x->c->nmanifest, "%s", k) ||
            pushf(x, &x->c->manifest, &x->c->nmanifest, "%s", val))
            return -1;
    }
    return 0;
}

static int top_key(struct ctx *x, const char *k, const struct pj_value *v)
{
    size_t j;

    if (strcmp(k, "Args") == 0)
        return strings(x, v, "Args", add_arg);
    if (strcmp(k, "Files") == 0)
        return strings(x, v, "Files", add_file);
    if (strcmp(k, "Dirs") == 0)
        return strings(x, v, "Dirs", add_dir);
    if (strcmp(k, "Debugflags") == 0)
        return strings(x, v, "Debugflags", debug_flag);
    if (strcmp(k, "Env") == 0)
        return env(x, v);
    if (strcmp(k, "MapDirs") == 0)
        return map_dirs(x, v);
    if (strcmp(k, "RunConfig") == 0)
        return run_config(x, v);
    if (strcmp(k, "ManifestPassthrough") == 0)
        return passthrough(x, v);
    if (strcmp(k, "Program") == 0 || strcmp(k, "BaseVolumeSz") == 0) {
        const char *s = want_string(x, v, k);
        char **dst = k[0] == 'P' ? &x->c->program : &x->c->disk_size;
        if (!s || !(*dst = strdup(s)))
            return s ? fail(x, "out of memory") : -1;
        return 0;
    }
    if (strcmp(k, "LocalFilesParentDirectory") == 0)
        return 0; /* read first, in ops_config_load */
    for (j = 0; j < sizeof(ignored_keys) / sizeof(ignored_keys[0]); j++)
        if (strcmp(k, ignored_keys[j][0]) == 0)
            return pushf(x, &x->c->ignored, &x->c->nignored, "%s (%s)", k, ignored_keys[j][1]);
    return unknown(x, "", k, used_keys, sizeof(used_keys) / sizeof(used_keys[0]),
                   ignored_keys, sizeof(ignored_keys) / sizeof(ignored_keys[0]));
}

int ops_config_parse(const char *text, size_t len, bool host_files, struct ops_config *c,
                     char *err, size_t errsz)
{
    struct pj_value *root;
    struct ctx x = {c, host_files, ".", err, errsz};
    const struct pj_value *parent;
    int rc = 0;

    memset(c, 0, sizeof(*c));
    if (pj_parse(text, len, &root, err, errsz))
        return -1;
    if (root->type != PJ_OBJECT) {
        pj_free(root);
        return fail(&x, "expected an object at the top");
    }
    parent = pj_get(root, "LocalFilesParentDirectory");
    if (parent && !(x.parent = want_string(&x, parent, "LocalFilesParentDirectory")))
        rc = -1;
    for (size_t i = 0; i < root->n && rc == 0; i++) {
        if (strlen(root->keys[i]) != root->key_lens[i])
            rc = fail(&x, "a key holds a NUL byte");
        else
            rc = top_key(&x, root->keys[i], root->items[i]);
    }
    pj_free(root);
    if (rc)
        ops_config_free(c);
    return rc;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void ops_config_free(struct ops_config *c)
{
    free_list(c->args, c->nargs);
    free_list(c->env, c->nenv);
    free_list(c->files, c->nfiles);
    free_list(c->dirs, c->ndirs);
    free_list(c->ignored, c->nignored);
    free_list(c->manifest, c->nmanifest);
    free(c->program);
    free(c->memory);
    free(c->cpus);
    free(c->disk_size);
    memset(c, 0, sizeof(*c));
}
