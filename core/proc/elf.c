/*
 * elf.c - the ELF64 loader (see elf.h): decode and validate everything, then map.
 *
 * Decode: read the 64-byte header, then the program header table into a kernel buffer, and
 * turn the PT_LOAD entries into a plan (struct seg) while checking each rule. Only when the
 * whole file has passed does anything touch the address space, so a refused file leaves the
 * space as it was; a mapping that fails midway is undone. Arithmetic on file values is
 * overflow-safe throughout: every "a + b <= c" is written as "b <= c && a <= c - b".
 *
 * A dynamic program is two such files. The program is decoded first and its PT_INTERP read;
 * then the interpreter is opened and decoded by the same code (a second struct loader whose
 * messages carry "interpreter <path>: "), and refused if it is not an executable or is itself
 * dynamic. Only then are both mapped: the program at its bias, the interpreter in the highest
 * free gap below the mmap base (where Linux's top-down mmap puts it), each undone if the
 * other fails.
 */
#include "core/proc/elf.h"

#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "core/lib/kstring.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"
#include "hal/hal_rand.h"

#define KERNEL_HALF (1ULL << 47)
#define PIE_MAX_ALIGN (2ULL << 20)
#define PAGE_MASK_ (HAL_PAGE_SIZE - 1)

static uint64_t page_down(uint64_t a)
{
    return a & ~PAGE_MASK_;
}

/* Callers keep a below UINT64_MAX - HAL_PAGE_SIZE (check_load). */
static uint64_t page_up(uint64_t a)
{
    return (a + PAGE_MASK_) & ~PAGE_MASK_;
}

struct seg {
    uint64_t vaddr, memsz, filesz, offset;
    unsigned prot;
};

struct loader {
    struct vm_space *s;
    const struct vm_file *src;
    const char *role; /* NULL: the program; else the interpreter's printable path */
    int bad_header;   /* errno for a header that is not ours: ENOEXEC, or ELIBBAD */
    uint64_t fsize;
    struct elf64_ehdr eh;
    struct elf64_phdr *ph;
    struct seg *segs;
    unsigned nsegs;
    uint64_t lo, hi, align;          /* page-rounded span of the segments (file addresses) */
    uint64_t phdr_vaddr;             /* file address of the headers in memory, 0: not loaded */
    const struct elf64_phdr *interp; /* the first PT_INTERP, NULL: none */
    struct vm_file own;              /* the interpreter's loader: its open file (ops NULL: none) */
    char name[64];                   /* the interpreter's loader: printable path (role) */
    char *msg;
    size_t msg_size;
};

__attribute__((format(printf, 3, 4))) static int refuse(struct loader *l, int err, const char *fmt,
                                                        ...)
{
    va_list ap;
    size_t at = 0;

    if (l->msg && l->msg_size) {
        if (l->role) {
            int n = ksnprintf(l->msg, l->msg_size, "interpreter %s: ", l->role);

            at = n < 0 ? 0 : (size_t)n < l->msg_size ? (size_t)n : l->msg_size - 1;
        }
        va_start(ap, fmt);
        kvsnprintf(l->msg + at, l->msg_size - at, fmt, ap);
        va_end(ap);
    }
    return err;
}

/* Read exactly n bytes at off; -ENOEXEC (short) or the source's error. */
static int read_exact(struct loader *l, uint64_t off, void *buf, size_t n, const char *what)
{
    long got = vm_file_read(l->src, off, buf, n);

    if (got < 0)
        return refuse(l, (int)got, "cannot read the %s: error %ld", what, -got);
    if ((size_t)got != n)
        return refuse(l, -ENOEXEC, "truncated file: the %s is cut short", what);
    return 0;
}

static bool in_file(const struct loader *l, uint64_t off, uint64_t len)
{
    return len <= l->fsize && off <= l->fsize - len;
}

