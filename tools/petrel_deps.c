/*
 * petrel_deps.c - what a dynamic program needs, found by reading ELF files (petrel.h).
 *
 * Each object is read once: its program headers give PT_INTERP and PT_DYNAMIC, the dynamic
 * section gives DT_NEEDED, DT_RPATH, DT_RUNPATH and DT_STRTAB (an address, turned into a file
 * offset through the PT_LOAD that holds it). Objects are visited breadth first, as ld.so
 * loads them, and a name already found (by DT_NEEDED name or path) is not searched again.
 *
 * /etc/ld.so.cache (glibc's "glibc-ld.so.cache1.1" format, alone or after the old
 * "ld.so-1.7.0" table): a header, nlibs entries {flags, key, value, osversion, hwcap} of 24
 * bytes, then strings; key/value are offsets from the start of the new-format header. Only
 * entries with flags FLAG_ELF_LIBC6 | FLAG_X8664_LIB64 (0x0303) are x86-64 libraries.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tools/petrel.h"

#define CACHE_MAGIC_NEW "glibc-ld.so.cache"
#define CACHE_VERSION_NEW "1.1"
#define CACHE_MAGIC_OLD "ld.so-1.7.0"
#define CACHE_FLAGS_X8664 0x0303
#define MAX_FILE_BYTES (1u << 30)

struct obj {
    unsigned char *data;
    size_t size;
    const char *strtab;
    size_t strsz;
    const Elf64_Dyn *dyn;
    size_t ndyn;
    const char *interp;
};

struct resolver {
    const char *sysroot;
    const char *ld_library_path;
    const char *exe_rpath; /* the executable's DT_RPATH when it has no DT_RUNPATH */
    const char *exe_dir;
    struct pd_result *r;
    char *err;
    size_t errsz;
    char stop[8192]; /* a candidate the program's ld.so would stop at (see candidate) */
};

static char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");

    if (!d) {
        perror("petrel");
        exit(125);
    }
    return d;
}

static unsigned char *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    struct stat st;

    if (!f)
        return NULL;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uint64_t)st.st_size <= MAX_FILE_BYTES && (buf = malloc((size_t)st.st_size))) {
        if (fread(buf, 1, (size_t)st.st_size, f) == (size_t)st.st_size) {
            *size = (size_t)st.st_size;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

bool pd_is_elf64(const char *path, bool *is_script)
{
    unsigned char h[20];
    FILE *f = fopen(path, "rb");
    size_t n;

    if (is_script)
        *is_script = false;
    if (!f)
        return false;
    n = fread(h, 1, sizeof(h), f);
    fclose(f);
    if (is_script && n >= 2 && h[0] == '#' && h[1] == '!')
        *is_script = true;
    return n == sizeof(h) && memcmp(h, ELFMAG, SELFMAG) == 0 && h[EI_CLASS] == ELFCLASS64 &&
           h[EI_DATA] == ELFDATA2LSB && (h[18] | h[19] << 8) == EM_X86_64;
}

/* File offset of the address a (inside some PT_LOAD's file bytes), or SIZE_MAX. */
static size_t vaddr_to_off(const struct obj *o, const Elf64_Phdr *ph, unsigned n, uint64_t a)
{
    for (unsigned i = 0; i < n; i++)
        if (ph[i].p_type == PT_LOAD && a >= ph[i].p_vaddr && a - ph[i].p_vaddr < ph[i].p_filesz &&
            ph[i].p_offset + (a - ph[i].p_vaddr) < o->size)
            return (size_t)(ph[i].p_offset + (a - ph[i].p_vaddr));
    return SIZE_MAX;
}

static bool range_ok(const struct obj *o, uint64_t off, uint64_t len)
{
    return len <= o->size && off <= o->size - len;
}

/* Find the dynamic section and its string table; 0, or -1 for a malformed file. */
static int parse_dynamic(struct obj *o, const Elf64_Ehdr *eh, const Elf64_Phdr *ph)
{
    uint64_t strtab = 0, strsz = 0;
    size_t off;

    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_INTERP && range_ok(o, ph[i].p_offset, ph[i].p_filesz) &&
            ph[i].p_filesz > 1 && o->data[ph[i].p_offset + ph[i].p_filesz - 1] == '\0')
            o->interp = (const char *)o->data + ph[i].p_offset;
        if (ph[i].p_type == PT_DYNAMIC && range_ok(o, ph[i].p_offset, ph[i].p_filesz)) {
            o->dyn = (const Elf64_Dyn *)(o->data + ph[i].p_offset);
            o->ndyn = ph[i].p_filesz / sizeof(Elf64_Dyn);
        }
    }
    for (size_t i = 0; i < o->ndyn && o->dyn[i].d_tag != DT_NULL; i++) {
        if (o->dyn[i].d_tag == DT_STRTAB)
            strtab = o->dyn[i].d_un.d_ptr;
        if (o->dyn[i].d_tag == DT_STRSZ)
            strsz = o->dyn[i].d_un.d_val;
    }
    if (!o->dyn)
        return 0;
    off = vaddr_to_off(o, ph, eh->e_phnum, strtab);
    if (off == SIZE_MAX || !range_ok(o, off, strsz) || strsz == 0 ||
        o->data[off + strsz - 1] != '\0')
        return -1;
    o->strtab = (const char *)o->data + off;
    o->strsz = strsz;
    return 0;
}

