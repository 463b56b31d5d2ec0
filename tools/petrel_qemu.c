/*
 * petrel_qemu.c - the QEMU command line of scripts/qemu, built in C (tools/petrel_qemu.h).
 *
 * Why: `petrel run` used to fork scripts/qemu, a shell that forks mktemp, three subshells for
 * the streams' names, a subshell for the exit code's carriage return, then QEMU, then rm: six
 * processes around each boot, each one waiting for a CPU on a loaded machine. petrel now
 * execs QEMU itself. The machine is not defined twice: this file reads the very options
 * petrel always passed to scripts/qemu and produces the command line the script produces
 * from them, the same words in the same order (scripts/qemu --print-argv; the test
 * tools/tests/petrel_qemu_test.sh compares the two on every machine, disk, network, stream
 * and environment case). What the script does around QEMU, petrel does itself: the timeout
 * (its relay loop), COM2's exit file (a memfd), reading the exit code (pq_exit_code).
 *
 * Any change to scripts/qemu's command line must be made here too; the test says where they
 * differ.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/petrel_qemu.h"

struct out {
    char **argv;
    int n;
    char *buf;
    size_t used, size;
    bool full;
};

static void add(struct out *o, const char *s)
{
    if (o->n >= PQ_MAX_ARGV - 1) {
        o->full = true;
        return;
    }
    o->argv[o->n++] = (char *)s;
}

/* A formatted word kept in the output's buffer. */
static void addf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addf(struct out *o, const char *fmt, ...)
{
    va_list ap;
    size_t room = o->size - o->used;
    int k;

    va_start(ap, fmt);
    k = vsnprintf(o->buf + o->used, room, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= room) {
        o->full = true;
        return;
    }
    add(o, o->buf + o->used);
    o->used += (size_t)k + 1;
}

static const char *env_or(const char *key, const char *def)
{
    const char *v = getenv(key);
    return v ? v : def;
}

static int fail(char *err, size_t errsz, const char *fmt, const char *arg)
{
    snprintf(err, errsz, fmt, arg);
    return -1;
}

static bool only_digits(const char *s, size_t n)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* The value of option argv[*i]; advances *i. NULL when missing. */
static const char *value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        return NULL;
    *i += 1;
    return argv[*i];
}

static int parse_one(int argc, char **argv, int *i, struct pq_opts *q, char *err, size_t errsz)
{
    static const struct {
        const char *s, *l;
    } opt[] = {{"-M", "--machine"}, {"-a", "--accel"}, {"-c", "--append"}, {"-f", "--fw-cmdline"},
               {"-m", "--mem"},     {"-t", "--timeout"}, {"-d", "--disk"}, {"-N", "--netdev"},
               {"-s", "--streams"}};
    const char *a = argv[*i];

    if (!strcmp(a, "-n") || !strcmp(a, "--net")) {
        q->netdev = q->netdev ? q->netdev : "user";
        return 0;
    }
    if (!strcmp(a, "--print-argv")) {
        q->print = true;
        return 0;
    }
    for (size_t k = 0; k < sizeof(opt) / sizeof(opt[0]); k++) {
        if (strcmp(a, opt[k].s) && strcmp(a, opt[k].l))
            continue;
        const char *v = value(argc, argv, i);
        if (!v)
            return fail(err, errsz, "scripts/qemu: %s wants a value", a);
        const char **slot[] = {&q->machine, &q->accel,   &q->append, &q->fwfile, &q->mem,
                               &q->timeout, NULL,        &q->netdev, &q->streams};
        if (k == 6 && q->ndisks == PQ_MAX_DISKS)
            return fail(err, errsz, "scripts/qemu: more than %s disks", "8");
        if (k == 6)
            q->disks[q->ndisks++] = v;
        else
            *slot[k] = v;
        return 0;
    }
    if (a[0] == '-')
        return fail(err, errsz, "scripts/qemu: unknown option %s", a);
    if (q->kernel)
        return fail(err, errsz, "scripts/qemu: a second kernel %s", a);
    q->kernel = a;
    return 0;
}

