/*
 * test_elf.c - the ELF loader on generated images: a static ET_EXEC and a static PIE load
 * with the right areas, contents, bss and auxv facts; every malformed case of the table
 * (elf_build.c) is refused with its errno and message and leaves the space untouched. Dynamic
 * programs: the program and its interpreter both load, the interpreter at its own base below
 * the mmap base, the start at its entry; every pair case is refused and leaves nothing.
 */
#include "../mm/mt.h"
#include "elf_build.h"

#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include <stdio.h>
#include "hal/hal_errno.h"

static struct eb b;
static uint8_t img[EB_MAX_FILE], back[0x6000];
static struct elf_info info;
static char msg[ELF_MSG_SIZE];
static struct vm_area q;

/* The interpreter source of these tests: serves ib's image (any path) when ib_present, else
 * -ENOENT; ib_err forces an error. Paths asked for are recorded in asked. */
static struct eb ib;
static bool ib_present;
static int ib_err;
static char asked[64];
static uint8_t iimg[EB_MAX_FILE];

static int test_open(void *arg, const char *path, struct vm_file *out)
{
    (void)arg;
    snprintf(asked, sizeof(asked), "%s", path);
    if (ib_err)
        return ib_err;
    if (!ib_present)
        return -ENOENT;
    return vm_file_mem_create(iimg, eb_write(&ib, iimg), out);
}

static const struct elf_interp_src test_src = {test_open, NULL};

/* Load b (and ib, when present) into mt_space; returns elf_load_exec's result. */
static int load_b(void)
{
    struct vm_file f;
    size_t n = eb_write(&b, img);
    int rc;

    if (vm_file_mem_create(img, n, &f))
        return -12345;
    rc = elf_load_exec(mt_space, &f, &test_src, &info, msg, sizeof(msg));
    vm_file_put(&f);
    return rc;
}

/* The image's memory must read exactly as the file says: each segment's file bytes (from
 * the start of its first page), zeros after p_filesz (the nonzero filler must never show). */
static void check_range(uint64_t from, uint64_t file_end, uint64_t to)
{
    MT_CHECK(memcmp(back + from, img + from, file_end - from) == 0);
    for (uint64_t i = file_end; i < to; i++)
        MT_EQ(back[i], 0);
}

static void check_contents(uint64_t base)
{
    MT_EQ(copy_from_user(back, uptr_make(base), 0x5000), 0);
    check_range(0, 64 + EB_NPH * 56, 0x1000);
    check_range(0x1000, EB_TEXT_OFF + EB_TEXT_SIZE, 0x2000);
    check_range(0x2000, EB_DATA_OFF + EB_DATA_FILESZ, 0x5000);
}

MT_CASE(static_exec_loads)
{
    struct vm_space *s = mt_space;

    eb_good(&b, ELF_ET_EXEC);
    MT_EQ(load_b(), 0);
    MT_EQ(msg[0], 0);
    MT_EQ(info.entry, EB_EXEC_BASE + EB_ENTRY_OFF);
    MT_EQ(info.load_bias, 0);
    MT_EQ(info.pie, 0);
    MT_EQ(info.phdr, EB_EXEC_BASE + 64);
    MT_EQ(info.phent, 56);
    MT_EQ(info.phnum, EB_NPH);
    MT_EQ(info.image_start, EB_EXEC_BASE);
    MT_EQ(info.image_end, EB_EXEC_BASE + 0x5000);
    MT_CHECK(info.brk_start >= info.image_end && info.brk_start % PG == 0);
    MT_CHECK(info.brk_start - info.image_end < (32ULL << 20));
    MT_EQ(s->brk_start, info.brk_start);
    MT_EQ(vm_brk(s, 0), info.brk_start);
    MT_EQ(vm_area_count(s), 4);
    MT_EQ(s->nr_pages, 0); /* nothing read before first touch */
    MT_EQ(vm_area_query(s, info.entry, &q), 0);
    MT_EQ(q.kind, VM_FILE);
    MT_EQ(q.prot, VM_PROT_READ | VM_PROT_EXEC);
    MT_EQ(q.start, EB_EXEC_BASE + 0x1000);
    MT_EQ(q.end, EB_EXEC_BASE + 0x2000);
    MT_EQ(vm_area_query(s, EB_EXEC_BASE + 0x4fff, &q), 0);
    MT_EQ(q.prot, VM_PROT_READ | VM_PROT_WRITE);
    MT_EQ(q.start, EB_EXEC_BASE + 0x2000);
    MT_EQ(vm_area_query(s, EB_EXEC_BASE, &q), 0);
    MT_EQ(q.prot, VM_PROT_READ);
    check_contents(EB_EXEC_BASE);
    /* program headers readable where AT_PHDR says */
    struct elf64_phdr ph[EB_NPH];
    MT_EQ(copy_from_user(ph, uptr_make(info.phdr), sizeof(ph)), 0);
    MT_CHECK(memcmp(ph, b.ph, sizeof(ph)) == 0);
    /* text is not writable; data and bss are */
    MT_EQ(copy_to_user(uptr_make(info.entry), "x", 1), -EFAULT);
    MT_EQ(copy_to_user(uptr_make(EB_EXEC_BASE + 0x4000), "x", 1), 0);
}

