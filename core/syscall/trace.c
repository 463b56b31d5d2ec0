/*
 * trace.c - the `debugsyscalls` tracer: one console line per syscall, "name(args) = ret".
 *
 * Arguments are printed by their kind in syscalls.def: descriptors and integers in decimal
 * (AT_FDCWD by name), flags in hex, modes in octal, pointers as addresses (NULL for 0), and
 * paths as quoted strings read again from user memory for display only: at most
 * TRACE_STR_MAX bytes, non-printable bytes escaped as \xHH, "..." when longer, and the bare
 * address when unreadable. The re-read happens after the call and never feeds it.
 */
#include "core/lib/kprintf.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_errno.h"

#define TRACE_STR_MAX 64
#define TRACE_LINE 512

static bool trace_on;

void sys_trace_set(bool on)
{
    trace_on = on;
    sys_observing = on ? sys_observing | SYS_OBSERVE_TRACE : sys_observing & ~SYS_OBSERVE_TRACE;
}

bool sys_trace_enabled(void)
{
    return trace_on;
}

/* Append the user string at addr, quoted and escaped, to buf at *len. */
/* The unused tail of buf once len bytes are (notionally) written: never past the end. */
#define AT(buf, size, len) ((buf) + ((size_t)(len) < (size) ? (size_t)(len) : (size)))
#define ROOM(size, len) ((size_t)(len) < (size) ? (size) - (size_t)(len) : 0)

static void trace_str(char *buf, size_t size, int *len, uint64_t addr)
{
    char s[TRACE_STR_MAX + 1];
    long n = strncpy_from_user(s, uptr_make(addr), sizeof(s));
    size_t shown = n == -ENAMETOOLONG ? TRACE_STR_MAX : (size_t)n;

    if (n < 0 && n != -ENAMETOOLONG) {
        *len += ksnprintf(AT(buf, size, *len), ROOM(size, *len), "%#llx", (unsigned long long)addr);
        return;
    }
    *len += ksnprintf(AT(buf, size, *len), ROOM(size, *len), "\"");
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)s[i];
        size_t room = ROOM(size, *len);

        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            *len += ksnprintf(AT(buf, size, *len), room, "%c", c);
        else
            *len += ksnprintf(AT(buf, size, *len), room, "\\x%02x", c);
    }
    *len +=
        ksnprintf(AT(buf, size, *len), ROOM(size, *len), "\"%s", n == -ENAMETOOLONG ? "..." : "");
}

static int trace_arg(char *buf, size_t room, const struct sys_arg *k, uint64_t v)
{
    switch (k->kind) {
    case SYS_ARG_DIRFD:
        if ((int)v == VFS_AT_FDCWD)
            return ksnprintf(buf, room, "AT_FDCWD");
        /* fall through */
    case SYS_ARG_INT:
    case SYS_ARG_FD:
    case SYS_ARG_SIG:
    case SYS_ARG_CLOCK:
        return ksnprintf(buf, room, "%d", (int)v);
    case SYS_ARG_SIZE:
        return ksnprintf(buf, room, "%llu", (unsigned long long)v);
    case SYS_ARG_OFF:
        return ksnprintf(buf, room, "%lld", (long long)v);
    case SYS_ARG_MODE:
        return ksnprintf(buf, room, "%#llo", (unsigned long long)v);
    case SYS_ARG_UINT:
    case SYS_ARG_FLAGS:
        return ksnprintf(buf, room, "%#llx", (unsigned long long)v);
    default:
        return v ? ksnprintf(buf, room, "%#llx", (unsigned long long)v)
                 : ksnprintf(buf, room, "NULL");
    }
}

int sys_trace_format(char *buf, size_t size, const struct sys_desc *d, const uint64_t a[6],
                     long ret)
{
    int len = ksnprintf(buf, size, "%s(", d->name);

    for (unsigned i = 0; i < d->nargs; i++) {
        size_t room;

        if (i)
            len += ksnprintf(AT(buf, size, len), ROOM(size, len), ", ");
        room = ROOM(size, len);
        if (d->args[i].kind == SYS_ARG_PATH && a[i])
            trace_str(buf, size, &len, a[i]);
        else
            len += trace_arg(AT(buf, size, len), room, &d->args[i], a[i]);
    }
    if (d->nr == SYS_NR_exit || d->nr == SYS_NR_exit_group) /* printed before the call */
        return len + ksnprintf(AT(buf, size, len), ROOM(size, len), ") = ?");
    return len + ksnprintf(AT(buf, size, len), ROOM(size, len), ") = %ld", ret);
}

void sys_trace_line(const struct sys_desc *d, const uint64_t a[6], long ret)
{
    char line[TRACE_LINE];

    sys_trace_format(line, sizeof(line), d, a, ret);
    kprintf("%s\n", line);
}
