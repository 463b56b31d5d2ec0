/* unix_echo: an echo server over a path-named AF_UNIX stream socket, one thread per client.
 * The server binds tmp/echo-<pid>.sock (stat shows a socket), listens, and serves NCLIENTS
 * client threads that each send records of growing sizes and check every byte echoed back,
 * then half-close; at the end the name is unlinked and a connect to it fails with ENOENT. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define NCLIENTS 4
#define ROUNDS 40

static struct sockaddr_un addr = {.sun_family = AF_UNIX};
static int errors;

static void fail(const char *what)
{
    printf("FAIL %s: %s\n", what, strerror(errno));
    __atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
}

static int full_io(int fd, char *buf, size_t n, int rd)
{
    size_t done = 0;

    while (done < n) {
        ssize_t r = rd ? read(fd, buf + done, n - done) : write(fd, buf + done, n - done);
        if (r <= 0)
            return -1;
        done += (size_t)r;
    }
    return 0;
}

static void *serve(void *arg)
{
    int c = (int)(long)arg;
    char buf[4096];
    ssize_t r;

    while ((r = read(c, buf, sizeof(buf))) > 0)
        if (full_io(c, buf, (size_t)r, 0))
            fail("echo write");
    if (r < 0)
        fail("server read");
    close(c);
    return NULL;
}

static void *client(void *arg)
{
    static char out[NCLIENTS][20000], in[NCLIENTS][20000];
    int id = (int)(long)arg, s = socket(AF_UNIX, SOCK_STREAM, 0);

    if (s < 0 || connect(s, (struct sockaddr *)&addr, sizeof(addr))) {
        fail("connect");
        return NULL;
    }
    for (int i = 0; i < ROUNDS; i++) {
        size_t n = (size_t)(i * 487 + id * 31) % sizeof(out[id]) + 1;
        for (size_t k = 0; k < n; k++)
            out[id][k] = (char)(k * 7 + i + id);
        if (full_io(s, out[id], n, 0) || full_io(s, in[id], n, 1) || memcmp(in[id], out[id], n))
            fail("round trip");
    }
    shutdown(s, SHUT_WR);
    if (read(s, in[id], 1) != 0)
        fail("eof");
    close(s);
    return NULL;
}

int main(void)
{
    pthread_t cl[NCLIENTS], sv[NCLIENTS];
    struct stat st;
    int l = socket(AF_UNIX, SOCK_STREAM, 0);

    snprintf(addr.sun_path, sizeof(addr.sun_path), "tmp/echo-%d.sock", (int)getpid());
    unlink(addr.sun_path);
    if (bind(l, (struct sockaddr *)&addr, sizeof(addr)) || listen(l, NCLIENTS))
        fail("bind/listen");
    printf("socket file: %s\n", stat(addr.sun_path, &st) == 0 && S_ISSOCK(st.st_mode) ? "yes" : "no");
    for (long i = 0; i < NCLIENTS; i++)
        pthread_create(&cl[i], NULL, client, (void *)i);
    for (long i = 0; i < NCLIENTS; i++) {
        int c = accept(l, NULL, NULL);
        if (c < 0)
            fail("accept");
        pthread_create(&sv[i], NULL, serve, (void *)(long)c);
    }
    for (int i = 0; i < NCLIENTS; i++) {
        pthread_join(cl[i], NULL);
        pthread_join(sv[i], NULL);
    }
    close(l);
    unlink(addr.sun_path);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    printf("connect after unlink: %s\n",
           connect(s, (struct sockaddr *)&addr, sizeof(addr)) < 0 && errno == ENOENT ? "ENOENT" : "?");
    printf("%d clients x %d rounds, errors %d\n", NCLIENTS, ROUNDS, errors);
    return errors != 0;
}
