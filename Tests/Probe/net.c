// Network attempts of the probe (included by probe.c): each prints one line the tests
// match, "name=ok ..." or "name=ERRNO_NAME".
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/un.h>
#include <poll.h>

// "1.2.3.4" or "::1" into a sockaddr; returns its length.
static socklen_t net_addr(const char *text, int port, struct sockaddr_storage *ss) {
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *sin = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)port);
        return sizeof *sin;
    }
    if (inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1) {
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)port);
        return sizeof *sin6;
    }
    fprintf(stderr, "probe: bad address %s\n", text);
    exit(2);
}

static const char *net_text(const struct sockaddr_storage *ss, char *buf, size_t n) {
    char a[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &s->sin_addr, a, sizeof a);
        port = ntohs(s->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof a);
        port = ntohs(s->sin6_port);
    }
    snprintf(buf, n, "%s %d", a, port);
    return buf;
}

static int net_fail(const char *name) {
    printf("%s=%s\n", name, ename(errno));
    fflush(stdout);
    return 1;
}

static void net_local(const char *name, int fd) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char buf[80];
    getsockname(fd, (struct sockaddr *)&ss, &len);
    printf("%s=ok %s\n", name, net_text(&ss, buf, sizeof buf));
    fflush(stdout);
}

// bind ADDR PORT tcp|udp: where the socket ended up.
static int net_bind(const char *addr, int port, const char *proto) {
    struct sockaddr_storage ss;
    socklen_t len = net_addr(addr, port, &ss);
    int fd = socket(ss.ss_family, strcmp(proto, "udp") ? SOCK_STREAM : SOCK_DGRAM, 0);
    if (fd < 0) return net_fail("bind");
    int one = 1;   // a listener of an earlier test may have left TIME_WAIT connections
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, len) < 0) return net_fail("bind");
    net_local("bind", fd);
    return 0;
}

// listen ADDR PORT N: accepts N connections, printing each peer, writing "hello" to it.
static int net_listen(const char *addr, int port, int n) {
    struct sockaddr_storage ss;
    socklen_t len = net_addr(addr, port, &ss);
    int fd = socket(ss.ss_family, SOCK_STREAM, 0), one = 1;
    if (fd < 0) return net_fail("listen");
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 64) < 0) return net_fail("listen");
    net_local("listen", fd);
    for (int i = 0; i < n; i++) {
        struct sockaddr_storage peer;
        socklen_t plen = sizeof peer;
        int c = accept(fd, (struct sockaddr *)&peer, &plen);
        if (c < 0) return net_fail("accept");
        char buf[80];
        printf("accept=ok %s\n", net_text(&peer, buf, sizeof buf));
        fflush(stdout);
        (void)!write(c, "hello\n", 6);
        close(c);
    }
    return 0;
}

// connect ADDR PORT [fastopen]: the local address it got, and the first line read.
static int net_connect(const char *addr, int port, int fastopen) {
    struct sockaddr_storage ss;
    socklen_t len = net_addr(addr, port, &ss);
    int fd = socket(ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0) return net_fail("connect");
    if (fastopen) {
        if (sendto(fd, "x", 1, MSG_FASTOPEN, (struct sockaddr *)&ss, len) < 0) return net_fail("connect");
    } else if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
        return net_fail("connect");
    }
    net_local("connect", fd);
    char buf[128] = {0};
    struct pollfd p = { fd, POLLIN, 0 };
    if (poll(&p, 1, 2000) == 1 && read(fd, buf, sizeof buf - 1) > 0) printf("read=%s", buf);
    fflush(stdout);
    return 0;
}

// udpecho ADDR PORT: receives one datagram, prints its source, echoes it back.
static int net_udpecho(const char *addr, int port) {
    struct sockaddr_storage ss, peer;
    socklen_t len = net_addr(addr, port, &ss), plen = sizeof peer;
    int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0) return net_fail("udpecho");
    net_local("udpecho", fd);
    char buf[64], text[80];
    ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&peer, &plen);
    if (n < 0) return net_fail("udpecho");
    printf("from=%s\n", net_text(&peer, text, sizeof text));
    fflush(stdout);
    sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&peer, plen);
    return 0;
}

// udp ADDR PORT: one datagram from an unbound socket; prints where the reply came from.
static int net_udp(const char *addr, int port) {
    struct sockaddr_storage ss, peer;
    socklen_t len = net_addr(addr, port, &ss), plen = sizeof peer;
    int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
    if (fd < 0) return net_fail("udp");
    if (sendto(fd, "ping", 4, 0, (struct sockaddr *)&ss, len) < 0) return net_fail("udp");
    struct pollfd p = { fd, POLLIN, 0 };
    if (poll(&p, 1, 2000) != 1) { printf("udp=timeout\n"); return 1; }
    char buf[64], text[80];
    if (recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&peer, &plen) < 0) return net_fail("udp");
    printf("udp=ok reply-from %s\n", net_text(&peer, text, sizeof text));
    fflush(stdout);
    return 0;
}

// abstract NAME: connect to the abstract unix socket @NAME.
static int net_abstract(const char *name) {
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    size_t n = strlen(name);
    memcpy(sun.sun_path + 1, name, n);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return net_fail("abstract");
    long r = connect(fd, (struct sockaddr *)&sun, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n));
    result("abstract", r);
    return 0;
}

