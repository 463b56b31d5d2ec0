/*
 * fuzz_ops_json.c - fuzz target for `petrel run --ops-config`'s JSON parser and ops reader.
 *
 * For every input: pj_parse either fails with a "LINE:COLUMN: message" whose position lies in
 * the input, or succeeds with a tree whose strings hold exactly len bytes; ops_config_parse
 * (with host_files false: no globbing of the host's files) either fails with a message or
 * fills a config whose lists hold non-NULL strings; everything is freed (ASan's leak check
 * in the fuzz build). A broken invariant prints what broke and aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/driver/fuzz_target.h"
#include "tools/petrel_json.h"
#include "tools/petrel_ops.h"

static void broken(const char *what)
{
    fprintf(stderr, "fuzz_ops_json: invariant broken: %s\n", what);
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static void check_tree(const struct pj_value *v, int depth)
{
    if (depth > PJ_MAX_DEPTH + 1)
        broken("tree deeper than the limit");
    if ((v->type == PJ_STRING || v->type == PJ_NUMBER) && (!v->str || v->str[v->len]))
        broken("string without its terminating NUL at len");
    for (size_t i = 0; i < v->n; i++) {
        if (!v->items[i] || (v->type == PJ_OBJECT && !v->keys[i]))
            broken("NULL entry");
        check_tree(v->items[i], depth + 1);
    }
}

static void check_error(const uint8_t *data, size_t size, const char *err)
{
    unsigned line, col, lines = 1;

    if (sscanf(err, "%u:%u:", &line, &col) != 2 || !strchr(err, ' '))
        broken("error without LINE:COLUMN: message");
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    if (line < 1 || line > lines || col < 1 || col > size + 1)
        broken("error position outside the input");
}

static void check_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!v[i])
            broken("NULL string in a list");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pj_value *v;
    struct ops_config c;
    char err[256];

    if (pj_parse((const char *)data, size, &v, err, sizeof(err)) == 0) {
        check_tree(v, 0);
        pj_free(v);
    } else if (size <= PJ_MAX_TEXT) {
        check_error(data, size, err);
    }
    if (ops_config_parse((const char *)data, size, false, &c, err, sizeof(err)) == 0) {
        check_list(c.args, c.nargs);
        check_list(c.env, c.nenv);
        check_list(c.files, c.nfiles);
        check_list(c.dirs, c.ndirs);
        check_list(c.ignored, c.nignored);
        check_list(c.manifest, c.nmanifest);
        ops_config_free(&c);
    } else if (!err[0]) {
        broken("ops_config_parse failed without a reason");
    }
    return 0;
}
