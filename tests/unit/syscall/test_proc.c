/*
 * test_proc.c - the process: configuration from a manifest, creation, proc_start with real
 * static binaries (initial frame and stack), exit and exit_group ending the machine with the
 * status, user faults (demand paging, 128 + signal, the `fault` report), and the configured-
 * program path from a TFS image on block device 0.
 */
#include <stdio.h>
#include <stdlib.h>

#include "st.h"

#include "core/config/config.h"
#include "core/lib/kprintf.h"
#include "core/mm/uaccess.h"
#include "core/proc/elf.h"
#include "core/proc/stack.h"
#include "fs/file/file.h"
#include "fs/tfs/tfs.h"
#include "fs/vfs/memfs.h"
#include "hal_hosted/hosted.h"

#define P(off) (st_buf + (off))

struct bin {
    uint8_t *data;
    size_t size;
};
static struct bin glibc_pie, musl_static;

static void read_bin(const char *name, struct bin *b)
{
    char path[512];
    FILE *f;
    long n;

    snprintf(path, sizeof(path), "%s/%s", SYS_BIN_DIR, name);
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

static struct config_value *parse(const char *text)
{
    struct config_value *v = NULL;

    config_parse(text, strlen(text), &v, NULL);
    return v;
}

/* Put bytes at path through the VFS (kernel side). */
static int put_file(const char *path, const void *data, size_t n)
{
    struct vfs_file *f;
    int rc = vfs_openat(NULL, path, VFS_O_WRONLY | VFS_O_CREAT | VFS_O_TRUNC, 0755, &f);

    if (rc)
        return rc;
    rc = vfs_write(f, data, n) == (long)n ? 0 : -EIO;
    vfs_file_put(f);
    return rc;
}

/* --- configuration ----------------------------------------------------------------------- */

ST_CASE(config_from_manifest)
{
    struct config_value *root =
        parse("(program:/bin/p arguments:[p \"a b\"] environment:(USER:petrel PWD:/) cwd:/tmp "
              "debugsyscalls:t fault:f)");
    struct proc_config c;

    ST_EQ(proc_config_from_tree(root, &c), 0);
    ST_CHECK(strcmp(c.program, "/bin/p") == 0);
    ST_EQ(c.argc, 2);
    ST_CHECK(strcmp(c.argv[1], "a b") == 0);
    ST_EQ(c.envc, 2);
    ST_CHECK(strcmp(c.envp[0], "USER=petrel") == 0);
    ST_CHECK(strcmp(c.envp[1], "PWD=/") == 0);
    ST_CHECK(strcmp(c.cwd, "/tmp") == 0);
    ST_CHECK(c.debugsyscalls && !c.fault);
    proc_config_free(&c);
    config_free(root);
    /* defaults: argv = { program }, no environment, cwd "/" */
    root = parse("(program:/x)");
    ST_EQ(proc_config_from_tree(root, &c), 0);
    ST_EQ(c.argc, 1);
    ST_CHECK(strcmp(c.argv[0], "/x") == 0);
    ST_EQ(c.envc, 0);
    ST_CHECK(c.cwd == NULL);
    proc_config_free(&c);
    config_free(root);
}

ST_CASE(config_refusals)
{
    static const char *const bad[] = {
        "()",
        "(program:())",
        "(program:\"\")",
        "(program:/p arguments:x)",
        "(program:/p arguments:[(a:b)])",
        "(program:/p environment:[a])",
        "(program:/p environment:(A:(b:c)))",
        "(program:/p cwd:[x])",
    };
    struct proc_config c;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct config_value *root = parse(bad[i]);
        ST_CHECK(root != NULL);
        ST_EQ(proc_config_from_tree(root, &c), -EINVAL);
        config_free(root);
    }
}