static int obj_open(const char *path, struct obj *o)
{
    const Elf64_Ehdr *eh;

    memset(o, 0, sizeof(*o));
    o->data = read_all(path, &o->size);
    if (!o->data || o->size < sizeof(*eh))
        return -1;
    eh = (const Elf64_Ehdr *)o->data;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_machine != EM_X86_64 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
        !range_ok(o, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)))
        return -1;
    return parse_dynamic(o, eh, (const Elf64_Phdr *)(o->data + eh->e_phoff));
}

static void obj_close(struct obj *o)
{
    free(o->data);
    o->data = NULL;
}

/* The string of the first (or, with nth, the nth) entry with tag, or NULL. */
static const char *dyn_str(const struct obj *o, int64_t tag, size_t nth)
{
    for (size_t i = 0; i < o->ndyn && o->dyn[i].d_tag != DT_NULL; i++)
        if (o->dyn[i].d_tag == tag && nth-- == 0)
            return o->dyn[i].d_un.d_val < o->strsz ? o->strtab + o->dyn[i].d_un.d_val : NULL;
    return NULL;
}

/* --- ld.so.cache ---------------------------------------------------------------------------- */

struct cache_hdr { /* glibc's struct cache_file_new */
    char magic[17];
    char version[3];
    uint32_t nlibs, len_strings;
    uint8_t flags, pad[3];
    uint32_t extension_offset, unused[3];
};
struct cache_entry { /* glibc's struct file_entry_new */
    int32_t flags;
    uint32_t key, value, osversion;
    uint64_t hwcap;
};
_Static_assert(sizeof(struct cache_hdr) == 48, "cache_file_new");
_Static_assert(sizeof(struct cache_entry) == 24, "file_entry_new");

/* Offset of the new-format header: at 0, or after the old format's table (12-byte entries,
 * aligned to 8). SIZE_MAX when neither. */
static size_t cache_new_at(const unsigned char *d, size_t size)
{
    uint32_t nold;
    size_t at;

    if (size >= sizeof(struct cache_hdr) && memcmp(d, CACHE_MAGIC_NEW, 17) == 0)
        return 0;
    if (size < 16 || memcmp(d, CACHE_MAGIC_OLD, 11) != 0)
        return SIZE_MAX;
    memcpy(&nold, d + 12, 4);
    at = 16 + (size_t)nold * 12;
    at = (at + 7) & ~(size_t)7;
    if (at >= size || size - at < sizeof(struct cache_hdr) || memcmp(d + at, CACHE_MAGIC_NEW, 17))
        return SIZE_MAX;
    return at;
}

int pd_cache_each(const char *cache_path, void (*fn)(const char *, const char *, void *), void *arg)
{
    size_t size = 0, at;
    unsigned char *d = read_all(cache_path, &size);
    struct cache_hdr h;

    if (!d)
        return -1;
    at = cache_new_at(d, size);
    if (at == SIZE_MAX) {
        free(d);
        return -1;
    }
    memcpy(&h, d + at, sizeof(h));
    if (memcmp(h.version, CACHE_VERSION_NEW, 3) != 0 ||
        h.nlibs > (size - at - sizeof(h)) / sizeof(struct cache_entry)) {
        free(d);
        return -1;
    }
    for (uint32_t i = 0; i < h.nlibs; i++) {
        struct cache_entry e;

        memcpy(&e, d + at + sizeof(h) + (size_t)i * sizeof(e), sizeof(e));
        if (e.flags != CACHE_FLAGS_X8664 || e.key >= size - at || e.value >= size - at ||
            !memchr(d + at + e.key, 0, size - at - e.key) ||
            !memchr(d + at + e.value, 0, size - at - e.value))
            continue;
        fn((const char *)d + at + e.key, (const char *)d + at + e.value, arg);
    }
    free(d);
    return 0;
}

