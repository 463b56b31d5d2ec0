/*
 * test_config.c - the manifest parser, tree, builders and printer (core/config).
 *
 * Runs on the hosted RAM arena (hosted_ram_init + page_init) so every node comes from the
 * real kmalloc; each test checks that it gives back every byte it took. Allocation failure
 * is injected by wrapping kmalloc & co. (-Wl,--wrap, see CMakeLists.txt). The random
 * round-trip test is seeded from PETREL_SEED (default fixed) and prints its seed on failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/config/config.h"
#include "core/lib/alloc.h"
#include "core/lib/log.h"
#include "hal/hal_errno.h"
#include "hal_hosted/hosted.h"

/* ---- allocation failure injection ----------------------------------------------------- */

void *__real_kmalloc(size_t size);
void *__real_kzalloc(size_t size);
void *__real_kcalloc(size_t n, size_t size);
void *__real_krealloc(void *p, size_t size);
void *__wrap_kmalloc(size_t size);
void *__wrap_kzalloc(size_t size);
void *__wrap_kcalloc(size_t n, size_t size);
void *__wrap_krealloc(void *p, size_t size);

static long alloc_budget = -1; /* allocations left before failing; -1: never fail */

static int alloc_fails(void)
{
    if (alloc_budget < 0)
        return 0;
    if (alloc_budget == 0)
        return 1;
    alloc_budget--;
    return 0;
}

void *__wrap_kmalloc(size_t size)
{
    return alloc_fails() ? NULL : __real_kmalloc(size);
}

void *__wrap_kzalloc(size_t size)
{
    return alloc_fails() ? NULL : __real_kzalloc(size);
}

void *__wrap_kcalloc(size_t n, size_t size)
{
    return alloc_fails() ? NULL : __real_kcalloc(n, size);
}

void *__wrap_krealloc(void *p, size_t size)
{
    return alloc_fails() ? NULL : __real_krealloc(p, size);
}

/* ---- helpers -------------------------------------------------------------------------- */

static uint64_t heap_in_use(void)
{
    struct kmalloc_stats st;

    kmalloc_get_stats(&st);
    return st.bytes_in_use;
}

static int group_setup(void **state)
{
    static struct hal_boot_info info;

    if (hosted_ram_init(256u << 20, &info))
        return -1;
    page_init(&info);
    return 0;
}

static int group_teardown(void **state)
{
    hosted_ram_fini();
    return 0;
}

static uint64_t heap_before;

static int setup(void **state)
{
    alloc_budget = -1;
    heap_before = heap_in_use();
    return 0;
}

static int teardown(void **state)
{
    alloc_budget = -1;
    assert_int_equal(heap_in_use(), heap_before); /* no leaks */
    return 0;
}

static struct config_value *parse_ok(const char *text)
{
    struct config_value *v = NULL;
    struct config_error err = {0, 0, NULL};
    int rc = config_parse(text, strlen(text), &v, &err);

    if (rc)
        fail_msg("parse of <%s> failed: %d at %u:%u: %s", text, rc, err.line, err.column,
                 err.message);
    assert_non_null(v);
    return v;
}

static void expect_error(const char *text, size_t len, unsigned line, unsigned column,
                         const char *message)
{
    struct config_value *v = (struct config_value *)0x1;
    struct config_error err = {0, 0, NULL};
    int rc = config_parse(text, len, &v, &err);

    if (rc != -EINVAL || err.line != line || err.column != column ||
        !err.message || strcmp(err.message, message) != 0)
        fail_msg("<%.*s>: rc %d at %u:%u \"%s\", wanted -EINVAL at %u:%u \"%s\"", (int)len,
                 text, rc, err.line, err.column, err.message ? err.message : "(null)", line,
                 column, message);
    assert_ptr_equal(v, (struct config_value *)0x1); /* *out untouched */
}

#define EXPECT_ERROR(text, line, col, msg) expect_error(text, strlen(text), line, col, msg)

static char *print(const struct config_value *v, unsigned flags)
{
    char *text = NULL;
    size_t len = 0;

    assert_int_equal(config_print_alloc(v, flags, &text, &len), 0);
    assert_int_equal(strlen(text), len);
    return text;
}

static void assert_prints(const struct config_value *v, const char *want)
{
    char *text = print(v, 0);

    assert_string_equal(text, want);
    kfree(text);
}

/* Print v (both forms), parse the text back and compare: NULL when all is well, else what
 * went wrong (printed text in *bad_text, kfree it). */
static const char *round_trip_problem(const struct config_value *v, char **bad_text)
{
    for (unsigned flags = 0; flags <= CONFIG_PRINT_PRETTY; flags++) {
        size_t len;
        char *text = NULL;
        struct config_value *again = NULL;
        const char *problem = NULL;

        if (config_print_alloc(v, flags, &text, &len))
            return "print failed";
        if (config_parse(text, len, &again, NULL))
            problem = "re-parse failed";
        else if (!config_equal(v, again))
            problem = "re-parsed tree differs";
        config_free(again);
        if (problem) {
            *bad_text = text;
            return problem;
        }
        kfree(text);
    }
    return NULL;
}

static void check_round_trip_tree(const struct config_value *v)
{
    char *text = NULL;
    const char *problem = round_trip_problem(v, &text);

    if (problem)
        fail_msg("%s: <%s>", problem, text);
}

static void check_round_trip(const char *text)
{
    struct config_value *v = parse_ok(text);

    check_round_trip_tree(v);
    config_free(v);
}

static const char design_example[] =
    "(\n"
    "    children:(bin:(children:(hello:(contents:(host:build/examples/hello))))\n"
    "              etc:(children:(passwd:(contents:(host:/etc/passwd)))))\n"
    "    program:/bin/hello\n"
    "    arguments:[hello world]\n"
    "    environment:(USER:petrel PWD:/)\n"
    "    debugsyscalls:t\n"
    ")\n";

/* ---- valid input ---------------------------------------------------------------------- */

static void test_simple_tuple(void **state)
{
    struct config_value *v = parse_ok("(program:/bin/hello cwd:/tmp)");

    assert_true(config_is_tuple(v));
    assert_int_equal(config_count(v), 2);
    assert_string_equal(config_get_string(v, "program"), "/bin/hello");
    assert_string_equal(config_get_string(v, "cwd"), "/tmp");
    assert_null(config_get(v, "nope"));
    assert_null(v->parent);
    assert_ptr_equal(config_get(v, "cwd")->parent, v);
    config_free(v);
}

