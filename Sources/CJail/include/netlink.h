// rtnetlink for Swift: the kernel's own message layouts and constants (Glibc does not
// export them), and network namespace helpers that never change the caller's thread.
#ifndef CJAIL_NETLINK_H
#define CJAIL_NETLINK_H

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

// A NETLINK_ROUTE socket (close-on-exec) in the network namespace `nsfd`, made by a
// short-lived thread that enters it: the socket stays in the namespace it was created in,
// and no thread of ours that runs Swift is ever moved. Returns the descriptor, or -errno.
int cj_netns_socket(int nsfd);

// A fresh network namespace, made by a short-lived thread that unshares it; the returned
// descriptor (close-on-exec, or -errno) is what keeps it alive.
int cj_netns_create(void);

#endif
