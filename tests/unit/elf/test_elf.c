/*
 * test_elf.c - the ELF loader on generated images: a static ET_EXEC and a static PIE load
 * with the right areas, contents, bss and auxv facts; every malformed case of the table
 * (elf_build.c) is refused with its errno and message and leaves the space untouched.
 */
#include "../mm/mt.h"
#include "elf_build.h"

#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "hal/hal_errno.h"

static struct eb b;
static uint8_t img[EB_MAX_FILE], back[0x6000];
static struct elf_info info;
static char msg[ELF_MSG_SIZE];
static struct vm_area q;

/* Load b into mt_space; returns elf_load's result. */
static int load_b(void)
{
    struct vm_file f;
    size_t n = eb_write(&b, img);
    int rc;

    if (vm_file_mem_create(img, n, &f))
        return -12345;
    rc = elf_load(mt_space, &f, &info, msg, sizeof(msg));
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
    MT_EQ(vm_area_count(s), 5);
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
    MT_EQ(vm_area_count(s), 3); /* the first two segments were unmapped again */
    MT_EQ(vm_area_query(s, EB_EXEC_BASE, &q), -ENOENT);
    /* into the stack: same refusal */
    vm_munmap(s, EB_EXEC_BASE + 0x3000, PG);
    eb_good(&b, ELF_ET_EXEC);
    for (unsigned i = 0; i < b.nph; i++)
        if (b.ph[i].p_type != ELF_PT_GNU_STACK)
            b.ph[i].p_vaddr += s->stack_top - 0x3000 - EB_EXEC_BASE;
    b.eh.e_entry += s->stack_top - 0x3000 - EB_EXEC_BASE;
    MT_EQ(load_b(), -ENOMEM);
    MT_EQ(vm_area_count(s), 2);
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
    const struct vm_file_ops o1 = {read_fails, size_fails, ref_nop, ref_nop};
    const struct vm_file_ops o2 = {read_fails, size_ok, ref_nop, ref_nop};
    struct vm_file f = {&o1, NULL};

    MT_EQ(elf_load(mt_space, &f, &info, msg, sizeof(msg)), -EIO);
    MT_CHECK(strstr(msg, "cannot size"));
    f.ops = &o2;
    MT_EQ(elf_load(mt_space, &f, &info, msg, sizeof(msg)), -EIO);
    MT_CHECK(strstr(msg, "cannot read the ELF header"));
    MT_EQ(elf_load(mt_space, &f, &info, NULL, 0), -EIO);
    MT_EQ(vm_area_count(mt_space), 2);
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
        MT_EQ(vm_area_count(s), 2); /* nothing mapped */
        MT_EQ(s->brk_start, 0);
    }
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
        cmocka_unit_test(short_message_buffer),
        cmocka_unit_test(pie_base_is_deterministic_per_seed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