struct cache_find {
    const char *name;
    char *path;
};

static void cache_match(const char *soname, const char *path, void *arg)
{
    struct cache_find *f = arg;

    if (!f->path && strcmp(soname, f->name) == 0)
        f->path = xstrdup(path);
}

/* --- search --------------------------------------------------------------------------------- */

static void host_path(const struct resolver *rs, const char *p, char *out, size_t n)
{
    snprintf(out, n, "%s%s", rs->sysroot, p);
}

/* Expand $ORIGIN/${ORIGIN}, $LIB, $PLATFORM of one path element. */
static void expand(const char *el, size_t len, const char *origin, char *out, size_t n)
{
    static const struct {
        const char *tok, *brace;
    } toks[] = {{"$ORIGIN", "${ORIGIN}"}, {"$LIB", "${LIB}"}, {"$PLATFORM", "${PLATFORM}"}};
    const char *vals[] = {origin, "lib/x86_64-linux-gnu", "x86_64"};
    size_t o = 0;

    for (size_t i = 0; i < len && o + 1 < n;) {
        size_t k, tl = 0;

        for (k = 0; k < 3; k++) {
            size_t a = strlen(toks[k].tok), b = strlen(toks[k].brace);

            if (len - i >= b && strncmp(el + i, toks[k].brace, b) == 0) {
                tl = b;
                break;
            }
            if (len - i >= a && strncmp(el + i, toks[k].tok, a) == 0 &&
                (len - i == a || !(el[i + a] == '_' || (el[i + a] >= 'A' && el[i + a] <= 'Z')))) {
                tl = a;
                break;
            }
        }
        if (tl) {
            o += (size_t)snprintf(out + o, n - o, "%s", vals[k]);
            i += tl;
        } else {
            out[o++] = el[i++];
        }
        if (o >= n)
            o = n - 1;
    }
    out[o] = '\0';
}

/* Collapse "//", "/./" and "dir/.." of an absolute path in place (lexically, as the image
 * holds real directories on the way). */
static void normalize(char *p)
{
    char *out = p, *in = p;

    while (*in) {
        while (*in == '/')
            in++;
        if (!*in)
            break;
        size_t len = strcspn(in, "/");
        if (len == 1 && in[0] == '.') {
            /* skip */
        } else if (len == 2 && in[0] == '.' && in[1] == '.') {
            while (out > p && *--out != '/')
                ;
        } else {
            *out++ = '/';
            memmove(out, in, len);
            out += len;
        }
        in += len;
    }
    if (out == p)
        *out++ = '/';
    *out = '\0';
}

/*
 * What ld.so makes of the file at host (checked natively): 1, an x86-64 ELF64 file it loads;
 * 0, nothing it would open there (absent, or an ELF of another class or machine: it goes on
 * searching); -1, a file it stops at with an error (not ELF at all, or a directory: "invalid
 * ELF header", "file too short", "cannot read file data").
 */
static int candidate(const char *host)
{
    unsigned char h[SELFMAG];
    FILE *f;
    size_t n;

    if (pd_is_elf64(host, NULL))
        return 1;
    if (!(f = fopen(host, "rb")))
        return 0;
    n = fread(h, 1, sizeof(h), f);
    fclose(f);
    return n == sizeof(h) && memcmp(h, ELFMAG, SELFMAG) == 0 ? 0 : -1;
}

/* Try name in each directory of list (':'-separated); the first x86-64 ELF found wins, and a
 * file ld.so would stop at ends the search with rs->stop set. */