static void test_design_example(void **state)
{
    struct config_value *v = parse_ok(design_example);

    assert_string_equal(config_string(config_get_path(v, "children/bin/children/hello/"
                                                         "contents/host")),
                        "build/examples/hello");
    assert_string_equal(
        config_string(config_get_path(v, "children/etc/children/passwd/contents/host")),
        "/etc/passwd");
    assert_string_equal(config_get_string(v, "program"), "/bin/hello");
    struct config_value *args = config_get(v, "arguments");
    assert_true(config_is_vector(args));
    assert_int_equal(config_count(args), 2);
    assert_string_equal(config_string(config_at(args, 0)), "hello");
    assert_string_equal(config_string(config_get_path(v, "arguments/1")), "world");
    assert_string_equal(config_string(config_get_path(v, "environment/USER")), "petrel");
    assert_true(config_get_flag(v, "debugsyscalls"));
    config_free(v);
}

static void test_nested_and_vectors(void **state)
{
    struct config_value *v = parse_ok("(a:(b:(c:(d:deep))) v:[x [y [z]] (k:w) \"q q\"])");

    assert_string_equal(config_string(config_get_path(v, "a/b/c/d")), "deep");
    assert_string_equal(config_string(config_get_path(v, "v/1/1/0")), "z");
    assert_string_equal(config_string(config_get_path(v, "v/2/k")), "w");
    assert_string_equal(config_string(config_get_path(v, "v/3")), "q q");
    assert_int_equal(config_count(config_get(v, "v")), 4);
    config_free(v);
}

static void test_empty_containers(void **state)
{
    struct config_value *v = parse_ok("()");

    assert_true(config_is_tuple(v));
    assert_int_equal(config_count(v), 0);
    config_free(v);
    v = parse_ok("[]");
    assert_true(config_is_vector(v));
    assert_int_equal(config_count(v), 0);
    config_free(v);
    v = parse_ok("( a:() b:[ ] c:( ) )");
    assert_int_equal(config_count(config_get(v, "a")), 0);
    assert_true(config_is_vector(config_get(v, "b")));
    assert_true(config_is_tuple(config_get(v, "c")));
    config_free(v);
}

static void test_root_string_and_vector(void **state)
{
    struct config_value *v = parse_ok("  hello  ");

    assert_true(config_is_string(v));
    assert_string_equal(config_string(v), "hello");
    config_free(v);
    v = parse_ok("[a b c]");
    assert_int_equal(config_count(v), 3);
    assert_string_equal(config_string(config_at(v, 2)), "c");
    assert_null(config_at(v, 3));
    config_free(v);
}

static void test_quoted_strings_and_keys(void **state)
{
    struct config_value *v = parse_ok("(\"my key\":\"a b\" \"k:1\":\"x#y\" e:\"\" "
                                      "u:\"h\xc3\xa9llo\" t:\"a\tb\")");

    assert_string_equal(config_get_string(v, "my key"), "a b");
    assert_string_equal(config_get_string(v, "k:1"), "x#y");
    assert_string_equal(config_get_string(v, "e"), "");
    assert_int_equal(config_string_len(config_get(v, "e")), 0);
    assert_string_equal(config_get_string(v, "u"), "h\xc3\xa9llo");
    assert_string_equal(config_get_string(v, "t"), "a\tb"); /* raw tab allowed */
    config_free(v);
}

static void test_escapes(void **state)
{
    struct config_value *v = parse_ok("[\"q\\\"b\\\\n\\nt\\tr\\r\" \"\\x41\\x7a\\xFf\" "
                                      "\"a\\x00b\"]");

    assert_string_equal(config_string(config_at(v, 0)), "q\"b\\n\nt\tr\r");
    assert_string_equal(config_string(config_at(v, 1)), "Az\xff");
    const struct config_value *nul = config_at(v, 2);
    assert_int_equal(config_string_len(nul), 3);
    assert_memory_equal(config_string(nul), "a\0b", 4);
    assert_false(config_string_eq(nul, "a")); /* embedded NUL never equals a C string */
    config_free(v);
}

static void test_comments_and_whitespace(void **state)
{
    struct config_value *v = parse_ok("# leading comment\r\n"
                                      "(\t# after bracket\n"
                                      "  a # between key and colon\n"
                                      "  : # after colon\n"
                                      "  b#value ends at the comment\n"
                                      "  c:[x#in vector\n y]\r\n"
                                      ")  # trailing, no newline at end");

    assert_string_equal(config_get_string(v, "a"), "b");
    assert_int_equal(config_count(config_get(v, "c")), 2);
    assert_string_equal(config_string(config_get_path(v, "c/1")), "y");
    config_free(v);
}

static void test_no_separators_needed(void **state)
{
    struct config_value *v = parse_ok("(a:(b:c)d:\"e\"f:[g]h:i)");

    assert_int_equal(config_count(v), 4);
    assert_string_equal(config_get_string(v, "d"), "e");
    assert_string_equal(config_string(config_get_path(v, "f/0")), "g");
    assert_string_equal(config_get_string(v, "h"), "i");
    config_free(v);
}

static void test_bare_punctuation(void **state)
{
    static const char bare[] = "/usr/lib/x86_64-linux-gnu/libc.so.6,a=b;c@d%e+f~g!h$i&j*k'l<m>"
                               "n?o^p`q{r}s|t.-_";
    char text[256];

    snprintf(text, sizeof(text), "(%s:%s)", bare, bare);
    struct config_value *v = parse_ok(text);
    assert_string_equal(config_get_string(v, bare), bare);
    config_free(v);
}

static void test_key_order_preserved(void **state)
{
    struct config_value *v = parse_ok("(z:1 a:2 m:3 b:4)");
    static const char *const keys[] = {"z", "a", "m", "b"};

    for (size_t i = 0; i < 4; i++)
        assert_string_equal(config_key_at(v, i)->data, keys[i]);
    assert_null(config_key_at(v, 4));
    assert_prints(v, "(z:1 a:2 m:3 b:4)");
    config_free(v);
}