// abstractlisten NAME: listens on the abstract unix socket @NAME for one connection.
static int net_abstract_listen(const char *name) {
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    size_t n = strlen(name);
    memcpy(sun.sun_path + 1, name, n);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sun, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) < 0 ||
        listen(fd, 4) < 0)
        return net_fail("abstractlisten");
    printf("abstractlisten=ok\n");
    fflush(stdout);
    int c = accept(fd, NULL, NULL);
    result("abstractaccept", c);
    return 0;
}

static int net_sockets(void) {
    int r;
    r = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP); result("raw", r);
    r = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP); result("icmp", r);
    r = socket(AF_PACKET, SOCK_RAW, 0); result("packet", r);
    r = socket(AF_INET, SOCK_PACKET | SOCK_CLOEXEC, htons(0x0003 /* ETH_P_ALL */)); result("sockpacket", r);
    r = socket(AF_NETLINK, SOCK_RAW, 4 /* NETLINK_SOCK_DIAG */); result("sock_diag", r);
    r = socket(AF_INET, SOCK_STREAM, 132 /* SCTP */); result("sctp", r);
    r = socket(AF_INET6, SOCK_STREAM, 0); result("inet6", r);
    r = socket(AF_INET, SOCK_STREAM, 0); result("inet", r);
    return 0;
}

// rawsend SRC DST: an ICMP echo request with a header of our own (IP_HDRINCL), so the
// source is whatever we write: spoofing, unless something stops it.
static int net_rawsend(const char *src, const char *dst) {
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    if (fd < 0) return net_fail("rawsend");
    unsigned char p[28] = {0x45, 0, 0, 28, 0, 0, 0x40, 0, 64, IPPROTO_ICMP};
    inet_pton(AF_INET, src, p + 12);
    inet_pton(AF_INET, dst, p + 16);
    p[20] = 8;                                          // echo request
    unsigned sum = 0;
    for (int i = 20; i < 28; i += 2) sum += (unsigned)(p[i] << 8 | p[i + 1]);
    sum = ~((sum & 0xffff) + (sum >> 16)) & 0xffff;
    p[22] = (unsigned char)(sum >> 8); p[23] = (unsigned char)sum;
    struct sockaddr_storage ss;
    socklen_t len = net_addr(dst, 0, &ss);
    if (sendto(fd, p, sizeof p, 0, (struct sockaddr *)&ss, len) < 0) return net_fail("rawsend");
    printf("rawsend=ok\n");
    return 0;
}

// rawrecv MS: the destinations of the ICMP packets a raw socket sees for MS milliseconds.
static int net_rawrecv(int ms) {
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    if (fd < 0) return net_fail("rawrecv");
    printf("rawrecv=ready\n");
    fflush(stdout);
    struct pollfd pfd = {fd, POLLIN, 0};
    while (poll(&pfd, 1, ms) == 1) {
        unsigned char p[1500];
        if (recv(fd, p, sizeof p, 0) < 20) break;
        char a[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, p + 16, a, sizeof a);
        printf("seen=%s\n", a);
        fflush(stdout);
    }
    return 0;
}

// markmsg ADDR PORT: a datagram carrying an SO_MARK control message (which CAP_NET_RAW
// allows and a seccomp filter cannot see).
static int net_markmsg(const char *addr, int port) {
    struct sockaddr_storage ss;
    socklen_t len = net_addr(addr, port, &ss);
    int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
    if (fd < 0) return net_fail("markmsg");
    char control[CMSG_SPACE(sizeof(int))] = {0};
    struct iovec iov = { "x", 1 };
    struct msghdr msg = { .msg_name = &ss, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1,
                          .msg_control = control, .msg_controllen = sizeof control };
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SO_MARK;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    *(int *)CMSG_DATA(c) = 7;
    result("markmsg", sendmsg(fd, &msg, 0));
    return 0;
}

// mark: SO_MARK steers the host's routing and firewall; CAP_NET_RAW alone opens it.
static int net_mark(void) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0), mark = 7;
    if (fd < 0) return net_fail("mark");
    result("mark", setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark));
    int one = 1;
    result("reuseaddr", setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    result("nodelay", setsockopt(socket(AF_INET, SOCK_STREAM, 0), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
    return 0;
}

static int net_command(int argc, char **argv) {
    const char *c = argv[1];
    if (!strcmp(c, "bind") && argc > 4) return net_bind(argv[2], atoi(argv[3]), argv[4]);
    if (!strcmp(c, "listen") && argc > 4) return net_listen(argv[2], atoi(argv[3]), atoi(argv[4]));
    if (!strcmp(c, "connect") && argc > 3) return net_connect(argv[2], atoi(argv[3]), argc > 4);
    if (!strcmp(c, "udpecho") && argc > 3) return net_udpecho(argv[2], atoi(argv[3]));
    if (!strcmp(c, "udp") && argc > 3) return net_udp(argv[2], atoi(argv[3]));
    if (!strcmp(c, "abstract") && argc > 2) return net_abstract(argv[2]);
    if (!strcmp(c, "abstractlisten") && argc > 2) return net_abstract_listen(argv[2]);
    if (!strcmp(c, "sockets")) return net_sockets();
    if (!strcmp(c, "rawsend") && argc > 3) return net_rawsend(argv[2], argv[3]);
    if (!strcmp(c, "rawrecv") && argc > 2) return net_rawrecv(atoi(argv[2]));
    if (!strcmp(c, "mark")) return net_mark();
    if (!strcmp(c, "markmsg") && argc > 3) return net_markmsg(argv[2], atoi(argv[3]));
    return -1;
}
