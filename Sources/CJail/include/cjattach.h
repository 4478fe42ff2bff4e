// Confining the calling process itself: what jexec's helper and a jail's commands do after
// their clone, and what a daemon that jails itself does in place (FreeBSD's jail_attach).
// Plain C with no compiler extensions: libjail (libjail/) is built from the same files
// with any C compiler and runs without Swift.
#ifndef CJATTACH_H
#define CJATTACH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

// A resource limit set on every jailed command (prlimit: RLIMIT_* number, soft, hard).
struct cj_rlimit {
    int resource;
    uint64_t soft;
    uint64_t hard;
};

// confine.c: the steps, each one system call or a few, async-signal-safe.
// Writes "0" (the writer) to each of the `cgroup.procs` descriptors.
int cj_write_procs(const int *fds, size_t n);
int cj_set_rlimits(const struct cj_rlimit *limits, size_t n);
// A Landlock domain with only these scopes (LANDLOCK_SCOPE_*): no file or port rules.
int cj_landlock_scope(uint64_t scoped);
// The bounding set down to `keep` (CAP_SETPCAP still needed), the ambient set cleared.
int cj_drop_bounding(uint64_t keep);
// Effective and permitted sets down to `keep`, inheritable cleared.
int cj_limit_root_caps(uint64_t keep);
// Effective and permitted sets: what they hold and `keep` allows; inheritable cleared.
int cj_limit_caps_to(uint64_t keep);

// attach.c: reading the host's state. A whole small file into buf (NUL-terminated, no
// symlink followed): its length, or -1.
ssize_t cj_read_file(const char *path, char *buf, size_t len);
// Field 22 of /proc/PID/stat, the start time, which tells a pid's reuse apart; 0: gone.
unsigned long long cj_start_time(pid_t pid);

// attach.c: a process entering a jail in place. Errors come back as -1 with a one-line
// reason in `err` (FreeBSD's jail_errmsg style).
//
// Whether this process can enter a jail in place: a single thread (namespaces and
// capabilities are per thread, the mount namespace needs a lone thread), and no open
// directory descriptor (it would lead back to the host's tree).
int cj_self_check(char *err, size_t errlen);
// Enters the running jail `jid` described in `registry` (its record: namespaces, cgroups,
// limits, capability set, the seccomp program in `cache`). Before the first step that
// cannot be undone nothing has changed when it fails; after it, a failure ends the
// process (exit status 126) rather than leave it half-jailed.
int cj_attach_jail(int jid, const char *registry, const char *cache, char *err, size_t errlen);
// /proc/PID/cgroup as it is now, and a return to it (undoing a creation that took the
// process into the jail's cgroups). pid 0: this process.
int cj_cgroup_save(pid_t pid, char *buf, size_t len);
void cj_cgroup_restore(pid_t pid, const char *saved);

#endif
