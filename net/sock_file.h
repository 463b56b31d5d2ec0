/*
 * sock_file.h - sockets as open files (net/sock_file.c).
 */
#ifndef NET_SOCK_FILE_H
#define NET_SOCK_FILE_H

#include <stdbool.h>

struct file;
struct sock;

/* A new O_RDWR description owning sk (closed with the last reference); NULL when out of
 * memory (sk is still the caller's). Never sleeps. */
struct file *sock_file_open(struct sock *sk, bool nonblock);
/* The socket of a socket description, NULL for other kinds (the caller says -ENOTSOCK). */
struct sock *sock_of_file(struct file *f);

#endif
