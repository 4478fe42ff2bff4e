/* FreeBSD's libjail <jail.h>, the calls a daemon makes, on Linux: jails of Jails for Linux
 * (the `jail` command), entered in place by the calling process.
 *
 *   int jid = jail_setv(JAIL_CREATE | JAIL_ATTACH, "path", "/var/empty",
 *                       "host.hostname", "d", "ip4.addr", "192.0.2.30", NULL);
 *   if (jid < 0) errx(1, "%s", jail_errmsg);
 *
 * Build: cc daemon.c $(pkg-config --cflags --libs libjail). See docs/libjail.md. */
#ifndef _JAIL_H_
#define _JAIL_H_

#include <sys/jail.h>

#ifdef __cplusplus
extern "C" {
#endif
/* Why the last call failed, one line. */
extern char jail_errmsg[];

/* The jid of the jail with this name (or this jid, given as digits); -1 if none. */
int jail_getid(const char *name);
/* The name of jail `jid`, malloc'd (free it); NULL if none. */
char *jail_getname(int jid);
/* Creates (JAIL_CREATE), changes (JAIL_UPDATE) and/or enters (JAIL_ATTACH) a jail given
 * as "name", "value" pairs ended by NULL; a NULL or "" value sets a boolean. To enter an
 * existing jail, name it with "jid" or "name" alone. Returns the jid, or -1. */
int jail_setv(int flags, ...);
/* Reads parameters of a running jail: one pair is the key ("jid" or "name" with a value,
 * or "lastjid" for the next jail above it), the others receive their values (the
 * caller's buffers, at least JAIL_ERRMSGLEN bytes each). Returns the jid, or -1. */
int jail_getv(int flags, ...);
#ifdef __cplusplus
}
#endif

#endif
