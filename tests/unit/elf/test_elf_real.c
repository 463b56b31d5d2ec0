/*
 * test_elf_real.c - the loader on real toolchain output (hello.c, built at build time):
 * glibc's static-pie loads and its memory matches the file segment by segment; musl-gcc's
 * static-pie and the dynamic PIEs of both libcs load with the host's own interpreter (read
 * from the host's filesystem by the test's interpreter source), both images matching their
 * files, and without an interpreter the refusal names it; a classic musl static binary at
 * 0x400000 is refused in hosted mode because it lies below the user arena (on x86 it loads).
 * A binary whose toolchain is missing is skipped.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../mm/mt.h"

#include "core/lib/kprintf.h"
#include "core/proc/elf.h"
#include "core/proc/stack.h"
#include "hal/hal_errno.h"

struct bin {
    uint8_t *data;
    size_t size;
};
static struct bin musl_static, musl_pie, glibc_pie, musl_dyn, glibc_dyn, interp_bin;
static struct elf_info info;
static char msg[ELF_MSG_SIZE];
static uint8_t page[4096];

static void read_path(const char *path, struct bin *b)
{
    FILE *f;
    long n;

    f = fopen(path, "rb");
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    b->data = malloc((size_t)n);
    if (b->data && fread(b->data, 1, (size_t)n, f) == (size_t)n)
        b->size = (size_t)n;
    fclose(f);
}

static void read_bin(const char *name, struct bin *b)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/%s", ELF_BIN_DIR, name);
    read_path(path, b);
}

/* The interpreter source: the host's file at the PT_INTERP path (kept in interp_bin). */
static bool host_interp_allowed;

static int host_open(void *arg, const char *path, struct vm_file *out)
{
    (void)arg;
    free(interp_bin.data);
    memset(&interp_bin, 0, sizeof(interp_bin));
    if (!host_interp_allowed)
        return -ENOENT;
    read_path(path, &interp_bin);
    if (!interp_bin.size)
        return -ENOENT;
    return vm_file_mem_create(interp_bin.data, interp_bin.size, out);
}

static int load_bin(const struct bin *b)
{
    struct vm_file f;
    int rc;

    if (vm_file_mem_create(b->data, b->size, &f))
        return -12345;
    static const struct elf_interp_src src = {host_open, NULL};

    rc = elf_load_exec(mt_space, &f, &src, &info, msg, sizeof(msg));
    vm_file_put(&f);
    return rc;
}

/* Memory of one PT_LOAD equals its file bytes, then zeros to p_memsz. */
static void check_segment(const struct bin *b, const struct elf64_phdr *p, uint64_t bias)
{
    for (uint64_t off = 0; off < p->p_memsz; off += sizeof(page)) {
        uint64_t n = p->p_memsz - off < sizeof(page) ? p->p_memsz - off : sizeof(page);

        MT_EQ(copy_from_user(page, uptr_make(bias + p->p_vaddr + off), n), 0);
        for (uint64_t i = 0; i < n; i++) {
            uint8_t want = off + i < p->p_filesz ? b->data[p->p_offset + off + i] : 0;
            if (page[i] != want)
                MT_EQ(page[i], want);
        }
    }
}

MT_CASE(glibc_static_pie_loads)
{
    const struct bin *b = &glibc_pie;
    const struct elf64_ehdr *eh = (const void *)b->data;
    const struct elf64_phdr *ph = (const void *)(b->data + eh->e_phoff);
    int loads = 0, tls = 0;

    MT_EQ(load_bin(b), 0);
    MT_EQ(info.pie, 1);
    MT_EQ(info.entry, info.load_bias + eh->e_entry);
    MT_EQ(info.phnum, eh->e_phnum);
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == ELF_PT_LOAD) {
            check_segment(b, &ph[i], info.load_bias);
            loads++;
        }
        tls += ph[i].p_type == ELF_PT_TLS;
    }
    MT_CHECK(loads >= 2);
    MT_EQ(tls, 1);
    /* AT_PHDR shows the file's program headers (the libc finds PT_TLS through it) */
    struct elf64_phdr mem[32];
    MT_CHECK(eh->e_phnum <= 32);
    MT_EQ(copy_from_user(mem, uptr_make(info.phdr), eh->e_phnum * sizeof(mem[0])), 0);
    MT_CHECK(memcmp(mem, ph, eh->e_phnum * sizeof(mem[0])) == 0);
    /* and a stack for it */
    const char *const argv[] = {"/hello", "x"};
    const char *const envp[] = {"LANG=C"};
    struct stack_args a = {argv, 2, envp, 1, "/hello", &info, 0, 0, 0, 0};
    struct stack_layout lay;
    uint64_t argc;
    MT_EQ(stack_build(mt_space, &a, &lay), 0);
    MT_EQ(copy_from_user(&argc, uptr_make(lay.sp), 8), 0);
    MT_EQ(argc, 2);
}

