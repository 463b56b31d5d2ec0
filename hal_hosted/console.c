/*
 * console.c - hosted console: output to fd 2 (or a test's capture buffer), input from a
 * buffer the test provides. The terminal is never touched (no termios, no stdin reads), so
 * the backend behaves the same under ctest, a fuzzer or a pipe.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hal/hal_console.h"
#include "hal_hosted/hosted_internal.h"

static char *cap_buf;
static size_t cap_size, cap_len;
static bool cap_echo;

static char *in_buf;
static size_t in_len, in_pos;

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* nowhere to report it: the console is the error channel */
        p += w;
        n -= (size_t)w;
    }
}

void hal_console_write(const char *buf, size_t n)
{
    if (cap_buf) {
        size_t room = cap_size - 1 - cap_len;
        size_t k = n < room ? n : room;

        memcpy(cap_buf + cap_len, buf, k);
        cap_len += k;
        cap_buf[cap_len] = '\0';
        if (!cap_echo)
            return;
    }
    write_all(2, buf, n);
}

size_t hal_console_read(char *buf, size_t n)
{
    size_t k = in_len - in_pos;

    if (k > n)
        k = n;
    if (k)
        memcpy(buf, in_buf + in_pos, k);
    in_pos += k;
    return k;
}

void hosted_console_capture(char *buf, size_t size, bool echo)
{
    if (!buf || size == 0) {
        hosted_console_capture_stop();
        return;
    }
    cap_buf = buf;
    cap_size = size;
    cap_len = 0;
    cap_echo = echo;
    buf[0] = '\0';
}

size_t hosted_console_captured(void)
{
    return cap_len;
}

void hosted_console_capture_stop(void)
{
    cap_buf = NULL;
    cap_size = cap_len = 0;
}

int hosted_console_input(const void *buf, size_t n)
{
    size_t unread = in_len - in_pos;
    char *p = malloc(unread + n + 1);

    if (!p)
        return -ENOMEM;
    if (unread)
        memcpy(p, in_buf + in_pos, unread);
    memcpy(p + unread, buf, n);
    free(in_buf);
    in_buf = p;
    in_len = unread + n;
    in_pos = 0;
    return 0;
}

void hosted_console_teardown(void)
{
    free(in_buf);
    in_buf = NULL;
    in_len = in_pos = 0;
}
