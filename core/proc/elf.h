/*
 * elf.h - the ELF64 program loader: static, static-PIE and dynamic x86-64 executables.
 *
 * elf_load_exec() reads the ELF header and program headers through a struct vm_file (a VFS
 * file in the kernel, a kernel buffer in tests and the fuzzer), validates all of it before it
 * maps anything, then maps each PT_LOAD segment into a vm_space as one private area:
 * file-backed (pages read on first touch, docs/memory.md) with the bytes past p_filesz
 * reading as zero (bss, including the tail of the last file page), or anonymous when
 * p_filesz is 0.
 *
 * Accepted: ET_EXEC, and ET_DYN (PIE, loaded at a random base taken from hal_entropy:
 * seeded, so deterministic in hosted mode). A program with PT_INTERP is dynamic: the loader
 * opens the interpreter it names (glibc's ld-linux-x86-64.so.2, musl's ld-musl-x86_64.so.1)
 * through the caller's struct elf_interp_src, validates it by the same rules, and maps it at
 * its own base (top-down, where mmap would put it); the program then starts at the
 * interpreter's entry with AT_BASE = that base. An ld.so started as the program itself (an
 * ET_DYN without PT_INTERP: `ld-linux-x86-64.so.2 /bin/prog`) is simply a static PIE here.
 *
 * Refused, each with a one-line message for the console (docs/elf-loader.md lists them all):
 *   -ENOEXEC  not ELF / wrong class, data, version, machine or type / bad phentsize or phnum /
 *             headers or segments outside the file / p_filesz > p_memsz / segments unsorted,
 *             overlapping or sharing a page / outside the user half (kernel half, below
 *             hal_user_va_min()) / W+X segment (policy) / entry not in an executable segment /
 *             no PT_LOAD / malformed PT_INTERP / dynamic with no interpreter source
 *   -EINVAL   p_vaddr and p_offset not congruent modulo the page size (what Linux's mmap says)
 *   -ENOMEM   image span above ELF_MAX_IMAGE, no room for it, or out of memory
 *   -ELIBBAD  the interpreter is not an x86-64 ELF executable, or is itself dynamic
 *   -ENOENT, -EACCES... the interpreter could not be opened (the source's errno)
 *   -EIO etc. a file could not be read
 * Any other rule the interpreter breaks gives the program's errno for it, with the message
 * prefixed "interpreter <path>: ".
 */
#ifndef CORE_PROC_ELF_H
#define CORE_PROC_ELF_H

#include <stddef.h>
#include <stdint.h>

#include "core/mm/vm.h"

#define ELF_MAX_IMAGE (1ULL << 30) /* bytes from the lowest to the highest segment page */
#define ELF_MAX_PHDRS_BYTES 65536u /* e_phnum * e_phentsize, as Linux */
#define ELF_MAX_INTERP 4096u       /* PATH_MAX */
#define ELF_MSG_SIZE 160           /* a buffer this big never truncates a message's start */

/* ELF constants the loader, the stack builder and the tests share. */
#define ELF_ET_EXEC 2
#define ELF_ET_DYN 3
#define ELF_EM_X86_64 62
#define ELF_PT_LOAD 1
#define ELF_PT_DYNAMIC 2
#define ELF_PT_INTERP 3
#define ELF_PT_PHDR 6
#define ELF_PT_TLS 7
#define ELF_PT_GNU_STACK 0x6474e551u
#define ELF_PF_X 0x1u
#define ELF_PF_W 0x2u
#define ELF_PF_R 0x4u

struct elf64_ehdr {
    uint8_t e_ident[16];
    uint16_t e_type, e_machine;
    uint32_t e_version;
    uint64_t e_entry, e_phoff, e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
    uint32_t p_type, p_flags;
    uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

/* What the stack builder and the thread start need from a loaded image. */
struct elf_info {
    uint64_t entry;        /* the program's runtime entry point (AT_ENTRY) */
    uint64_t start;        /* initial rip: the interpreter's entry, else entry */
    uint64_t load_bias;    /* added to every p_vaddr: 0 for ET_EXEC */
    uint64_t phdr;         /* runtime address of the program headers (AT_PHDR), 0 if unmapped */
    uint16_t phent;        /* AT_PHENT */
    uint16_t phnum;        /* AT_PHNUM */
    uint64_t image_start;  /* lowest mapped address (page aligned) */
    uint64_t image_end;    /* one past the highest mapped byte (page aligned) */
    uint64_t brk_start;    /* where the heap starts (vm_brk_init was called with it) */
    int pie;               /* ET_DYN */
    uint64_t interp_base;  /* AT_BASE: the interpreter's load bias; 0 without one */
    uint64_t interp_start; /* the interpreter's mapped range (page aligned); 0, 0 without */
    uint64_t interp_end;
};

/*
 * Where the interpreter named by PT_INTERP comes from. open(arg, path, out): open path (as
 * PT_INTERP spells it, NUL-terminated) for reading; 0 and *out holding one reference that
 * the loader drops with vm_file_put, or -errno (-ENOENT when it does not exist). May sleep.
 */
struct elf_interp_src {
    int (*open)(void *arg, const char *path, struct vm_file *out);
    void *arg;
};

/*
 * Load the executable src into s (an empty space from vm_space_create, or at least one with
 * room), and its interpreter through interp when it has PT_INTERP (interp NULL: dynamic
 * programs are refused). On success 0 and *out filled. On failure -errno, msg (msg_size
 * bytes, may be NULL) holds a one-line reason, and nothing the loader mapped stays mapped.
 * May sleep.
 */
int elf_load_exec(struct vm_space *s, const struct vm_file *src,
                  const struct elf_interp_src *interp, struct elf_info *out, char *msg,
                  size_t msg_size);

/* elf_load_exec without an interpreter source: static and static-PIE programs only. */
int elf_load(struct vm_space *s, const struct vm_file *src, struct elf_info *out, char *msg,
             size_t msg_size);

/*
 * An elf_interp_src.open for the kernel: path through the VFS, relative to the directory
 * cwd (a struct vfs_file *, NULL: the root), as execve resolves PT_INTERP. Only a regular
 * file opens (-EACCES otherwise, as Linux). May sleep.
 */
int elf_open_vfs(void *cwd, const char *path, struct vm_file *out);

#endif
