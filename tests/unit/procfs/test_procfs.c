/*
 * test_procfs.c - /proc against the kernel's own state: a process is created with a known
 * configuration and attached, its initial stack built, and /proc mounted on a memfs root.
 * Each file is read through the VFS and compared with what the kernel holds: the symlinks
 * (self, exe), cmdline and environ (NUL-separated), auxv (the words on the stack up to
 * AT_NULL), maps (every area in order, Linux's columns, [stack] and [heap] names at column
 * 74), meminfo (the page allocator's counts), uptime (the virtual clock), cpuinfo (the flags
 * of AT_HWCAP), the directory listing, read-only refusals, ENOENT; and /dev/full.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../mm/mt.h"

#include "core/lib/alloc.h"
#include "core/proc/proc.h"
#include "core/proc/procinfo.h"
#include "core/proc/stack.h"
#include "fs/vfs/memfs.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

static char buf[16384];
static struct proc *p;

/* Read the whole file at path into buf (NUL-terminated); its length, or -errno. */
static long slurp(const char *path)
{
    struct vfs_file *f;
    long n, total = 0;
    int rc = vfs_openat(NULL, path, VFS_O_RDONLY, 0, &f);

    if (rc)
        return rc;
    while ((n = vfs_read(f, buf + total, 7)) > 0) /* small reads: offsets must work */
        total += n;
    vfs_file_put(f);
    buf[total] = '\0';
    return n < 0 ? n : total;
}

static int setup(void)
{
    static char *argv[] = {"prog", "a b", ""};
    static char *envp[] = {"HOME=/", "X=1"};
    struct proc_config c = {0};
    struct elf_info info = {0};
    struct stack_layout lay;
    const char *const *sa = (const char *const *)argv;
    const char *const *se = (const char *const *)envp;

    c.program = "/bin/prog";
    c.argv = argv;
    c.argc = 3;
    c.envp = envp;
    c.envc = 2;
    if (proc_create(&c, &p))
        return -1;
    proc_attach(p, NULL);
    info.entry = info.start = 0x200010001000ULL;
    info.phent = 56;
    struct stack_args a = {sa, 3, se, 2, "/bin/prog", &info, 0x11, 0, 2048, 0};
    if (stack_build(p->vm, &a, &lay))
        return -1;
    p->auxv_addr = lay.auxv;
    procinfo_set_hwcap(0x11); /* fpu, tsc */
    if (vfs_mkdirat(NULL, "/proc", 0555) || procfs_mount(NULL, "/proc", procinfo_root))
        return -1;
    return 0;
}

static void teardown(void)
{
    proc_detach(NULL);
    proc_destroy(p);
    p = NULL;
}

MT_CASE(links_cmdline_environ)
{
    MT_EQ(setup(), 0);
    MT_EQ(vfs_readlinkat(NULL, "/proc/self", buf, sizeof(buf)), 1);
    MT_EQ(buf[0], '1');
    MT_EQ(vfs_readlinkat(NULL, "/proc/self/exe", buf, sizeof(buf)), 9);
    MT_CHECK(memcmp(buf, "/bin/prog", 9) == 0);
    MT_EQ(slurp("/proc/self/cmdline"), 10);
    MT_CHECK(memcmp(buf, "prog\0a b\0\0", 10) == 0);
    MT_EQ(slurp("/proc/1/environ"), 11);
    MT_CHECK(memcmp(buf, "HOME=/\0X=1\0", 11) == 0);
    struct vfs_stat st;
    MT_EQ(vfs_statat(NULL, "/proc/self/maps", 0, &st), 0);
    MT_EQ(st.st_mode, VFS_S_IFREG | 0444);
    MT_EQ(st.st_size, 0); /* as Linux */
    MT_EQ(vfs_statat(NULL, "/proc/1", 0, &st), 0);
    MT_EQ(st.st_mode, VFS_S_IFDIR | 0555);
    MT_EQ(slurp("/proc/1/nothing"), -ENOENT);
    struct vfs_file *f;
    MT_CHECK(vfs_openat(NULL, "/proc/meminfo", VFS_O_WRONLY, 0, &f) < 0);
    MT_CHECK(vfs_openat(NULL, "/proc/new", VFS_O_WRONLY | VFS_O_CREAT, 0644, &f) < 0);
    teardown();
}

MT_CASE(auxv_is_the_stack_s)
{
    uint64_t words[2 * STACK_AUXV_PAIRS];
    long n;

    MT_EQ(setup(), 0);
    n = slurp("/proc/self/auxv");
    MT_CHECK(n > 16 && n % 16 == 0);
    MT_EQ(copy_from_user(words, uptr_make(p->auxv_addr), (size_t)n), 0);
    MT_CHECK(memcmp(words, buf, (size_t)n) == 0);
    memcpy(words, buf, (size_t)n);
    MT_EQ(words[0], AT_MINSIGSTKSZ);
    MT_EQ(words[1], 2048);
    MT_EQ(words[n / 8 - 2], AT_NULL);
    teardown();
}

