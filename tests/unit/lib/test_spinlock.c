/*
 * test_spinlock.c - spinlocks (core/lib/spinlock.c): interrupt state saved and restored,
 * nesting, owner tracking, and panics on a recursive lock or an unlock without the lock.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/lib/spinlock.h"
#include "hal/hal_cpu.h"
#include "tests/unit/lib/lib_test.h"

static struct spinlock static_lock = SPINLOCK_INIT("static");

static void test_init(void **state)
{
    struct spinlock l;

    memset(&l, 0xff, sizeof(l));
    spin_init(&l, "t");
    assert_false(spin_is_locked(&l));
    assert_string_equal(l.name, "t");
    assert_false(spin_is_locked(&static_lock));
    assert_string_equal(static_lock.name, "static");
}

static void test_irq_state_restored_enabled(void **state)
{
    struct spinlock l;

    spin_init(&l, "t");
    hal_irq_enable();
    uint64_t tok = spin_lock_irqsave(&l);
    assert_true(spin_is_locked(&l));
    assert_false(hal_irq_enabled());
    spin_unlock_irqrestore(&l, tok);
    assert_false(spin_is_locked(&l));
    assert_true(hal_irq_enabled());
}

static void test_irq_state_restored_disabled(void **state)
{
    struct spinlock l;

    spin_init(&l, "t");
    hal_irq_disable();
    uint64_t tok = spin_lock_irqsave(&l);
    assert_false(hal_irq_enabled());
    spin_unlock_irqrestore(&l, tok);
    assert_false(hal_irq_enabled()); /* still disabled: it was on entry */
    hal_irq_enable();
}

static void test_nested_locks(void **state)
{
    struct spinlock a, b;

    spin_init(&a, "a");
    spin_init(&b, "b");
    hal_irq_enable();
    uint64_t ta = spin_lock_irqsave(&a);
    uint64_t tb = spin_lock_irqsave(&b);
    assert_true(spin_is_locked(&a) && spin_is_locked(&b));
    spin_unlock_irqrestore(&b, tb);
    assert_false(hal_irq_enabled()); /* a still held */
    spin_unlock_irqrestore(&a, ta);
    assert_true(hal_irq_enabled());
}

static void test_owner_tracking(void **state)
{
    struct spinlock l;

    spin_init(&l, "t");
    uint64_t tok = spin_lock_irqsave(&l);
    assert_int_equal(l.owner_cpu, hal_cpu_id() + 1);
    spin_unlock_irqrestore(&l, tok);
    assert_int_equal(l.owner_cpu, 0);
    /* Relock after release works (no stale owner). */
    tok = spin_lock_irqsave(&l);
    spin_unlock_irqrestore(&l, tok);
}

static void test_recursive_lock_panics(void **state)
{
    struct spinlock l;

    spin_init(&l, "victim");
    hal_irq_enable();
    uint64_t tok = spin_lock_irqsave(&l);
    EXPECT_PANIC(spin_lock_irqsave(&l));
    assert_non_null(strstr(lt_panic_msg, "victim"));
    assert_non_null(strstr(lt_panic_msg, "recursive"));
    hal_irq_disable();
    spin_unlock_irqrestore(&l, tok); /* the first acquisition is intact */
    assert_false(spin_is_locked(&l));
}

static void test_unlock_not_held_panics(void **state)
{
    struct spinlock l;

    spin_init(&l, NULL);
    EXPECT_PANIC(spin_unlock_irqrestore(&l, 0));
    assert_non_null(strstr(lt_panic_msg, "does not hold"));
}

static void test_many_cycles(void **state)
{
    hal_irq_enable();
    for (int i = 0; i < 10000; i++) {
        uint64_t tok = spin_lock_irqsave(&static_lock);
        spin_unlock_irqrestore(&static_lock, tok);
    }
    assert_true(hal_irq_enabled());
    assert_false(spin_is_locked(&static_lock));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_irq_state_restored_enabled),
        cmocka_unit_test(test_irq_state_restored_disabled),
        cmocka_unit_test(test_nested_locks),
        cmocka_unit_test(test_owner_tracking),
        cmocka_unit_test(test_recursive_lock_panics),
        cmocka_unit_test(test_unlock_not_held_panics),
        cmocka_unit_test(test_many_cycles),
    };
    return cmocka_run_group_tests_name("lib_spinlock", tests, lt_group_setup, lt_group_teardown);
}