MT_CASE(loads_from_a_vfs_file)
{
    struct vfs_file *f;
    struct vm_file vf;
    size_t n;

    eb_good(&b, ELF_ET_DYN);
    n = eb_write(&b, img);
    f = mt_file("/prog", img, n, VFS_O_RDONLY);
    MT_CHECK(f);
    vf = vm_file_from_vfs(f);
    MT_EQ(elf_load(mt_space, &vf, &info, msg, sizeof(msg)), 0);
    vfs_file_put(f); /* the segments keep the file open; pages are read on first touch */
    MT_EQ(mt_space->nr_pages, 0);
    check_contents(info.image_start);
    MT_EQ(mt_space->nr_pages, 5);
}

MT_CASE(static_pie_loads_at_random_aligned_base)
{
    struct vm_space *s = mt_space;
    uint64_t span = s->va_max - s->va_min, lo = s->va_min + span / 8;

    eb_good(&b, ELF_ET_DYN);
    MT_EQ(load_b(), 0);
    MT_EQ(info.pie, 1);
    MT_EQ(info.load_bias % PG, 0);
    MT_CHECK(info.load_bias >= lo && info.load_bias < lo + span / 16);
    MT_EQ(info.entry, info.load_bias + EB_ENTRY_OFF);
    MT_EQ(info.phdr, info.load_bias + 64);
    MT_EQ(info.image_start, info.load_bias);
    check_contents(info.image_start);
}

MT_CASE(pie_honours_large_alignment)
{
    eb_good(&b, ELF_ET_DYN);
    for (unsigned i = 0; i < b.nph; i++)
        if (b.ph[i].p_type == ELF_PT_LOAD)
            b.ph[i].p_align = 0x200000;
    MT_EQ(load_b(), 0);
    MT_EQ(info.load_bias % 0x200000, 0);
    /* a PIE whose first segment is not at 0 still starts on the base */
    eb_good(&b, ELF_ET_DYN);
    struct vm_space *t;
    MT_EQ(vm_space_create(&t), 0);
    vm_space_destroy(mt_space);
    mt_space = t;
    vm_activate(t);
    for (unsigned i = 0; i < b.nph; i++)
        if (b.ph[i].p_type != ELF_PT_GNU_STACK)
            b.ph[i].p_vaddr += 0x10000;
    b.eh.e_entry += 0x10000;
    MT_EQ(load_b(), 0);
    MT_EQ(info.image_start % PG, 0);
    MT_EQ(info.image_start, info.load_bias + 0x10000);
}

MT_CASE(phdr_address_without_pt_phdr)
{
    eb_good(&b, ELF_ET_EXEC);
    b.ph[EB_PH_PHDR].p_type = 0; /* PT_NULL: found through the segment holding e_phoff */
    MT_EQ(load_b(), 0);
    MT_EQ(info.phdr, EB_EXEC_BASE + 64);
    vm_space_destroy(mt_space);
    MT_EQ(vm_space_create(&mt_space), 0);
    vm_activate(mt_space);
    b.ph[EB_PH_HDRS].p_filesz = b.ph[EB_PH_HDRS].p_memsz = 64; /* headers not loaded */
    MT_EQ(load_b(), 0);
    MT_EQ(info.phdr, 0);
}

MT_CASE(anonymous_only_segment)
{
    eb_good(&b, ELF_ET_EXEC);
    b.ph[EB_PH_DATA].p_filesz = 0;
    MT_EQ(load_b(), 0);
    MT_EQ(vm_area_query(mt_space, EB_EXEC_BASE + 0x2000, &q), 0);
    MT_EQ(q.kind, VM_ANON);
    MT_EQ(copy_from_user(back, uptr_make(EB_EXEC_BASE + 0x2000), 0x3000), 0);
    for (size_t i = 0; i < 0x3000; i++)
        MT_EQ(back[i], 0);
}

