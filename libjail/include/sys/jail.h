/* FreeBSD's <sys/jail.h>, the part a daemon uses: the jail_set flags and the two calls
 * that take a jid. From Jails for Linux's libjail (-ljail, pkg-config libjail). */
#ifndef _SYS_JAIL_H_
#define _SYS_JAIL_H_

#define JAIL_CREATE   0x01  /* create a jail */
#define JAIL_UPDATE   0x02  /* change a running jail */
#define JAIL_ATTACH   0x04  /* move the calling process into it */
#define JAIL_DYING    0x08  /* accepted; Linux jails are never left dying */
#define JAIL_SET_MASK 0x0f
#define JAIL_GET_MASK 0x08

#define JAIL_ERRMSGLEN 1024

#ifdef __cplusplus
extern "C" {
#endif
/* Moves the calling process into jail `jid`; 0, or -1 with errno and jail_errmsg. */
int jail_attach(int jid);
/* Removes jail `jid` and ends its processes; 0, or -1 with errno. */
int jail_remove(int jid);
#ifdef __cplusplus
}
#endif

#endif
