/* A C daemon that jails itself with libjail, as it would on FreeBSD: read the
 * configuration, jail_setv(JAIL_CREATE | JAIL_ATTACH, ...), then serve one line per TCP
 * connection from inside.
 *
 *   cc -o selfjail Examples/selfjail.c $(pkg-config --cflags --libs libjail)
 *   ./selfjail ROOT ADDRESS PORT GREETING
 */
#include <sys/param.h>
#include <sys/jail.h>
#include <jail.h>

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: selfjail root address port greeting\n");
        return 1;
    }
    /* Read while the host is in view: here the greeting comes from argv. */
    char reply[256];
    snprintf(reply, sizeof reply, "%s\n", argv[4]);

    int jid = jail_setv(JAIL_CREATE | JAIL_ATTACH, "name", "cgreeter", "path", argv[1],
                        "host.hostname", "cgreeter", "ip4.addr", argv[2], NULL);
    if (jid < 0) {
        fprintf(stderr, "selfjail: %s\n", jail_errmsg);
        return 1;
    }
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[3])) };
    if (bind(s, (struct sockaddr *)&sin, sizeof sin) < 0 || listen(s, 16) < 0) {
        perror("selfjail: listen");
        return 1;
    }
    printf("serving jid=%d\n", jid);
    fflush(stdout);
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c < 0) continue;
        (void)!write(c, reply, strlen(reply));
        close(c);
    }
}
