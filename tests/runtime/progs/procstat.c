/* procstat: the formats of /proc/stat and /proc/mounts, parsed by one parser natively and in
 * Petrel. /proc/stat: a "cpu" line (two spaces) and one "cpuN" line per configured CPU, each
 * of ten counts, the "cpu" line the sum of the others; then intr, ctxt, btime, processes,
 * procs_running, procs_blocked and softirq (eleven counts) in that order; btime in the past
 * and not before 2000, ctxt and processes positive, this process counted as running, the
 * user and system times moving after some work. /proc/mounts: a link to self/mounts, both the same text, each
 * line "source mountpoint type options 0 0" with rw or ro first among the options, the mount
 * points those of /proc/self/mountinfo in the same order, "/" and "/proc" among them. Prints
 * what it checked, with no counts that differ between machines. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 16], buf2[1 << 16];
static int fails;

static void check(int ok, const char *what)
{
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
    fails += !ok;
}

static long slurp(const char *path, char *out)
{
    FILE *f = fopen(path, "r");
    size_t n;

    if (!f)
        return -1;
    n = fread(out, 1, sizeof(buf) - 1, f);
    fclose(f);
    out[n] = '\0';
    return (long)n;
}

/* One line "name n1 n2 ..." at *pos: up to max counts, their number or -1. */
static int line(char **pos, char *name, unsigned long long *v, int max)
{
    char *s = *pos, *end = strchr(s, '\n');
    int n = 0, used;

    if (!end || sscanf(s, "%31s%n", name, &used) != 1)
        return -1;
    for (s += used; s < end; s += used) {
        if (n >= max) { /* intr: one count per interrupt line; keep the first max */
            s = end;
            break;
        }
        if (sscanf(s, " %llu%n", &v[n++], &used) != 1)
            return -1;
    }
    *pos = end + 1;
    return n;
}

struct stat_file {
    unsigned long long cpu[10], sum[10], key[7];
    int ncpu, counts[7];
};

static const char *const keys[7] = {"intr", "ctxt", "btime", "processes", "procs_running",
                                    "procs_blocked", "softirq"};

static int parse_stat(struct stat_file *st)
{
    char *pos = buf, name[32];
    unsigned long long v[16];
    int n;

    memset(st, 0, sizeof(*st));
    if (slurp("/proc/stat", buf) <= 0 || strncmp(buf, "cpu  ", 5) ||
        line(&pos, name, st->cpu, 10) != 10)
        return -1;
    while ((n = line(&pos, name, v, 16)) == 10 && !strncmp(name, "cpu", 3)) {
        if (atoi(name + 3) != st->ncpu++)
            return -2;
        for (int i = 0; i < 10; i++)
            st->sum[i] += v[i];
    }
    for (int i = 0; i < 7; i++, n = line(&pos, name, v, 16)) {
        if (n < 1 || strcmp(name, keys[i]))
            return -3;
        st->key[i] = v[0];
        st->counts[i] = n;
    }
    return n == -1 && *pos == '\0' ? 0 : -4; /* nothing after softirq */
}

static void stat_checks(void)
{
    struct stat_file a, b;
    int sum_ok = 1;
    volatile unsigned long x = 0;

    check(parse_stat(&a) == 0, "/proc/stat parses: cpu, cpuN..., intr ... softirq");
    check(a.ncpu == sysconf(_SC_NPROCESSORS_CONF), "one cpuN line per configured CPU");
    for (int i = 0; i < 10; i++)
        sum_ok &= a.cpu[i] >= a.sum[i] && a.cpu[i] <= a.sum[i] + (unsigned long long)a.ncpu;
    check(sum_ok, "the cpu line is the sum of the cpuN lines");
    check(a.counts[1] == 1 && a.counts[2] == 1 && a.counts[3] == 1 && a.counts[4] == 1 &&
              a.counts[5] == 1 && a.counts[6] == 11,
          "ctxt..procs_blocked one count each, softirq eleven");
    check(a.key[2] > 946684800ull && a.key[2] <= (unsigned long long)time(NULL),
          "btime is in the past");
    check(a.key[1] > 0 && a.key[3] > 0 && a.key[4] >= 1, "ctxt, processes, procs_running");
    for (unsigned long i = 0; i < 100000000ul; i++) /* some work: tens of ms natively */
        x += i;
    sleep(1);
    check(parse_stat(&b) == 0, "/proc/stat parses again");
    check(b.cpu[0] + b.cpu[2] > a.cpu[0] + a.cpu[2], "user + system time moved after work");
    check(b.cpu[3] >= a.cpu[3], "idle time did not go back"); /* a busy host may not idle */
    check(b.key[1] > a.key[1] && b.key[0] >= a.key[0], "ctxt moved, intr did not go back");
}

/* The mount points of mountinfo's lines (field 5), each followed by '\n', into out. */
static void mountinfo_points(char *out, size_t size)
{
    char *pos = buf, *end, point[4096];
    size_t len = 0;

    out[0] = '\0';
    slurp("/proc/self/mountinfo", buf);
    for (; (end = strchr(pos, '\n')); pos = end + 1)
        if (sscanf(pos, "%*s %*s %*s %*s %4095s", point) == 1 && len + strlen(point) + 2 < size)
            len += (size_t)sprintf(out + len, "%s\n", point);
}

/* Is point one of the '\n'-ended lines of list? */
static int listed(const char *list, const char *point)
{
    size_t n = strlen(point);

    for (; *list; list = strchr(list, '\n') + 1)
        if (!strncmp(list, point, n) && list[n] == '\n')
            return 1;
    return 0;
}

static void mounts_checks(void)
{
    static char points[1 << 16], seen[1 << 16];
    char link[64], *pos, *end, src[4096], point[4096], type[256], opts[4096];
    int a, b, ok = 1;
    size_t len = 0;
    ssize_t n = readlink("/proc/mounts", link, sizeof(link) - 1);

    check(n == 11 && !memcmp(link, "self/mounts", 11), "/proc/mounts -> self/mounts");
    check(slurp("/proc/mounts", buf2) > 0 && slurp("/proc/self/mounts", buf) > 0 &&
              !strcmp(buf, buf2),
          "/proc/mounts reads as /proc/self/mounts");
    for (pos = buf2; (end = strchr(pos, '\n')); pos = end + 1) {
        *end = '\0';
        if (sscanf(pos, "%4095s %4095s %255s %4095s %d %d", src, point, type, opts, &a, &b) !=
                6 ||
            a || b || (strncmp(opts, "rw", 2) && strncmp(opts, "ro", 2)))
            ok = 0;
        len += (size_t)snprintf(seen + len, sizeof(seen) - len, "%s\n", point);
    }
    check(ok, "each line: source point type rw|ro[,...] 0 0");
    mountinfo_points(points, sizeof(points));
    check(!strcmp(points, seen), "the mount points of mountinfo, in its order");
    check(listed(seen, "/"), "/ is listed");
    check(listed(seen, "/proc"), "/proc is listed");
}

int main(void)
{
    stat_checks();
    mounts_checks();
    printf("%s\n", fails ? "FAILED" : "all ok");
    return fails != 0;
}
