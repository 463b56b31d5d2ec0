/*
 * elf_build.c - the ELF writer and the malformed-ELF table (see elf_build.h).
 */
#include "elf_build.h"

#include <string.h>

#include "hal/hal_errno.h"

static void ph(struct elf64_phdr *p, uint32_t type, uint32_t flags, uint64_t off, uint64_t va,
               uint64_t filesz, uint64_t memsz)
{
    memset(p, 0, sizeof(*p));
    p->p_type = type;
    p->p_flags = flags;
    p->p_offset = off;
    p->p_vaddr = p->p_paddr = va;
    p->p_filesz = filesz;
    p->p_memsz = memsz;
    p->p_align = type == ELF_PT_LOAD ? 0x1000 : 8;
}

void eb_good(struct eb *b, int type)
{
    uint64_t base = type == ELF_ET_EXEC ? EB_EXEC_BASE : 0;
    uint64_t hdrs = 64 + EB_NPH * sizeof(struct elf64_phdr);

    memset(b, 0, sizeof(*b));
    memcpy(b->eh.e_ident, "\177ELF", 4);
    b->eh.e_ident[4] = 2; /* ELFCLASS64 */
    b->eh.e_ident[5] = 1; /* little endian */
    b->eh.e_ident[6] = 1; /* EV_CURRENT */
    b->eh.e_type = (uint16_t)type;
    b->eh.e_machine = ELF_EM_X86_64;
    b->eh.e_version = 1;
    b->eh.e_entry = base + EB_ENTRY_OFF;
    b->eh.e_phoff = 64;
    b->eh.e_ehsize = 64;
    b->eh.e_phentsize = sizeof(struct elf64_phdr);
    b->eh.e_phnum = EB_NPH;
    b->nph = EB_NPH;
    ph(&b->ph[EB_PH_PHDR], ELF_PT_PHDR, ELF_PF_R, 64, base + 64, hdrs - 64, hdrs - 64);
    ph(&b->ph[EB_PH_HDRS], ELF_PT_LOAD, ELF_PF_R, 0, base, hdrs, hdrs);
    ph(&b->ph[EB_PH_TEXT], ELF_PT_LOAD, ELF_PF_R | ELF_PF_X, EB_TEXT_OFF, base + EB_TEXT_OFF,
       EB_TEXT_SIZE, EB_TEXT_SIZE);
    ph(&b->ph[EB_PH_DATA], ELF_PT_LOAD, ELF_PF_R | ELF_PF_W, EB_DATA_OFF, base + EB_DATA_OFF,
       EB_DATA_FILESZ, EB_DATA_MEMSZ);
    ph(&b->ph[EB_PH_STACK], ELF_PT_GNU_STACK, ELF_PF_R | ELF_PF_W, 0, 0, 0, 0);
    b->size = EB_FILE_SIZE;
}

size_t eb_write(const struct eb *b, uint8_t *out)
{
    memset(out, 0, EB_MAX_FILE);
    for (size_t i = 64 + 8 * sizeof(struct elf64_phdr); i < EB_MAX_FILE; i++)
        out[i] = (uint8_t)(0x40 + i % 61); /* text, data and filler: never zero */
    memcpy(out, &b->eh, sizeof(b->eh));
    memcpy(out + 64, b->ph, b->nph * sizeof(struct elf64_phdr));
    if (b->extra_len)
        memcpy(out + b->extra_off, b->extra, b->extra_len);
    return b->size;
}

/* --- the malformed cases ----------------------------------------------------------------- */

#define MUT(name) static void name(struct eb *b)
#define P(i) (&b->ph[i])

static void shift_all(struct eb *b, uint64_t by)
{
    for (unsigned i = 0; i < b->nph; i++)
        if (b->ph[i].p_type != ELF_PT_GNU_STACK)
            b->ph[i].p_vaddr += by;
    b->eh.e_entry += by;
}