ST_CASE(cmdline_overrides)
{
    struct config_value *root = parse("(program:/p fault:f)");

    ST_EQ(proc_cmdline_override(root, "  loglevel=debug fault=t quiet =x debugsyscalls=t"), 0);
    ST_CHECK(config_get_flag(root, "fault"));
    ST_CHECK(config_get_flag(root, "debugsyscalls"));
    ST_CHECK(config_string_eq(config_get(root, "loglevel"), "debug"));
    ST_CHECK(config_get(root, "quiet") == NULL);
    ST_EQ(proc_cmdline_override(root, NULL), 0);
    config_free(root);
}

/* key=( or key=[: manifest text merged in (petrel run's arguments and environment at boot). */
ST_CASE(cmdline_manifest_values)
{
    struct config_value *root = parse("(program:/p arguments:[old] environment:(A:1 B:2))");
    struct proc_config c = {0};

    ST_EQ(proc_cmdline_override(root, "x=1 arguments=[\"p\"\"two\\x20words\"\"\"\"\\xff\\n\"] "
                                      "environment=(\"B\":\"b\\x20b\"\"C\":\"\") y=(z"),
          -EINVAL); /* y's text is cut: the boot stops, arguments and environment applied */
    ST_EQ(proc_config_from_tree(root, &c), 0);
    ST_EQ(c.argc, 4);
    ST_CHECK(strcmp(c.argv[0], "p") == 0);
    ST_CHECK(strcmp(c.argv[1], "two words") == 0);
    ST_CHECK(strcmp(c.argv[2], "") == 0);
    ST_CHECK(strcmp(c.argv[3], "\xff\n") == 0);
    ST_EQ(c.envc, 3); /* A kept, B replaced in place, C added */
    ST_CHECK(strcmp(c.envp[0], "A=1") == 0);
    ST_CHECK(strcmp(c.envp[1], "B=b b") == 0);
    ST_CHECK(strcmp(c.envp[2], "C=") == 0);
    ST_CHECK(config_string_eq(config_get(root, "x"), "1"));
    proc_config_free(&c);
    ST_EQ(proc_cmdline_override(root, "arguments=[\"q\"]"), 0);
    ST_EQ(proc_config_from_tree(root, &c), 0);
    ST_EQ(c.argc, 1);
    ST_CHECK(strcmp(c.argv[0], "q") == 0);
    proc_config_free(&c);
    ST_EQ(proc_cmdline_override(root, "arguments=[a b]"), -EINVAL); /* a space ends the word */
    ST_EQ(proc_cmdline_override(root, "arguments=(\"not\":\"a-vector\")"), 0);
    ST_EQ(proc_config_from_tree(root, &c), -EINVAL); /* the kind is checked as stored ones */
    config_free(root);
}

/* --- creation ---------------------------------------------------------------------------- */

ST_CASE(create_with_cwd)
{
    struct proc_config c = {0};
    struct proc *p;
    char *argv[1] = {"x"};
    char b[16];

    ST_EQ(SC(NR_mkdir, st_str(P(0), "/w"), 0755), 0);
    c.program = "/x";
    c.argv = argv;
    c.argc = 1;
    c.cwd = "/w";
    ST_EQ(proc_create(&c, &p), 0);
    ST_EQ(fd_count(&p->fds), 3);
    ST_EQ(p->pid, 1);
    ST_EQ(vfs_getcwd(p->cwd, b, sizeof(b)), 3);
    proc_destroy(p);
    ST_CHECK(strcmp(b, "/w") == 0);
    c.cwd = "/nowhere";
    ST_EQ(proc_create(&c, &p), -ENOENT);
    st_file("/file", "x");
    c.cwd = "/file";
    ST_EQ(proc_create(&c, &p), -ENOTDIR);
}