MT_CASE(collision_is_undone)
{
    struct vm_space *s = mt_space;
    uint64_t a;

    MT_EQ(vm_mmap(s, EB_EXEC_BASE + 0x3000, PG, VM_PROT_READ,
                  VM_MAP_PRIVATE | VM_MAP_ANONYMOUS | VM_MAP_FIXED, NULL, 0, &a),
          0);
    eb_good(&b, ELF_ET_EXEC);
    MT_EQ(load_b(), -ENOMEM);
    MT_CHECK(strstr(msg, "no room"));
    MT_EQ(vm_area_count(s), 2); /* the first two segments were unmapped again */
    MT_EQ(vm_area_query(s, EB_EXEC_BASE, &q), -ENOENT);
    /* into the stack: same refusal */
    vm_munmap(s, EB_EXEC_BASE + 0x3000, PG);
    eb_good(&b, ELF_ET_EXEC);
    for (unsigned i = 0; i < b.nph; i++)
        if (b.ph[i].p_type != ELF_PT_GNU_STACK)
            b.ph[i].p_vaddr += s->stack_top - 0x3000 - EB_EXEC_BASE;
    b.eh.e_entry += s->stack_top - 0x3000 - EB_EXEC_BASE;
    MT_EQ(load_b(), -ENOMEM);
    MT_EQ(vm_area_count(s), 1);
}

/* Sources that fail. */
static int64_t size_fails(void *o)
{
    return -EIO;
}
static int64_t size_ok(void *o)
{
    return EB_FILE_SIZE;
}
static long read_fails(void *o, uint64_t off, void *buf, size_t n)
{
    return -EIO;
}
static void ref_nop(void *o) {}

MT_CASE(source_errors_pass_through)
{
    const struct vm_file_ops o1 = {.read = read_fails, .size = size_fails, .get = ref_nop, .put = ref_nop};
    const struct vm_file_ops o2 = {.read = read_fails, .size = size_ok, .get = ref_nop, .put = ref_nop};
    struct vm_file f = {&o1, NULL};

    MT_EQ(elf_load(mt_space, &f, &info, msg, sizeof(msg)), -EIO);
    MT_CHECK(strstr(msg, "cannot size"));
    f.ops = &o2;
    MT_EQ(elf_load(mt_space, &f, &info, msg, sizeof(msg)), -EIO);
    MT_CHECK(strstr(msg, "cannot read the ELF header"));
    MT_EQ(elf_load(mt_space, &f, &info, NULL, 0), -EIO);
    MT_EQ(vm_area_count(mt_space), 1);
}

MT_CASE(malformed_table)
{
    struct vm_space *s = mt_space;

    MT_CHECK(eb_ncases >= 30);
    for (size_t i = 0; i < eb_ncases; i++) {
        const struct eb_case *c = &eb_cases[i];
        int rc;

        eb_good(&b, c->type);
        c->mutate(&b);
        rc = load_b();
        if (rc != c->err || !strstr(msg, c->msg)) {
            kprintf("case %s: rc %d (want %d), msg \"%s\" (want \"%s\")\n", c->name, rc, c->err,
                    msg, c->msg);
            MT_EQ(rc, c->err);
            MT_CHECK(strstr(msg, c->msg));
        }
        MT_EQ(vm_area_count(s), 1); /* nothing mapped */
        MT_EQ(s->brk_start, 0);
    }
}

/* A PIE and its interpreter: two images, the start at the interpreter's entry. */
MT_CASE(dynamic_pie_loads_with_interpreter)
{
    struct vm_space *s = mt_space;
    uint64_t mmap_base = s->mmap_base;

    eb_dynamic(&b, ELF_ET_DYN);
    eb_good(&ib, ELF_ET_DYN);
    ib_present = true;
    MT_EQ(load_b(), 0);
    MT_EQ(msg[0], 0);
    MT_CHECK(strcmp(asked, EB_INTERP_PATH) == 0);
    MT_EQ(info.pie, 1);
    MT_EQ(info.entry, info.load_bias + EB_ENTRY_OFF);
    MT_EQ(info.phdr, info.load_bias + 64);
    MT_EQ(info.phnum, EB_NPH);
    MT_CHECK(info.interp_base != 0 && info.interp_base % PG == 0);
    MT_EQ(info.start, info.interp_base + EB_ENTRY_OFF);
    MT_EQ(info.interp_start, info.interp_base);
    MT_EQ(info.interp_end, info.interp_base + 0x5000);
    MT_EQ(info.interp_end, mmap_base); /* the highest gap below the mmap base, as mmap */
    MT_EQ(s->brk_start, info.brk_start);
    MT_CHECK(info.brk_start >= info.image_end && info.brk_start < info.interp_start);
    MT_EQ(vm_area_count(s), 1 + 3 + 3);
    check_contents(info.image_start);
    memcpy(img, iimg, sizeof(img)); /* the interpreter's file, for check_contents */
    check_contents(info.interp_start);
    MT_EQ(vm_area_query(s, info.start, &q), 0);
    MT_EQ(q.prot, VM_PROT_READ | VM_PROT_EXEC);
    ib_present = false;
}

