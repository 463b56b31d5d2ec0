/*
 * fuzz_manifest.c - fuzz target for the manifest parser and printer (core/config).
 *
 * For every input:
 *   - config_parse() either fails with -EINVAL (or -ENOMEM) and a position inside the input
 *     and a message, or succeeds;
 *   - on success, each print form (compact, pretty) re-parses to an equal tree, printing that
 *     tree again gives the same text byte for byte (the printer's output is a fixed point),
 *     and a deep copy compares equal;
 *   - the heap holds exactly as many bytes afterwards as before (no leak on any path).
 * A broken invariant prints what broke and aborts, which libFuzzer and ctest report as a crash.
 * The allocator runs on the hosted RAM arena (hosted_ram_init), set up once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config/config.h"
#include "core/lib/alloc.h"
#include "fuzz/driver/fuzz_target.h"
#include "hal/hal_errno.h"
#include "hal_hosted/hosted.h"

#define FUZZ_RAM_BYTES (256u << 20)

static void broken(const char *what)
{
    fprintf(stderr, "fuzz_manifest: invariant broken: %s\n", what);
    abort();
}

static uint64_t heap_in_use(void)
{
    struct kmalloc_stats st;

    kmalloc_get_stats(&st);
    return st.bytes_in_use;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static struct hal_boot_info info;

    if (hosted_ram_init(FUZZ_RAM_BYTES, &info) != 0)
        broken("hosted_ram_init failed");
    page_init(&info);
    return 0;
}

/* The error position names a byte of the input, or the end of input. */
static void check_error(const uint8_t *data, size_t size, int rc, const struct config_error *err)
{
    size_t off = 0;

    if (rc != -EINVAL && rc != -ENOMEM)
        broken("parse failed with an unexpected errno");
    if (!err->message || !err->message[0] || err->line < 1 || err->column < 1)
        broken("error without message or position");
    for (unsigned line = 1; line < err->line; line++) {
        const uint8_t *nl = memchr(data + off, '\n', size - off);
        if (!nl)
            broken("error line past the end of the input");
        off = (size_t)(nl - data) + 1;
    }
    const uint8_t *nl = memchr(data + off, '\n', size - off);
    size_t line_len = (nl ? (size_t)(nl - data) : size) - off;
    if (err->column - 1 > line_len)
        broken("error column past the end of its line");
}

/* Print v in form flags, re-parse, compare, print again and compare the text. */
static void check_round_trip(const struct config_value *v, unsigned flags)
{
    char *text, *again_text;
    size_t len, again_len;
    struct config_value *again;
    struct config_error err;

    if (config_print_alloc(v, flags, &text, &len) != 0)
        return; /* only -ENOMEM is possible for a parsed tree; nothing to compare */
    int rc = config_parse(text, len, &again, &err);
    if (rc == -ENOMEM) {
        kfree(text);
        return;
    }
    if (rc != 0) {
        fprintf(stderr, "printed text <%s> fails at %u:%u: %s\n", text, err.line, err.column,
                err.message);
        broken("printed text does not parse");
    }
    if (!config_equal(v, again))
        broken("re-parsed tree differs from the original");
    if (config_print_alloc(again, flags, &again_text, &again_len) == 0) {
        if (again_len != len || memcmp(text, again_text, len) != 0)
            broken("printing is not a fixed point");
        kfree(again_text);
    }
    config_free(again);
    kfree(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t before = heap_in_use();
    struct config_value *v = NULL;
    struct config_error err = {0, 0, NULL};
    int rc = config_parse((const char *)data, size, &v, &err);

    if (rc != 0) {
        check_error(data, size, rc, &err);
    } else {
        check_round_trip(v, 0);
        check_round_trip(v, CONFIG_PRINT_PRETTY);
        struct config_value *copy = config_clone(v);
        if (copy && !config_equal(v, copy))
            broken("clone differs from the original");
        config_free(copy);
        config_free(v);
    }
    if (heap_in_use() != before)
        broken("heap bytes in use changed (leak)");
    return 0;
}