ST_CASE(fdtable_edges)
{
    struct fdtable *t = &st_proc->fds;
    struct file *f = file_console_open(), *g = f;

    ST_CHECK(f != NULL);
    ST_EQ(fd_install(t, -1, f, false), -EINVAL);
    ST_EQ(fd_install(t, PROC_NOFILE, f, false), -EMFILE);
    ST_EQ(fd_install(t, 10, f, true), 10); /* the table owns the reference now */
    ST_EQ(fd_get(t, -1, &g), -EBADF);
    ST_CHECK(g == NULL);
    ST_EQ(fd_get(t, 11, &g), -EBADF);
    ST_EQ(fd_get(t, 10, &g), 0);
    ST_CHECK(g == f && f->refs == 2);
    file_put(g);
    ST_EQ(fd_get_cloexec(t, 10), 1);
    ST_EQ(fd_dup_to(t, 10, -1, false), -EBADF);
    ST_EQ(fd_get_cloexec(t, 11), -EBADF);
    ST_EQ(fd_get_cloexec(t, -5), -EBADF);
    ST_EQ(fd_set_cloexec(t, -5, true), -EBADF);
    ST_EQ(fd_set_cloexec(t, 11, true), -EBADF);
    ST_EQ(fd_close(t, -1), -EBADF);
    ST_EQ(fd_count(t), 4);
    ST_CHECK(proc_current() == st_proc && uthread_current() == &st_proc->main);
}

/* --- program start ----------------------------------------------------------------------- */

static uint64_t auxv_get(uint64_t auxv, uint64_t type)
{
    uint64_t pair[2];

    for (int i = 0; i < 64; i++, auxv += 16) {
        if (copy_from_user(pair, uptr_make(auxv), 16) || pair[0] == AT_NULL)
            return 0;
        if (pair[0] == type)
            return pair[1];
    }
    return 0;
}

static int start_program(const char *path, struct hal_uregs *regs, struct proc **out)
{
    static char *argv[] = {"hello", "arg"};
    static char *envp[] = {"X=1"};
    struct proc_config c = {0};
    int rc;

    c.program = (char *)path;
    c.argv = argv;
    c.argc = 2;
    c.envp = envp;
    c.envc = 1;
    rc = proc_create(&c, out);
    if (rc)
        return rc;
    proc_attach(*out, NULL);
    rc = proc_start(*out, 0x178bfbff, 2, regs);
    return rc;
}

static void finish(struct proc *p)
{
    proc_attach(st_proc, NULL);
    proc_destroy(p);
}

ST_CASE(start_glibc_static_pie)
{
    struct hal_uregs r;
    struct proc *p;
    uint64_t argc, ptr, sp;
    char s[16];

    if (!glibc_pie.size) {
        print_message("glibc static-pie not built: skipped\n");
        return;
    }
    ST_EQ(put_file("/hello", glibc_pie.data, glibc_pie.size), 0);
    ST_EQ(start_program("/hello", &r, &p), 0);
    sp = r.rsp;
    ST_EQ(sp % 16, 0);
    ST_EQ(r.rflags, 0x202);
    ST_EQ(r.rdx, 0);
    ST_EQ(r.rax | r.rbx | r.rcx | r.rdi | r.rsi | r.rbp | r.fs_base, 0);
    ST_EQ(copy_from_user(&argc, uptr_make(sp), 8), 0);
    ST_EQ(argc, 2);
    ST_EQ(copy_from_user(&ptr, uptr_make(sp + 8), 8), 0);
    ST_EQ(strncpy_from_user(s, uptr_make(ptr), sizeof(s)), 5);
    ST_CHECK(strcmp(s, "hello") == 0);
    ST_EQ(copy_from_user(&ptr, uptr_make(sp + 16), 8), 0);
    ST_EQ(strncpy_from_user(s, uptr_make(ptr), sizeof(s)), 3);
    ST_EQ(copy_from_user(&ptr, uptr_make(sp + 24), 8), 0);
    ST_EQ(ptr, 0);
    ST_EQ(copy_from_user(&ptr, uptr_make(sp + 32), 8), 0);
    ST_EQ(strncpy_from_user(s, uptr_make(ptr), sizeof(s)), 3);
    ST_CHECK(strcmp(s, "X=1") == 0);
    uint64_t auxv = sp + 48;
    ST_EQ(auxv_get(auxv, AT_ENTRY), r.rip);
    ST_EQ(auxv_get(auxv, AT_HWCAP), 0x178bfbff);
    ST_EQ(auxv_get(auxv, AT_HWCAP2), 2);
    ST_EQ(auxv_get(auxv, AT_PAGESZ), 4096);
    ST_CHECK(auxv_get(auxv, AT_PHDR) != 0);
    ST_CHECK(auxv_get(auxv, AT_RANDOM) != 0);
    ST_EQ(strncpy_from_user(s, uptr_make(auxv_get(auxv, AT_EXECFN)), sizeof(s)), 6);
    ST_CHECK(strcmp(s, "/hello") == 0);
    /* the entry point's code is the file's: the first bytes at rip are readable */
    uint8_t code[4];
    ST_EQ(copy_from_user(code, uptr_make(r.rip), 4), 0);
    finish(p);
}

