// Host-side commands of a jail's life cycle (exec.prestart, exec.poststop, ...): a fork
// of a possibly threaded Swift process, so the child makes async-signal-safe calls only.
#define _GNU_SOURCE
#include "cjail.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <linux/openat2.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

pid_t cj_spawn_host(const char *const *argv, const char *const *envp, const int fds[3],
                    int new_group, int death_signal, int set_ids, uid_t uid, gid_t gid,
                    const gid_t *groups, size_t ngroups) {
    pid_t parent = getpid();
    pid_t pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (pid != 0) return pid;
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    // A helper (tar, a decompressor, debootstrap) must not outlive a caller that was
    // killed: it would go on writing into a tree the next run removes. The check after
    // prctl closes the race with a parent that died before it.
    if (death_signal > 0) {
        if (prctl(PR_SET_PDEATHSIG, (unsigned long)death_signal) < 0 || getppid() != parent) _exit(126);
    }
    // Its own process group, so that exec.timeout can end everything it started.
    if (new_group) setpgid(0, 0);
    // Moved above 2 first, so that no descriptor is overwritten before it is used.
    int moved[3];
    for (int i = 0; i < 3; i++) moved[i] = fds[i] >= 0 ? fcntl(fds[i], F_DUPFD_CLOEXEC, 3) : -1;
    for (int i = 0; i < 3; i++) {
        if (fds[i] >= 0 && (moved[i] < 0 || dup2(moved[i], i) < 0)) _exit(126);
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

int cj_interrupt_fd(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) return -1;
    return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

int cj_read_signal(int fd) {
    struct signalfd_siginfo si;
    return read(fd, &si, sizeof si) == (ssize_t)sizeof si ? (int)si.ssi_signo : 0;
}

// A pseudo-terminal of the jail's own devpts for a command that the caller runs on its
// terminal: the jailed command never gets the caller's terminal, only its pty's slave.
// `root` is the jail's root directory (/proc/<init>/root); its dev/ptmx is the jail's to
// change, so it is resolved inside that root, never opened blocking, and must be a ptmx
// (character device 5:2), not whatever host device a planted link might name. With root
// -1, the host's own /dev/ptmx.
int cj_pty_open(int root, int *slave) {
    struct open_how how = {
        .flags = O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    int m = root >= 0 ? (int)syscall(SYS_openat2, root, "dev/ptmx", &how, sizeof how)
                      : open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (m < 0) return -1;
    struct stat st;
    if (fstat(m, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 || minor(st.st_rdev) != 2) {
        close(m);
        errno = ENODEV;
        return -1;
    }
    fcntl(m, F_SETFL, fcntl(m, F_GETFL) & ~O_NONBLOCK);
    int unlock = 0;
    // TIOCGPTPEER opens the slave from the master, with no path a jail could redirect.
    int s = ioctl(m, TIOCSPTLCK, &unlock) < 0 ? -1 : ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) {
        int e = errno;
        close(m);
        errno = e;
        return -1;
    }
    struct winsize ws;
    if (ioctl(0, TIOCGWINSZ, &ws) == 0) ioctl(m, TIOCSWINSZ, &ws);
    *slave = s;
    return m;
}

static void write_all(int fd, const char *p, ssize_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, (size_t)n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        p += w;
        n -= w;
    }
}

// Copies the caller's terminal (raw meanwhile) to the pty and back until the process
// behind `pidfd` exits, then what it left in the pty; window size changes follow.
void cj_pty_relay(int master, int pidfd) {
    struct termios saved, raw;
    int tty = isatty(0) && tcgetattr(0, &saved) == 0;
    if (tty) {
        raw = saved;
        cfmakeraw(&raw);
        tcsetattr(0, TCSANOW, &raw);
    }
    sigset_t winch, old;
    sigemptyset(&winch);
    sigaddset(&winch, SIGWINCH);
    sigprocmask(SIG_BLOCK, &winch, &old);
    int sfd = signalfd(-1, &winch, SFD_CLOEXEC);
    struct pollfd p[4] = {
        { .fd = 0, .events = POLLIN }, { .fd = master, .events = POLLIN },
        { .fd = pidfd, .events = POLLIN }, { .fd = sfd, .events = POLLIN },
    };
    char buf[4096];
    for (;;) {
        if (poll(p, 4, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (p[1].revents & POLLIN) {
            ssize_t n = read(master, buf, sizeof buf);
            if (n > 0) write_all(1, buf, n);
        }
        if (p[0].revents & (POLLIN | POLLHUP)) {
            ssize_t n = read(0, buf, sizeof buf);
            if (n > 0) write_all(master, buf, n); else p[0].fd = -1;
        }
        if (p[3].revents & POLLIN) {
            struct signalfd_siginfo si;
            (void)!read(sfd, &si, sizeof si);
            struct winsize ws;
            if (ioctl(0, TIOCGWINSZ, &ws) == 0) ioctl(master, TIOCSWINSZ, &ws);
        }
        if (p[2].revents & POLLIN) {
            // Exited: what it wrote last may still wait in the pty.
            fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
            ssize_t n;
            while ((n = read(master, buf, sizeof buf)) > 0) write_all(1, buf, n);
            break;
        }
        if ((p[1].revents & (POLLHUP | POLLERR)) && !(p[1].revents & POLLIN)) {
            // Nothing holds the slave open any more; wait for the process itself.
            p[1].fd = -1;
        }
    }
    if (sfd >= 0) close(sfd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (tty) tcsetattr(0, TCSANOW, &saved);
}
