/*
 * gen_corpus.c - writes fuzz/elf/corpus: the two well-formed images of
 * tests/unit/elf/elf_build.c (static, static PIE) and every case of its malformed table, one
 * file each, named after the case; then program + interpreter pairs ("PAIR" inputs): a good
 * dynamic PIE and a dynamic ET_EXEC with a good interpreter, and every pair case. Run:
 * elf_gen_corpus <dir>. The ctest fuzz.elf_corpus_current checks that the committed corpus is what
 * this program writes.
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

static int write_pair(const char *dir, const char *name, const struct eb *p, const struct eb *i)
{
    static uint8_t prog[EB_MAX_FILE], interp[EB_MAX_FILE], pair[2 * EB_MAX_FILE + 8];
    size_t pn = eb_write(p, prog), in = eb_write(i, interp);

    return write_file(dir, name, pair, eb_pair_write(prog, pn, interp, in, pair));
}

static int write_pairs(const char *dir)
{
    struct eb p, i;
    int bad = 0;

    eb_dynamic(&p, ELF_ET_DYN);
    eb_good(&i, ELF_ET_DYN);
    bad |= write_pair(dir, "pair-good-pie", &p, &i);
    eb_dynamic(&p, ELF_ET_EXEC);
    bad |= write_pair(dir, "pair-good-exec", &p, &i);
    for (size_t k = 0; k < eb_npair_cases; k++) {
        char name[96];

        eb_dynamic(&p, ELF_ET_DYN);
        if (eb_pair_cases[k].prog)
            eb_pair_cases[k].prog(&p);
        eb_good(&i, ELF_ET_DYN);
        if (eb_pair_cases[k].interp)
            eb_pair_cases[k].interp(&i);
        snprintf(name, sizeof(name), "pair-%s", eb_pair_cases[k].name);
        bad |= write_pair(dir, name, &p, &i);
    }
    return bad;
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
    bad |= write_pairs(argv[1]);
    return bad;
}