static int check_ehdr(struct loader *l)
{
    const struct elf64_ehdr *e = &l->eh;
    uint64_t phsize = (uint64_t)e->e_phnum * e->e_phentsize;
    int bad = l->bad_header;

    if (memcmp(e->e_ident, "\177ELF", 4) != 0)
        return refuse(l, bad, "not an ELF file (bad magic)");
    if (e->e_ident[4] != 2)
        return refuse(l, bad, "not a 64-bit ELF file (class %u)", e->e_ident[4]);
    if (e->e_ident[5] != 1)
        return refuse(l, bad, "not a little-endian ELF file (data %u)", e->e_ident[5]);
    if (e->e_ident[6] != 1 || e->e_version != 1)
        return refuse(l, bad, "unknown ELF version");
    if (e->e_machine != ELF_EM_X86_64)
        return refuse(l, bad, "not an x86-64 program (machine %u)", e->e_machine);
    if (e->e_type != ELF_ET_EXEC && e->e_type != ELF_ET_DYN)
        return refuse(l, bad, "not an executable (ELF type %u)", e->e_type);
    if (e->e_phentsize != sizeof(struct elf64_phdr))
        return refuse(l, -ENOEXEC, "bad program header size %u", e->e_phentsize);
    if (e->e_phnum == 0)
        return refuse(l, -ENOEXEC, "no program headers");
    if (phsize > ELF_MAX_PHDRS_BYTES)
        return refuse(l, -ENOEXEC, "too many program headers (%u)", e->e_phnum);
    if (!in_file(l, e->e_phoff, phsize))
        return refuse(l, -ENOEXEC, "program headers lie outside the file");
    return 0;
}

/* Copy the interpreter path for messages: at most size - 1 bytes, control bytes as '?'. */
static void printable(char *dst, size_t size, const char *src)
{
    size_t i;

    for (i = 0; i + 1 < size && src[i]; i++)
        dst[i] = (src[i] < 0x20 || src[i] > 0x7e) ? '?' : src[i];
    dst[i] = '\0';
}

/* Read PT_INTERP's path into path (ELF_MAX_INTERP bytes): NUL-terminated, not empty. */
static int read_interp(struct loader *l, char *path)
{
    const struct elf64_phdr *p = l->interp;
    int rc;

    if (p->p_filesz < 2 || p->p_filesz > ELF_MAX_INTERP || !in_file(l, p->p_offset, p->p_filesz))
        return refuse(l, -ENOEXEC, "malformed PT_INTERP (size %#llx at %#llx)",
                      (unsigned long long)p->p_filesz, (unsigned long long)p->p_offset);
    if ((rc = read_exact(l, p->p_offset, path, (size_t)p->p_filesz, "interpreter path")))
        return rc;
    if (path[p->p_filesz - 1] != '\0' || path[0] == '\0')
        return refuse(l, -ENOEXEC, "malformed PT_INTERP (%s)",
                      path[0] ? "path not NUL-terminated" : "empty path");
    return 0;
}

/* Rules for one PT_LOAD entry (index i) on its own. */
static int check_load(struct loader *l, unsigned i, const struct elf64_phdr *p)
{
    if (p->p_filesz > p->p_memsz)
        return refuse(l, -ENOEXEC, "segment %u: file size above memory size", i);
    if (p->p_filesz && !in_file(l, p->p_offset, p->p_filesz))
        return refuse(l, -ENOEXEC, "segment %u lies outside the file", i);
    if ((p->p_vaddr ^ p->p_offset) & PAGE_MASK_)
        return refuse(l, -EINVAL, "segment %u: address and file offset not page congruent", i);
    if (p->p_align > 1 && (p->p_align & (p->p_align - 1)))
        return refuse(l, -ENOEXEC, "segment %u: alignment %#llx is not a power of two", i,
                      (unsigned long long)p->p_align);
    if (p->p_memsz > ELF_MAX_IMAGE || p->p_vaddr > UINT64_MAX - p->p_memsz - HAL_PAGE_SIZE)
        return refuse(l, -ENOMEM, "segment %u: size %#llx too large", i,
                      (unsigned long long)p->p_memsz);
    if ((p->p_flags & ELF_PF_W) && (p->p_flags & ELF_PF_X))
        return refuse(l, -ENOEXEC, "segment %u is writable and executable (W^X policy)", i);
    return 0;
}

static unsigned prot_of(uint32_t flags)
{
    return ((flags & ELF_PF_R) ? VM_PROT_READ : 0) | ((flags & ELF_PF_W) ? VM_PROT_WRITE : 0) |
           ((flags & ELF_PF_X) ? VM_PROT_EXEC : 0);
}

/* Append PT_LOAD p to the plan: ascending, no shared page with the previous one. */
static int add_seg(struct loader *l, unsigned i, const struct elf64_phdr *p)
{
    struct seg *g = &l->segs[l->nsegs];
    uint64_t start = page_down(p->p_vaddr), end = page_up(p->p_vaddr + p->p_memsz);

    if (l->nsegs) {
        const struct seg *prev = g - 1;

        if (p->p_vaddr < prev->vaddr)
            return refuse(l, -ENOEXEC, "segment %u: PT_LOAD entries out of order", i);
        if (start < page_up(prev->vaddr + prev->memsz))
            return refuse(l, -ENOEXEC,
                          "segment %u overlaps (or shares a page with) the one "
                          "before",
                          i);
    }
    if (p->p_align > l->align)
        l->align = p->p_align;
    if (!l->nsegs)
        l->lo = start;
    l->hi = end;
    g->vaddr = p->p_vaddr;
    g->memsz = p->p_memsz;
    g->filesz = p->p_filesz;
    g->offset = p->p_offset;
    g->prot = prot_of(p->p_flags);
    l->nsegs++;
    return 0;
}

