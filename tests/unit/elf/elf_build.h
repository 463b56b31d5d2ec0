/*
 * elf_build.h - a tiny ELF64 writer for the loader tests, the fuzz corpus generator and the
 * malformed-ELF table. Host code (libc allowed); no kernel calls.
 *
 * eb_good() builds a well-formed static executable:
 *
 *   file 0x0000  ELF header, 5 program headers (PT_PHDR, 3 x PT_LOAD, PT_GNU_STACK)
 *        0x1000  text: EB_TEXT_SIZE bytes, R+X            vaddr base + 0x1000
 *        0x2010  data: EB_DATA_FILESZ bytes, R+W,        vaddr base + 0x2010,
 *                memsz EB_DATA_MEMSZ (bss crosses into the next page)
 *        ....    nonzero filler up to EB_FILE_SIZE (must never show in the bss)
 *
 * base is EB_EXEC_BASE (inside the hosted user arena) for ET_EXEC and 0 for ET_DYN.
 */
#ifndef TESTS_UNIT_ELF_ELF_BUILD_H
#define TESTS_UNIT_ELF_ELF_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "core/proc/elf.h"

#define EB_EXEC_BASE 0x200010000000ULL /* HOSTED_USER_BASE + 256 MiB */
#define EB_NPH 5
#define EB_PH_PHDR 0
#define EB_PH_HDRS 1
#define EB_PH_TEXT 2
#define EB_PH_DATA 3
#define EB_PH_STACK 4
#define EB_TEXT_OFF 0x1000u
#define EB_TEXT_SIZE 0x200u
#define EB_DATA_OFF 0x2010u
#define EB_DATA_FILESZ 0x300u
#define EB_DATA_MEMSZ 0x2000u
#define EB_ENTRY_OFF 0x1010u
#define EB_FILE_SIZE 0x3000u
#define EB_MAX_FILE 0x4000u

struct eb {
    struct elf64_ehdr eh;
    struct elf64_phdr ph[8];
    unsigned nph;       /* headers written at offset 64 */
    size_t size;        /* bytes of the file (may cut it short) */
    uint8_t extra[256]; /* written at extra_off when extra_len > 0 */
    size_t extra_off, extra_len;
};

void eb_good(struct eb *b, int type);
/* Serialise into out (EB_MAX_FILE bytes); returns the file size. */
size_t eb_write(const struct eb *b, uint8_t *out);

/* The malformed cases: each is refused with err and a message containing msg. */
struct eb_case {
    const char *name;
    int type; /* ET_EXEC or ET_DYN as the starting image */
    void (*mutate)(struct eb *b);
    int err; /* negative errno */
    const char *msg;
};
extern const struct eb_case eb_cases[];
extern const size_t eb_ncases;

/*
 * Dynamic programs: eb_dynamic() is eb_good() plus a PT_INTERP naming EB_INTERP_PATH (in the
 * PT_GNU_STACK slot); the interpreter is an eb_good(ET_DYN) image (a static PIE, as ld.so
 * is). The pair cases mutate the program and/or the interpreter; each is refused with err
 * and a message containing msg. The malformed table above runs with an interpreter source
 * that finds nothing, so its dynamic programs are refused as "not found".
 */
#define EB_INTERP_PATH "/lib/ld-test.so.1"
void eb_dynamic(struct eb *b, int type);

struct eb_pair_case {
    const char *name;
    void (*prog)(struct eb *b);   /* applied after eb_dynamic(ET_DYN); NULL: none */
    void (*interp)(struct eb *b); /* applied after eb_good(ET_DYN); NULL: none */
    int err;
    const char *msg;
};
extern const struct eb_pair_case eb_pair_cases[];
extern const size_t eb_npair_cases;

/* Fuzz inputs holding a pair: "PAIR", the program's length (u32 LE), program, interpreter. */
#define EB_PAIR_MAGIC "PAIR"
size_t eb_pair_write(const uint8_t *prog, size_t plen, const uint8_t *interp, size_t ilen,
                     uint8_t *out);

#endif
