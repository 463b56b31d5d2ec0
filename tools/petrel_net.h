/*
 * petrel_net.h - `petrel run` networking (petrel_net.c, docs/petrel.md "Networking"): the
 * -p/--publish, --net, --ip, --gateway and --netmask options, the NIC they put on scripts/qemu's
 * line and the en1 keys they pass at boot.
 */
#ifndef TOOLS_PETREL_NET_H
#define TOOLS_PETREL_NET_H

#include <stdbool.h>
#include <stdio.h>

/* getopt codes of the options (petrel.c's parser hands them to pn_option) */
#define PN_OPT_PUBLISH 'p'
#define PN_OPT_NET 0x100
#define PN_OPT_IP 0x101
#define PN_OPT_GATEWAY 0x102
#define PN_OPT_NETMASK 0x103

/* Record one option; exits with status 2 and a message when arg is malformed. */
void pn_option(int code, const char *arg);
/* After parsing: check the combination (exit 2 with a message when it cannot work). */
void pn_finish(void);
/* The image's manifest entry, the same whatever the options: the wait for DHCP's address
 * (inert without a NIC or with a static address). */
void pn_manifest(FILE *f);
/* The run's network settings: a static address's en1 tuple, as manifest entries or (cmdline)
 * as a kernel command line word ending in a space; nothing without --ip. */
void pn_settings(FILE *f, bool cmdline);
/* scripts/qemu's NIC option: appends "--netdev" and its value to args at *n (at most 2
 * entries; nothing without networking). The strings stay valid until exit. */
void pn_qemu_args(char **args, int *n);
/* One line for the progress output ("network: user, tcp 127.0.0.1:8080 -> 8080"), or NULL. */
const char *pn_summary(void);

#endif