MUT(m_empty)
{
    b->size = 0;
}
MUT(m_trunc_header)
{
    b->size = 63;
}
MUT(m_bad_magic)
{
    b->eh.e_ident[1] = 'e';
}
MUT(m_class32)
{
    b->eh.e_ident[4] = 1;
}
MUT(m_class_none)
{
    b->eh.e_ident[4] = 0;
}
MUT(m_big_endian)
{
    b->eh.e_ident[5] = 2;
}
MUT(m_ident_version)
{
    b->eh.e_ident[6] = 0;
}
MUT(m_e_version)
{
    b->eh.e_version = 2;
}
MUT(m_i386)
{
    b->eh.e_machine = 3;
}
MUT(m_aarch64)
{
    b->eh.e_machine = 183;
}
MUT(m_rel)
{
    b->eh.e_type = 1;
}
MUT(m_core)
{
    b->eh.e_type = 4;
}
MUT(m_phentsize)
{
    b->eh.e_phentsize = 32;
}
MUT(m_phnum0)
{
    b->eh.e_phnum = 0;
}
MUT(m_phnum_xnum)
{
    b->eh.e_phnum = 0xffff;
}
MUT(m_phnum_big)
{
    b->eh.e_phnum = 1171;
} /* 1171 * 56 > 64 KiB */
MUT(m_phoff_eof)
{
    b->eh.e_phoff = EB_FILE_SIZE - 10;
}
MUT(m_phoff_wrap)
{
    b->eh.e_phoff = UINT64_MAX - 100;
}
MUT(m_trunc_phdrs)
{
    b->size = 64 + 56 + 10;
}
MUT(m_seg_off_eof)
{
    P(EB_PH_TEXT)->p_offset += EB_FILE_SIZE;
    P(EB_PH_TEXT)->p_vaddr += EB_FILE_SIZE;
}
MUT(m_seg_filesz_eof)
{
    P(EB_PH_DATA)->p_filesz = P(EB_PH_DATA)->p_memsz = EB_FILE_SIZE;
}
MUT(m_seg_off_wrap)
{
    P(EB_PH_TEXT)->p_offset = UINT64_MAX - 0xfff;
}
MUT(m_filesz_gt_memsz)
{
    P(EB_PH_DATA)->p_memsz = P(EB_PH_DATA)->p_filesz - 1;
}
MUT(m_not_congruent)
{
    P(EB_PH_DATA)->p_vaddr += 8;
}
MUT(m_align_not_pow2)
{
    P(EB_PH_TEXT)->p_align = 0x3000;
}
MUT(m_memsz_huge)
{
    P(EB_PH_DATA)->p_memsz = 2ULL << 30;
}
MUT(m_memsz_max)
{
    P(EB_PH_DATA)->p_memsz = UINT64_MAX;
}
MUT(m_vaddr_wrap)
{
    shift_all(b, 0xfffffffffffff000ULL - EB_EXEC_BASE);
}
MUT(m_kernel_half)
{
    shift_all(b, 0xffffffff80000000ULL - EB_EXEC_BASE);
}
MUT(m_kernel_half_straddle)
{
    shift_all(b, 0x7ffffffff000ULL - EB_EXEC_BASE - 0x1000);
}
MUT(m_below_user)
{
    shift_all(b, 0x400000ULL - EB_EXEC_BASE);
}
MUT(m_above_user)
{
    shift_all(b, 1ULL << 30);
}
MUT(m_null_page)
{
    shift_all(b, 0 - EB_EXEC_BASE);
}
MUT(m_overlap)
{
    P(EB_PH_DATA)->p_vaddr = P(EB_PH_TEXT)->p_vaddr + 0x100;
    P(EB_PH_DATA)->p_offset = EB_TEXT_OFF + 0x100;
}
MUT(m_share_page)
{
    P(EB_PH_DATA)->p_vaddr -= 0x1000;
    P(EB_PH_DATA)->p_offset -= 0x1000;
    P(EB_PH_DATA)->p_offset += 0x300;
    P(EB_PH_DATA)->p_vaddr += 0x300;
}
MUT(m_unsorted)
{
    struct elf64_phdr t = *P(EB_PH_TEXT);
    *P(EB_PH_TEXT) = *P(EB_PH_DATA);
    *P(EB_PH_DATA) = t;
}
MUT(m_wx)
{
    P(EB_PH_TEXT)->p_flags |= ELF_PF_W;
}
MUT(m_entry_outside)
{
    b->eh.e_entry += 0x100000;
}
MUT(m_entry_in_data)
{
    b->eh.e_entry = P(EB_PH_DATA)->p_vaddr + 8;
}
MUT(m_entry_zero)
{
    b->eh.e_entry = 0;
}
MUT(m_no_load)
{
    for (unsigned i = 0; i < b->nph; i++)
        if (b->ph[i].p_type == ELF_PT_LOAD)
            b->ph[i].p_type = 4; /* PT_NOTE */
}
MUT(m_load_memsz0)
{
    for (unsigned i = 0; i < b->nph; i++)
        if (b->ph[i].p_type == ELF_PT_LOAD)
            b->ph[i].p_filesz = b->ph[i].p_memsz = 0;
}
static void interp(struct eb *b, const char *path, size_t filesz)
{
    struct elf64_phdr *p = P(EB_PH_STACK);

    p->p_type = ELF_PT_INTERP;
    p->p_flags = ELF_PF_R;
    p->p_offset = 0x2f00;
    p->p_filesz = p->p_memsz = filesz;
    b->extra_off = 0x2f00;
    b->extra_len = strlen(path) + 1;
    memcpy(b->extra, path, b->extra_len);
}
MUT(m_interp)
{
    interp(b, "/lib/ld-musl-x86_64.so.1", 25);
}
MUT(m_interp_glibc)
{
    interp(b, "/lib64/ld-linux-x86-64.so.2", 28);
}
MUT(m_interp_short)
{
    interp(b, "", 1);
}
MUT(m_interp_eof)
{
    interp(b, "/x", 3);
    P(EB_PH_STACK)->p_offset = EB_FILE_SIZE - 1;
}
MUT(m_interp_huge)
{
    interp(b, "/x", 3);
    P(EB_PH_STACK)->p_filesz = 1 << 20;
}
MUT(m_interp_binary)
{
    interp(b, "/lib/\x01\x02\x1b[2J", 12);
}
MUT(m_interp_no_nul)
{
    interp(b, "/lib/x", 6); /* the NUL is left out of p_filesz */
}
MUT(m_interp_empty_path)
{
    interp(b, "\0\0", 2);
}
MUT(m_memsz0_filesz)
{
    P(EB_PH_STACK)->p_type = ELF_PT_LOAD;
    P(EB_PH_STACK)->p_offset = 0x2f00;
    P(EB_PH_STACK)->p_vaddr = EB_EXEC_BASE + 0x8f00;
    P(EB_PH_STACK)->p_filesz = 0x10;
    P(EB_PH_STACK)->p_memsz = 0;
}
MUT(m_span_huge)
{
    P(EB_PH_DATA)->p_vaddr += 0x50000000;
    P(EB_PH_DATA)->p_offset += 0;
}
MUT(m_pie_span_huge)
{
    P(EB_PH_DATA)->p_vaddr += 0x7ffff0000000ULL;
}