static char *search_list(struct resolver *rs, const char *list, const char *name,
                         const char *origin, char *searched, size_t ssz)
{
    for (const char *p = list; p && *p && !rs->stop[0];) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char dir[4096], cand[8192], host[8192];

        expand(p, len, origin, dir, sizeof(dir));
        if (dir[0]) {
            snprintf(cand, sizeof(cand), "%s/%s", dir, name);
            if (cand[0] == '/')
                normalize(cand);
            host_path(rs, cand, host, sizeof(host));
            if (strlen(searched) + strlen(dir) + 2 < ssz)
                strcat(strcat(searched, searched[0] ? ":" : ""), dir);
            switch (candidate(host)) {
            case 1:
                return xstrdup(cand);
            case -1:
                snprintf(rs->stop, sizeof(rs->stop), "%s", cand);
                return NULL;
            }
        }
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

static const char *glibc_dirs = "/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib64:"
                                "/usr/lib64:/lib:/usr/lib";

static char *search_glibc(struct resolver *rs, const struct obj *o, const char *origin,
                          const char *name, char *searched, size_t ssz)
{
    const char *runpath = dyn_str(o, DT_RUNPATH, 0), *rpath = dyn_str(o, DT_RPATH, 0);
    struct cache_find cf = {name, NULL};
    char *hit = NULL, cache[4096];

    if (!runpath && rpath)
        hit = search_list(rs, rpath, name, origin, searched, ssz);
    if (!hit && !runpath && rs->exe_rpath)
        hit = search_list(rs, rs->exe_rpath, name, rs->exe_dir, searched, ssz);
    if (!hit && rs->ld_library_path)
        hit = search_list(rs, rs->ld_library_path, name, rs->exe_dir, searched, ssz);
    if (!hit && runpath)
        hit = search_list(rs, runpath, name, origin, searched, ssz);
    if (!hit && !rs->stop[0]) {
        host_path(rs, "/etc/ld.so.cache", cache, sizeof(cache));
        if (pd_cache_each(cache, cache_match, &cf) == 0 && cf.path) {
            char host[8192];

            host_path(rs, cf.path, host, sizeof(host));
            if (pd_is_elf64(host, NULL))
                hit = cf.path;
            else
                free(cf.path);
        }
    }
    return hit ? hit : search_list(rs, glibc_dirs, name, origin, searched, ssz);
}

/* musl: the names its ld.so answers itself (dynlink.c's reserved list). */
static bool musl_builtin(const char *name)
{
    static const char *const libs[] = {"c", "pthread", "rt", "m", "dl", "util", "xnet"};

    for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
        size_t n = strlen(libs[i]);

        if (strncmp(name, "lib", 3) == 0 && strncmp(name + 3, libs[i], n) == 0 &&
            (name[3 + n] == '.' || name[3 + n] == '\0'))
            return true;
    }
    return strncmp(name, "ld-musl-", 8) == 0;
}

static char *search_musl(struct resolver *rs, const struct obj *o, const char *origin,
                         const char *name, char *searched, size_t ssz)
{
    const char *rpath = dyn_str(o, DT_RUNPATH, 0);
    char pathfile[4096], list[4096] = "/lib:/usr/local/lib:/usr/lib";
    char *hit = NULL;
    FILE *f;

    if (!rpath)
        rpath = dyn_str(o, DT_RPATH, 0);
    if (rs->ld_library_path)
        hit = search_list(rs, rs->ld_library_path, name, origin, searched, ssz);
    if (!hit && rpath)
        hit = search_list(rs, rpath, name, origin, searched, ssz);
    if (hit)
        return hit;
    host_path(rs, "/etc/ld-musl-x86_64.path", pathfile, sizeof(pathfile));
    if ((f = fopen(pathfile, "r"))) {
        size_t n = fread(list, 1, sizeof(list) - 1, f);

        list[n] = '\0';
        for (char *c = list; *c; c++)
            if (*c == '\n' || *c == ' ' || *c == '\t')
                *c = ':';
        fclose(f);
    }
    return search_list(rs, list, name, origin, searched, ssz);
}

/* --- the walk ------------------------------------------------------------------------------- */

static bool have(const struct pd_result *r, const char *path, const char *name)
{
    for (size_t i = 0; i < r->nfiles; i++)
        if (strcmp(r->files[i].path, path) == 0 ||
            (name && r->files[i].name && strcmp(r->files[i].name, name) == 0))
            return true;
    return false;
}

static int add_file(struct resolver *rs, char *path, const char *by, const char *name)
{
    struct pd_result *r = rs->r;

    if (r->nfiles == PD_MAX_FILES) {
        snprintf(rs->err, rs->errsz, "more than %d libraries", PD_MAX_FILES);
        free(path);
        return -1;
    }
    r->files[r->nfiles].path = path;
    r->files[r->nfiles].needed_by = by ? xstrdup(by) : NULL;
    r->files[r->nfiles].name = name ? xstrdup(name) : NULL;
    r->nfiles++;
    return 0;
}