static int check(const struct pq_opts *q, char *err, size_t errsz)
{
    if (!q->kernel)
        return fail(err, errsz, "scripts/qemu: %s", "no kernel");
    if (q->fwfile && strchr(q->fwfile, ','))
        return fail(err, errsz, "scripts/qemu: --fw-cmdline: a comma in %s (QEMU's option syntax)",
                    q->fwfile);
    if (q->netdev && q->netdev[strspn(q->netdev, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
                                                 "tuvwxyz0123456789_.,:=/-")])
        return fail(err, errsz, "scripts/qemu: --netdev: unexpected character in %s", q->netdev);
    if (strcmp(q->accel, "auto") && strcmp(q->accel, "tcg") && strcmp(q->accel, "kvm"))
        return fail(err, errsz, "scripts/qemu: accel must be auto, tcg or kvm%s", "");
    if (strcmp(q->machine, "microvm") && strcmp(q->machine, "q35"))
        return fail(err, errsz, "scripts/qemu: machine must be microvm or q35%s", "");
    return 0;
}

int pq_parse(int argc, char **argv, struct pq_opts *q, char *err, size_t errsz)
{
    int i;

    memset(q, 0, sizeof(*q));
    q->machine = env_or("PETREL_MACHINE", "microvm");
    q->accel = env_or("PETREL_ACCEL", "auto");
    q->mem = env_or("PETREL_MEM", "64M");
    q->timeout = env_or("PETREL_TIMEOUT", "60");
    q->append = "";
    for (i = 0; i < argc && strcmp(argv[i], "--"); i++)
        if (parse_one(argc, argv, &i, q, err, errsz) != 0)
            return -1;
    for (i++; i < argc; i++) {
        if (q->nextra == PQ_MAX_EXTRA)
            return fail(err, errsz, "scripts/qemu: more than %s extra QEMU arguments", "16");
        q->extra[q->nextra++] = argv[i];
    }
    return check(q, err, errsz);
}

/* The four stream descriptors and the terminal letters of IN,OUT,ERR,CTL[,TTYS]. */
static int split_streams(const char *s, const char *fd[4], size_t fdlen[4], const char **ttys)
{
    *ttys = "";
    for (int k = 0; k < 4; k++) {
        size_t n = strcspn(s, ",");
        if (!only_digits(s, n) || (k < 3 && s[n] != ','))
            return -1;
        fd[k] = s;
        fdlen[k] = n;
        s += n;
        if (*s == ',')
            s++;
    }
    *ttys = s;
    return 0;
}

static int stream_args(struct out *o, const struct pq_opts *q, char *err, size_t errsz)
{
    static const char *const id[] = {"s_in", "s_out", "s_err", "s_ctl"};
    static const char *const name[] = {"stdin", "stdout", "stderr", "ctl"};
    static const char letter[] = {'i', 'o', 'e', 0};
    const char *fd[4], *ttys;
    size_t fdlen[4];

    if (split_streams(q->streams, fd, fdlen, &ttys) != 0)
        return fail(err, errsz, "scripts/qemu: --streams wants four descriptor numbers%s", "");
    add(o, "-device");
    add(o, strcmp(q->machine, "microvm") ? "virtio-serial-pci,max_ports=5,disable-legacy=on"
                                         : "virtio-serial-device,max_ports=5");
    for (int k = 0; k < 4; k++) {
        add(o, "-chardev");
        addf(o, "socket,id=%s,fd=%.*s", id[k], (int)fdlen[k], fd[k]);
    }
    for (int k = 0; k < 4; k++) {
        bool tty = letter[k] && strchr(ttys, letter[k]);
        add(o, "-device");
        addf(o, "virtserialport,nr=%d,chardev=%s,name=petrel.%s%s", k + 1, id[k], name[k],
             tty ? ".tty" : "");
    }
    return 0;
}

