/*
 * standalone.c - main() for fuzz harnesses in builds without libFuzzer (gcc, ASan, coverage).
 *
 *   fuzz_<name> <file-or-directory>...
 *
 * Calls LLVMFuzzerInitialize once (when the harness defines it: the symbol is weak here),
 * then LLVMFuzzerTestOneInput on every named file and on every regular file directly inside
 * every named directory, in strcmp order of names so each run is the same run. Each input
 * sits in a buffer of exactly its size, so ASan sees any read past its end. Prints how many
 * inputs ran; exits 1 when none did (an empty or missing corpus is an error, not a pass) and
 * 2 when an argument cannot be read. A harness that finds a bug aborts, failing the ctest.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/driver/fuzz_target.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct stat st;

    if (!f || fstat(fileno(f), &st) != 0) {
        fprintf(stderr, "standalone: %s: %s\n", path, strerror(errno));
        if (f)
            fclose(f);
        return -1;
    }
    size_t size = (size_t)st.st_size;
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf || fread(buf, 1, size, f) != size) {
        fprintf(stderr, "standalone: %s: short read\n", path);
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, size);
    free(buf);
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Run every regular file in dir; adds to *ran. -1 when something could not be read. */
static int run_dir(const char *dir, unsigned long *ran)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, by_name), rc = 0;

    if (n < 0) {
        fprintf(stderr, "standalone: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
        if (rc == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            rc = run_file(path);
            if (rc == 0)
                (*ran)++;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    unsigned long ran = 0;
    struct stat st;

    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        int rc;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "standalone: %s: %s\n", argv[i], strerror(errno));
            return 2;
        }
        if (S_ISDIR(st.st_mode)) {
            rc = run_dir(argv[i], &ran);
        } else {
            rc = run_file(argv[i]);
            ran += rc == 0;
        }
        if (rc)
            return 2;
    }
    printf("standalone: %lu inputs ran\n", ran);
    if (ran == 0) {
        fprintf(stderr, "standalone: no inputs (give corpus files or directories)\n");
        return 1;
    }
    return 0;
}
