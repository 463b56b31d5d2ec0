/*
 * test_list.c - intrusive circular lists (core/lib/list.h).
 */
#include <stdint.h>

#include "core/lib/list.h"
#include "tests/unit/lib/lib_test.h"

struct item {
    int v;
    struct list_node node;
};

static struct item items[16];

static void init_items(void)
{
    for (int i = 0; i < 16; i++) {
        items[i].v = i;
        list_node_init(&items[i].node);
    }
}

static int value(const struct list_node *n)
{
    return container_of(n, struct item, node)->v;
}

/* The list holds exactly expect[0..n) in order, forwards and backwards. */
static void assert_list(const struct list *l, const int *expect, size_t n)
{
    size_t i = 0;

    list_for_each(l, it)
    {
        assert_true(i < n);
        assert_int_equal(value(it), expect[i]);
        i++;
    }
    assert_int_equal(i, n);
    for (const struct list_node *p = l->head.prev; p != &l->head; p = p->prev)
        assert_int_equal(value(p), expect[--i]);
    assert_int_equal(list_length(l), n);
}

static void test_empty(void **state)
{
    struct list l;

    list_init(&l);
    assert_true(list_empty(&l));
    assert_null(list_first(&l));
    assert_null(list_last(&l));
    assert_null(list_pop_front(&l));
    assert_int_equal(list_length(&l), 0);
}

static void test_push_back_front(void **state)
{
    struct list l;
    const int expect[] = {2, 1, 0, 3, 4};

    init_items();
    list_init(&l);
    list_push_back(&l, &items[0].node);
    list_push_front(&l, &items[1].node);
    list_push_front(&l, &items[2].node);
    list_push_back(&l, &items[3].node);
    list_push_back(&l, &items[4].node);
    assert_list(&l, expect, 5);
    assert_int_equal(value(list_first(&l)), 2);
    assert_int_equal(value(list_last(&l)), 4);
}

static void test_remove_and_linked(void **state)
{
    struct list l;
    const int expect[] = {0, 2};

    init_items();
    list_init(&l);
    assert_false(list_node_linked(&items[1].node));
    for (int i = 0; i < 3; i++)
        list_push_back(&l, &items[i].node);
    assert_true(list_node_linked(&items[1].node));
    list_remove(&items[1].node);
    assert_false(list_node_linked(&items[1].node));
    assert_list(&l, expect, 2);
    list_remove(&items[0].node);
    list_remove(&items[2].node);
    assert_true(list_empty(&l));
}

static void test_insert_before(void **state)
{
    struct list l;
    const int expect[] = {5, 0, 6, 1, 7};

    init_items();
    list_init(&l);
    list_push_back(&l, &items[0].node);
    list_push_back(&l, &items[1].node);
    list_insert_before(&items[1].node, &items[6].node);
    list_insert_before(&items[0].node, &items[5].node);
    list_insert_before(&l.head, &items[7].node); /* the head means "at the back" */
    assert_list(&l, expect, 5);
}

static void test_pop_front_fifo(void **state)
{
    struct list l;

    init_items();
    list_init(&l);
    for (int i = 0; i < 10; i++)
        list_push_back(&l, &items[i].node);
    for (int i = 0; i < 10; i++) {
        struct list_node *n = list_pop_front(&l);
        assert_non_null(n);
        assert_int_equal(value(n), i);
        assert_false(list_node_linked(n));
    }
    assert_true(list_empty(&l));
}

static void test_for_each_safe_removal(void **state)
{
    struct list l;
    const int expect[] = {1, 3, 5, 7, 9};

    init_items();
    list_init(&l);
    for (int i = 0; i < 10; i++)
        list_push_back(&l, &items[i].node);
    list_for_each_safe(&l, n, tmp)
    {
        if (value(n) % 2 == 0)
            list_remove(n);
    }
    assert_list(&l, expect, 5);
}

static void test_move_between_lists(void **state)
{
    struct list a, b;
    const int ea[] = {0, 2}, eb[] = {1};

    init_items();
    list_init(&a);
    list_init(&b);
    for (int i = 0; i < 3; i++)
        list_push_back(&a, &items[i].node);
    list_remove(&items[1].node);
    list_push_back(&b, &items[1].node);
    assert_list(&a, ea, 2);
    assert_list(&b, eb, 1);
}

static void test_container_of(void **state)
{
    struct item it = {.v = 77};
    assert_ptr_equal(container_of(&it.node, struct item, node), &it);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_push_back_front),
        cmocka_unit_test(test_remove_and_linked),
        cmocka_unit_test(test_insert_before),
        cmocka_unit_test(test_pop_front_fifo),
        cmocka_unit_test(test_for_each_safe_removal),
        cmocka_unit_test(test_move_between_lists),
        cmocka_unit_test(test_container_of),
    };
    return cmocka_run_group_tests_name("lib_list", tests, NULL, NULL);
}