/* A classic ET_EXEC program with a PIE interpreter; an ET_EXEC interpreter loads where it is
 * linked (AT_BASE 0, as Linux's load_addr for a non-ET_DYN interpreter). */
MT_CASE(dynamic_exec_and_exec_interpreter)
{
    eb_dynamic(&b, ELF_ET_EXEC);
    eb_good(&ib, ELF_ET_DYN);
    ib_present = true;
    MT_EQ(load_b(), 0);
    MT_EQ(info.load_bias, 0);
    MT_EQ(info.entry, EB_EXEC_BASE + EB_ENTRY_OFF);
    MT_CHECK(info.interp_base > EB_EXEC_BASE);
    vm_space_destroy(mt_space);
    MT_EQ(vm_space_create(&mt_space), 0);
    vm_activate(mt_space);
    eb_good(&ib, ELF_ET_EXEC);
    for (unsigned i = 0; i < ib.nph; i++)
        if (ib.ph[i].p_type != ELF_PT_GNU_STACK)
            ib.ph[i].p_vaddr += 0x100000;
    ib.eh.e_entry += 0x100000;
    MT_EQ(load_b(), 0);
    MT_EQ(info.interp_base, 0);
    MT_EQ(info.start, EB_EXEC_BASE + 0x100000 + EB_ENTRY_OFF);
    MT_EQ(info.interp_start, EB_EXEC_BASE + 0x100000);
    MT_EQ(vm_area_count(mt_space), 7);
    ib_present = false;
}

/* An interpreter that cannot be mapped undoes the program too. */
MT_CASE(interpreter_collision_is_undone)
{
    eb_dynamic(&b, ELF_ET_EXEC);
    eb_good(&ib, ELF_ET_EXEC); /* linked at the program's own addresses */
    ib_present = true;
    MT_EQ(load_b(), -ENOMEM);
    MT_CHECK(strstr(msg, "interpreter " EB_INTERP_PATH ": no room for the segment"));
    MT_EQ(vm_area_count(mt_space), 1);
    MT_EQ(mt_space->brk_start, 0);
    ib_present = false;
}

MT_CASE(interpreter_open_errors)
{
    eb_dynamic(&b, ELF_ET_DYN);
    ib_err = -EACCES;
    MT_EQ(load_b(), -EACCES);
    MT_CHECK(strstr(msg, "cannot open the interpreter " EB_INTERP_PATH ": error 13"));
    ib_err = 0;
    MT_EQ(load_b(), -ENOENT);
    MT_CHECK(strcmp(msg, "interpreter " EB_INTERP_PATH " not found") == 0);
    /* without a source a dynamic program cannot load at all */
    struct vm_file f;
    MT_EQ(vm_file_mem_create(img, eb_write(&b, img), &f), 0);
    MT_EQ(elf_load(mt_space, &f, &info, msg, sizeof(msg)), -ENOEXEC);
    vm_file_put(&f);
    MT_CHECK(strstr(msg, "dynamic executable (interpreter " EB_INTERP_PATH ")"));
    MT_EQ(vm_area_count(mt_space), 1);
}

MT_CASE(pair_table)
{
    struct vm_space *s = mt_space;

    MT_CHECK(eb_npair_cases >= 15);
    for (size_t i = 0; i < eb_npair_cases; i++) {
        const struct eb_pair_case *c = &eb_pair_cases[i];
        int rc;

        eb_dynamic(&b, ELF_ET_DYN);
        if (c->prog)
            c->prog(&b);
        eb_good(&ib, ELF_ET_DYN);
        if (c->interp)
            c->interp(&ib);
        ib_present = true;
        rc = load_b();
        if (rc != c->err || !strstr(msg, c->msg)) {
            kprintf("pair case %s: rc %d (want %d), msg \"%s\" (want \"%s\")\n", c->name, rc,
                    c->err, msg, c->msg);
            MT_EQ(rc, c->err);
            MT_CHECK(strstr(msg, c->msg));
        }
        MT_EQ(vm_area_count(s), 1);
        MT_EQ(s->brk_start, 0);
    }
    ib_present = false;
}