static void dir_of(const char *path, char *out, size_t n)
{
    const char *slash = strrchr(path, '/');

    snprintf(out, n, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : "/");
    if (!out[0])
        snprintf(out, n, "/");
}

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash ? slash + 1 : path;
}

/* A DT_NEEDED holding a '/' is opened as is, not searched; an absolute one is an image path,
 * so it is looked for inside the sysroot. */
static char *named_path(const struct resolver *rs, const char *name)
{
    char host[8192];

    if (name[0] == '/')
        host_path(rs, name, host, sizeof(host));
    else
        snprintf(host, sizeof(host), "%s", name);
    return pd_is_elf64(host, NULL) ? xstrdup(name) : NULL;
}

/* Add the DT_NEEDED libraries of the object at path (image path) that are not there yet. */
static int add_needed(struct resolver *rs, const char *path)
{
    char host[8192], origin[4096], searched[8192];
    struct obj o;
    int rc = 0;

    host_path(rs, path, host, sizeof(host));
    if (obj_open(host, &o)) {
        obj_close(&o);
        snprintf(rs->err, rs->errsz, "%s: not a readable x86-64 ELF file", path);
        return -1;
    }
    dir_of(path, origin, sizeof(origin));
    for (size_t i = 0; rc == 0; i++) {
        const char *name = dyn_str(&o, DT_NEEDED, i);
        char *hit = NULL;

        if (!name)
            break;
        if ((rs->r->musl && musl_builtin(name)) || have(rs->r, name, name) ||
            strcmp(name, base_of(rs->r->interp)) == 0) /* ld.so is already there */
            continue;
        searched[0] = '\0';
        if (strchr(name, '/'))
            hit = named_path(rs, name);
        else if (rs->r->musl)
            hit = search_musl(rs, &o, origin, name, searched, sizeof(searched));
        else
            hit = search_glibc(rs, &o, origin, name, searched, sizeof(searched));
        if (!hit) {
            rs->r->missing = xstrdup(name);
            rs->r->missing_by = xstrdup(path);
            rs->r->searched = xstrdup(searched);
            if (rs->stop[0])
                snprintf(rs->err, rs->errsz, "library %s (needed by %s): %s is not an ELF file",
                         name, path, rs->stop);
            else
                snprintf(rs->err, rs->errsz, "library %s (needed by %s) not found; searched %s",
                         name, path, searched[0] ? searched : "nothing");
            rc = -1;
        } else if (have(rs->r, hit, NULL)) {
            free(hit);
        } else {
            rc = add_file(rs, hit, path, name);
        }
    }
    obj_close(&o);
    return rc;
}

/* The program's own facts: interpreter, its RPATH for the whole walk, $ORIGIN use. */
static int read_program(struct resolver *rs, const char *program, char *rpath, size_t n)
{
    char host[8192];
    struct obj o;
    const char *rp, *ru;

    host_path(rs, program, host, sizeof(host));
    if (obj_open(host, &o)) {
        obj_close(&o);
        snprintf(rs->err, rs->errsz, "%s: not a readable x86-64 ELF file", program);
        return -1;
    }
    rp = dyn_str(&o, DT_RPATH, 0);
    ru = dyn_str(&o, DT_RUNPATH, 0);
    rpath[0] = '\0';
    if (rp && !ru)
        snprintf(rpath, n, "%s", rp);
    rs->r->uses_origin_exe = (rp && strstr(rp, "ORIGIN")) || (ru && strstr(ru, "ORIGIN"));
    if (o.interp) {
        rs->r->interp = xstrdup(o.interp);
        rs->r->musl = strstr(o.interp, "ld-musl") != NULL;
    }
    obj_close(&o);
    return 0;
}

int pd_resolve(const char *sysroot, const char *program, const char *ld_library_path,
               struct pd_result *r, char *err, size_t errsz)
{
    struct resolver rs = {
        .sysroot = sysroot, .ld_library_path = ld_library_path, .r = r, .err = err, .errsz = errsz};
    char rpath[4096], exe_dir[4096], host[8192];