/* Walk the program headers: note PT_INTERP, check and collect PT_LOAD, find PT_PHDR. */
static int decode_phdrs(struct loader *l)
{
    uint64_t phsize = (uint64_t)l->eh.e_phnum * sizeof(struct elf64_phdr);
    bool have_pt_phdr = false;
    int rc;

    for (unsigned i = 0; i < l->eh.e_phnum; i++) {
        const struct elf64_phdr *p = &l->ph[i];

        if (p->p_type == ELF_PT_INTERP && !l->interp)
            l->interp = p; /* Linux uses the first one */
        if (p->p_type == ELF_PT_PHDR) {
            l->phdr_vaddr = p->p_vaddr;
            have_pt_phdr = true;
        }
        if (p->p_type != ELF_PT_LOAD)
            continue;
        if ((rc = check_load(l, i, p)))
            return rc;
        if (p->p_memsz == 0)
            continue; /* nothing to map */
        if ((rc = add_seg(l, i, p)))
            return rc;
        if (!have_pt_phdr && p->p_offset <= l->eh.e_phoff && phsize <= p->p_filesz &&
            l->eh.e_phoff - p->p_offset <= p->p_filesz - phsize)
            l->phdr_vaddr = p->p_vaddr + (l->eh.e_phoff - p->p_offset);
    }
    if (l->nsegs == 0)
        return refuse(l, -ENOEXEC, "no loadable segment");
    if (l->hi - l->lo > ELF_MAX_IMAGE)
        return refuse(l, -ENOMEM, "image spans %#llx bytes (limit %#llx)",
                      (unsigned long long)(l->hi - l->lo), (unsigned long long)ELF_MAX_IMAGE);
    return 0;
}

/* The alignment of the image's base: the largest power-of-two p_align, at most 2 MiB. */
static uint64_t base_align(const struct loader *l)
{
    if (l->align > HAL_PAGE_SIZE && !(l->align & (l->align - 1)))
        return l->align < PIE_MAX_ALIGN ? l->align : PIE_MAX_ALIGN;
    return HAL_PAGE_SIZE;
}

/* The load bias: 0 for ET_EXEC; for PIE a random, aligned base in the lower user range. */
static uint64_t choose_bias(struct loader *l)
{
    uint64_t span = l->s->va_max - l->s->va_min, range = span / 16, align = base_align(l);
    uint64_t base;

    if (l->eh.e_type != ELF_ET_DYN)
        return 0;
    if (range > (1ULL << 40))
        range = 1ULL << 40;
    base = l->s->va_min + span / 8 + vm_aslr_offset(l->s, range);
    base = (base + align - 1) & ~(align - 1);
    return base - l->lo;
}

/* The interpreter's bias: for ET_DYN the highest free gap below the mmap base, as a
 * top-down mmap of its span would find (reserved, then released: nothing else runs in this
 * space while it loads); 0 for ET_EXEC. */
static int choose_interp_bias(struct loader *l, uint64_t *bias)
{
    uint64_t align = base_align(l), len = l->hi - l->lo + align - HAL_PAGE_SIZE, got;
    struct vm_map_req req;

    *bias = 0;
    if (l->eh.e_type != ELF_ET_DYN)
        return 0;
    memset(&req, 0, sizeof(req));
    req.len = len;
    req.prot = VM_PROT_NONE;
    req.kind = VM_ANON;
    if (vm_map(l->s, &req, &got))
        return refuse(l, -ENOMEM, "no room for an image of %#llx bytes",
                      (unsigned long long)(l->hi - l->lo));
    vm_munmap(l->s, got, len);
    *bias = ((got + align - 1) & ~(align - 1)) - l->lo;
    return 0;
}

