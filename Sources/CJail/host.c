// Host-side commands of a jail's life cycle (exec.prestart, exec.poststop, ...): a fork
// of a possibly threaded Swift process, so the child makes async-signal-safe calls only.
#define _GNU_SOURCE
#include "cjail.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

pid_t cj_spawn_host(const char *const *argv, const char *const *envp, int log_fd,
                    int new_group, int set_ids, uid_t uid, gid_t gid,
                    const gid_t *groups, size_t ngroups) {
    pid_t pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (pid != 0) return pid;
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    // Its own process group, so that exec.timeout can end everything it started.
    if (new_group) setpgid(0, 0);
    if (log_fd >= 0) {
        dup2(log_fd, 1);
        dup2(log_fd, 2);
    }
    if (set_ids) {
        // Raw system calls: glibc's wrappers would signal the parent's threads.
        if (syscall(SYS_setgroups, ngroups, groups) < 0 || syscall(SYS_setresgid, gid, gid, gid) < 0 ||
            syscall(SYS_setresuid, uid, uid, uid) < 0)
            _exit(126);
    }
    execve(argv[0], (char *const *)argv, (char *const *)envp);
    _exit(127);
}
