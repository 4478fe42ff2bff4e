// Network namespaces entered by a thread of their own. setns and unshare change only the
// calling thread, so a thread that exits right after is the one place where we may enter
// another namespace without the caller, or any Swift code, ever running in it. Unlike a
// mount or user namespace, a network namespace may be entered or unshared by one thread
// of a threaded process.
#define _GNU_SOURCE
#include "netlink.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

struct netns_call {
    int nsfd;      // -1: unshare a new namespace
    int result;    // descriptor, or -errno
};

static void *netns_thread(void *arg) {
    struct netns_call *call = arg;
    if (call->nsfd >= 0) {
        if (setns(call->nsfd, CLONE_NEWNET) != 0) {
            call->result = -errno;
            return NULL;
        }
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        call->result = fd >= 0 ? fd : -errno;
    } else {
        if (unshare(CLONE_NEWNET) != 0) {
            call->result = -errno;
            return NULL;
        }
        // thread-self: /proc/self would name the main thread's namespace, not this one.
        int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        call->result = fd >= 0 ? fd : -errno;
    }
    return NULL;
}

static int netns_run(int nsfd) {
    struct netns_call call = { nsfd, -EINVAL };
    pthread_t thread;
    int err = pthread_create(&thread, NULL, netns_thread, &call);
    if (err != 0) return -err;
    pthread_join(thread, NULL);
    return call.result;
}

int cj_netns_socket(int nsfd) {
    if (nsfd < 0) return -EBADF;
    return netns_run(nsfd);
}

int cj_netns_create(void) { return netns_run(-1); }
