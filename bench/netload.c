/* Load generator for bench/network.sh, built static so that one binary runs on the host,
 * in a shared-stack jail and in a vnet jail (the busybox tree has no libc).
 *
 *   netload serve ADDR PORT            TCP: accept and close; UDP: drop (forever)
 *   netload connect ADDR PORT SECONDS  connect/close loop
 *   netload udp ADDR PORT SECONDS      unconnected sendto loop (64-byte datagrams)
 *   netload udpc ADDR PORT SECONDS     the same on a connected socket
 *
 * The loops print two rates: operations per second, and per second of this process's CPU
 * time. The second stands still when other work takes the CPU away (a shared machine);
 * it leaves out the server's share, the same wherever the client runs.
 *
 * IPv4 only: the figures compare where the client runs, not the families. */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static _Noreturn void die(const char *what) {
    perror(what);
    exit(1);
}

static struct sockaddr_in address(const char *addr, const char *port) {
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(atoi(port))};
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
        fprintf(stderr, "netload: bad address %s\n", addr);
        exit(2);
    }
    return sa;
}

static double clock_seconds(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}
static double now(void) { return clock_seconds(CLOCK_MONOTONIC); }
static double cpu(void) { return clock_seconds(CLOCK_PROCESS_CPUTIME_ID); }

static void report(double n, double start, double end, double cpu_start) {
    printf("%.0f %.0f\n", n / (end - start), n / (cpu() - cpu_start));
}

/* The clock is read every 256 operations: often enough for the end to be exact within a
 * millisecond, rarely enough to stay out of the figure. */
#define CHECK_EVERY 256

static _Noreturn void serve(struct sockaddr_in sa) {
    int one = 1, small = 1;
    /* The UDP sink is never read and its queue holds almost nothing: each datagram goes
     * all the way to the socket and is dropped there. A reader would make the senders'
     * cost depend on whether it was asleep (a wake-up per datagram) or busy. */
    int u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (u < 0) die("socket");
    setsockopt(u, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    if (bind(u, (struct sockaddr *)&sa, sizeof sa) < 0) die("udp bind");
    int t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (t < 0) die("socket");
    setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    /* A long queue: a client faster than our accept loop must never see a dropped SYN (a
     * one-second retransmission would swamp the figure). */
    if (bind(t, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(t, 4096) < 0) die("tcp listen");
    printf("netload: serving %s:%d\n", inet_ntoa(sa.sin_addr), ntohs(sa.sin_port));
    fflush(stdout);
    for (;;) {
        int c = accept4(t, NULL, NULL, SOCK_CLOEXEC);
        if (c >= 0) close(c);
        else if (errno != EINTR && errno != ECONNABORTED) die("accept");
    }
}

static int connect_loop(struct sockaddr_in sa, double seconds) {
    /* Linger 0: close sends a reset and leaves no TIME_WAIT behind, so a fast loop never
     * runs out of ephemeral ports; each round trip still costs the full handshake. */
    struct linger lin = {.l_onoff = 1, .l_linger = 0};
    long n = 0;
    double cpu_start = cpu(), start = now(), end = start + seconds, t = start;
    while (t < end) {
        for (int i = 0; i < CHECK_EVERY; i++, n++) {
            int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (s < 0) die("socket");
            if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) die("connect");
            setsockopt(s, SOL_SOCKET, SO_LINGER, &lin, sizeof lin);
            close(s);
        }
        t = now();
    }
    report(n, start, t, cpu_start);
    return 0;
}

static int udp_loop(struct sockaddr_in sa, double seconds, int connected) {
    /* Unconnected, every sendto passes the address hooks (sendmsg4): the worst case for a
     * shared-stack jail. A connected socket passes them once, at connect. */
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) die("socket");
    if (connected && connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) die("connect");
    const struct sockaddr *to = connected ? NULL : (struct sockaddr *)&sa;
    socklen_t tolen = connected ? 0 : sizeof sa;
    char msg[64] = "netload";
    long n = 0, failed = 0;
    double cpu_start = cpu(), start = now(), end = start + seconds, t = start;
    while (t < end) {
        for (int i = 0; i < CHECK_EVERY; i++, n++)
            /* The sink's full queue drops silently; ENOBUFS or ECONNREFUSED (an ICMP error
             * reported to a connected socket) is counted and the loop goes on. */
            if (sendto(s, msg, sizeof msg, 0, to, tolen) < 0) failed++;
        t = now();
    }
    if (failed) fprintf(stderr, "netload: %ld sends failed\n", failed);
    report(n - failed, start, t, cpu_start);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "serve") == 0) serve(address(argv[2], argv[3]));
    if (argc == 5 && strcmp(argv[1], "connect") == 0)
        return connect_loop(address(argv[2], argv[3]), atof(argv[4]));
    if (argc == 5 && strcmp(argv[1], "udp") == 0) return udp_loop(address(argv[2], argv[3]), atof(argv[4]), 0);
    if (argc == 5 && strcmp(argv[1], "udpc") == 0) return udp_loop(address(argv[2], argv[3]), atof(argv[4]), 1);
    fprintf(stderr, "usage: netload serve ADDR PORT | {connect,udp,udpc} ADDR PORT SECONDS\n");
    return 2;
}