/* Large tuples use the hash index: every key found, a late duplicate reported in place. */
static void test_large_tuple(void **state)
{
    const int n = 3000;
    size_t cap = (size_t)n * 24 + 64, off = 0;
    char *text = malloc(cap);

    off += (size_t)snprintf(text + off, cap - off, "(\n");
    for (int i = 0; i < n; i++)
        off += (size_t)snprintf(text + off, cap - off, "k%d:v%d\n", i, i);
    struct config_value *v = NULL;
    snprintf(text + off, cap - off, ")");
    v = parse_ok(text);
    assert_int_equal(config_count(v), n);
    for (int i = 0; i < n; i += 7) {
        char k[16], val[16];
        snprintf(k, sizeof(k), "k%d", i);
        snprintf(val, sizeof(val), "v%d", i);
        assert_string_equal(config_get_string(v, k), val);
    }
    assert_null(config_get(v, "k3000"));
    config_free(v);
    snprintf(text + off, cap - off, "k1234:dup)");
    expect_error(text, strlen(text), (unsigned)n + 2, 1, "duplicate key");
    free(text);
}

/* ---- errors --------------------------------------------------------------------------- */

static void test_error_empty(void **state)
{
    EXPECT_ERROR("", 1, 1, "expected a value, found end of input");
    EXPECT_ERROR("  \n # only a comment\n\t", 3, 2, "expected a value, found end of input");
}

static void test_error_expected_colon(void **state)
{
    EXPECT_ERROR("(a b)", 1, 4, "expected ':' after key");
    EXPECT_ERROR("(\n  program /bin/x\n)", 2, 11, "expected ':' after key");
    EXPECT_ERROR("(a", 1, 3, "expected ':' after key");
    EXPECT_ERROR("(\"k\")", 1, 5, "expected ':' after key");
}

static void test_error_unterminated_string(void **state)
{
    EXPECT_ERROR("(a:\"abc", 1, 4, "unterminated string");
    EXPECT_ERROR("(a:b\n c:\"x\ny\")", 2, 4, "unterminated string");
    EXPECT_ERROR("(a:\"x\\", 1, 4, "unterminated string");
    EXPECT_ERROR("(\"key", 1, 2, "unterminated string");
}

static void test_error_escapes(void **state)
{
    EXPECT_ERROR("(a:\"\\q\")", 1, 5, "unknown escape (use \\\" \\\\ \\n \\t \\r or \\xHH)");
    EXPECT_ERROR("[\"ok\" \"\\xZ1\"]", 1, 8, "expected two hex digits after \\x");
    EXPECT_ERROR("[\"\\x1\"]", 1, 3, "expected two hex digits after \\x");
    EXPECT_ERROR("[\"\\x", 1, 3, "expected two hex digits after \\x");
}

static void test_error_control_character(void **state)
{
    EXPECT_ERROR("(a:\"x\x01y\")", 1, 6, "control character in string (use an escape)");
    EXPECT_ERROR("(a:\"x\ry\")", 1, 6, "control character in string (use an escape)");
    expect_error("[\"a\0\"]", 6, 1, 4, "control character in string (use an escape)");
}

static void test_error_unterminated_containers(void **state)
{
    EXPECT_ERROR("(a:b", 1, 1, "unterminated tuple");
    EXPECT_ERROR("(a:(b:c)\n x:(y:z", 2, 4, "unterminated tuple");
    EXPECT_ERROR("[a b", 1, 1, "unterminated vector");
    EXPECT_ERROR("(v:[a\n# ] in a comment\n", 1, 4, "unterminated vector");
}

static void test_error_duplicate_key(void **state)
{
    EXPECT_ERROR("(\n  a:1\n  b:2\n  a:3\n)", 4, 3, "duplicate key");
    EXPECT_ERROR("(x:(k:1 \"k\":2))", 1, 9, "duplicate key");
}

static void test_error_empty_key(void **state)
{
    EXPECT_ERROR("(\"\":x)", 1, 2, "empty key");
}

static void test_error_mismatched_brackets(void **state)
{
    EXPECT_ERROR("(a:b]", 1, 5, "']' inside a tuple");
    EXPECT_ERROR("[a )", 1, 4, "')' inside a vector");
    EXPECT_ERROR("(a:])", 1, 4, "expected a value");
    EXPECT_ERROR(")", 1, 1, "expected a value");
}

static void test_error_colon(void **state)
{
    EXPECT_ERROR("(a:b:c)", 1, 5, "unexpected ':' (quote strings that contain ':')");
    EXPECT_ERROR("[a:b]", 1, 3, "unexpected ':' (quote strings that contain ':')");
    EXPECT_ERROR("(a::b)", 1, 4, "unexpected ':' (quote strings that contain ':')");
    EXPECT_ERROR("(:b)", 1, 2, "unexpected ':' (quote strings that contain ':')");
}

static void test_error_expected_key_or_value(void **state)
{
    EXPECT_ERROR("((a:b))", 1, 2, "expected a key or ')'");
    EXPECT_ERROR("([a])", 1, 2, "expected a key or ')'");
    EXPECT_ERROR("(a:)", 1, 4, "expected a value");
    EXPECT_ERROR("(a:\n\n   ", 3, 4, "expected a value, found end of input");
}

static void test_error_unexpected_character(void **state)
{
    EXPECT_ERROR("(a:\x01)", 1, 4, "unexpected character (quote it in a string)");
    EXPECT_ERROR("[a\\b]", 1, 3, "unexpected character (quote it in a string)");
    EXPECT_ERROR("(a:h\xc3\xa9)", 1, 5, "expected a key or ')'");
    EXPECT_ERROR("(a:\x0b)", 1, 4, "unexpected character (quote it in a string)");
}

static void test_error_trailing_text(void **state)
{
    EXPECT_ERROR("(a:b) x", 1, 7, "unexpected text after the value");
    EXPECT_ERROR("()\n# fine\n()", 3, 1, "unexpected text after the value");
    EXPECT_ERROR("a b", 1, 3, "unexpected text after the value");
}

static void test_error_without_err(void **state)
{
    struct config_value *v = NULL;

    assert_int_equal(config_parse("(a b)", 5, &v, NULL), -EINVAL);
    assert_null(v);
    /* len is honoured: the text after len is never read */
    assert_int_equal(config_parse("(a:b) garbage", 5, &v, NULL), 0);
    assert_string_equal(config_get_string(v, "a"), "b");
    config_free(v);
}

/* ---- limits --------------------------------------------------------------------------- */

static char *nested(unsigned depth, char open, char close, const char *inner)
{
    size_t n = strlen(inner);
    char *s = malloc(2 * depth + n + 1);

    memset(s, open, depth);
    memcpy(s + depth, inner, n);
    memset(s + depth + n, close, depth);
    s[2 * depth + n] = '\0';
    return s;
}