const struct eb_case eb_cases[] = {
    {"empty", ELF_ET_EXEC, m_empty, -ENOEXEC, "truncated"},
    {"truncated-header", ELF_ET_EXEC, m_trunc_header, -ENOEXEC, "ELF header is cut short"},
    {"bad-magic", ELF_ET_EXEC, m_bad_magic, -ENOEXEC, "bad magic"},
    {"class-32", ELF_ET_EXEC, m_class32, -ENOEXEC, "not a 64-bit"},
    {"class-none", ELF_ET_EXEC, m_class_none, -ENOEXEC, "not a 64-bit"},
    {"big-endian", ELF_ET_EXEC, m_big_endian, -ENOEXEC, "little-endian"},
    {"ident-version", ELF_ET_EXEC, m_ident_version, -ENOEXEC, "version"},
    {"e-version", ELF_ET_EXEC, m_e_version, -ENOEXEC, "version"},
    {"machine-i386", ELF_ET_EXEC, m_i386, -ENOEXEC, "not an x86-64 program (machine 3)"},
    {"machine-aarch64", ELF_ET_EXEC, m_aarch64, -ENOEXEC, "machine 183"},
    {"type-rel", ELF_ET_EXEC, m_rel, -ENOEXEC, "not an executable (ELF type 1)"},
    {"type-core", ELF_ET_EXEC, m_core, -ENOEXEC, "ELF type 4"},
    {"phentsize", ELF_ET_EXEC, m_phentsize, -ENOEXEC, "program header size 32"},
    {"phnum-zero", ELF_ET_EXEC, m_phnum0, -ENOEXEC, "no program headers"},
    {"phnum-xnum", ELF_ET_EXEC, m_phnum_xnum, -ENOEXEC, "too many program headers"},
    {"phnum-over-64k", ELF_ET_EXEC, m_phnum_big, -ENOEXEC, "too many program headers"},
    {"phoff-past-eof", ELF_ET_EXEC, m_phoff_eof, -ENOEXEC, "program headers lie outside"},
    {"phoff-wraps", ELF_ET_EXEC, m_phoff_wrap, -ENOEXEC, "program headers lie outside"},
    {"truncated-phdrs", ELF_ET_EXEC, m_trunc_phdrs, -ENOEXEC, "program headers lie outside"},
    {"segment-offset-past-eof", ELF_ET_EXEC, m_seg_off_eof, -ENOEXEC, "segment 2 lies outside"},
    {"segment-filesz-past-eof", ELF_ET_EXEC, m_seg_filesz_eof, -ENOEXEC, "segment 3 lies outside"},
    {"segment-offset-wraps", ELF_ET_EXEC, m_seg_off_wrap, -ENOEXEC, "segment 2 lies outside"},
    {"filesz-above-memsz", ELF_ET_EXEC, m_filesz_gt_memsz, -ENOEXEC, "file size above memory"},
    {"not-congruent", ELF_ET_EXEC, m_not_congruent, -EINVAL, "not page congruent"},
    {"align-not-power-of-two", ELF_ET_EXEC, m_align_not_pow2, -ENOEXEC, "not a power of two"},
    {"memsz-2g", ELF_ET_EXEC, m_memsz_huge, -ENOMEM, "too large"},
    {"memsz-max", ELF_ET_EXEC, m_memsz_max, -ENOMEM, "too large"},
    {"vaddr-wraps", ELF_ET_EXEC, m_vaddr_wrap, -ENOMEM, "too large"},
    {"kernel-half", ELF_ET_EXEC, m_kernel_half, -ENOEXEC, "kernel half"},
    {"kernel-half-straddle", ELF_ET_EXEC, m_kernel_half_straddle, -ENOEXEC, "kernel half"},
    {"below-user-range", ELF_ET_EXEC, m_below_user, -ENOEXEC, "outside the user range"},
    {"above-user-range", ELF_ET_EXEC, m_above_user, -ENOEXEC, "outside the user range"},
    {"null-page", ELF_ET_EXEC, m_null_page, -ENOEXEC, "outside the user range"},
    {"overlapping-segments", ELF_ET_EXEC, m_overlap, -ENOEXEC, "overlaps"},
    {"segments-share-a-page", ELF_ET_EXEC, m_share_page, -ENOEXEC, "shares a page"},
    {"unsorted-segments", ELF_ET_EXEC, m_unsorted, -ENOEXEC, "out of order"},
    {"wx-segment", ELF_ET_EXEC, m_wx, -ENOEXEC, "writable and executable"},
    {"entry-outside", ELF_ET_EXEC, m_entry_outside, -ENOEXEC, "entry point"},
    {"entry-in-data", ELF_ET_EXEC, m_entry_in_data, -ENOEXEC, "not in an executable segment"},
    {"entry-zero", ELF_ET_EXEC, m_entry_zero, -ENOEXEC, "entry point 0"},
    {"no-load", ELF_ET_EXEC, m_no_load, -ENOEXEC, "no loadable segment"},
    {"load-memsz-zero", ELF_ET_EXEC, m_load_memsz0, -ENOEXEC, "no loadable segment"},
    {"dynamic-musl", ELF_ET_DYN, m_interp, -ENOENT,
     "interpreter /lib/ld-musl-x86_64.so.1 not found"},
    {"dynamic-glibc-exec", ELF_ET_EXEC, m_interp_glibc, -ENOENT,
     "interpreter /lib64/ld-linux-x86-64.so.2 not found"},
    {"interp-empty", ELF_ET_DYN, m_interp_short, -ENOEXEC, "malformed PT_INTERP"},
    {"interp-past-eof", ELF_ET_DYN, m_interp_eof, -ENOEXEC, "malformed PT_INTERP"},
    {"interp-huge", ELF_ET_DYN, m_interp_huge, -ENOEXEC, "malformed PT_INTERP"},
    {"interp-control-chars", ELF_ET_DYN, m_interp_binary, -ENOENT, "interpreter /lib/??"},
    {"interp-not-nul-terminated", ELF_ET_DYN, m_interp_no_nul, -ENOEXEC, "not NUL-terminated"},
    {"interp-empty-path", ELF_ET_DYN, m_interp_empty_path, -ENOEXEC, "empty path"},
    {"memsz-zero-with-filesz", ELF_ET_EXEC, m_memsz0_filesz, -ENOEXEC, "segment 4: file size"},
    {"span-over-1g", ELF_ET_EXEC, m_span_huge, -ENOMEM, "image spans"},
    {"pie-span-huge", ELF_ET_DYN, m_pie_span_huge, -ENOMEM, "image spans"},
    {"pie-wx", ELF_ET_DYN, m_wx, -ENOEXEC, "writable and executable"},
    {"pie-entry-outside", ELF_ET_DYN, m_entry_outside, -ENOEXEC, "entry point"},
};
const size_t eb_ncases = sizeof(eb_cases) / sizeof(eb_cases[0]);