static void machine_args(struct out *o, const struct pq_opts *q)
{
    bool mvm = !strcmp(q->machine, "microvm");

    if (mvm) {
        add(o, "-M");
        add(o, "microvm,acpi=off,pic=off,rtc=on");
        add(o, "-global");
        add(o, "virtio-mmio.force-legacy=false");
    } else {
        add(o, "-M");
        add(o, "q35");
        add(o, "-nodefaults");
    }
    for (int d = 0; d < q->ndisks; d++) {
        add(o, "-drive");
        addf(o, "id=disk%d,file=%s,format=raw,if=none", d + 1, q->disks[d]);
        add(o, "-device");
        addf(o, mvm ? "virtio-blk-device,drive=disk%d" : "virtio-blk-pci,drive=disk%d,disable-legacy=on",
             d + 1);
    }
    if (q->netdev) {
        add(o, "-netdev");
        addf(o, "%s,id=net0", q->netdev);
        add(o, "-device");
        add(o, mvm ? "virtio-net-device,netdev=net0"
                   : "virtio-net-pci,netdev=net0,disable-legacy=on,romfile=");
    }
}

/* After the devices: the accelerator, memory, the serial console, COM2's exit file, the exit
 * device, the fw_cfg command line, the kernel and its -append. */
static void common_args(struct out *o, const struct pq_opts *q, const char *exit_path)
{
    static const char *const fixed[] = {
        "-no-reboot", "-display", "none", "-monitor", "none", "-chardev",
        "stdio,id=con,signal=off", "-serial", "chardev:con", "-chardev"};
    const char *accel = q->accel, *cpu = getenv("PETREL_CPU");

    if (!strcmp(accel, "auto"))
        accel = pq_kvm_usable() ? "kvm" : "tcg";
    if ((!cpu || !*cpu) && !strcmp(accel, "kvm"))
        cpu = "host";
    add(o, "-accel");
    add(o, accel);
    if (cpu && *cpu) {
        add(o, "-cpu");
        add(o, cpu);
    }
    add(o, "-m");
    add(o, q->mem);
    for (size_t k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++)
        add(o, fixed[k]);
    addf(o, "file,id=exitc,path=%s", exit_path);
    add(o, "-device");
    add(o, "isa-serial,chardev=exitc,iobase=0x2f8,irq=3");
    add(o, "-device");
    add(o, "isa-debug-exit,iobase=0xf4,iosize=1");
    if (q->fwfile && *q->fwfile) {
        add(o, "-fw_cfg");
        addf(o, "name=opt/petrel/cmdline,file=%s", q->fwfile);
    }
    add(o, "-kernel");
    add(o, q->kernel);
    add(o, "-append");
    add(o, q->append);
}

int pq_argv(const struct pq_opts *q, const char *exit_path, char **argv, char *buf,
            size_t bufsz, char *err, size_t errsz)
{
    struct out o = {argv, 0, buf, 0, bufsz, false};

    add(&o, "qemu-system-x86_64");
    machine_args(&o, q);
    if (q->streams && *q->streams && stream_args(&o, q, err, errsz) != 0)
        return -1;
    common_args(&o, q, exit_path);
    for (int k = 0; k < q->nextra; k++)
        add(&o, q->extra[k]);
    argv[o.n] = NULL;
    if (o.full)
        return fail(err, errsz, "petrel: the QEMU command line is too long%s", "");
    return 0;
}

bool pq_kvm_usable(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[4096];
    bool flag = false;
    int fd;

    while (f && !flag && fgets(line, sizeof(line), f))
        flag = strncmp(line, "flags", 5) == 0 && (strstr(line, " vmx") || strstr(line, " svm"));
    if (f)
        fclose(f);
    if (!flag || (fd = open("/dev/kvm", O_RDWR)) < 0)
        return false;
    close(fd);
    return true;
}

int pq_exit_code(const char *text, size_t len)
{
    int code = -1;
    size_t i = 0;

    while (i < len) {
        size_t e = i;
        while (e < len && text[e] != '\n')
            e++;
        size_t n = e - i;
        if (n && text[i + n - 1] == '\r')
            n--;
        if (n > 5 && n <= 14 && !memcmp(text + i, "exit ", 5) && only_digits(text + i + 5, n - 5))
            code = atoi(text + i + 5); /* the shell's `exit` takes it modulo 256 */
        i = e + 1;
    }
    return code < 0 ? -1 : code & 255;
}
