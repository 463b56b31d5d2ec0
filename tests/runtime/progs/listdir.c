/* listdir: getdents64 through readdir, sorted; mkdir/rmdir; file types. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *path)
{
    char *names[256];
    int n = 0;
    DIR *d = opendir(path);
    struct dirent *e;

    if (!d) {
        printf("opendir %s: %s\n", path, strerror(errno));
        return;
    }
    while ((e = readdir(d)) && n < 256) {
        char line[600];
        snprintf(line, sizeof(line), "%s type=%s", e->d_name,
                 e->d_type == DT_DIR   ? "dir"
                 : e->d_type == DT_REG ? "reg"
                                       : "other");
        names[n++] = strdup(line);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof(names[0]), cmp);
    printf("%s: %d entries\n", path, n);
    for (int i = 0; i < n; i++) {
        printf("  %s\n", names[i]);
        free(names[i]);
    }
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "tmp/listdir";

    list("data");
    list("data/sub");
    printf("mkdir %d\n", mkdir(dir, 0755));
    char p[300];
    for (int i = 0; i < 40; i++) {
        snprintf(p, sizeof(p), "%s/f%02d", dir, i);
        FILE *f = fopen(p, "w");
        fprintf(f, "%d\n", i);
        fclose(f);
    }
    list(dir);
    printf("rmdir non-empty: %s\n", rmdir(dir) == 0 ? "ok" : strerror(errno));
    for (int i = 0; i < 40; i++) {
        snprintf(p, sizeof(p), "%s/f%02d", dir, i);
        remove(p);
    }
    printf("rmdir empty: %d\n", rmdir(dir));
    return 0;
}