static void test_depth_limit(void **state)
{
    char *ok = nested(CONFIG_MAX_DEPTH, '[', ']', "x");
    struct config_value *v = parse_ok(ok);
    check_round_trip_tree(v);
    config_free(v);
    free(ok);

    char *deep = nested(CONFIG_MAX_DEPTH + 1, '[', ']', "");
    EXPECT_ERROR(deep, 1, CONFIG_MAX_DEPTH + 1, "nesting too deep");
    free(deep);
    /* far deeper than the limit: still an error, not a stack overflow */
    deep = nested(100000, '[', ']', "");
    EXPECT_ERROR(deep, 1, CONFIG_MAX_DEPTH + 1, "nesting too deep");
    free(deep);
    /* tuples count too */
    size_t cap = CONFIG_MAX_DEPTH * 3 + 8, off = 0;
    char *t = malloc(cap);
    for (unsigned i = 0; i <= CONFIG_MAX_DEPTH; i++)
        off += (size_t)snprintf(t + off, cap - off, "(a:");
    EXPECT_ERROR(t, 1, 3 * CONFIG_MAX_DEPTH + 1, "nesting too deep");
    free(t);
}

static void test_size_limit(void **state)
{
    size_t len = CONFIG_MAX_INPUT + 1;
    char *big = malloc(len);

    memset(big, ' ', len);
    big[0] = '(';
    big[len - 1] = ')';
    expect_error(big, len, 1, 1, "manifest too large");
    big[len - 2] = ')';
    struct config_value *v = NULL;
    assert_int_equal(config_parse(big, len - 1, &v, NULL), 0); /* exactly at the limit */
    config_free(v);
    free(big);
}

static void test_node_limit(void **state)
{
    /* Exactly CONFIG_MAX_NODES values (a root tuple holding 64 vectors of strings), then one
     * more. Many vectors keep each one's entry array small. */
    const unsigned per = 4096, nvec = CONFIG_MAX_NODES / per;
    size_t cap = (size_t)nvec * (per * 2 + 16) + 16, off = 0;
    char *text = malloc(cap);
    struct config_value *v = NULL;
    struct config_error err;

    off += (size_t)snprintf(text + off, cap - off, "(");
    for (unsigned i = 0; i < nvec; i++) {
        off += (size_t)snprintf(text + off, cap - off, "v%u:[", i);
        for (unsigned j = 0; j < per; j++) {
            /* the last vector is one shorter, so the whole tree has exactly MAX nodes */
            if (i == nvec - 1 && j >= per - nvec - 1)
                break;
            text[off++] = 'x';
            text[off++] = ' ';
        }
        text[off++] = ']';
    }
    text[off++] = ')';
    text[off] = '\0';
    assert_int_equal(config_parse(text, off, &v, &err), 0);
    config_free(v);
    text[off - 2] = 'y'; /* "]" -> "y]": one value more */
    text[off - 1] = ']';
    text[off++] = ')';
    text[off] = '\0';
    assert_int_equal(config_parse(text, off, &v, &err), -EINVAL);
    assert_string_equal(err.message, "too many values");
    assert_int_equal(err.line, 1);
    assert_int_equal(err.column, off - 2);
    free(text);
}

/* ---- printing ------------------------------------------------------------------------- */

static void test_print_canonical(void **state)
{
    struct config_value *v = parse_ok("(\n  b : (x:y)  # c\n  a:[ 1  2 [] ]\n e:() )");

    assert_prints(v, "(b:(x:y) a:[1 2 []] e:())");
    config_free(v);
    v = parse_ok(design_example);
    assert_prints(v, "(children:(bin:(children:(hello:(contents:(host:build/examples/hello))))"
                     " etc:(children:(passwd:(contents:(host:/etc/passwd))))) "
                     "program:/bin/hello arguments:[hello world] "
                     "environment:(USER:petrel PWD:/) debugsyscalls:t)");
    config_free(v);
}

static void test_print_quoting(void **state)
{
    struct config_value *v = parse_ok("[\"plain\" \"\" \"a b\" \"k:v\" \"#\" \"(\" \"]\" "
                                      "\"q\\\"\" \"b\\\\s\" \"\\n\\t\\r\" \"\\x00\\x1f\\x7f\" "
                                      "\"\xc3\xa9\"]");

    assert_prints(v, "[plain \"\" \"a b\" \"k:v\" \"#\" \"(\" \"]\" \"q\\\"\" \"b\\\\s\" "
                     "\"\\n\\t\\r\" \"\\x00\\x1f\\x7f\" \"\xc3\xa9\"]");
    config_free(v);
    v = parse_ok("(\"a key\":\"\")");
    assert_prints(v, "(\"a key\":\"\")");
    config_free(v);
}

static void test_print_pretty(void **state)
{
    struct config_value *v = parse_ok("(a:(b:c d:()) v:[x y] w:[(k:v) z] e:[] s:t)");
    char *text = print(v, CONFIG_PRINT_PRETTY);

    assert_string_equal(text, "(\n"
                              "    a:(\n"
                              "        b:c\n"
                              "        d:()\n"
                              "    )\n"
                              "    v:[x y]\n"
                              "    w:[\n"
                              "        (\n"
                              "            k:v\n"
                              "        )\n"
                              "        z\n"
                              "    ]\n"
                              "    e:[]\n"
                              "    s:t\n"
                              ")");
    kfree(text);
    config_free(v);
}

static int fail_after_writer(void *ctx, const char *data, size_t len)
{
    size_t *left = ctx;

    if (*left < len)
        return -EIO;
    *left -= len;
    return 0;
}

static void test_print_writer_error(void **state)
{
    struct config_value *v = parse_ok(design_example);
    char *full = print(v, CONFIG_PRINT_PRETTY);
    size_t n = strlen(full);

    kfree(full);
    for (size_t budget = 0; budget < n; budget++) {
        size_t left = budget;
        assert_int_equal(config_print(v, CONFIG_PRINT_PRETTY, fail_after_writer, &left), -EIO);
    }
    size_t left = n;
    assert_int_equal(config_print(v, CONFIG_PRINT_PRETTY, fail_after_writer, &left), 0);
    assert_int_equal(left, 0);
    /* an escape-heavy string stops at each piece too */
    struct config_value *s = config_new_string("a\"b\x01", 4);
    for (size_t budget = 0; budget < 9; budget++) {
        left = budget;
        assert_int_equal(config_print(s, 0, fail_after_writer, &left), -EIO);
    }
    config_free(s);
    config_free(v);
}