    memset(r, 0, sizeof(*r));
    err[0] = '\0';
    if (read_program(&rs, program, rpath, sizeof(rpath)))
        return -1;
    if (!r->interp)
        return 0; /* static: nothing else to load */
    dir_of(program, exe_dir, sizeof(exe_dir));
    rs.exe_rpath = rpath[0] ? rpath : NULL;
    rs.exe_dir = exe_dir;
    host_path(&rs, r->interp, host, sizeof(host));
    if (!pd_is_elf64(host, NULL)) {
        snprintf(err, errsz, "interpreter %s (of %s) not found", r->interp, program);
        r->missing = xstrdup(r->interp);
        r->missing_by = xstrdup(program);
        return -1;
    }
    if (add_file(&rs, xstrdup(r->interp), NULL, NULL) || add_needed(&rs, program))
        return -1;
    for (size_t i = 1; i < r->nfiles; i++) /* breadth first: the list grows as we go */
        if (add_needed(&rs, r->files[i].path))
            return -1;
    return 0;
}

/*
 * The DT_NEEDED closure of one more object the program loads itself (dlopen: a Python
 * extension module, a Perl XS library), searched as from that object with the program's
 * facts (its RPATH, LD_LIBRARY_PATH). All or nothing: when a library is missing, r keeps only
 * what it had before and the reason is in err.
 */
int pd_resolve_object(const char *sysroot, const char *program, const char *ld_library_path,
                      const char *object, struct pd_result *r, char *err, size_t errsz)
{
    struct resolver rs = {
        .sysroot = sysroot, .ld_library_path = ld_library_path, .r = r, .err = err, .errsz = errsz};
    char rpath[4096], exe_dir[4096];
    size_t before = r->nfiles;
    struct obj o;

    err[0] = '\0';
    if (!r->interp)
        return 0; /* a static program loads nothing */
    {
        char host[8192];

        host_path(&rs, program, host, sizeof(host));
        if (obj_open(host, &o)) {
            obj_close(&o);
            snprintf(err, errsz, "%s: not a readable x86-64 ELF file", program);
            return -1;
        }
        rpath[0] = '\0';
        if (dyn_str(&o, DT_RPATH, 0) && !dyn_str(&o, DT_RUNPATH, 0))
            snprintf(rpath, sizeof(rpath), "%s", dyn_str(&o, DT_RPATH, 0));
        obj_close(&o);
    }
    dir_of(program, exe_dir, sizeof(exe_dir));
    rs.exe_rpath = rpath[0] ? rpath : NULL;
    rs.exe_dir = exe_dir;
    if (add_needed(&rs, object) == 0) {
        for (size_t i = before; i < r->nfiles; i++)
            if (add_needed(&rs, r->files[i].path))
                goto undo;
        return 0;
    }
undo:
    while (r->nfiles > before) { /* the object cannot load: none of its closure either */
        struct pd_file *f = &r->files[--r->nfiles];

        free(f->path);
        free(f->needed_by);
        free(f->name);
    }
    free(r->missing);
    free(r->missing_by);
    free(r->searched);
    r->missing = r->missing_by = r->searched = NULL;
    return -1;
}

bool pd_has_section(const char *path, const char *name)
{
    struct obj o;
    const Elf64_Ehdr *eh;
    const Elf64_Shdr *sh, *strs;
    bool found = false;

    if (obj_open(path, &o) || o.size < sizeof(*eh)) {
        obj_close(&o);
        return false;
    }
    eh = (const Elf64_Ehdr *)o.data;
    if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shstrndx >= eh->e_shnum ||
        !range_ok(&o, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr))) {
        obj_close(&o);
        return false;
    }
    sh = (const Elf64_Shdr *)(o.data + eh->e_shoff);
    strs = &sh[eh->e_shstrndx];
    for (unsigned i = 0; i < eh->e_shnum && range_ok(&o, strs->sh_offset, strs->sh_size); i++)
        found |= sh[i].sh_name < strs->sh_size &&
                 strlen(name) < strs->sh_size - sh[i].sh_name && /* the name and its NUL */
                 memcmp(o.data + strs->sh_offset + sh[i].sh_name, name, strlen(name) + 1) == 0;
    obj_close(&o);
    return found;
}

void pd_free(struct pd_result *r)
{
    for (size_t i = 0; i < r->nfiles; i++) {
        free(r->files[i].path);
        free(r->files[i].needed_by);
        free(r->files[i].name);
    }
    free(r->interp);
    free(r->missing);
    free(r->missing_by);
    free(r->searched);
    memset(r, 0, sizeof(*r));
}
