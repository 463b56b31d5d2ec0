/*
 * log.h - leveled kernel log and panic.
 *
 * klog() writes "[   12.345678] level: message\n" to the console when level is at or above
 * the current threshold (default LOG_INFO; the `loglevel` manifest/cmdline key sets it).
 * panic() is for broken kernel invariants only: it prints the message, the registers and a
 * frame-pointer backtrace, then hal_exit(PANIC_EXIT_CODE). Bad input is never a panic.
 */
#ifndef CORE_LIB_LOG_H
#define CORE_LIB_LOG_H

#include <stdarg.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERR = 3, LOG_NONE = 4 };

#define PANIC_EXIT_CODE 0x7e

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void klog(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) klog(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) klog(LOG_INFO, __VA_ARGS__)
#define log_warn(...) klog(LOG_WARN, __VA_ARGS__)
#define log_err(...) klog(LOG_ERR, __VA_ARGS__)

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Hook for tests: when set, panic() calls it (after printing) instead of hal_exit(); it must
 * not return (cmocka's mock_assert longjmps). */
extern void (*panic_hook)(const char *msg);

#define KASSERT(cond)                                                                      \
    do {                                                                                   \
        if (!(cond))                                                                       \
            panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__);              \
    } while (0)

#endif