/* A tree wired by hand past the depth limit (the setters refuse to build one). */
static void test_print_too_deep(void **state)
{
    struct config_value *nodes[CONFIG_MAX_DEPTH + 1];
    struct config_child slots[CONFIG_MAX_DEPTH];

    memset(nodes, 0, sizeof(nodes));
    for (int i = 0; i <= CONFIG_MAX_DEPTH; i++) {
        nodes[i] = config_new_vector();
        assert_non_null(nodes[i]);
    }
    for (int i = 0; i < CONFIG_MAX_DEPTH; i++) {
        slots[i].key.data = NULL;
        slots[i].key.len = 0;
        slots[i].value = nodes[i + 1];
        nodes[i]->children = &slots[i];
        nodes[i]->count = 1;
    }
    char *text = (char *)0x1;
    assert_int_equal(config_print_alloc(nodes[0], 0, &text, NULL), -E2BIG);
    assert_ptr_equal(text, (char *)0x1);
    for (int i = 0; i <= CONFIG_MAX_DEPTH; i++) {
        nodes[i]->children = NULL;
        nodes[i]->count = 0;
        config_free(nodes[i]);
    }
}

static void test_round_trip_fixed(void **state)
{
    static const char *const inputs[] = {
        "()", "[]", "x", "\"\"", "(a:b)", "[[[]]]", "(a:[] b:() c:\"\")",
        "(\"\\x00\":\"\\x01\\xff\")", "[\"#\" \"a#b\" \"(x)\" \"[y]\" \" \" \"\\\\\"]",
        "(k:[a (b:[c (d:e)])])", "(p:/a/b/c.so.1 q:-x r:*)", "[\"\xc3\xa9t\xc3\xa9\"]",
        design_example,
    };

    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++)
        check_round_trip(inputs[i]);
}

/* ---- random trees --------------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void random_bytes(char *buf, size_t *len)
{
    static const char alphabet[] = "abcXYZ019/._-:#()[]\" \\\n\t\r";
    *len = rng() % 8;
    for (size_t i = 0; i < *len; i++) {
        uint64_t r = rng();
        buf[i] = r % 4 == 0 ? (char)(r >> 8) : alphabet[(r >> 8) % (sizeof(alphabet) - 1)];
    }
}

static unsigned tree_budget; /* nodes left for the tree being generated */

static struct config_value *random_tree(unsigned depth, unsigned max_depth)
{
    char buf[8];
    size_t len;
    unsigned kind = depth >= max_depth || tree_budget == 0 ? 0 : (unsigned)(rng() % 3);

    if (tree_budget)
        tree_budget--;
    if (kind == 0) {
        random_bytes(buf, &len);
        return config_new_string(buf, len);
    }
    struct config_value *c = kind == 1 ? config_new_tuple() : config_new_vector();
    unsigned n = (unsigned)(rng() % 6);
    for (unsigned i = 0; i < n; i++) {
        struct config_value *child = random_tree(depth + 1, max_depth);
        int rc;
        if (kind == 1) {
            random_bytes(buf, &len);
            if (len == 0)
                buf[len++] = 'k';
            rc = config_tuple_set_n(c, buf, len, child);
        } else {
            rc = config_vector_append(c, child);
        }
        assert_int_equal(rc, 0);
    }
    return c;
}

