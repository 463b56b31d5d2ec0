/*
 * pd_parse_test.c - the script parser against bad input: `pd_parse_test SCRIPT...`.
 *
 * Every script given must parse. Then each is mutated (seeded: PETREL_SEED or a fixed
 * default; the seed is printed on failure) by flipping, deleting, duplicating and inserting
 * bytes and cutting lines short, thousands of times; every result must either parse or fail
 * with "line N: ..." - never crash or read out of bounds (the test also runs under ASan).
 * Last, a table of wrong lines must each be refused with the right line number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/conformance/pd.h"

static uint64_t rng;

static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *b;
    long len;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    b = calloc(1, (size_t)len + 1);
    if (b && fread(b, 1, (size_t)len, f) != (size_t)len) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *n = (size_t)len;
    return b;
}

/* One random edit of buf (len bytes, room for 64 more); the new length. */
static size_t mutate(char *buf, size_t len)
{
    static const char alphabet[] = "0123456789.+-*<>()[]{},:=|SFRP.aUEW ?%#/\n\tx";
    size_t at = len ? next() % len : 0;

    switch (next() % 5) {
    case 0: /* flip a byte to something the grammar cares about */
        if (len)
            buf[at] = alphabet[next() % (sizeof(alphabet) - 1)];
        return len;
    case 1: /* random byte (not NUL: scripts with NUL are refused by the file reader) */
        if (len)
            buf[at] = (char)(1 + next() % 255);
        return len;
    case 2: /* delete a run */
        if (len) {
            size_t k = 1 + next() % 8;

            k = k > len - at ? len - at : k;
            memmove(buf + at, buf + at + k, len - at - k);
            return len - k;
        }
        return len;
    case 3: /* cut the text here */
        return at;
    default: { /* insert a few grammar bytes */
        size_t k = 1 + next() % 8;

        memmove(buf + at + k, buf + at, len - at);
        for (size_t i = 0; i < k; i++)
            buf[at + i] = alphabet[next() % (sizeof(alphabet) - 1)];
        return len + k;
    }
    }
}

static int fuzz_one(const char *path, const char *text, size_t n, unsigned rounds)
{
    char *buf = malloc(n + 64 * 16 + 1), err[200];
    unsigned ok = 0, bad = 0;

    if (!buf)
        return 1;
    for (unsigned r = 0; r < rounds; r++) {
        struct pd_script s;
        size_t len = n;
        unsigned edits = 1 + next() % 16;

        memcpy(buf, text, n);
        for (unsigned e = 0; e < edits; e++)
            len = mutate(buf, len);
        buf[len] = 0;
        if (pd_parse(buf, &s, err, sizeof(err)) == 0) {
            ok++;
        } else {
            bad++;
            if (strncmp(err, "line ", 5) != 0) {
                fprintf(stderr, "%s: error without a line number: %s\n", path, err);
                pd_script_free(&s);
                free(buf);
                return 1;
            }
        }
        pd_script_free(&s);
    }
    printf("%s: %u mutants parsed, %u refused\n", path, ok, bad);
    free(buf);
    return 0;
}

static const struct {
    const char *text;
    int line;
} wrong[] = {
    {"0 socket(AF_INET, SOCK_STREAM, 0) = 3\n+0 < S 0:1(0) win 1\n", 2},   /* 0:1 is not 0 bytes */
    {"0 < X 0:0(0)\n", 1},                                                /* flag */
    {"0 < S 0:0(0) <mss 70000>\n", 1},                                     /* mss range */
    {"0 < S 0:0(0) win 65536\n", 1},                                       /* window range */
    {"0 > S 0:0(0) badsum\n", 1},                                          /* inbound only */
    {"\n\n0 foo(1 = 2\n", 3},                                              /* unclosed */
    {"0 close(3) = -1\n", 1},                                              /* -1 needs errno */
    {"0 close(3) = -1 ENOSUCH\n", 1},
    {"* close(3) = 0\n", 1},                                               /* calls need times */
    {"0 close(NOPE) = 0\n", 1},
    {"0 < S 0:0(0) <raw 0x123>\n", 1},                                     /* odd hex */
    {"0 < S 0:0(0) <TS val 1>\n", 1},
    {"0...1 < S 0:0(0)\n", 1},                                             /* ... is for calls */
    {"99999999999 close(3) = 0\n", 1},                                     /* time range */
    {"%bogus 1\n", 1},
    {"0 poll([{fd=3, events=POLLIN, what=1}], 1, 0) = 0\n", 1},
    {"0 < S 4294967296:0(0)\n", 1},
    {"", 0},                                                               /* empty */
    {"// only a comment\n", 0},
};

static int table(void)
{
    for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
        struct pd_script s;
        char err[200], want[32];
        int rc = pd_parse(wrong[i].text, &s, err, sizeof(err));

        pd_script_free(&s);
        snprintf(want, sizeof(want), "line %d:", wrong[i].line);
        if (rc == 0 || strncmp(err, want, strlen(want)) != 0) {
            fprintf(stderr, "case %zu accepted or wrong line (%s): %s\n", i, rc ? err : "parsed",
                    wrong[i].text);
            return 1;
        }
    }
    printf("%zu wrong scripts refused\n", sizeof(wrong) / sizeof(wrong[0]));
    return 0;
}

int main(int argc, char **argv)
{
    const char *env = getenv("PETREL_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : 0x5eed5eedULL;
    int rc = 0;

    rng = seed | 1;
    for (int i = 1; i < argc && !rc; i++) {
        struct pd_script s = {0};
        char err[200];
        size_t n;
        char *text = slurp(argv[i], &n);

        if (!text || pd_parse(text, &s, err, sizeof(err)) != 0) {
            fprintf(stderr, "%s: %s\n", argv[i], text ? err : "cannot read");
            rc = 1;
        } else {
            rc = fuzz_one(argv[i], text, n, 2000);
        }
        pd_script_free(&s);
        free(text);
    }
    if (!rc)
        rc = table();
    if (rc)
        fprintf(stderr, "PETREL_SEED=%llu\n", (unsigned long long)seed);
    return rc;
}
