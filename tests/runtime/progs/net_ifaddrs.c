/* net_ifaddrs: the interface list as a libc builds it - getifaddrs (AF_NETLINK route dumps),
 * if_nametoindex/if_indextoname (SIOCGIFINDEX/SIOCGIFNAME), if_nameindex, SIOCGIFFLAGS and
 * SIOCGIFMTU. Petrel's interfaces differ from the host's, so only what every Linux has is
 * printed: "lo", index 1, up and loopback, 127.0.0.1/8, an AF_PACKET entry, and the count of
 * interfaces that are up being at least one. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    struct ifaddrs *ifa, *i;
    int lo4 = 0, lo_packet = 0, up = 0, lo_flags = 0;
    char mask[32] = "?";

    if (getifaddrs(&ifa)) {
        perror("getifaddrs");
        return 1;
    }
    for (i = ifa; i; i = i->ifa_next) {
        int is_lo = strcmp(i->ifa_name, "lo") == 0;

        up += (i->ifa_flags & IFF_UP) && i->ifa_addr && i->ifa_addr->sa_family == AF_PACKET;
        if (!is_lo || !i->ifa_addr)
            continue;
        lo_flags = i->ifa_flags & (IFF_UP | IFF_LOOPBACK);
        if (i->ifa_addr->sa_family == AF_PACKET)
            lo_packet = 1;
        if (i->ifa_addr->sa_family == AF_INET &&
            ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK)) {
            lo4 = 1;
            inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_netmask)->sin_addr, mask, sizeof(mask));
        }
    }
    freeifaddrs(ifa);
    printf("getifaddrs: lo 127.0.0.1: %s, netmask %s, AF_PACKET entry: %s, flags UP|LOOPBACK: %s\n",
           lo4 ? "yes" : "no", mask, lo_packet ? "yes" : "no",
           lo_flags == (IFF_UP | IFF_LOOPBACK) ? "yes" : "no");
    printf("interfaces up: %s\n", up >= 1 ? "at least one" : "none");

    char name[IF_NAMESIZE] = "";
    printf("if_nametoindex(lo) = %u, if_indextoname(1) = %s, if_nametoindex(nosuch0) = %u\n",
           if_nametoindex("lo"), if_indextoname(1, name) ? name : "(null)", if_nametoindex("nosuch0"));

    struct if_nameindex *ni = if_nameindex(), *n;
    int lo_in_list = 0;
    for (n = ni; n && n->if_index; n++)
        lo_in_list |= n->if_index == 1 && strcmp(n->if_name, "lo") == 0;
    if_freenameindex(ni);
    printf("if_nameindex has lo at 1: %s\n", lo_in_list ? "yes" : "no");

    struct ifreq r;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    memset(&r, 0, sizeof(r));
    strcpy(r.ifr_name, "lo");
    ioctl(s, SIOCGIFFLAGS, &r);
    printf("SIOCGIFFLAGS lo: %s\n", (r.ifr_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING)) ==
                                            (IFF_UP | IFF_LOOPBACK | IFF_RUNNING) ? "up, loopback, running" : "?");
    ioctl(s, SIOCGIFMTU, &r);
    printf("SIOCGIFMTU lo: %d\n", r.ifr_mtu);
    close(s);
    return 0;
}
