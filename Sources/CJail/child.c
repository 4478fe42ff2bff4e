// The child path: everything between clone and execve.
//
// Runs in a fork of a Swift process that may have threads, so only async-signal-safe
// calls are made here, on memory the parent prepared (struct cj_plan). Failures travel
// to the parent as (step, errno) over the close-on-exec error pipe; _exit, never exit.
#define _GNU_SOURCE
#include "cjail.h"
#include "raw.h"
#include "cjattach.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

static void report(const struct cj_plan *plan, int step, int error) {
    struct cj_failure f = { .step = step, .error = error };
    // A short write is impossible for 8 bytes on a pipe; nothing to do on failure.
    (void)!write(plan->error_fd, &f, sizeof f);
}

__attribute__((noreturn)) static void fail(const struct cj_plan *plan, int step, int error) {
    report(plan, step, error);
    _exit(127);
}

// Mounts of ours, by slot (see struct cj_step): their roots cannot be swapped under us.
// Slots 1-7 hold our /dev, /proc, /sys; 8 and up the trees of the jail's mount lines.
#define CJ_SLOTS 64
static int slots[CJ_SLOTS] = { [0 ... CJ_SLOTS - 1] = -1 };

// Decimal digits of `v` in `buf` (24 bytes); returns their start.
static const char *format_uint(char *buf, int v) {
    char *p = buf + 23;
    *p = '\0';
    unsigned int u = (unsigned int)v;
    do { *--p = (char)('0' + u % 10); u /= 10; } while (u);
    return p;
}

static int base_fd(const struct cj_step *s) {
    return s->base > 0 && s->base < CJ_SLOTS ? slots[s->base] : AT_FDCWD;
}

// A step's target, opened without following any symlink: from our root, or strictly
// beneath its base mount. The tree is the jail's own: another jail on it may swap a
// directory for a link at any moment, so a name is resolved once, here, and everything
// done to the descriptor.
static int open_target(const struct cj_step *s, int directory) {
    // A base whose optional mount was skipped (/sys in a tree without one): nothing is
    // there, which an optional step takes as ENOENT.
    if (s->base > 0 && s->base < CJ_SLOTS && slots[s->base] < 0) { errno = ENOENT; return -1; }
    struct open_how how = {
        .flags = O_PATH | O_CLOEXEC | (directory ? O_DIRECTORY : 0),
        .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | (s->base > 0 ? RESOLVE_BENEATH : 0),
    };
    return (int)syscall(SYS_openat2, base_fd(s), s->target, &how, sizeof how);
}

static unsigned int mount_attributes(unsigned long flags) {
    unsigned int a = 0;
    if (flags & MS_RDONLY) a |= MOUNT_ATTR_RDONLY;
    if (flags & MS_NOSUID) a |= MOUNT_ATTR_NOSUID;
    if (flags & MS_NODEV) a |= MOUNT_ATTR_NODEV;
    if (flags & MS_NOEXEC) a |= MOUNT_ATTR_NOEXEC;
    if (flags & MS_NOATIME) a |= MOUNT_ATTR_NOATIME;
    if (flags & 256 /* MS_NOSYMFOLLOW */) a |= MOUNT_ATTR_NOSYMFOLLOW;
    return a;
}

// A new file system instance as a detached mount (fsopen, fsconfig, fsmount): `data` is
// a comma list of key=value options and flags. Returns the mount's descriptor.
static int make_mount(const char *fstype, const char *data, unsigned long flags) {
    int fs = (int)syscall(SYS_fsopen, fstype, FSOPEN_CLOEXEC);
    if (fs < 0) return -1;
    char buf[4096];
    size_t n = data ? strlen(data) : 0;
    if (n >= sizeof buf) { close(fs); errno = E2BIG; return -1; }
    if (data) memcpy(buf, data, n + 1);
    char *p = n ? buf : NULL;
    while (p && *p) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        char *eq = strchr(p, '=');
        if (eq) *eq = '\0';
        long r = eq ? syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, p, eq + 1, 0)
                    : syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, p, NULL, 0);
        if (r < 0) { int e = errno; close(fs); errno = e; return -1; }
        p = comma ? comma + 1 : NULL;
    }
    if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
        int e = errno; close(fs); errno = e; return -1;
    }
    int m = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, mount_attributes(flags));
    int e = errno;
    close(fs);
    errno = e;
    return m;
}

