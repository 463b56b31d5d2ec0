/*
 * kprintf.h - formatted output.
 *
 * Conversions: %d %i %u %x %X %o %p %s %c %% with flags '-', '0', ' ', '+', '#', field width
 * and precision (also '*'), and length modifiers hh h l ll z t j. No floating point.
 * ksnprintf/kvsnprintf follow C99 snprintf: always NUL-terminate when size > 0 and return the
 * length the full output would have had.
 */
#ifndef CORE_LIB_KPRINTF_H
#define CORE_LIB_KPRINTF_H

#include <stdarg.h>
#include <stddef.h>

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Format and write to the console in one hal_console_write() call (lines up to 512 bytes are
 * never split). Returns the number of bytes written. Does not sleep; any context. */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