ST_CASE(start_musl_static_refused_hosted)
{
    struct hal_uregs r;
    struct proc *p;

    if (!musl_static.size) {
        print_message("musl static not built: skipped\n");
        return;
    }
    ST_EQ(put_file("/m", musl_static.data, musl_static.size), 0);
    ST_EQ(start_program("/m", &r, &p), -ENOEXEC); /* 0x400000 lies below the hosted arena */
    finish(p);
}

ST_CASE(start_refusals)
{
    struct hal_uregs r;
    struct proc *p;

    ST_EQ(start_program("/none", &r, &p), -ENOENT);
    finish(p);
    st_file("/text", "#!/bin/sh\necho not elf\n");
    ST_EQ(start_program("/text", &r, &p), -ENOEXEC);
    finish(p);
    ST_EQ(proc_create(NULL, &p), 0);
    proc_attach(p, NULL);
    ST_EQ(proc_start(p, 0, 0, &r), -ENOENT); /* no program configured */
    finish(p);
}

/* --- the end ----------------------------------------------------------------------------- */

static int exit_code;
static uint64_t fault_addr;
static enum hal_fault_kind fault_kind;
static bool fault_report;

static int boot(int (*entry)(void *))
{
    struct hosted_config c;

    memset(&c, 0, sizeof(c));
    c.ram_bytes = 32u << 20;
    c.entry = entry;
    return hosted_boot(&c);
}

static struct proc *app_proc(bool fault_flag)
{
    struct proc_config c = {0};
    struct proc *p;

    vfs_init();
    memfs_mount(NULL, "/", NULL, NULL);
    c.fault = fault_flag;
    if (proc_create(&c, &p))
        return NULL;
    proc_attach(p, NULL);
    return p;
}

static int exit_entry(void *arg)
{
    (void)arg;
    if (!app_proc(false))
        return 200;
    ksys_call(NR_exit_group, (uint64_t)exit_code, 0, 0, 0, 0, 0);
    return 201; /* never reached */
}

static int exit1_entry(void *arg)
{
    (void)arg;
    if (!app_proc(false))
        return 200;
    sys_trace_set(true);
    ksys_call(NR_exit, (uint64_t)exit_code, 0, 0, 0, 0, 0);
    return 201;
}

static void exit_codes(void **state)
{
    char cap[256];

    (void)state;
    exit_code = 42;
    assert_int_equal(boot(exit_entry), 42);
    exit_code = 0;
    assert_int_equal(boot(exit_entry), 0);
    exit_code = 300;
    hosted_console_capture(cap, sizeof(cap), false);
    assert_int_equal(boot(exit1_entry), 300 & 0xff);
    hosted_console_capture_stop();
    assert_non_null(strstr(cap, "exit(300) = ?"));
}

static int fault_entry(void *arg)
{
    struct proc *p = app_proc(fault_report);
    struct hal_uregs r;
    long a;

    (void)arg;
    if (!p)
        return 200;
    a = ksys_call(NR_mmap, 0, 8192, 3, 0x22, (uint64_t)-1, 0);
    memset(&r, 0, sizeof(r));
    r.rip = 0x401000;
    /* a frame chain in user memory: [rbp] = next rbp, [rbp + 8] = return address */
    uint64_t frames[4] = {(uint64_t)a + 16, 0x402222, 0, 0x403333};
    copy_to_user(uptr_make((uint64_t)a), frames, sizeof(frames));
    r.rbp = (uint64_t)a;
    /* demand paging: a mapped page not yet present resolves and returns */
    kernel_user_fault(&r, HAL_FAULT_PAGE_WRITE, (uint64_t)a + 4096);
    if (!vm_page_present(p->vm, (uint64_t)a + 4096))
        return 202;
    kernel_user_fault(&r, fault_kind, fault_addr ? fault_addr : (uint64_t)a + 8192);
    return 201;
}