/* The kernel's source: a regular file through the VFS; a directory is EACCES, as Linux. */
MT_CASE(vfs_interpreter_source)
{
    struct vm_file vf;
    size_t n;

    eb_good(&ib, ELF_ET_DYN);
    n = eb_write(&ib, iimg);
    struct vfs_file *f = mt_file("/ld.so", iimg, n, VFS_O_RDONLY);
    MT_CHECK(f);
    vfs_file_put(f);
    MT_EQ(vfs_mkdirat(NULL, "/lib", 0755), 0);
    MT_EQ(elf_open_vfs(NULL, "/lib", &vf), -EACCES);
    MT_EQ(elf_open_vfs(NULL, "/nope", &vf), -ENOENT);
    MT_EQ(elf_open_vfs(NULL, "/ld.so", &vf), 0);
    MT_EQ(vm_file_size(&vf), (long long)n);
    vm_file_put(&vf);
    /* a whole load through it */
    const struct elf_interp_src vsrc = {elf_open_vfs, NULL};
    struct vm_file pf;
    eb_dynamic(&b, ELF_ET_DYN);
    b.extra_len = sizeof("/ld.so");
    memcpy(b.extra, "/ld.so", b.extra_len);
    b.ph[EB_PH_STACK].p_filesz = b.ph[EB_PH_STACK].p_memsz = b.extra_len;
    MT_EQ(vm_file_mem_create(img, eb_write(&b, img), &pf), 0);
    MT_EQ(elf_load_exec(mt_space, &pf, &vsrc, &info, msg, sizeof(msg)), 0);
    vm_file_put(&pf);
    MT_EQ(info.start, info.interp_base + EB_ENTRY_OFF);
    memcpy(img, iimg, sizeof(img));
    check_contents(info.interp_start);
}

MT_CASE(short_message_buffer)
{
    struct vm_file f;
    char tiny[8];

    eb_good(&b, ELF_ET_EXEC);
    b.eh.e_machine = 40;
    MT_EQ(vm_file_mem_create(img, eb_write(&b, img), &f), 0);
    MT_EQ(elf_load(mt_space, &f, &info, tiny, sizeof(tiny)), -ENOEXEC);
    MT_EQ(strlen(tiny), 7);
    MT_CHECK(memcmp(tiny, "not an ", 7) == 0);
    vm_file_put(&f);
}

/* The PIE base comes from the seeded entropy: two boots with the same seed agree. */
static uint64_t seen_bias[2], seen_top[2];
static int boot_no;

static void record_bias_body(void)
{
    eb_good(&b, ELF_ET_DYN);
    MT_EQ(load_b(), 0);
    seen_bias[boot_no] = info.load_bias;
    seen_top[boot_no] = mt_space->stack_top;
}

static void pie_base_is_deterministic_per_seed(void **state)
{
    (void)state;
    for (boot_no = 0; boot_no < 2; boot_no++)
        mt_run(record_bias_body, 0);
    assert_true(seen_bias[0] != 0);
    assert_int_equal(seen_bias[0], seen_bias[1]);
    assert_int_equal(seen_top[0], seen_top[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(static_exec_loads),
        cmocka_unit_test(loads_from_a_vfs_file),
        cmocka_unit_test(static_pie_loads_at_random_aligned_base),
        cmocka_unit_test(pie_honours_large_alignment),
        cmocka_unit_test(phdr_address_without_pt_phdr),
        cmocka_unit_test(anonymous_only_segment),
        cmocka_unit_test(collision_is_undone),
        cmocka_unit_test(source_errors_pass_through),
        cmocka_unit_test(malformed_table),
        cmocka_unit_test(dynamic_pie_loads_with_interpreter),
        cmocka_unit_test(dynamic_exec_and_exec_interpreter),
        cmocka_unit_test(interpreter_collision_is_undone),
        cmocka_unit_test(interpreter_open_errors),
        cmocka_unit_test(pair_table),
        cmocka_unit_test(vfs_interpreter_source),
        cmocka_unit_test(short_message_buffer),
        cmocka_unit_test(pie_base_is_deterministic_per_seed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
