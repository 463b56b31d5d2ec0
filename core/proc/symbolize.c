/*
 * symbolize.c - symbol names for the `fault` report's backtrace (proc.h, docs/manifest.md).
 *
 * An address is turned into "function+0xoff (soname)" from the ELF file mapped there, read
 * from the image through the area's struct vm_file (the same bytes the loader mapped): the
 * mapping gives the file offset, the PT_LOAD that holds that offset gives the ELF's own
 * virtual address, and the nearest function symbol at or below it is taken from .symtab
 * (a program or library that kept it) or else .dynsym (what a stripped library exports).
 * The soname, when the file has one, comes from its SHT_DYNAMIC section and .dynstr.
 *
 * Everything read from the file is untrusted: counts and sizes are bounded, offsets checked
 * against the file's size, names read into a fixed buffer; a malformed file gives -ENOENT.
 * Symbols are read in batches of SYM_BATCH, never the whole table at once. May sleep (file
 * reads): the fault path calls it in the faulting thread's context.
 */
#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "core/lib/kstring.h"
#include "core/mm/vm.h"
#include "core/proc/elf.h"
#include "core/proc/proc.h"
#include "hal/hal_errno.h"

#define SHT_SYMTAB 2
#define SHT_DYNAMIC 6
#define SHT_DYNSYM 11
#define STT_FUNC 2
#define DT_SONAME 14
#define SYM_BATCH 64
#define SYM_MAX (1u << 20) /* symbols looked at in one table */
#define SH_MAX 512
#define PH_MAX 64
#define NAME_MAX_SHOWN 96

struct elf64_shdr {
    uint32_t sh_name, sh_type;
    uint64_t sh_flags, sh_addr, sh_offset, sh_size;
    uint32_t sh_link, sh_info;
    uint64_t sh_addralign, sh_entsize;
};

struct elf64_sym {
    uint32_t st_name;
    uint8_t st_info, st_other;
    uint16_t st_shndx;
    uint64_t st_value, st_size;
};

struct sym_best {
    uint64_t value;
    uint32_t name;
    bool found;
};

static bool read_exact(const struct vm_file *f, uint64_t off, void *buf, size_t n)
{
    return vm_file_read(f, off, buf, n) == (long)n;
}

/* The ELF virtual address of file offset off, through the PT_LOAD that holds it. */
static int vaddr_of(const struct vm_file *f, const struct elf64_ehdr *eh, uint64_t off,
                    uint64_t *vaddr)
{
    for (unsigned i = 0; i < eh->e_phnum && i < PH_MAX; i++) {
        struct elf64_phdr ph;

        if (!read_exact(f, eh->e_phoff + (uint64_t)i * sizeof(ph), &ph, sizeof(ph)))
            return -ENOENT;
        if (ph.p_type == ELF_PT_LOAD && off >= ph.p_offset && off - ph.p_offset < ph.p_filesz) {
            *vaddr = ph.p_vaddr + (off - ph.p_offset);
            return 0;
        }
    }
    return -ENOENT;
}

/* The nearest function symbol at or below vaddr in the table sh. */
static void best_in(const struct vm_file *f, const struct elf64_shdr *sh, uint64_t vaddr,
                    struct sym_best *best)
{
    struct elf64_sym *batch = kmalloc(SYM_BATCH * sizeof(*batch));
    uint64_t n = sh->sh_size / sizeof(*batch);

    if (!batch)
        return;
    if (n > SYM_MAX)
        n = SYM_MAX;
    for (uint64_t i = 0; i < n; i += SYM_BATCH) {
        uint64_t k = n - i < SYM_BATCH ? n - i : SYM_BATCH;

        if (!read_exact(f, sh->sh_offset + i * sizeof(*batch), batch, k * sizeof(*batch)))
            break;
        for (uint64_t j = 0; j < k; j++) {
            const struct elf64_sym *s = &batch[j];

            if ((s->st_info & 0xf) != STT_FUNC || s->st_shndx == 0 || s->st_value > vaddr ||
                (best->found && s->st_value <= best->value))
                continue;
            if (s->st_size && vaddr - s->st_value >= s->st_size)
                continue; /* past its end: another, unnamed piece of code */
            best->value = s->st_value;
            best->name = s->st_name;
            best->found = true;
        }
    }
    kfree(batch);
}