// Moves mount `m` onto `target` and closes both, keeping errno.
static int attach(int m, int target) {
    int r = (m < 0 || target < 0) ? -1
        : (int)syscall(SYS_move_mount, m, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
    int e = errno;
    if (target >= 0) close(target);
    if (m >= 0) close(m);
    errno = e;
    return r;
}

// A clone of `path` under `dirfd` (a directory of one of our mounts), as a detached mount.
static int clone_tree(int dirfd, const char *path, int recursive) {
    return (int)syscall(SYS_open_tree, dirfd, path,
                        OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW |
                        (recursive ? AT_RECURSIVE : 0) | (path[0] ? 0 : AT_EMPTY_PATH));
}

// The first mask of this child: later masks are clones of it (one superblock per jail).
static int mask_mount = -1;

static int run_step(const struct cj_step *s) {
    int dirfd = base_fd(s);
    switch (s->op) {
    case CJ_OP_FSMOUNT: {
        if (s->target == NULL) {
            // Not attached yet: a later step uses it (an overlay that becomes the root).
            if (s->arg == 0 || s->arg >= CJ_SLOTS) { errno = EINVAL; return -1; }
            int m = make_mount(s->fstype, s->data, s->flags);
            if (m < 0) return -1;
            slots[s->arg] = m;
            return 0;
        }
        int target = open_target(s, 1);
        if (target < 0) return -1;
        int m = make_mount(s->fstype, s->data, s->flags);
        if (m < 0) { int e = errno; close(target); errno = e; return -1; }
        // Kept: later steps work beneath this mount's root, whatever its name becomes.
        int keep = s->arg > 0 && s->arg < CJ_SLOTS ? fcntl(m, F_DUPFD_CLOEXEC, 3) : -1;
        if (attach(m, target) < 0) { if (keep >= 0) close(keep); return -1; }
        if (keep >= 0) slots[s->arg] = keep;
        return 0;
    }
    case CJ_OP_MASK: {
        int target = open_target(s, 1);
        if (target < 0) return -1;
        if (mask_mount < 0) {
            // A read-only superblock: every clone of it is read-only too.
            int m = make_mount("tmpfs", "mode=555", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
            if (m < 0) { int e = errno; close(target); errno = e; return -1; }
            mask_mount = fcntl(m, F_DUPFD_CLOEXEC, 3);
            return attach(m, target);
        }
        return attach(clone_tree(mask_mount, "", 0), target);
    }
    case CJ_OP_BIND_RO: {
        // proc's own directory (/proc/sys), cloned and made read-only before it covers
        // the original: there is no moment when the jail could see it writable.
        int m = clone_tree(dirfd, s->target, 1);
        if (m < 0) return -1;
        struct mount_attr attr = {
            .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
        };
        if (syscall(SYS_mount_setattr, m, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0) {
            int e = errno; close(m); errno = e; return -1;
        }
        return attach(m, open_target(s, 0));
    }
    case CJ_OP_ROOT: {
        // The root is looked up once, without following any symlink, and must be the
        // directory the parent resolved (device and inode): whoever can rename in its
        // parent directory cannot swap in a link to / or anywhere else. Everything after
        // works on descriptors.
        int fd = open_target(s, 1);
        if (fd < 0) return -1;
        struct stat st;
        if (fstat(fd, &st) < 0 || ((s->flags || s->arg) && (st.st_dev != (dev_t)s->flags || st.st_ino != (ino_t)s->arg))) {
            close(fd);
            errno = ESTALE;
            return -1;
        }
        // The tree itself, or a file system prepared in a slot in its place (an overlay of a
        // thin jail's base, a mount line whose target is the jail's path).
        unsigned int slot = CJ_STEP_SLOT(s->options);
        int c = slot > 0 && slot < CJ_SLOTS ? fcntl(slots[slot], F_DUPFD_CLOEXEC, 3) : clone_tree(fd, "", 1);
        // Device nodes inside the jail's own tree are dead: only our /dev has live ones.
        struct mount_attr attr = {
            .attr_set = MOUNT_ATTR_NODEV | ((s->options & CJ_STEP_READONLY) ? MOUNT_ATTR_RDONLY : 0),
        };
        if (c < 0 || syscall(SYS_mount_setattr, c, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0 ||
            syscall(SYS_move_mount, c, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0 ||
            fchdir(c) < 0) {
            int e = errno;
            if (c >= 0) close(c);
            close(fd);
            errno = e;
            return -1;
        }
        close(c);
        close(fd);
        // pivot_root(".", ".") stacks the old root on top of the new one; detaching it
        // leaves no path, descriptor or mount through which the host tree is reachable.
        if (syscall(SYS_pivot_root, ".", ".") < 0) return -1;
        if (umount2(".", MNT_DETACH) < 0) return -1;
        return chdir("/");
    }
    case CJ_OP_OPEN_CHECKED: {
        // A directory the host checked (device `flags`, inode `arg`), opened again here, in
        // our mount namespace, without symlinks: a rename in between is caught.
        unsigned int slot = CJ_STEP_SLOT(s->options);
        if (slot == 0 || slot >= CJ_SLOTS) { errno = EINVAL; return -1; }
        int fd = open_target(s, 1);
        if (fd < 0) return -1;
        struct stat st;
        if (fstat(fd, &st) < 0 || st.st_dev != (dev_t)s->flags || st.st_ino != (ino_t)s->arg) {
            close(fd);
            errno = ESTALE;
            return -1;
        }
        slots[slot] = fd;
        return 0;
    }
    case CJ_OP_OVERLAY: {
        // The overlay of a thin jail, its layers named by the descriptors just checked
        // (slots 4 lower, 5 upper, 6 work), kept in slot `arg` to become the root.
        if (s->arg == 0 || s->arg >= CJ_SLOTS || slots[4] < 0 || slots[5] < 0 || slots[6] < 0) { errno = EINVAL; return -1; }
        char data[160], n1[24], n2[24], n3[24];
        char *p = data;
        const char *parts[] = { "lowerdir=/proc/self/fd/", format_uint(n1, slots[4]), ",upperdir=/proc/self/fd/",
                                format_uint(n2, slots[5]), ",workdir=/proc/self/fd/", format_uint(n3, slots[6]) };
        for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
            size_t n = strlen(parts[i]);
            memcpy(p, parts[i], n);
            p += n;
        }
        *p = '\0';
        int m = make_mount("overlay", data, 0);
        if (m < 0) return -1;
        slots[s->arg] = m;
        return 0;
    }
    case CJ_OP_TREE: {
        // A copy of a host directory (a nullfs line's source) and what is below it, as a
        // detached tree, with its options recursively, and slave: mounts the host adds in it
        // later appear, and nothing mounted on it in the jail reaches the host.
        if (s->arg < 8 || s->arg >= CJ_SLOTS) { errno = EINVAL; return -1; }
        // nullfs shows only the source's own file system; rbind (MS_REC) what is below too.
        // The source is reached without any symlink: one jail's directory swapped for a link
        // to / must not hand the host's tree to another.
        int recursive = (s->flags & MS_REC) ? AT_RECURSIVE : 0;
        struct open_how how = {
            .flags = O_PATH | O_CLOEXEC | O_DIRECTORY,
            .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        int src = (int)syscall(SYS_openat2, AT_FDCWD, s->target, &how, sizeof how);
        if (src < 0) return -1;
        int m = (int)syscall(SYS_open_tree, src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | recursive);
        int oe = errno;
        close(src);
        errno = oe;
        if (m < 0) return -1;
        struct mount_attr attr = { .attr_set = mount_attributes(s->flags), .propagation = MS_SLAVE };
        if (syscall(SYS_mount_setattr, m, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0) {
            int e = errno; close(m); errno = e; return -1;
        }
        slots[s->arg] = m;
        return 0;
    }
    case CJ_OP_ATTACH: {
        // A tree (a slot's, or a descriptor the host opened: jail mount) onto a directory of
        // the jail, reached from its root without any symlink.
        int tree = (s->options & CJ_STEP_DESCRIPTOR) ? (int)s->arg
                 : (s->arg < CJ_SLOTS ? slots[s->arg] : -1);
        if (tree < 0) { errno = EBADF; return -1; }
        int target = open_target(s, 1);
        if (target < 0) return -1;
        int r = (int)syscall(SYS_move_mount, tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
        int e = errno;
        close(target);
        errno = e;
        return r;
    }
    case CJ_OP_MASK_FILE: {
        int target = open_target(s, 0);
        if (target < 0) return -1;
        return attach(clone_tree(slots[1], "null", 0), target);
    }
    case CJ_OP_MOUNT:
        return mount(s->source, s->target, s->fstype, s->flags, s->data);
    case CJ_OP_RECONFIGURE: {
        // A running jail's own devpts (pseudoterminals): reached without links and checked
        // to be that kind of file system, so nothing else can be reconfigured in its place.
        int target = open_target(s, 1);
        if (target < 0) return -1;
        struct statfs sfs;
        int fs = -1;
        if (fstatfs(target, &sfs) < 0) {
            fs = -1;
        } else if ((unsigned long)sfs.f_type != s->arg) {
            errno = EXDEV;
        } else {
            fs = (int)syscall(SYS_fspick, target, "", FSPICK_EMPTY_PATH | FSPICK_CLOEXEC | FSPICK_NO_AUTOMOUNT);
        }
        int e = errno;
        close(target);
        if (fs < 0) { errno = e; return -1; }
        // Every option, comma-separated: a reconfiguration resets those not given.
        char buf[256];
        size_t n = strlen(s->data);
        int r = n < sizeof buf ? 0 : -1;
        if (r < 0) errno = E2BIG; else memcpy(buf, s->data, n + 1);
        for (char *p = buf; r == 0 && p && *p;) {
            char *comma = strchr(p, ',');
            if (comma) *comma = '\0';
            char *eq = strchr(p, '=');
            if (eq) *eq = '\0';
            r = eq ? (int)syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, p, eq + 1, 0)
                   : (int)syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, p, NULL, 0);
            p = comma ? comma + 1 : NULL;
        }
        if (r == 0) r = (int)syscall(SYS_fsconfig, fs, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0);
        e = errno;
        close(fs);
        errno = e;
        return r;
    }
    case CJ_OP_WRITE: {
        // Only a sysctl of the host's procfs: never a FIFO or file someone planted.
        int fd = openat(dirfd, s->target, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) return -1;
        struct statfs sfs;
        if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
            close(fd);
            errno = EXDEV;
            return -1;
        }
        size_t n = strlen(s->data);
        ssize_t w = write(fd, s->data, n);
        int e = errno;
        close(fd);
        if (w == (ssize_t)n) return 0;
        errno = w < 0 ? e : EIO;
        return -1;
    }
    // The umask inherited from the caller must not narrow the modes of what we create.
    case CJ_OP_MKDIR:
        if (mkdirat(dirfd, s->target, (mode_t)s->arg) < 0 && errno != EEXIST) return -1;
        return fchmodat(dirfd, s->target, (mode_t)s->arg & 07777, 0);
    case CJ_OP_MKNOD:
        if (mknodat(dirfd, s->target, (mode_t)s->arg, (dev_t)s->flags) < 0) return -1;
        return fchmodat(dirfd, s->target, (mode_t)s->arg & 07777, 0);
    case CJ_OP_SYMLINK:
        return symlinkat(s->source, dirfd, s->target);
    case CJ_OP_CHOWN:
        return fchownat(dirfd, s->target, (uid_t)s->arg, (gid_t)s->flags, AT_SYMLINK_NOFOLLOW);
    case CJ_OP_HOSTNAME:
        return sethostname(s->source, strlen(s->source));
    case CJ_OP_DOMAINNAME:
        return setdomainname(s->source, strlen(s->source));
    case CJ_OP_DETACH:
        // NOFOLLOW: a symlink planted here must not point the unmount at one of ours.
        if (umount2(s->target, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL) return -1;
        return 0;
    case CJ_OP_UNMOUNT: {
        // jail umount: the directory holding the mount is reached without any symlink (the
        // jail may have swapped one in), and what is mounted there must be the mount we
        // made (its unique id, `arg`): never one of the jail's own /proc/sys and the like.
        const char *slash = strrchr(s->target, '/');
        char parent[4096];
        const char *last = s->target;
        int dir = AT_FDCWD;
        if (slash) {
            size_t n = (size_t)(slash - s->target);
            if (n >= sizeof parent) { errno = ENAMETOOLONG; return -1; }
            memcpy(parent, s->target, n);
            parent[n] = '\0';
            struct cj_step p = *s;
            p.target = parent;
            dir = open_target(&p, 1);
            if (dir < 0) return -1;
            last = slash + 1;
        }
        struct statx stx;
        int r = (int)syscall(SYS_statx, dir, last, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID_UNIQUE, &stx);
        if (r == 0 && (!(stx.stx_mask & STATX_MNT_ID_UNIQUE) || stx.stx_mnt_id != (uint64_t)s->arg)) {
            errno = ENOENT;
            r = -1;
        }
        if (r == 0 && dir != AT_FDCWD && fchdir(dir) < 0) r = -1;
        if (r == 0) r = umount2(last, MNT_DETACH | UMOUNT_NOFOLLOW);
        int e = errno;
        if (dir != AT_FDCWD) close(dir);
        errno = e;
        return r;
    }
    }
    errno = EINVAL;
    return -1;
}

static int enter_v1_cgroups(const struct cj_plan *plan) { return cj_write_procs(plan->v1_procs_fds, plan->nv1_procs); }
static int set_rlimits(const struct cj_plan *plan) { return cj_set_rlimits(plan->rlimits, plan->nrlimits); }
static int drop_capabilities(const struct cj_plan *plan) { return cj_drop_bounding(plan->keep_caps); }
static int limit_root_capabilities(const struct cj_plan *plan) { return cj_limit_root_caps(plan->keep_caps); }

static void exec_command(const struct cj_plan *plan) {
    const char *name = plan->argv[0];
    char *const *argv = (char *const *)plan->argv;
    char *const *envp = (char *const *)plan->envp;
    if (strchr(name, '/') != NULL || plan->search_path == NULL || plan->exec_buf == NULL) {
        execve(name, argv, envp);
        return;
    }
    // execvp's search, without its allocations: PATH was chosen by the parent.
    size_t nlen = strlen(name);
    int saved = ENOENT;
    const char *p = plan->search_path;
    for (;;) {
        const char *end = strchr(p, ':');
        size_t dlen = end ? (size_t)(end - p) : strlen(p);
        if (dlen + nlen + 2 <= plan->exec_buf_len) {
            char *b = plan->exec_buf;
            size_t n = 0;
            if (dlen == 0) b[n++] = '.';
            memcpy(b + n, p, dlen);
            n += dlen;
            b[n++] = '/';
            memcpy(b + n, name, nlen + 1);
            execve(b, argv, envp);
            if (errno != ENOENT && errno != ENOTDIR) saved = errno;
        }
        if (!end) break;
        p = end + 1;
    }
    errno = saved;
}

__attribute__((noreturn)) static void command_child(const struct cj_plan *plan, int go_fd) {
    // A process group of its own: kill(0) inside must reach the jail's processes only,
    // never the caller's shell or job, which share our inherited group.
    if (plan->terminal_fd >= 0) {
        // Its own session, its own pty: nothing of the caller's terminal reaches the jail.
        if (setsid() < 0 || ioctl(plan->terminal_fd, TIOCSCTTY, 0) < 0 ||
            dup2(plan->terminal_fd, 0) < 0 || dup2(plan->terminal_fd, 1) < 0 ||
            dup2(plan->terminal_fd, 2) < 0)
            fail(plan, CJ_FAIL_SETUP, errno);
    } else if (plan->take_terminal) {
        // It takes over the caller's terminal, which is its standard input anyway.
        setpgid(0, 0);
    } else {
        // No terminal for it: a session of its own, so that /dev/tty inside cannot open
        // the caller's terminal (a daemon left behind could read or write it).
        setsid();
    }
    if (plan->terminal_fd < 0 && plan->take_terminal) {
        sigset_t ttou;
        sigemptyset(&ttou);
        sigaddset(&ttou, SIGTTOU);
        sigprocmask(SIG_BLOCK, &ttou, NULL);
        (void)!ioctl(0, TIOCSPGRP, &(pid_t){ (pid_t)syscall(SYS_getpid) });
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    // What our caller ignores (SIGINT and SIGQUIT while it waits, like system(3)) must not
    // stay ignored in the command: ignored signals survive execve.
    for (int sig = 1; sig < 32; sig++)
        if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);

    // No audit login uid from whoever started the jail: a login inside sets its own, and
    // pam_loginuid refuses logins when it cannot (CAP_AUDIT_CONTROL is needed to change a
    // set one, and the jail lacks it). Kernels without audit have no such file.
    int loginuid = open("/proc/self/loginuid", O_WRONLY | O_CLOEXEC);
    if (loginuid >= 0) {
        (void)!write(loginuid, "4294967295", 10);
        close(loginuid);
    }
    // Lowered while still privileged; jailed root lacks CAP_SYS_RESOURCE to raise them.
    // (jexec's helper set them before the fork: a command held stopped here by the jail
    // must not apply stale ones after an rctl change.)
    if (plan->join_pidfd < 0 && set_rlimits(plan) < 0) fail(plan, CJ_FAIL_RLIMIT, errno);
    if (plan->set_ids) {
        // Raw system calls: glibc's set*id wrappers broadcast to every thread they think
        // the process has, and this process is a raw clone of a possibly threaded one.
        if (syscall(SYS_setgroups, plan->ngroups, plan->groups) < 0) fail(plan, CJ_FAIL_IDS, errno);
        if (syscall(SYS_setresgid, plan->gid, plan->gid, plan->gid) < 0) fail(plan, CJ_FAIL_IDS, errno);
    }
    // A Landlock domain of its own, scoped: on the host's network stack the abstract unix
    // socket namespace is the host's, and only this closes it (CAP_SYS_ADMIN still held,
    // so no no_new_privs).
    if (plan->landlock_scoped && cj_landlock_scope(plan->landlock_scoped) < 0) fail(plan, CJ_FAIL_LANDLOCK, errno);
    // Loaded while this process still holds CAP_SYS_ADMIN, so that no_new_privs is not
    // needed: setuid programs inside the jail keep working within the bounding set.
    if (plan->filter != NULL && cj_seccomp_load(plan->filter, plan->filter_len) < 0)
        fail(plan, CJ_FAIL_SECCOMP, errno);
    if (drop_capabilities(plan) < 0) fail(plan, CJ_FAIL_CAPS, errno);
    if (plan->set_ids && plan->uid != 0) {
        // Leaving uid 0 clears the permitted and effective sets (no SECBIT_KEEP_CAPS).
        if (syscall(SYS_setresuid, plan->uid, plan->uid, plan->uid) < 0) fail(plan, CJ_FAIL_IDS, errno);
    } else if (limit_root_capabilities(plan) < 0) {
        fail(plan, CJ_FAIL_CAPS, errno);
    }
    if (chdir(plan->workdir) < 0) fail(plan, CJ_FAIL_CHDIR, errno);

    // Wait until the init has made itself non-dumpable: until then /proc/1 of the jail
    // could be read by this command.
    char c;
    while (go_fd >= 0 && read(go_fd, &c, 1) < 0 && errno == EINTR) {}
    // Nothing the parent opened may reach the jailed program; the error pipe closes
    // at a successful exec and tells the parent that set-up is over.
    if (cj_close_range_cloexec(3) < 0) fail(plan, CJ_FAIL_SETUP, errno);
    exec_command(plan);
    fail(plan, CJ_FAIL_EXEC, errno);
}

static char *format_int(char *buf, long v) {
    // buf must hold 24 bytes; returns the start of the digits.
    char *p = buf + 23;
    *p = '\0';
    int neg = v < 0;
    unsigned long u = neg ? (unsigned long)(-v) : (unsigned long)v;
    do { *--p = (char)('0' + u % 10); u /= 10; } while (u);
    if (neg) *--p = '-';
    return p;
}

__attribute__((noreturn)) static void jail_child(const struct cj_plan *plan) {
    // From here until our exec, /proc/<pid> of this process must not be reachable by the
    // jail: it still holds every capability and the host's descriptors.
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (enter_v1_cgroups(plan) < 0) fail(plan, CJ_FAIL_CGROUP, errno);
    // A booted system's cgroup namespace is rooted where it was born (its cgroup2 mount
    // shows that subtree): made here, once in place, whatever clone3 did with
    // CLONE_NEWCGROUP and CLONE_INTO_CGROUP together.
    if (plan->boot && syscall(SYS_unshare, CLONE_NEWCGROUP) < 0) fail(plan, CJ_FAIL_SETUP, errno);

    for (size_t i = 0; i < plan->nsteps; i++) {
        const struct cj_step *s = &plan->steps[i];
        if (run_step(s) < 0) {
            if (errno == ENOENT && (s->options & CJ_STEP_OPTIONAL)) continue;
            fail(plan, (int)i, errno);
        }
    }

    // A whole system: its init is PID 1, confined as any command of the jail.
    if (plan->boot) command_child(plan, -1);

    int go[2] = { -1, -1 };
    pid_t cmd = 0;
    if (plan->argv != NULL) {
        if (pipe2(go, O_CLOEXEC) < 0) fail(plan, CJ_FAIL_SETUP, errno);
        cmd = cj_clone_into(plan->jail_cgroup_fd, 0);
        if (cmd < 0) fail(plan, CJ_FAIL_SETUP, errno);
        if (cmd == 0) {
            close(go[1]);
            command_child(plan, go[0]);
        }
        close(go[0]);
    }

    // The init keeps exactly: cgroup.events (read-only), the status pipe and the go pipe.
    // Everything else, including the cgroup directories and the binary, closes at exec.
    if (cj_close_range_cloexec(3) < 0) fail(plan, CJ_FAIL_SETUP, errno);
    int keep[3] = { plan->events_fd, plan->status_fd, go[1] };
    for (int i = 0; i < 3; i++)
        if (keep[i] >= 0 && fcntl(keep[i], F_SETFD, 0) < 0) fail(plan, CJ_FAIL_SETUP, errno);
    // The init must not hold the user's terminal.
    close(0); close(1); close(2);

    // The init needs no privilege but CAP_KILL (it signals jailed processes of any uid):
    // the rest leaves the bounding set, so its exec grants nothing else.
    for (int cap = 0; cap <= 63; cap++)
        if (cap != CAP_KILL && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
            fail(plan, CJ_FAIL_CAPS, errno);
    // Born with the signals it takes from the host blocked (it reads them from a
    // signalfd): one sent right after our exec, before it set itself up, waits for it.
    sigset_t host_signals;
    sigemptyset(&host_signals);
    int taken[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGPIPE };
    for (size_t i = 0; i < sizeof taken / sizeof taken[0]; i++) sigaddset(&host_signals, taken[i]);
    sigprocmask(SIG_BLOCK, &host_signals, NULL);
    // The settings travel as the environment, which only the host can read (the init is
    // not dumpable): `ps` in the jail shows a plain "jail-init".
    char b1[24], b2[24], b3[24], b4[24];
    const char *argv[] = { "jail-init", NULL };
    const char *envp[] = {
        format_int(b1, plan->events_fd), format_int(b2, plan->status_fd),
        format_int(b3, go[1]), format_int(b4, cmd),
        plan->persist ? "1" : "0",
        NULL,
    };
    syscall(SYS_execveat, plan->init_exe_fd, "", argv, envp, AT_EMPTY_PATH);
    int err = errno;
    if (cmd > 0) kill(cmd, SIGKILL);
    fail(plan, CJ_FAIL_INIT, err);
}

// jexec: join the running jail, then fork the command into its PID namespace as a child
// of our caller. This process never enters the jail's PID namespace itself, so no jailed
// process can see it; the command is non-dumpable until its exec.
static void join_child(const struct cj_plan *plan);

// jexec's helper shares our memory (CLONE_VM|CLONE_VFORK: no copy of the page tables of a
// large Swift process, and we sleep until it is done); it has a small stack of its own.
static int join_entry(void *arg) {
    join_child((const struct cj_plan *)arg);
    return 0;
}

static void join_child(const struct cj_plan *plan) {
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    // setns also moves root and working directory to the jail's: nothing of the host's
    // tree stays reachable through them.
    if (syscall(SYS_setns, plan->join_pidfd, (int)plan->join_flags) < 0) fail(plan, CJ_FAIL_SETUP, errno);
    if (plan->argv == NULL) {
        // jail -m: change what can change in a running jail (its hostname), nothing to run.
        for (size_t i = 0; i < plan->nsteps; i++)
            if (run_step(&plan->steps[i]) < 0) fail(plan, (int)i, errno);
        _exit(0);
    }
    // The command is forked from here: born in the jail's v1 cgroups and with its limits.
    if (enter_v1_cgroups(plan) < 0) fail(plan, CJ_FAIL_CGROUP, errno);
    if (set_rlimits(plan) < 0) fail(plan, CJ_FAIL_RLIMIT, errno);
    // Legacy clone: clone3 refuses CLONE_PARENT with an exit signal, and the command's
    // parent (jexec) must get SIGCHLD like for any child. With CLONE_PARENT the kernel
    // gives the child our own exit signal, SIGCHLD.
    pid_t cmd = (pid_t)syscall(SYS_clone, CLONE_PARENT, 0, 0, 0, 0);
    if (cmd < 0) fail(plan, CJ_FAIL_SETUP, errno);
    if (cmd == 0) command_child(plan, -1);
    report(plan, CJ_MSG_COMMAND_PID, cmd);
}

pid_t cj_spawn(const struct cj_plan *plan) {
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = plan->clone_flags;
    args.exit_signal = SIGCHLD;
    if (plan->init_cgroup_fd >= 0) {
        // Born inside its cgroup: no migration, so no wait for an RCU grace period.
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)plan->init_cgroup_fd;
    }
    if (plan->join_pidfd >= 0) {
        // Born in the jail's cgroup: the command it forks is counted from the start.
        static unsigned char stack[64 * 1024] __attribute__((aligned(16)));
        args.flags = CLONE_INTO_CGROUP | CLONE_VM | CLONE_VFORK;
        args.cgroup = (uint64_t)plan->jail_cgroup_fd;
        args.stack = (uint64_t)(uintptr_t)stack;
        args.stack_size = sizeof stack;
        return (pid_t)cj_clone3_run(&args, sizeof args, join_entry, (void *)plan);
    }
    pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);
    if (pid != 0) return pid;
    jail_child(plan);
}
