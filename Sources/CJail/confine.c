// The confinement steps shared by a jail's commands (child.c) and a process entering a
// jail in place (attach.c). Raw system calls only: they run between clone and execve.
#include "cjattach.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

// The first write waits for an RCU grace period (milliseconds); the others reuse it.
// Only jails with limits on v1 controllers have any.
int cj_write_procs(const int *fds, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (write(fds[i], "0", 1) != 1) return -1;
    return 0;
}

int cj_set_rlimits(const struct cj_rlimit *limits, size_t n) {
    for (size_t i = 0; i < n; i++) {
        struct { uint64_t cur, max; } lim = { limits[i].soft, limits[i].hard };
        if (syscall(SYS_prlimit64, 0, limits[i].resource, &lim, NULL) < 0) return -1;
    }
    return 0;
}

int cj_landlock_scope(uint64_t scoped) {
    // struct landlock_ruleset_attr (linux/landlock.h, ABI 6): no access rights handled,
    // only scopes; then landlock_restrict_self.
    struct { uint64_t handled_access_fs, handled_access_net, scoped; } attr = { 0, 0, scoped };
    int fd = (int)syscall(444 /* landlock_create_ruleset */, &attr, sizeof attr, 0);
    if (fd < 0) return -1;
    int r = (int)syscall(446 /* landlock_restrict_self */, fd, 0);
    int e = errno;
    close(fd);
    errno = e;
    return r;
}

int cj_drop_bounding(uint64_t keep) {
    // The bounding set caps what any later execve (setuid-root binaries included) can
    // ever regain; CAP_SETPCAP is still held here, so this must come before setresuid.
    for (int cap = 0; cap <= 63; cap++) {
        if (keep & (1ull << cap)) continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) return -1;
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return -1;
    return 0;
}

int cj_limit_root_caps(uint64_t keep) {
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
    struct __user_cap_data_struct data[2];
    for (int i = 0; i < 2; i++) {
        uint32_t word = (uint32_t)(keep >> (32 * i));
        data[i].effective = word;
        data[i].permitted = word;
        data[i].inheritable = 0;
    }
    return (int)syscall(SYS_capset, &hdr, data);
}

int cj_limit_caps_to(uint64_t keep) {
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &hdr, data) < 0) return -1;
    for (int i = 0; i < 2; i++) {
        uint32_t word = (uint32_t)(keep >> (32 * i));
        data[i].effective &= word;
        data[i].permitted &= word;
        data[i].inheritable = 0;
    }
    return (int)syscall(SYS_capset, &hdr, data);
}
