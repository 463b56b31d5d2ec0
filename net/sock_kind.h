/*
 * sock_kind.h - what the socket syscalls (core/syscall/sys_sock.c) call: one table of
 * operations per socket family, so a handler decodes its arguments once and calls the
 * family of the descriptor's socket without asking which one it is.
 *
 *   AF_INET, AF_INET6   sock_inet_kind (net/sock_file.c, over net/sock.h)
 *   AF_UNIX             unix_kind (net/unix_file.c, over net/unix.h)
 *
 * Everything takes kernel memory: the syscall layer copies user memory in and out, and
 * resolves AF_UNIX path names through the VFS (it knows the process: cwd, umask) before it
 * calls bind/connect/send (struct sock_addr's node). Control data of a message (SCM_RIGHTS,
 * SCM_CREDENTIALS) travels decoded in a struct sock_ctl. Every operation returns 0 / a count
 * or -errno, may sleep, and is called with no lock held.
 */
#ifndef NET_SOCK_KIND_H
#define NET_SOCK_KIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct file;
struct vfs_file;

/* A socket address argument. */
struct sock_addr {
    const void *sa;        /* the sockaddr bytes as given (a kernel copy) */
    size_t len;            /* as given */
    struct vfs_file *node; /* AF_UNIX path names: the socket inode's O_PATH description
                              (bind: just created; connect/sendto: looked up); else NULL */
};

/* Linux's SCM_MAX_FD: descriptors one message may carry. */
#define SOCK_CTL_MAX_FILES 253

/* struct ucred: SO_PEERCRED and SCM_CREDENTIALS. */
struct sock_cred {
    int32_t pid;
    uint32_t uid, gid;
};

/*
 * The control data of one message. Send: the files to pass (one reference each, owned by
 * the ctl until the family takes them: it sets nfiles to 0 when it does) and the sender's
 * credentials (given by SCM_CREDENTIALS, else the process's). Receive: the files that came
 * with the data (references now the caller's), the sender's credentials when the receiver
 * has SO_PASSCRED (passcred), and `stop`: a stream receive must end here (rights were taken,
 * or the next bytes have another sender), as Linux never glues such data together.
 */
struct sock_ctl {
    struct file **files; /* kmalloc'd array of SOCK_CTL_MAX_FILES, or NULL */
    unsigned nfiles;
    struct sock_cred cred;
    bool cred_set; /* receive: cred holds the first message's sender (glue check) */
    bool passcred; /* receive: report cred (SCM_CREDENTIALS) */
    bool stop;
};

/* Drop the files a ctl still holds and its array. May sleep. */
void sock_ctl_release(struct sock_ctl *ctl);

/* The stat op of every socket file kind: S_IFSOCK 0777, an inode number unique while the
 * socket (f->priv) lives, as Linux's sockfs gives. */
struct vfs_stat;
int sock_file_stat(struct file *f, struct vfs_stat *st);

enum sock_data { SOCK_DATA_STREAM, SOCK_DATA_RECORDS };

struct sock_kind {
    int family;
    /* An O_RDWR description owning s; NULL when out of memory (s is still the caller's). */
    struct file *(*file_open)(void *s, bool nonblock);
    void (*close)(void *s);
    int (*bind)(void *s, const struct sock_addr *a);
    int (*connect)(void *s, const struct sock_addr *a);
    int (*listen)(void *s, int backlog);
    /* *out: the new socket (this kind); peer and *plen as accept(2) (peer may be NULL). */
    int (*accept)(void *s, void **out, void *peer, uint32_t *plen);
    /* to: NULL for none. ctl: may be NULL (no control data). */
    long (*send)(void *s, const void *buf, size_t len, int flags, const struct sock_addr *to,
                 struct sock_ctl *ctl);
    long (*recv)(void *s, void *buf, size_t len, int flags, void *from, uint32_t *flen,
                 int *mflags, struct sock_ctl *ctl);
    int (*shutdown)(void *s, int how);
    int (*getname)(void *s, bool peer, void *addr, uint32_t *len);
    int (*setsockopt)(void *s, int level, int name, const void *val, uint32_t len);
    int (*getsockopt)(void *s, int level, int name, void *val, uint32_t *len);
    /* How the syscall layer moves data: a byte stream in chunks, or whole records. */
    enum sock_data (*data)(void *s);
};

extern const struct sock_kind sock_inet_kind;

/* The socket of a socket description and its family's table; false for other files. */
bool sock_kind_of_file(struct file *f, const struct sock_kind **k, void **s);

#endif
