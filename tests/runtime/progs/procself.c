/* procself: what a program learns from /proc about itself and the machine, printed as facts
 * that hold on Linux and on Petrel alike: /proc/self and exe, cmdline and environ equal to
 * argv and environ, auxv agreeing with getauxval, maps showing main in an executable mapping
 * and a local in [stack], uptime/meminfo/cpuinfo parsing, and /dev/full. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

extern char **environ;
static char buf[1 << 16];

static long slurp(const char *path)
{
    int fd = open(path, O_RDONLY);
    long n, total = 0;

    if (fd < 0)
        return -1;
    while ((n = read(fd, buf + total, 100)) > 0 && total + n < (long)sizeof(buf) - 1)
        total += n;
    close(fd);
    buf[total] = '\0';
    return total;
}

/* Do the NUL-separated strings of buf[0..n) equal v[0..] (NULL-ended)? */
static int same_strings(long n, char **v)
{
    long off = 0;

    for (; *v; v++) {
        size_t len = strlen(*v) + 1;
        if (off + (long)len > n || memcmp(buf + off, *v, len) != 0)
            return 0;
        off += (long)len;
    }
    return off == n;
}

/* The maps line holding address a: its permission column and name. */
static int maps_find(unsigned long a, char *perms, char *name)
{
    char *line = buf;

    while (line && *line) {
        unsigned long lo, hi;
        char nm[256] = "";

        if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %255[^\n]", &lo, &hi, perms, nm) >= 3 &&
            a >= lo && a < hi) {
            strcpy(name, nm);
            return 1;
        }
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    return 0;
}

static void auxv_facts(void)
{
    unsigned long *w = (unsigned long *)buf;
    long n = slurp("/proc/self/auxv");
    int pagesz = 0, entry = 0, end = 0;

    for (long i = 0; i + 1 < n / 8; i += 2) {
        pagesz |= w[i] == AT_PAGESZ && w[i + 1] == getauxval(AT_PAGESZ);
        entry |= w[i] == AT_ENTRY && w[i + 1] == getauxval(AT_ENTRY);
        end |= w[i] == AT_NULL;
    }
    printf("auxv: AT_PAGESZ %d AT_ENTRY %d AT_NULL %d\n", pagesz, entry, end);
}

static void machine_facts(void)
{
    double up, idle;
    unsigned long kb = 0;
    char b[64];
    int fd;

    long w, r;
    int ok;

    ok = slurp("/proc/uptime") > 0 && sscanf(buf, "%lf %lf", &up, &idle) == 2;
    printf("uptime parses: %d\n", ok);
    ok = slurp("/proc/meminfo") > 0 && sscanf(buf, "MemTotal: %lu kB", &kb) == 1 && kb > 0;
    printf("meminfo MemTotal > 0: %d\n", ok);
    ok = slurp("/proc/cpuinfo") > 0 && strstr(buf, "processor\t: 0\n") != NULL;
    printf("cpuinfo processor 0: %d, fpu flag: %d\n", ok, strstr(buf, "\nflags\t\t: fpu ") != NULL);
    fd = open("/dev/full", O_RDWR);
    memset(b, 'x', sizeof(b));
    errno = 0;
    w = write(fd, "x", 1);
    printf("/dev/full: write %ld errno ENOSPC %d", w, errno == ENOSPC);
    r = read(fd, b, sizeof(b));
    printf(", read %ld zero %d\n", r, b[0] == 0 && b[63] == 0);
    close(fd);
}

int main(int argc, char **argv)
{
    char perms[8], name[256];
    int local = 0;
    long n;

    (void)argc;
    n = readlink("/proc/self", buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    printf("/proc/self is getpid(): %d\n", atoi(buf) == getpid());
    n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    printf("exe ends with /procself: %d\n", n > 9 && strcmp(buf + n - 9, "/procself") == 0);
    printf("cmdline is argv: %d\n", same_strings(slurp("/proc/self/cmdline"), argv));
    printf("environ is environ: %d\n", same_strings(slurp("/proc/self/environ"), environ));
    auxv_facts();
    slurp("/proc/self/maps");
    printf("main in maps: %d perms %s\n", maps_find((unsigned long)main, perms, name), perms);
    printf("local in maps: %d perms %s name %s\n", maps_find((unsigned long)&local, perms, name),
           perms, name);
    machine_facts();
    return 0;
}
