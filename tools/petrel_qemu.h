/*
 * petrel_qemu.h - scripts/qemu's machine, built by petrel itself (tools/petrel_qemu.c).
 *
 * `petrel run` starts QEMU directly (no shell, no timeout(1), no mktemp/rm). The machine is
 * still defined once, by scripts/qemu's option language: petrel writes the scripts/qemu
 * options it always wrote, and pq_parse + pq_argv turn them into the QEMU command line
 * scripts/qemu would run. `petrel qemu-argv OPTIONS...` prints that command line and
 * `scripts/qemu --print-argv OPTIONS...` prints the script's; tools/tests/petrel_qemu_test.sh
 * checks that the two agree, argument for argument, on a table of option sets.
 */
#ifndef TOOLS_PETREL_QEMU_H
#define TOOLS_PETREL_QEMU_H

#include <stdbool.h>

#define PQ_MAX_DISKS 8
#define PQ_MAX_EXTRA 16
#define PQ_MAX_ARGV 96

struct pq_opts {
    const char *machine, *accel, *mem, *timeout, *append, *fwfile, *kernel;
    const char *disks[PQ_MAX_DISKS];
    int ndisks;
    const char *netdev;  /* NULL: no NIC */
    const char *streams; /* --streams IN,OUT,ERR,CTL[,TTYS], or NULL */
    const char *extra[PQ_MAX_EXTRA]; /* after "--" */
    int nextra;
    bool print; /* --print-argv (accepted for symmetry with the script) */
};

/* scripts/qemu's options (argv[0] is not an option); the environment's defaults as the
 * script reads them (PETREL_MACHINE, PETREL_ACCEL, PETREL_MEM, PETREL_TIMEOUT). 0, or -1 with
 * a one-line reason in err. */
int pq_parse(int argc, char **argv, struct pq_opts *q, char *err, size_t errsz);

/* The QEMU command line (NULL-terminated in argv, at most PQ_MAX_ARGV entries) for q, COM2's
 * exit file at exit_path. Strings it makes live in buf (bufsz bytes). 0, or -1 with err. */
int pq_argv(const struct pq_opts *q, const char *exit_path, char **argv, char *buf,
            size_t bufsz, char *err, size_t errsz);

/* accel auto's test: the CPU has vmx or svm AND /dev/kvm opens. */
bool pq_kvm_usable(void);

/* The kernel's exit code from COM2's file contents (the last "exit <digits>" line), or -1. */
int pq_exit_code(const char *text, size_t len);

#endif