/* The NUL-terminated string at off in section strtab (truncated to size - 1). */
static bool read_str(const struct vm_file *f, const struct elf64_shdr *strtab, uint64_t off,
                     char *out, size_t size)
{
    long n;

    if (off >= strtab->sh_size)
        return false;
    if (size - 1 > strtab->sh_size - off)
        size = (size_t)(strtab->sh_size - off) + 1;
    n = vm_file_read(f, strtab->sh_offset + off, out, size - 1);
    if (n <= 0)
        return false;
    out[n] = '\0';
    return out[0] != '\0';
}

/* DT_SONAME through the SHT_DYNAMIC section sh (its sh_link is .dynstr). */
static void soname_of(const struct vm_file *f, const struct elf64_shdr *shs, unsigned shnum,
                      const struct elf64_shdr *sh, char *out, size_t size)
{
    uint64_t d[2];

    if (sh->sh_link >= shnum)
        return;
    for (uint64_t off = 0; off + sizeof(d) <= sh->sh_size && off < 4096 * sizeof(d);
         off += sizeof(d)) {
        if (!read_exact(f, sh->sh_offset + off, d, sizeof(d)) || d[0] == 0)
            return;
        if (d[0] == DT_SONAME) {
            read_str(f, &shs[sh->sh_link], d[1], out, size);
            return;
        }
    }
}

int proc_sym_lookup(const struct vm_file *f, uint64_t off, bool ret_addr, char *buf, size_t size)
{
    struct elf64_ehdr eh;
    struct elf64_shdr *shs = NULL;
    struct sym_best best = {0, 0, false};
    char name[NAME_MAX_SHOWN], soname[NAME_MAX_SHOWN] = "";
    uint64_t vaddr;
    int table = -1, rc = -ENOENT;

    if (!read_exact(f, 0, &eh, sizeof(eh)) || memcmp(eh.e_ident, "\177ELF\2\1", 6) != 0 ||
        eh.e_shentsize != sizeof(struct elf64_shdr) || eh.e_shnum == 0 || eh.e_shnum > SH_MAX ||
        eh.e_phentsize != sizeof(struct elf64_phdr) || vaddr_of(f, &eh, off, &vaddr))
        return -ENOENT;
    shs = kmalloc(eh.e_shnum * sizeof(*shs));
    if (!shs)
        return -ENOMEM;
    if (!read_exact(f, eh.e_shoff, shs, eh.e_shnum * sizeof(*shs)))
        goto out;
    for (unsigned i = 0; i < eh.e_shnum; i++) {
        if (shs[i].sh_type == SHT_SYMTAB || (shs[i].sh_type == SHT_DYNSYM && table < 0))
            table = (int)i;
        if (shs[i].sh_type == SHT_DYNAMIC)
            soname_of(f, shs, eh.e_shnum, &shs[i], soname, sizeof(soname));
    }
    if (table < 0 || shs[table].sh_link >= eh.e_shnum)
        goto out;
    /* a return address follows its call, which may be the last instruction of a function */
    best_in(f, &shs[table], ret_addr && vaddr ? vaddr - 1 : vaddr, &best);
    if (best.found && read_str(f, &shs[shs[table].sh_link], best.name, name, sizeof(name))) {
        ksnprintf(buf, size, "%s+%#llx%s%s%s", name, (unsigned long long)(vaddr - best.value),
                  soname[0] ? " (" : "", soname, soname[0] ? ")" : "");
        rc = 0;
    }
out:
    kfree(shs);
    return rc;
}

int proc_symbolize(struct vm_space *s, uint64_t addr, bool ret_addr, char *buf, size_t size)
{
    struct vm_area a;
    int rc;

    if (!s || vm_area_query(s, addr, &a) || a.kind != VM_FILE || !a.file.ops)
        return -ENOENT;
    vm_file_get(&a.file); /* the area may go while the file is read */
    rc = proc_sym_lookup(&a.file, addr - a.start + a.file_off, ret_addr, buf, size);
    vm_file_put(&a.file);
    return rc;
}