static void test_round_trip_random(void **state)
{
    const char *env = getenv("PETREL_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : 0x5eed5eedULL;

    rng_state = seed ? seed : 1;
    for (int i = 0; i < 400; i++) {
        uint64_t tree_seed = rng_state;
        unsigned max_depth = i % 50 == 0 ? CONFIG_MAX_DEPTH - 1 : 1 + (unsigned)(rng() % 6);
        tree_budget = 3000;
        struct config_value *v = random_tree(0, max_depth);
        struct config_value *clone = config_clone(v);
        char *text = NULL;
        const char *problem = config_equal(v, clone) ? round_trip_problem(v, &text)
                                                     : "clone differs";
        /* report the seed that rebuilds the failing tree */
        if (problem)
            fail_msg("%s: PETREL_SEED=%llu, tree %d (generator state %llu): <%s>", problem,
                     (unsigned long long)seed, i, (unsigned long long)tree_seed,
                     text ? text : "");
        config_free(clone);
        config_free(v);
    }
}

/* ---- lookups -------------------------------------------------------------------------- */

static void test_get_path(void **state)
{
    struct config_value *v = parse_ok("(a:(b:[x (c:d)]) s:str)");

    assert_string_equal(config_string(config_get_path(v, "a/b/1/c")), "d");
    assert_true(config_is_vector(config_get_path(v, "a/b")));
    assert_null(config_get_path(v, "a/b/2"));        /* index out of range */
    assert_null(config_get_path(v, "a/b/x"));        /* not an index */
    assert_null(config_get_path(v, "a/b/-1"));
    assert_null(config_get_path(v, "a/b/99999999999999999999"));
    assert_null(config_get_path(v, "a//b"));         /* empty component */
    assert_null(config_get_path(v, "/a"));
    assert_null(config_get_path(v, "a/"));
    assert_null(config_get_path(v, ""));
    assert_null(config_get_path(v, "s/x"));          /* through a string */
    assert_null(config_get_path(v, "missing/x"));
    assert_ptr_equal(config_get_path(v, "s"), config_get(v, "s"));
    assert_null(config_get_path(NULL, "a"));
    config_free(v);
}

static void test_readers_on_wrong_types(void **state)
{
    struct config_value *v = parse_ok("(s:x v:[a] t:())");
    struct config_value *s = config_get(v, "s"), *vec = config_get(v, "v");

    assert_null(config_get(s, "x"));
    assert_null(config_get(vec, "a"));
    assert_null(config_get(NULL, "a"));
    assert_null(config_string(vec));
    assert_null(config_string(NULL));
    assert_int_equal(config_string_len(vec), 0);
    assert_int_equal(config_count(s), 0);
    assert_int_equal(config_count(NULL), 0);
    assert_null(config_at(s, 0));
    assert_null(config_key_at(vec, 0));
    assert_null(config_get_string(v, "v"));
    assert_false(config_string_eq(vec, "a"));
    assert_true(config_string_eq(s, "x"));
    assert_false(config_string_eq(s, "xy"));
    assert_false(config_is_string(NULL));
    assert_false(config_is_tuple(vec));
    assert_false(config_is_vector(s));
    config_free(v);
}

static void test_flags(void **state)
{
    struct config_value *v =
        parse_ok("(a:t b:f c:false d:no e:off g:0 h:yes i:() j:[] k:\"\" l:1 m:true)");

    assert_true(config_get_flag(v, "a"));
    assert_false(config_get_flag(v, "b"));
    assert_false(config_get_flag(v, "c"));
    assert_false(config_get_flag(v, "d"));
    assert_false(config_get_flag(v, "e"));
    assert_false(config_get_flag(v, "g"));
    assert_true(config_get_flag(v, "h"));
    assert_true(config_get_flag(v, "i"));
    assert_true(config_get_flag(v, "j"));
    assert_true(config_get_flag(v, "k"));
    assert_true(config_get_flag(v, "l"));
    assert_true(config_get_flag(v, "m"));
    assert_false(config_get_flag(v, "absent"));
    config_free(v);
}

static void test_numbers(void **state)
{
    struct config_value *v = parse_ok("[0 42 0x1f 0XFF 18446744073709551615 18446744073709551616 "
                                      "0x10000000000000000 12a 0x \"\" -1 () 4K 3m 2G 1t 0x10k "
                                      "16777216T 16777215T K 5x]");
    uint64_t n;

#define NUM(i) config_at(v, i)
    assert_int_equal(config_string_to_u64(NUM(0), &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(config_string_to_u64(NUM(1), &n), 0);
    assert_int_equal(n, 42);
    assert_int_equal(config_string_to_u64(NUM(2), &n), 0);
    assert_int_equal(n, 0x1f);
    assert_int_equal(config_string_to_u64(NUM(3), &n), 0);
    assert_int_equal(n, 0xff);
    assert_int_equal(config_string_to_u64(NUM(4), &n), 0);
    assert_true(n == UINT64_MAX);
    assert_int_equal(config_string_to_u64(NUM(5), &n), -ERANGE);
    assert_int_equal(config_string_to_u64(NUM(6), &n), -ERANGE);
    assert_int_equal(config_string_to_u64(NUM(7), &n), -EINVAL);
    assert_int_equal(config_string_to_u64(NUM(8), &n), -EINVAL);
    assert_int_equal(config_string_to_u64(NUM(9), &n), -EINVAL);
    assert_int_equal(config_string_to_u64(NUM(10), &n), -EINVAL);
    assert_int_equal(config_string_to_u64(NUM(11), &n), -EINVAL);
    assert_int_equal(config_string_to_u64(NUM(12), &n), -EINVAL); /* no suffix for u64 */
    assert_int_equal(config_string_to_size(NUM(12), &n), 0);
    assert_int_equal(n, 4096);
    assert_int_equal(config_string_to_size(NUM(13), &n), 0);
    assert_int_equal(n, 3u << 20);
    assert_int_equal(config_string_to_size(NUM(14), &n), 0);
    assert_int_equal(n, 2ull << 30);
    assert_int_equal(config_string_to_size(NUM(15), &n), 0);
    assert_int_equal(n, 1ull << 40);
    assert_int_equal(config_string_to_size(NUM(16), &n), 0);
    assert_int_equal(n, 16 << 10);
    assert_int_equal(config_string_to_size(NUM(17), &n), -ERANGE);
    assert_int_equal(config_string_to_size(NUM(18), &n), 0);
    assert_true(n == 16777215ull << 40);
    assert_int_equal(config_string_to_size(NUM(19), &n), -EINVAL);
    assert_int_equal(config_string_to_size(NUM(20), &n), -EINVAL);
    assert_int_equal(config_string_to_size(NUM(1), &n), 0);
    assert_int_equal(n, 42);
    assert_int_equal(config_string_to_size(NUM(9), &n), -EINVAL);
    assert_int_equal(config_string_to_size(NUM(11), &n), -EINVAL);
#undef NUM
    config_free(v);
}

/* ---- building ------------------------------------------------------------------------- */

static void test_build_and_print(void **state)
{
    struct config_value *root = config_new_tuple();
    struct config_value *args = config_new_vector();
    struct config_value *env = config_new_tuple();

    assert_int_equal(config_tuple_set(root, "program", config_new_cstring("/bin/hello")), 0);
    assert_int_equal(config_vector_append(args, config_new_cstring("hello")), 0);
    assert_int_equal(config_vector_append(args, config_new_cstring("big world")), 0);
    assert_int_equal(config_tuple_set(root, "arguments", args), 0);
    assert_int_equal(config_tuple_set(env, "USER", config_new_cstring("petrel")), 0);
    assert_int_equal(config_tuple_set(root, "environment", env), 0);
    assert_int_equal(config_tuple_set_n(root, "a\0b", 3, config_new_string("x\0y", 3)), 0);
    assert_prints(root, "(program:/bin/hello arguments:[hello \"big world\"] "
                        "environment:(USER:petrel) \"a\\x00b\":\"x\\x00y\")");
    struct config_value *parsed = parse_ok("(program:/bin/hello arguments:[hello \"big world\"]"
                                           " environment:(USER:petrel) \"a\\x00b\":\"x\\x00y\")");
    assert_true(config_equal(root, parsed));
    assert_string_equal(config_string(config_get_n(root, "a\0b", 3)), "x"); /* up to the NUL */
    assert_null(config_get_path(root, "a"));
    config_free(parsed);
    config_free(root);
}

static void test_tuple_set_replaces_in_place(void **state)
{
    struct config_value *v = parse_ok("(a:1 b:(deep:(er:x)) c:3)");

    assert_int_equal(config_tuple_set(v, "b", config_new_cstring("two")), 0);
    assert_prints(v, "(a:1 b:two c:3)");
    assert_int_equal(config_tuple_set(v, "d", config_new_tuple()), 0);
    assert_prints(v, "(a:1 b:two c:3 d:())");
    config_free(v);
}

static void test_setter_errors(void **state)
{
    struct config_value *t = config_new_tuple(), *vec = config_new_vector();
    struct config_value *s = config_new_cstring("s");

    assert_int_equal(config_tuple_set(vec, "k", s), -EINVAL);    /* not a tuple */
    assert_int_equal(config_tuple_set(s, "k", s), -EINVAL);
    assert_int_equal(config_tuple_set(t, "", s), -EINVAL);       /* empty key */
    assert_int_equal(config_vector_append(t, s), -EINVAL);       /* not a vector */
    assert_int_equal(config_tuple_set(t, "k", NULL), -EINVAL);
    assert_int_equal(config_tuple_set(t, "k", s), 0);
    assert_int_equal(config_vector_append(vec, s), -EINVAL);     /* attached elsewhere */
    assert_int_equal(config_tuple_set(t, "inner", vec), 0);
    assert_int_equal(config_tuple_set(vec, "x", t), -EINVAL);    /* would make a cycle */
    struct config_value *root = config_new_vector();
    assert_int_equal(config_vector_append(vec, root), 0);
    assert_int_equal(config_vector_append(root, t), -EINVAL);    /* cycle, via vectors */
    config_free(t);
}

static void test_setter_depth_limit(void **state)
{
    /* a chain exactly CONFIG_MAX_DEPTH deep is fine; one more bracket is -E2BIG */
    struct config_value *top = config_new_vector(), *bottom = top;
    for (unsigned i = 1; i < CONFIG_MAX_DEPTH; i++) {
        struct config_value *n = config_new_vector();
        assert_int_equal(config_vector_append(bottom, n), 0);
        bottom = n;
    }
    struct config_value *s = config_new_cstring("leaf");
    assert_int_equal(config_vector_append(bottom, s), 0); /* strings add no depth */
    struct config_value *extra = config_new_tuple();
    assert_int_equal(config_vector_append(bottom, extra), -E2BIG);
    struct config_value *wrapper = config_new_tuple();
    assert_int_equal(config_tuple_set(wrapper, "x", top), -E2BIG); /* from above */
    check_round_trip_tree(top);
    config_free(extra);
    config_free(wrapper);
    config_free(top);
}

static void test_remove_and_take(void **state)
{
    struct config_value *v = parse_ok("(a:1 contents:(host:/x) b:[p q r] c:3)");

    assert_int_equal(config_remove(v, "nope"), -ENOENT);
    struct config_value *contents = config_take(v, "contents");
    assert_non_null(contents);
    assert_null(contents->parent);
    assert_string_equal(config_get_string(contents, "host"), "/x");
    config_free(contents);
    assert_prints(v, "(a:1 b:[p q r] c:3)");
    assert_int_equal(config_remove_at(config_get(v, "b"), 1), 0);
    assert_int_equal(config_remove_at(config_get(v, "b"), 2), -ENOENT);
    assert_int_equal(config_remove(v, "a"), 0);
    assert_prints(v, "(b:[p r] c:3)");
    assert_int_equal(config_remove_at(v, 0), 0);
    assert_int_equal(config_remove_at(config_get(v, "c"), 0), -ENOENT);
    assert_null(config_take(config_get(v, "c"), "x"));
    assert_null(config_take(v, "gone"));
    assert_prints(v, "(c:3)");
    config_free(v);
}

/* Removing from a large (indexed) tuple keeps every remaining key reachable. */
static void test_remove_from_indexed_tuple(void **state)
{
    struct config_value *t = config_new_tuple();
    char k[16];

    for (int i = 0; i < 100; i++) {
        snprintf(k, sizeof(k), "key%d", i);
        assert_int_equal(config_tuple_set(t, k, config_new_cstring(k)), 0);
    }
    for (int i = 0; i < 100; i += 3) {
        snprintf(k, sizeof(k), "key%d", i);
        assert_int_equal(config_remove(t, k), 0);
    }
    for (int i = 0; i < 100; i++) {
        snprintf(k, sizeof(k), "key%d", i);
        if (i % 3 == 0)
            assert_null(config_get(t, k));
        else
            assert_string_equal(config_get_string(t, k), k);
    }
    assert_int_equal(config_count(t), 66);
    assert_string_equal(config_key_at(t, 0)->data, "key1"); /* order kept */
    config_free(t);
}

static void test_clone_and_merge(void **state)
{
    struct config_value *dst = parse_ok("(program:/a env:(A:1 B:2) args:[x] keep:k)");
    struct config_value *src = parse_ok("(env:(B:3 C:4) args:[y z] debugsyscalls:t)");
    struct config_value *src_copy = config_clone(src);

    assert_int_equal(config_merge(dst, src), 0);
    assert_prints(dst, "(program:/a env:(A:1 B:3 C:4) args:[y z] keep:k debugsyscalls:t)");
    assert_true(config_equal(src, src_copy)); /* src unchanged */
    assert_int_equal(config_merge(dst, config_get(src, "args")), -EINVAL);
    assert_int_equal(config_merge(config_get(dst, "args"), src), -EINVAL);
    assert_null(config_clone(NULL));
    config_free(src_copy);
    config_free(src);
    config_free(dst);
}

static void test_equal(void **state)
{
    static const char *const distinct[] = {
        "a", "b", "ab", "()", "[]", "(a:b)", "(a:c)", "(b:b)", "(a:b c:d)", "(c:d a:b)",
        "[a]", "[a b]", "[b a]", "[()]", "[[]]", "(a:[b])", "(a:(b:c))", "\"a\\x00\"",
    };
    const size_t n = sizeof(distinct) / sizeof(distinct[0]);

    for (size_t i = 0; i < n; i++) {
        struct config_value *a = parse_ok(distinct[i]);
        for (size_t j = 0; j < n; j++) {
            struct config_value *b = parse_ok(distinct[j]);
            if (config_equal(a, b) != (i == j))
                fail_msg("config_equal(%s, %s) wrong", distinct[i], distinct[j]);
            config_free(b);
        }
        assert_true(config_equal(a, a));
        assert_false(config_equal(a, NULL));
        assert_false(config_equal(NULL, a));
        config_free(a);
    }
    assert_true(config_equal(NULL, NULL));
    config_free(NULL);
}

static void panic_to_cmocka(const char *msg)
{
    mock_assert(0, msg, __FILE__, __LINE__);
}

/* Freeing a value that its container still points at is a kernel bug: panic, not corrupt. */
static void test_free_attached_panics(void **state)
{
    struct config_value *v = parse_ok("(a:(b:c))");

    panic_hook = panic_to_cmocka;
    expect_assert_failure(config_free(config_get(v, "a")));
    panic_hook = NULL;
    assert_string_equal(config_string(config_get_path(v, "a/b")), "c"); /* untouched */
    config_free(v);
}

/* ---- out of memory -------------------------------------------------------------------- */

/* Run op with a budget of 0, 1, 2... allocations until it succeeds; every failure must be
 * -ENOMEM and leave the heap as it was. */
static void exhaust(int (*op)(void *arg), void *arg, void (*cleanup)(void *arg))
{
    for (long budget = 0;; budget++) {
        uint64_t before = heap_in_use();
        alloc_budget = budget;
        int rc = op(arg);
        alloc_budget = -1;
        if (rc == 0) {
            cleanup(arg);
            assert_int_equal(heap_in_use(), before);
            assert_true(budget > 0);
            return;
        }
        if (rc != -ENOMEM)
            fail_msg("budget %ld: rc %d, wanted -ENOMEM", budget, rc);
        assert_int_equal(heap_in_use(), before);
    }
}

struct oom_parse {
    const char *text;
    struct config_value *v;
};

static int oom_parse_op(void *arg)
{
    struct oom_parse *o = arg;
    struct config_error err = {0, 0, NULL};
    int rc = config_parse(o->text, strlen(o->text), &o->v, &err);

    if (rc == -ENOMEM)
        assert_string_equal(err.message, "out of memory");
    return rc;
}

static void oom_parse_cleanup(void *arg)
{
    config_free(((struct oom_parse *)arg)->v);
}

static void test_oom_parse(void **state)
{
    static char big[1024];
    size_t off = 0;

    off += (size_t)snprintf(big + off, sizeof(big) - off, "(");
    for (int i = 0; i < 20; i++)
        off += (size_t)snprintf(big + off, sizeof(big) - off, "k%d:[v \"q\\n\"] ", i);
    snprintf(big + off, sizeof(big) - off, ")");
    const char *inputs[] = {design_example, "\"quoted\"", "[a [b] (c:\"d\")]", big};
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        struct oom_parse o = {inputs[i], NULL};
        exhaust(oom_parse_op, &o, oom_parse_cleanup);
    }
}

struct oom_tree {
    struct config_value *src, *out;
    char *text;
};

static int oom_print_op(void *arg)
{
    struct oom_tree *o = arg;

    return config_print_alloc(o->src, 0, &o->text, NULL);
}

static void oom_print_cleanup(void *arg)
{
    kfree(((struct oom_tree *)arg)->text);
}

static int oom_clone_op(void *arg)
{
    struct oom_tree *o = arg;

    o->out = config_clone(o->src);
    return o->out ? 0 : -ENOMEM;
}

static void oom_clone_cleanup(void *arg)
{
    config_free(((struct oom_tree *)arg)->out);
}

/* Merge into a fresh copy made before the budget applies. */
static int oom_merge_op(void *arg)
{
    struct oom_tree *o = arg;
    long budget = alloc_budget;

    alloc_budget = -1;
    struct config_value *dst = parse_ok("(a:(x:1) k0:old)");
    alloc_budget = budget;
    int rc = config_merge(dst, o->src);
    if (rc) {
        alloc_budget = -1;
        config_free(dst);
        return rc;
    }
    o->out = dst;
    return 0;
}

static int oom_build_op(void *arg)
{
    struct oom_tree *o = arg;
    struct config_value *t = config_new_tuple(), *s = NULL, *vec = NULL;
    char k[8];
    int rc = -ENOMEM;

    if (!t)
        return -ENOMEM;
    for (int i = 0; i < 12; i++) {
        snprintf(k, sizeof(k), "k%d", i);
        s = config_new_cstring(k);
        if (!s)
            goto out;
        rc = config_tuple_set(t, k, s);
        if (rc)
            goto out_s;
    }
    vec = config_new_vector();
    if (!vec)
        goto out;
    s = config_new_cstring("e");
    rc = s ? config_vector_append(vec, s) : -ENOMEM;
    if (rc)
        goto out_s;
    rc = config_tuple_set(t, "v", vec);
    if (rc)
        goto out_vec;
    o->out = t;
    return 0;
out_s:
    config_free(s);
out_vec:
    config_free(vec);
out:
    config_free(t);
    return -ENOMEM;
}

static void test_oom_tree_ops(void **state)
{
    struct oom_tree o = {parse_ok(design_example), NULL, NULL};

    exhaust(oom_print_op, &o, oom_print_cleanup);
    exhaust(oom_clone_op, &o, oom_clone_cleanup);
    config_free(o.src);
    o.src = parse_ok("(a:(y:2 z:(q:r)) k0:new k1:[a b] k2:k k3:k k4:k k5:k k6:k k7:k k8:k)");
    exhaust(oom_merge_op, &o, oom_clone_cleanup);
    exhaust(oom_build_op, &o, oom_clone_cleanup);
    config_free(o.src);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_simple_tuple),
        T(test_design_example),
        T(test_nested_and_vectors),
        T(test_empty_containers),
        T(test_root_string_and_vector),
        T(test_quoted_strings_and_keys),
        T(test_escapes),
        T(test_comments_and_whitespace),
        T(test_no_separators_needed),
        T(test_bare_punctuation),
        T(test_key_order_preserved),
        T(test_large_tuple),
        T(test_error_empty),
        T(test_error_expected_colon),
        T(test_error_unterminated_string),
        T(test_error_escapes),
        T(test_error_control_character),
        T(test_error_unterminated_containers),
        T(test_error_duplicate_key),
        T(test_error_empty_key),
        T(test_error_mismatched_brackets),
        T(test_error_colon),
        T(test_error_expected_key_or_value),
        T(test_error_unexpected_character),
        T(test_error_trailing_text),
        T(test_error_without_err),
        T(test_depth_limit),
        T(test_size_limit),
        T(test_node_limit),
        T(test_print_canonical),
        T(test_print_quoting),
        T(test_print_pretty),
        T(test_print_writer_error),
        T(test_print_too_deep),
        T(test_round_trip_fixed),
        T(test_round_trip_random),
        T(test_get_path),
        T(test_readers_on_wrong_types),
        T(test_flags),
        T(test_numbers),
        T(test_build_and_print),
        T(test_tuple_set_replaces_in_place),
        T(test_setter_errors),
        T(test_setter_depth_limit),
        T(test_remove_and_take),
        T(test_remove_from_indexed_tuple),
        T(test_clone_and_merge),
        T(test_equal),
        T(test_free_attached_panics),
        T(test_oom_parse),
        T(test_oom_tree_ops),
    };
#undef T
    return cmocka_run_group_tests_name("config", tests, group_setup, group_teardown);
}
