/*
 * test_petrel_ops.c - unit tests of petrel's JSON parser (tools/petrel_json.c) and of the ops
 * config.json reader (tools/petrel_ops.c): values, escapes and surrogate pairs, the number
 * grammar, every error with its position, the limits; each ops key mapped onto petrel's
 * settings, ignored keys with their reason and unknown ones with the nearest key.
 * The JSON cases were checked against python3's json module: json.loads accepts the valid
 * ones and refuses the invalid ones below (it also accepts a lone surrogate escape, which
 * this parser refuses: such a string has no UTF-8 form).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/petrel_json.h"
#include "tools/petrel_ops.h"

static int fails;

#define CHECK(c)                                                                               \
    do {                                                                                       \
        if (!(c)) {                                                                            \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);                                \
            fails++;                                                                           \
        }                                                                                      \
    } while (0)

static struct pj_value *parse(const char *text)
{
    struct pj_value *v = NULL;
    char err[128];

    if (pj_parse(text, strlen(text), &v, err, sizeof(err)) != 0)
        return NULL;
    return v;
}

/* The error message for text, or "" when it parses. */
static const char *error_of(const char *text, size_t len)
{
    static char err[128];
    struct pj_value *v;

    if (pj_parse(text, len, &v, err, sizeof(err)) == 0) {
        pj_free(v);
        return "";
    }
    return err;
}

static void test_values(void)
{
    struct pj_value *v = parse(" {\"a\": [1, -2.5e+3, true, false, null, \"x\\u00e9\\ud83d\\ude00\\n\\/\"],"
                               " \"b\": {}, \"a2\": []} ");
    const struct pj_value *a;

    CHECK(v && v->type == PJ_OBJECT && v->n == 3);
    a = pj_get(v, "a");
    CHECK(a && a->type == PJ_ARRAY && a->n == 6);
    if (a && a->n == 6) {
        CHECK(a->items[0]->type == PJ_NUMBER && strcmp(a->items[0]->str, "1") == 0);
        CHECK(strcmp(a->items[1]->str, "-2.5e+3") == 0);
        CHECK(a->items[2]->type == PJ_BOOL && a->items[2]->boolean);
        CHECK(a->items[3]->type == PJ_BOOL && !a->items[3]->boolean);
        CHECK(a->items[4]->type == PJ_NULL);
        CHECK(a->items[5]->len == 9 && memcmp(a->items[5]->str, "x\xc3\xa9\xf0\x9f\x98\x80\n/", 9) == 0);
    }
    CHECK(pj_get(v, "b") && pj_get(v, "b")->type == PJ_OBJECT);
    CHECK(pj_get(v, "c") == NULL);
    pj_free(v);
    v = parse("{\"k\":1,\"k\":2}"); /* a repeated key: the last, as Go's encoding/json */
    CHECK(v && strcmp(pj_get(v, "k")->str, "2") == 0);
    pj_free(v);
    v = parse("\"a\\u0000b\"");
    CHECK(v && v->len == 3 && pj_cstr(v) == NULL);
    pj_free(v);
    for (const char *const *t = (const char *const[]){"0", "-0", "0.5", "1e5", "1E-5", "[]", "{}",
                                                      "\"\"", "  true\n", NULL};
         *t; t++)
        CHECK(error_of(*t, strlen(*t))[0] == '\0');
}

