/*
 * gen_corpus.c - writes fuzz/elf/corpus: the two well-formed images of
 * tests/unit/elf/elf_build.c (static, static PIE) and every case of its malformed table, one
 * file each, named after the case. Run: elf_gen_corpus <dir>. The ctest
 * fuzz.elf_corpus_current checks that the committed corpus is what this program writes.
 */
#include <stdio.h>

#include "tests/unit/elf/elf_build.h"

static int write_file(const char *dir, const char *name, const uint8_t *data, size_t n)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n) {
        perror(path);
        return 1;
    }
    return fclose(f) != 0;
}

int main(int argc, char **argv)
{
    static uint8_t img[EB_MAX_FILE];
    struct eb b;
    int bad = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: %s <dir>\n", argv[0]);
        return 2;
    }
    eb_good(&b, ELF_ET_EXEC);
    bad |= write_file(argv[1], "good-static", img, eb_write(&b, img));
    eb_good(&b, ELF_ET_DYN);
    bad |= write_file(argv[1], "good-static-pie", img, eb_write(&b, img));
    for (size_t i = 0; i < eb_ncases; i++) {
        char name[96];

        eb_good(&b, eb_cases[i].type);
        eb_cases[i].mutate(&b);
        snprintf(name, sizeof(name), "bad-%s", eb_cases[i].name);
        bad |= write_file(argv[1], name, img, eb_write(&b, img));
    }
    return bad;
}