/* Every PT_LOAD of b (an ELF file) reads back at bias. */
static void check_image(const struct bin *b, uint64_t bias)
{
    const struct elf64_ehdr *eh = (const void *)b->data;
    const struct elf64_phdr *ph = (const void *)(b->data + eh->e_phoff);

    for (unsigned i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == ELF_PT_LOAD)
            check_segment(b, &ph[i], bias);
}

/* A dynamic program and the host's interpreter for it: both images as their files say, the
 * start at the interpreter's entry, AT_PHDR showing the program's headers. */
static void dynamic_loads(const struct bin *b)
{
    const struct elf64_ehdr *eh = (const void *)b->data;
    const struct elf64_ehdr *ih;

    host_interp_allowed = true;
    MT_EQ(load_bin(b), 0);
    MT_CHECK(interp_bin.size > 0);
    ih = (const void *)interp_bin.data;
    MT_EQ(ih->e_type, ELF_ET_DYN);
    MT_EQ(info.entry, info.load_bias + eh->e_entry);
    MT_EQ(info.start, info.interp_base + ih->e_entry);
    MT_CHECK(info.interp_start >= info.image_end);
    check_image(b, info.load_bias);
    check_image(&interp_bin, info.interp_base);
    struct elf64_phdr first;
    MT_EQ(copy_from_user(&first, uptr_make(info.phdr), sizeof(first)), 0);
    MT_CHECK(memcmp(&first, b->data + eh->e_phoff, sizeof(first)) == 0);
    host_interp_allowed = false;
}

MT_CASE(musl_static_pie_is_dynamic)
{
    MT_EQ(load_bin(&musl_pie), -ENOENT);
    MT_CHECK(strstr(msg, "interpreter /lib/ld-musl-x86_64.so.1 not found"));
    MT_EQ(vm_area_count(mt_space), 1);
    dynamic_loads(&musl_pie);
}

MT_CASE(musl_dynamic_loads)
{
    dynamic_loads(&musl_dyn);
}

MT_CASE(glibc_dynamic_loads)
{
    dynamic_loads(&glibc_dyn);
}

MT_CASE(musl_static_below_hosted_arena)
{
    const struct elf64_ehdr *eh = (const void *)musl_static.data;

    MT_EQ(eh->e_type, ELF_ET_EXEC);
    MT_EQ(load_bin(&musl_static), -ENOEXEC);
    MT_CHECK(strstr(msg, "segment at 0x400000 is outside the user range"));
}

static void run_if(void (*t)(void **), const struct bin *b, void **state)
{
    if (!b->size) {
        print_message("binary not built (toolchain missing): skipped\n");
        skip();
    }
    t(state);
}

static void t_glibc(void **s)
{
    run_if(glibc_static_pie_loads, &glibc_pie, s);
}
static void t_musl_pie(void **s)
{
    run_if(musl_static_pie_is_dynamic, &musl_pie, s);
}
static void t_musl_dyn(void **s)
{
    run_if(musl_dynamic_loads, &musl_dyn, s);
}
static void t_glibc_dyn(void **s)
{
    run_if(glibc_dynamic_loads, &glibc_dyn, s);
}
static void t_musl_static(void **s)
{
    run_if(musl_static_below_hosted_arena, &musl_static, s);
}

int main(void)
{
    read_bin("musl-static", &musl_static);
    read_bin("musl-static-pie", &musl_pie);
    read_bin("glibc-static-pie", &glibc_pie);
    read_bin("musl-dynamic", &musl_dyn);
    read_bin("glibc-dynamic", &glibc_dyn);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_glibc),       cmocka_unit_test(t_musl_pie),
        cmocka_unit_test(t_musl_dyn),    cmocka_unit_test(t_glibc_dyn),
        cmocka_unit_test(t_musl_static),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