/* Placement rules that need the bias: inside the user half, entry executable. */
static int check_placement(struct loader *l, uint64_t bias)
{
    uint64_t entry = l->eh.e_entry + bias;
    bool entry_ok = false;

    for (unsigned i = 0; i < l->nsegs; i++) {
        uint64_t v = l->segs[i].vaddr + bias;

        if (v >= KERNEL_HALF || l->segs[i].memsz > KERNEL_HALF - v)
            return refuse(l, -ENOEXEC, "segment at %#llx is in the kernel half",
                          (unsigned long long)v);
    }
    for (unsigned i = 0; i < l->nsegs; i++) {
        const struct seg *g = &l->segs[i];
        uint64_t v = g->vaddr + bias;

        if (page_down(v) < l->s->va_min || v >= l->s->va_max || g->memsz > l->s->va_max - v)
            return refuse(l, -ENOEXEC,
                          "segment at %#llx is outside the user range "
                          "[%#llx, %#llx)",
                          (unsigned long long)v, (unsigned long long)l->s->va_min,
                          (unsigned long long)l->s->va_max);
        if ((g->prot & VM_PROT_EXEC) && entry >= v && entry - v < g->memsz)
            entry_ok = true;
    }
    if (!entry_ok)
        return refuse(l, -ENOEXEC, "entry point %#llx is not in an executable segment",
                      (unsigned long long)entry);
    return 0;
}

static int map_seg(struct loader *l, const struct seg *g, uint64_t bias)
{
    struct vm_map_req req;
    uint64_t v = g->vaddr + bias, start = page_down(v), got;
    int rc;

    memset(&req, 0, sizeof(req));
    req.addr = start;
    req.len = page_up(v + g->memsz) - start;
    req.prot = g->prot;
    req.fixed = req.noreplace = true;
    req.kind = g->filesz ? VM_FILE : VM_ANON;
    if (g->filesz) {
        req.file = *l->src;
        req.file_off = page_down(g->offset);
        req.file_bytes = (v - start) + g->filesz;
    }
    rc = vm_map(l->s, &req, &got);
    if (rc == -EEXIST)
        return refuse(l, -ENOMEM, "no room for the segment at %#llx", (unsigned long long)v);
    if (rc)
        return refuse(l, rc, "mapping the segment at %#llx failed: error %d", (unsigned long long)v,
                      -rc);
    return 0;
}

/* Unmap the first n segments of the plan (a failed load undoing itself). */
static void unmap_segs(struct loader *l, uint64_t bias, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        const struct seg *g = &l->segs[i];
        uint64_t start = page_down(g->vaddr + bias);

        vm_munmap(l->s, start, page_up(g->vaddr + bias + g->memsz) - start);
    }
}

static int map_all(struct loader *l, uint64_t bias)
{
    int rc = 0;
    unsigned i;

    for (i = 0; i < l->nsegs && !rc; i++)
        rc = map_seg(l, &l->segs[i], bias);
    if (rc)
        unmap_segs(l, bias, i - 1); /* the segments mapped before the failing one */
    return rc;
}

/* Read and check the header and the program header table; plan the PT_LOADs. */
static int decode(struct loader *l)
{
    int64_t size = vm_file_size(l->src);
    int rc;

    if (size < 0)
        return refuse(l, (int)size, "cannot size the file: error %lld", (long long)-size);
    l->fsize = (uint64_t)size;
    if (l->fsize < sizeof(l->eh) && l->bad_header != -ENOEXEC)
        return refuse(l, l->bad_header, "truncated file: the ELF header is cut short");
    if ((rc = read_exact(l, 0, &l->eh, sizeof(l->eh), "ELF header")) || (rc = check_ehdr(l)))
        return rc;
    l->ph = kmalloc((size_t)l->eh.e_phnum * sizeof(*l->ph));
    l->segs = kmalloc((size_t)l->eh.e_phnum * sizeof(*l->segs));
    if (!l->ph || !l->segs)
        return refuse(l, -ENOMEM, "out of memory reading program headers");
    rc = read_exact(l, l->eh.e_phoff, l->ph, (size_t)l->eh.e_phnum * sizeof(*l->ph),
                    "program header table");
    return rc ? rc : decode_phdrs(l);
}

