/*
 * rt_check.h - the check helper runtime programs share (tests/runtime/progs; each program is
 * one source file, built for musl and glibc, so this is header-only). What it prints is part
 * of the output run.sh compares with the native run.
 *
 *   check(ok, what)  a failed expectation: "FAIL what (errno <strerror>)", counted in
 *                    `fails` (the program prints or returns the count at its end).
 *
 * A program whose later steps cannot go on after a failure defines RT_CHECK_EXIT before
 * including this: check() then prints "FAILED: what (<strerror>)" and exits with 1.
 */
#ifndef RT_CHECK_H
#define RT_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef RT_CHECK_EXIT
static void check(int ok, const char *what)
{
    if (!ok) {
        printf("FAILED: %s (%s)\n", what, strerror(errno));
        exit(1);
    }
}
#else
static int fails;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("FAIL %s (errno %s)\n", what, strerror(errno));
        fails++;
    }
}
#endif

#endif