/* --- dynamic programs: a program and its interpreter ------------------------------------- */

void eb_dynamic(struct eb *b, int type)
{
    eb_good(b, type);
    interp(b, EB_INTERP_PATH, sizeof(EB_INTERP_PATH));
}

size_t eb_pair_write(const uint8_t *prog, size_t plen, const uint8_t *ip, size_t ilen, uint8_t *out)
{
    uint32_t n = (uint32_t)plen;

    memcpy(out, EB_PAIR_MAGIC, 4);
    memcpy(out + 4, &n, 4);
    memcpy(out + 8, prog, plen);
    memcpy(out + 8 + plen, ip, ilen);
    return 8 + plen + ilen;
}

MUT(i_empty)
{
    b->size = 0;
}
MUT(i_truncated)
{
    b->size = 40;
}
MUT(i_script)
{
    memcpy(b->eh.e_ident, "#!/bin", 6); /* a shell script is no interpreter */
}
MUT(i_dynamic)
{
    interp(b, "/lib/ld-other.so", 17);
}
MUT(i_phnum_zero)
{
    b->eh.e_phnum = 0;
}
MUT(i_exec_kernel_half)
{
    b->eh.e_type = ELF_ET_EXEC; /* linked where no user program may be */
    shift_all(b, 0xffffffff80000000ULL);
}
MUT(p_self)
{
    interp(b, "/bin/prog", 10); /* resolved like any other: here the source finds the pair's
                                   interpreter under any name, see the pair loader */
}