static void test_errors(void)
{
    static const char *const cases[][2] = {
        {"", "1:1: expected a value, found the end"},
        {"{\"a\" 1}", "1:6: expected ':' after the key"},
        {"{\"a\":1,}", "1:8: expected a string key"},
        {"[1,]", "1:4: expected a value"},
        {"[1 2]", "1:4: expected ',' or ']'"},
        {"{\"a\":01}", "1:7: expected ',' or '}'"},
        {"-", "1:2: expected a value"},
        {"1.", "1:3: expected a digit after '.'"},
        {"1e", "1:3: expected a digit in the exponent"},
        {"\"abc", "1:1: unterminated string"},
        {"\"a\tb\"", "1:3: control character in string (use an escape)"},
        {"\"\\q\"", "1:3: unknown escape"},
        {"\"\\u12G4\"", "1:6: expected four hex digits after \\u"},
        {"\"\\udc00\"", "1:8: lone low surrogate"},
        {"\"\\ud800x\"", "1:8: high surrogate without its low surrogate"},
        {"\"\\ud800\\u0041\"", "1:14: high surrogate without its low surrogate"},
        {"tru", "1:1: expected a value"},
        {"{}\n x", "2:2: unexpected text after the value"},
        {"{'a':1}", "1:2: expected a string key"},
        {"nul", "1:1: expected a value"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = error_of(cases[i][0], strlen(cases[i][0]));
        if (strcmp(got, cases[i][1]) != 0) {
            printf("FAIL: '%s': error '%s', expected '%s'\n", cases[i][0], got, cases[i][1]);
            fails++;
        }
    }
}

static void test_limits(void)
{
    char deep[PJ_MAX_DEPTH * 2 + 8], *big;
    size_t n = 0;

    for (int i = 0; i < PJ_MAX_DEPTH; i++)
        deep[n++] = '[';
    for (int i = 0; i < PJ_MAX_DEPTH; i++)
        deep[n++] = ']';
    CHECK(error_of(deep, n)[0] == '\0'); /* 64 levels: fine */
    memmove(deep + 1, deep, n);
    deep[0] = '[';
    deep[++n] = ']';
    CHECK(strstr(error_of(deep, n + 1), "nesting too deep") != NULL);
    big = malloc(PJ_MAX_TEXT + 2);
    memset(big, ' ', PJ_MAX_TEXT + 1);
    big[0] = '1';
    CHECK(strstr(error_of(big, PJ_MAX_TEXT + 1), "larger than 1 MiB") != NULL);
    n = 0;
    big[n++] = '[';
    for (unsigned i = 0; i < PJ_MAX_VALUES; i++) {
        big[n++] = '0';
        big[n++] = ',';
    }
    big[n++] = '0';
    big[n++] = ']';
    CHECK(strstr(error_of(big, n), "too many values") != NULL);
    free(big);
}

static bool has(char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

static void test_ops(void)
{
    const char *text =
        "{\"Program\":\"/bin/app\",\"Args\":[\"a.js\",\"--x\"],\"Env\":{\"A\":\"1\",\"B\":\"two\"},"
        "\"Files\":[\"conf/app.conf\",\"/etc/hosts\"],\"Dirs\":[\"static\"],"
        "\"MapDirs\":{\"bin/*\":\"/usr/local/bin\"},\"BaseVolumeSz\":\"100M\","
        "\"RunConfig\":{\"Memory\":\"2G\",\"CPUs\":2,\"Accel\":false,\"Ports\":[\"80\"],"
        "\"Verbos\":true},\"Debugflags\":[\"trace\",\"futex_trace\"],"
        "\"ManifestPassthrough\":{\"fault\":\"t\",\"Deep\":{\"a\":1}},"
        "\"Kernel\":\"k\",\"Argz\":[],\"Zzzzzzzz\":1,\"LocalFilesParentDirectory\":\"/p\"}";
    struct ops_config c;
    char err[256];

    CHECK(ops_config_parse(text, strlen(text), false, &c, err, sizeof(err)) == 0);
    CHECK(c.program && strcmp(c.program, "/bin/app") == 0);
    CHECK(c.nargs == 2 && strcmp(c.args[0], "a.js") == 0 && strcmp(c.args[1], "--x") == 0);
    CHECK(c.nenv == 2 && strcmp(c.env[0], "A=1") == 0 && strcmp(c.env[1], "B=two") == 0);
    CHECK(has(c.files, c.nfiles, "/p/conf/app.conf:/conf/app.conf"));
    CHECK(has(c.files, c.nfiles, "/etc/hosts:/etc/hosts"));
    CHECK(has(c.dirs, c.ndirs, "/p/static:/static"));
    CHECK(has(c.dirs, c.ndirs, "/p/bin/*:/usr/local/bin")); /* host_files false: as written */
    CHECK(c.memory && strcmp(c.memory, "2G") == 0 && c.cpus && strcmp(c.cpus, "2") == 0);
    CHECK(c.accel && strcmp(c.accel, "tcg") == 0);
    CHECK(c.disk_size && strcmp(c.disk_size, "100M") == 0);
    CHECK(c.debug);
    CHECK(c.nmanifest == 2 && strcmp(c.manifest[0], "fault") == 0 &&
          strcmp(c.manifest[1], "t") == 0);
    CHECK(has(c.ignored, c.nignored, "RunConfig.Ports (use -p)"));
    CHECK(has(c.ignored, c.nignored, "RunConfig.Verbos (unknown; did you mean Verbose?)"));
    CHECK(has(c.ignored, c.nignored, "Kernel (Petrel uses its own kernel)"));
    CHECK(has(c.ignored, c.nignored, "Argz (unknown; did you mean Args?)"));
    CHECK(has(c.ignored, c.nignored, "Zzzzzzzz (unknown)"));
    CHECK(has(c.ignored, c.nignored, "Debugflags \"futex_trace\" (Nanos only)"));
    CHECK(has(c.ignored, c.nignored,
              "ManifestPassthrough.Deep (only lower-case keys with string values)"));
    ops_config_free(&c);
}

static void test_ops_errors(void)
{
    static const char *const cases[][2] = {
        {"[]", "expected an object at the top"},
        {"{\"Args\":\"a\"}", "Args: expected an array of strings, found a string"},
        {"{\"Args\":[1]}", "Args: expected a string without NUL bytes, found a number"},
        {"{\"Env\":{\"A=B\":\"x\"}}", "Env: \"A=B\" is not a variable name"},
        {"{\"Env\":[]}", "Env: expected an object of strings, found an array"},
        {"{\"RunConfig\":{\"CPUs\":\"2\"}}", "RunConfig.CPUs: expected a small whole number"},
        {"{\"RunConfig\":{\"Accel\":1}}", "RunConfig.Accel: expected true or false"},
        {"{\"MapDirs\":{\"a\":\"rel\"}}", "MapDirs \"a\": \"rel\": expected a host path and an "
                                         "absolute guest path without ':'"},
        {"{\"Files\":[\"a:b\"]}", "Files a:b: ':' in a path is not supported"},
        {"{\"Program\":\"a\\u0000b\"}", "Program: expected a string without NUL bytes, found a "
                                       "string"},
        {"{\"Args\":[}", "1:10: expected a value"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ops_config c;
        char err[256] = "";
        int rc = ops_config_parse(cases[i][0], strlen(cases[i][0]), false, &c, err, sizeof(err));
        if (rc != -1 || strcmp(err, cases[i][1]) != 0) {
            printf("FAIL: ops '%s': rc %d, error '%s', expected '%s'\n", cases[i][0], rc, err,
                   cases[i][1]);
            fails++;
        }
        if (rc == 0)
            ops_config_free(&c);
    }
}

int main(void)
{
    test_values();
    test_errors();
    test_limits();
    test_ops();
    test_ops_errors();
    if (fails == 0)
        printf("test_petrel_ops: all passed\n");
    return fails != 0;
}