/* Open and decode the interpreter the program names (il: a zeroed loader). */
static int open_interp(struct loader *l, struct loader *il, const struct elf_interp_src *src)
{
    char *path = kmalloc(ELF_MAX_INTERP);
    int rc;

    if (!path)
        return refuse(l, -ENOMEM, "out of memory reading PT_INTERP");
    if ((rc = read_interp(l, path)))
        goto out;
    printable(il->name, sizeof(il->name), path);
    if (!src) {
        rc = refuse(l, -ENOEXEC, "dynamic executable (interpreter %s) with no way to load it",
                    il->name);
        goto out;
    }
    rc = src->open(src->arg, path, &il->own);
    if (rc) {
        il->own.ops = NULL;
        rc = rc == -ENOENT
                 ? refuse(l, rc, "interpreter %s not found", il->name)
                 : refuse(l, rc, "cannot open the interpreter %s: error %d", il->name, -rc);
        goto out;
    }
    il->s = l->s;
    il->src = &il->own;
    il->role = il->name;
    il->bad_header = -ELIBBAD;
    il->msg = l->msg;
    il->msg_size = l->msg_size;
    rc = decode(il);
    if (rc == 0 && il->interp)
        rc = refuse(il, -ELIBBAD, "is itself dynamic (it has a PT_INTERP)");
out:
    kfree(path);
    return rc;
}

static void fill_info(struct loader *l, uint64_t bias, struct elf_info *out)
{
    uint64_t span = l->s->va_max - l->s->va_min, brk_range = span / 64;

    if (brk_range > (32ULL << 20))
        brk_range = 32ULL << 20;
    memset(out, 0, sizeof(*out));
    out->entry = out->start = l->eh.e_entry + bias;
    out->load_bias = bias;
    out->phdr = l->phdr_vaddr ? l->phdr_vaddr + bias : 0;
    out->phent = l->eh.e_phentsize;
    out->phnum = l->eh.e_phnum;
    out->image_start = l->lo + bias;
    out->image_end = l->hi + bias;
    out->brk_start = out->image_end + vm_aslr_offset(l->s, brk_range);
    out->pie = l->eh.e_type == ELF_ET_DYN;
}

/* Place and map the interpreter after the program (mapped at bias); undo both on failure. */
static int map_interp(struct loader *l, struct loader *il, uint64_t bias, uint64_t *ibias)
{
    int rc = choose_interp_bias(il, ibias);

    if (rc == 0)
        rc = check_placement(il, *ibias);
    if (rc == 0)
        rc = map_all(il, *ibias);
    if (rc)
        unmap_segs(l, bias, l->nsegs);
    return rc;
}

static int load(struct loader *l, struct loader *il, const struct elf_interp_src *src,
                struct elf_info *out)
{
    uint64_t bias, ibias = 0;
    int rc;

    if ((rc = decode(l)))
        return rc;
    if (l->interp && (rc = open_interp(l, il, src)))
        return rc;
    bias = choose_bias(l);
    if ((rc = check_placement(l, bias)) || (rc = map_all(l, bias)))
        return rc;
    if (l->interp && (rc = map_interp(l, il, bias, &ibias)))
        return rc;
    fill_info(l, bias, out);
    if (l->interp) {
        out->start = il->eh.e_entry + ibias;
        out->interp_base = ibias;
        out->interp_start = il->lo + ibias;
        out->interp_end = il->hi + ibias;
    }
    vm_brk_init(l->s, out->brk_start);
    return 0;
}

static void loader_free(struct loader *l)
{
    kfree(l->ph);
    kfree(l->segs);
    if (l->own.ops)
        vm_file_put(&l->own);
}

int elf_load_exec(struct vm_space *s, const struct vm_file *src,
                  const struct elf_interp_src *interp, struct elf_info *out, char *msg,
                  size_t msg_size)
{
    struct loader *l = kzalloc(2 * sizeof(*l)); /* the program, then its interpreter */
    int rc;

    if (msg && msg_size)
        msg[0] = '\0';
    if (!l) {
        if (msg && msg_size)
            ksnprintf(msg, msg_size, "out of memory");
        return -ENOMEM;
    }
    l->s = s;
    l->src = src;
    l->bad_header = -ENOEXEC;
    l->msg = msg;
    l->msg_size = msg_size;
    rc = load(l, l + 1, interp, out);
    loader_free(l);
    loader_free(l + 1);
    kfree(l);
    return rc;
}

int elf_load(struct vm_space *s, const struct vm_file *src, struct elf_info *out, char *msg,
             size_t msg_size)
{
    return elf_load_exec(s, src, NULL, out, msg, msg_size);
}

int elf_open_vfs(void *cwd, const char *path, struct vm_file *out)
{
    struct vfs_file *f;
    struct vfs_stat st;
    int rc = vfs_openat(cwd, path, VFS_O_RDONLY, 0, &f);

    if (rc)
        return rc;
    rc = vfs_fstat(f, &st);
    if (rc == 0 && !VFS_S_ISTYPE(st.st_mode, VFS_S_IFREG))
        rc = -EACCES;
    if (rc) {
        vfs_file_put(f);
        return rc;
    }
    *out = vm_file_from_vfs(f);
    return 0;
}