static void user_faults(void **state)
{
    char cap[2048];

    (void)state;
    fault_kind = HAL_FAULT_PAGE_READ;
    fault_report = false;
    assert_int_equal(boot(fault_entry), 128 + 11);
    fault_kind = HAL_FAULT_ILLEGAL;
    assert_int_equal(boot(fault_entry), 128 + 4);
    fault_kind = HAL_FAULT_DIVIDE;
    assert_int_equal(boot(fault_entry), 128 + 8);
    fault_kind = HAL_FAULT_BREAKPOINT;
    assert_int_equal(boot(fault_entry), 128 + 5);
    fault_kind = HAL_FAULT_PAGE_EXEC;
    fault_addr = 0xffff800000000000ULL;
    fault_report = true;
    hosted_console_capture(cap, sizeof(cap), false);
    assert_int_equal(boot(fault_entry), 128 + 11);
    hosted_console_capture_stop();
    assert_non_null(strstr(cap, "fatal user fault (exec) at 0xffff800000000000"));
    assert_non_null(strstr(cap, "rip 0000000000401000"));
    assert_non_null(strstr(cap, "backtrace: 0x401000 0x402222 0x403333\n"));
    fault_addr = 0;
    /* the signal table itself */
    assert_int_equal(proc_fault_signal(HAL_FAULT_PAGE_READ, -EIO), 7);
    assert_int_equal(proc_fault_signal(HAL_FAULT_PAGE_WRITE, -ENOMEM), 9);
    assert_int_equal(proc_fault_signal(HAL_FAULT_FPU, -EFAULT), 8);
    assert_int_equal(proc_fault_signal(HAL_FAULT_GENERAL, -EFAULT), 11);
}

static int nothread_entry(void *arg)
{
    (void)arg;
    /* a kernel thread without a process gets -ESRCH, never a crash */
    return ksys_call(NR_getpid, 0, 0, 0, 0, 0, 0) == -ESRCH ? 0 : 1;
}

static void syscall_without_process(void **state)
{
    (void)state;
    assert_int_equal(boot(nothread_entry), 0);
}

/* --- the configured program from an image ---------------------------------------------- */

#define IMG_BLOCKS 2048
static uint8_t *img;
static const char *img_config;

static void img_clock(void *arg, struct tfs_time *now)
{
    (void)arg;
    now->sec = 1700000000;
    now->nsec = 0;
}

static int mkimg_entry(void *arg)
{
    struct tfs_memdev md;
    struct tfs_format_opts fo = {0};
    struct tfs_mount_opts mo = {false, img_clock, NULL, NULL, NULL};
    struct tfs_vol *vol;
    uint64_t bin, dev;
    int rc;

    (void)arg;
    memset(img, 0, (size_t)IMG_BLOCKS * TFS_BLOCK_SIZE);
    tfs_memdev_init(&md, img, IMG_BLOCKS);
    rc = tfs_format(&md.dev, &fo);
    if (rc == 0)
        rc = tfs_mount(&md.dev, &mo, &vol);
    if (rc)
        return 100;
    rc = tfs_create(vol, TFS_ROOT_INO, "hello", 5, TFS_S_IFREG | 0755, 0, 0, 0, &bin);
    if (rc == 0 && glibc_pie.size)
        rc = tfs_write(vol, bin, 0, glibc_pie.data, glibc_pie.size) == (int64_t)glibc_pie.size
                 ? 0
                 : -EIO;
    if (rc == 0)
        rc = tfs_create(vol, TFS_ROOT_INO, "dev", 3, TFS_S_IFDIR | 0755, 0, 0, 0, &dev);
    if (rc == 0 && img_config)
        rc = tfs_setxattr(vol, TFS_ROOT_INO, "petrel.config", img_config, strlen(img_config), 0);
    return tfs_unmount(vol) || rc ? 101 : 0;
}