const struct eb_pair_case eb_pair_cases[] = {
    {"interp-empty-file", NULL, i_empty, -ELIBBAD,
     "interpreter " EB_INTERP_PATH ": truncated file: the ELF header is cut short"},
    {"interp-truncated", NULL, i_truncated, -ELIBBAD, "truncated file"},
    {"interp-not-elf", NULL, i_script, -ELIBBAD,
     "interpreter " EB_INTERP_PATH ": not an ELF file (bad magic)"},
    {"interp-32-bit", NULL, m_class32, -ELIBBAD, "not a 64-bit ELF file"},
    {"interp-big-endian", NULL, m_big_endian, -ELIBBAD, "little-endian"},
    {"interp-aarch64", NULL, m_aarch64, -ELIBBAD, "not an x86-64 program (machine 183)"},
    {"interp-relocatable", NULL, m_rel, -ELIBBAD, "not an executable (ELF type 1)"},
    {"interp-core", NULL, m_core, -ELIBBAD, "ELF type 4"},
    {"interp-is-dynamic", NULL, i_dynamic, -ELIBBAD,
     "interpreter " EB_INTERP_PATH ": is itself dynamic"},
    {"interp-phnum-zero", NULL, i_phnum_zero, -ENOEXEC, "no program headers"},
    {"interp-phdrs-outside", NULL, m_phoff_eof, -ENOEXEC, "program headers lie outside"},
    {"interp-segment-past-eof", NULL, m_seg_off_eof, -ENOEXEC, "segment 2 lies outside"},
    {"interp-not-congruent", NULL, m_not_congruent, -EINVAL, "not page congruent"},
    {"interp-wx", NULL, m_wx, -ENOEXEC,
     "interpreter " EB_INTERP_PATH ": segment 2 is writable and executable"},
    {"interp-overlap", NULL, m_overlap, -ENOEXEC, "overlaps"},
    {"interp-entry-outside", NULL, m_entry_outside, -ENOEXEC, ": entry point"},
    {"interp-no-load", NULL, m_no_load, -ENOEXEC, "no loadable segment"},
    {"interp-span-huge", NULL, m_pie_span_huge, -ENOMEM, "image spans"},
    {"interp-exec-kernel-half", NULL, i_exec_kernel_half, -ENOEXEC, "kernel half"},
    {"prog-wx", m_wx, NULL, -ENOEXEC, "segment 2 is writable and executable"},
    {"prog-bad-interp-path", m_interp_eof, NULL, -ENOEXEC, "malformed PT_INTERP"},
    {"prog-names-itself", p_self, i_dynamic, -ELIBBAD, "interpreter /bin/prog: is itself"},
};
const size_t eb_npair_cases = sizeof(eb_pair_cases) / sizeof(eb_pair_cases[0]);