/* Every area in order, with Linux's columns; the stack and heap named at column 74. */
MT_CASE(maps_lists_every_area)
{
    struct vm_area a;
    char want[160];
    uint64_t at, m;
    char *line;
    size_t areas = 0;

    MT_EQ(setup(), 0);
    MT_EQ(vm_mmap(p->vm, 0, 3 * PG, VM_PROT_READ | VM_PROT_WRITE, VM_MAP_PRIVATE | VM_MAP_ANONYMOUS,
                  NULL, 0, &m),
          0);
    vm_brk_init(p->vm, 0x200020000000ULL);
    MT_EQ(vm_brk(p->vm, 0x200020002000ULL), 0x200020002000ULL);
    MT_CHECK(slurp("/proc/self/maps") > 0);
    line = buf;
    for (at = 0; vm_area_query_from(p->vm, at, &a) == 0; at = a.end, areas++) {
        char *nl = strchr(line, '\n');
        const char *name = a.kind == VM_STACK             ? "[stack]"
                           : a.start == 0x200020000000ULL ? "[heap]"
                                                          : "";

        MT_CHECK(nl);
        *nl = '\0';
        snprintf(want, sizeof(want), "%08llx-%08llx %c%c%cp 00000000 00:00 0",
                 (unsigned long long)a.start, (unsigned long long)a.end,
                 (a.prot & VM_PROT_READ) ? 'r' : '-', (a.prot & VM_PROT_WRITE) ? 'w' : '-',
                 (a.prot & VM_PROT_EXEC) ? 'x' : '-');
        if (name[0]) {
            MT_EQ(strlen(line), 73 + strlen(name));
            MT_CHECK(strcmp(line + 73, name) == 0);
            line[strlen(want)] = '\0';
        }
        if (strcmp(line, want) != 0) {
            printf("maps line \"%s\", want \"%s\"\n", line, want);
            MT_CHECK(0);
        }
        line = nl + 1;
    }
    MT_EQ(*line, '\0');
    MT_EQ(areas, vm_area_count(p->vm));
    MT_CHECK(areas >= 4); /* stack, guard, the mapping, the heap */
    teardown();
}

MT_CASE(machine_files)
{
    struct page_stats ps;
    unsigned long long total = 0, up = 0, upc = 0;

    MT_EQ(setup(), 0);
    MT_CHECK(slurp("/proc/meminfo") > 0);
    page_get_stats(&ps);
    MT_EQ(sscanf(buf, "MemTotal: %llu kB", &total), 1);
    MT_EQ(total, ps.total_pages * 4);
    MT_CHECK(strstr(buf, "\nMemFree:") && strstr(buf, "\nMemAvailable:"));
    MT_CHECK(slurp("/proc/uptime") > 0);
    MT_EQ(sscanf(buf, "%llu.%llu 0.00\n", &up, &upc), 2);
    MT_EQ(up * 100 + upc, hal_clock_ns() / 10000000u);
    MT_CHECK(slurp("/proc/cpuinfo") > 0);
    MT_CHECK(strncmp(buf, "processor\t: 0\n", 14) == 0);
    MT_CHECK(strstr(buf, "flags\t\t: fpu tsc\n"));
    /* the listing */
    struct vfs_file *d;
    long n;
    MT_EQ(vfs_openat(NULL, "/proc", VFS_O_RDONLY | VFS_O_DIRECTORY, 0, &d), 0);
    n = vfs_getdents(d, buf, sizeof(buf));
    vfs_file_put(d);
    MT_CHECK(n > 0);
    const char *want[] = {".", "..", "self", "1", "cpuinfo", "meminfo", "uptime"};
    long off = 0;
    for (size_t i = 0; i < 7; i++) {
        struct vfs_dirent64 *e = (struct vfs_dirent64 *)(buf + off);
        MT_CHECK(off < n);
        MT_CHECK(strcmp(e->d_name, want[i]) == 0);
        off += e->d_reclen;
    }
    MT_EQ(off, n);
    teardown();
}

MT_CASE(dev_full)
{
    struct vfs_file *f;
    char b[16];

    MT_EQ(vfs_mkdirat(NULL, "/dev", 0755), 0);
    MT_EQ(memfs_mount(NULL, "/dev", NULL, NULL), 0);
    MT_EQ(vfs_devices_register(), 0);
    MT_EQ(vfs_devices_populate(NULL, "/dev"), 0);
    MT_EQ(vfs_openat(NULL, "/dev/full", VFS_O_RDWR, 0, &f), 0);
    MT_EQ(vfs_write(f, "x", 1), -ENOSPC);
    memset(b, 'x', sizeof(b));
    MT_EQ(vfs_read(f, b, sizeof(b)), 16);
    for (int i = 0; i < 16; i++)
        MT_EQ(b[i], 0);
    vfs_file_put(f);
    struct vfs_stat st;
    MT_EQ(vfs_statat(NULL, "/dev/full", 0, &st), 0);
    MT_EQ(st.st_rdev, 0x107);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(links_cmdline_environ),
        cmocka_unit_test(auxv_is_the_stack_s),
        cmocka_unit_test(maps_lists_every_area),
        cmocka_unit_test(machine_files),
        cmocka_unit_test(dev_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