static int boot_image(const char *cmdline, char *cap, size_t capsize)
{
    struct hosted_config c;
    int rc;

    memset(&c, 0, sizeof(c));
    c.ram_bytes = 64u << 20;
    c.cmdline = cmdline;
    c.nblk = 1;
    c.blk[0].mem = img;
    c.blk[0].mem_size = (size_t)IMG_BLOCKS * TFS_BLOCK_SIZE;
    hosted_console_capture(cap, capsize, false);
    rc = hosted_boot(&c); /* no entry: the init thread runs boot_run_configured */
    hosted_console_capture_stop();
    return rc;
}

static void configured_program(void **state)
{
    static char cap[4096];
    struct hosted_config c;

    (void)state;
    if (!glibc_pie.size)
        skip();
    img = calloc(IMG_BLOCKS, TFS_BLOCK_SIZE);
    assert_non_null(img);
    img_config = "(program:/hello arguments:[hello x] environment:(A:b) fault:t)";
    memset(&c, 0, sizeof(c));
    c.entry = mkimg_entry;
    assert_int_equal(hosted_boot(&c), 0);
    /* mounted, configured, loaded: hosted user mode runs no machine code (-ENOSYS) */
    assert_int_equal(boot_image("debugsyscalls=t", cap, sizeof(cap)), 1);
    assert_non_null(strstr(cap, "cannot enter user mode: ENOSYS"));
    /* a program that is not there */
    img_config = "(program:/nothere)";
    assert_int_equal(hosted_boot(&c), 0);
    assert_int_equal(boot_image("", cap, sizeof(cap)), 1);
    assert_non_null(strstr(cap, "cannot open program /nothere"));
    /* a cwd that is not there */
    img_config = "(program:/hello cwd:/nowhere)";
    assert_int_equal(hosted_boot(&c), 0);
    assert_int_equal(boot_image("", cap, sizeof(cap)), 1);
    assert_non_null(strstr(cap, "cannot create the process"));
    /* an image without configuration, then a malformed one */
    img_config = NULL;
    assert_int_equal(hosted_boot(&c), 0);
    assert_int_equal(boot_image("", cap, sizeof(cap)), 1);
    assert_non_null(strstr(cap, "stores no configuration"));
    img_config = "(program:";
    assert_int_equal(hosted_boot(&c), 0);
    assert_int_equal(boot_image("", cap, sizeof(cap)), 1);
    assert_non_null(strstr(cap, "stored configuration 1:10"));
    /* not a TFS volume at all */
    memset(img, 0, (size_t)IMG_BLOCKS * TFS_BLOCK_SIZE);
    assert_int_equal(boot_image("", cap, sizeof(cap)), 1);
    assert_non_null(strstr(cap, "no mountable TFS volume"));
    free(img);
    /* no block device */
    memset(&c, 0, sizeof(c));
    hosted_console_capture(cap, sizeof(cap), false);
    assert_int_equal(hosted_boot(&c), 1);
    hosted_console_capture_stop();
    assert_non_null(strstr(cap, "no program configured"));
}

int main(void)
{
    read_bin("glibc-static-pie", &glibc_pie);
    read_bin("musl-static", &musl_static);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(config_from_manifest),
        cmocka_unit_test(config_refusals),
        cmocka_unit_test(cmdline_overrides),
        cmocka_unit_test(cmdline_manifest_values),
        cmocka_unit_test(create_with_cwd),
        cmocka_unit_test(fdtable_edges),
        cmocka_unit_test(start_glibc_static_pie),
        cmocka_unit_test(start_musl_static_refused_hosted),
        cmocka_unit_test(start_refusals),
        cmocka_unit_test(exit_codes),
        cmocka_unit_test(user_faults),
        cmocka_unit_test(syscall_without_process),
        cmocka_unit_test(configured_program),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
