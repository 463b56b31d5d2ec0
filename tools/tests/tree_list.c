/*
 * tree_list DIR: every path under DIR (DIR included), one per line, symlinks not followed,
 * then a line "entries N" (tools/tests/petrel_image_test.sh: a 50,000-file tree listed in the
 * guest and natively, compared sorted).
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>

static unsigned long entries;

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    entries++;
    return puts(path) < 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: tree_list DIR\n", stderr);
        return 2;
    }
    if (nftw(argv[1], visit, 64, FTW_PHYS) != 0) {
        perror(argv[1]);
        return 1;
    }
    printf("entries %lu\n", entries);
    return 0;
}
