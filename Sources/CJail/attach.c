// A process entering a running jail in place, as FreeBSD's jail_attach(2): the daemon
// keeps its memory and descriptors, and from here on lives under the jail's namespaces,
// cgroups, limits, capability bounding set, seccomp filter and Landlock scopes — the same
// as every command jexec starts. Everything is read and opened first; the steps that
// change the process come last, the undoable ones before the rest.
//
// Used by the Swift library (Jail.enter, Jail.attach) and by libjail (libjail/), so it is
// plain C against libc: no Swift, no allocation it does not free.
#define _GNU_SOURCE
#include "cjattach.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_V1 16
#define MAX_RLIMITS 16
#define MAX_FILTER (8 * 4096)   // Seccomp.readProgram's bound

static int failure(char *err, size_t n, const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    vsnprintf(err, n, format, ap);
    va_end(ap);
    return -1;
}

static int kernel_interface(unsigned long magic) {
    static const unsigned long magics[] = {
        0x9fa0 /* proc */, 0x62656572 /* sysfs */, 0x63677270 /* cgroup2 */, 0x27e0eb /* cgroup */,
        0x6e736673 /* nsfs */, 0xcafe4a11 /* bpf */, 0x73636673 /* securityfs */, 0x64626720 /* debugfs */,
    };
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
        if (magic == magics[i]) return 1;
    return 0;
}

int cj_self_check(char *err, size_t errlen) {
    int threads = 0;
    DIR *d = opendir("/proc/self/task");
    if (d == NULL) return failure(err, errlen, "/proc/self/task: %s", strerror(errno));
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (e->d_name[0] != '.') threads++;
    closedir(d);
    if (threads != 1)
        return failure(err, errlen, "the process has %d threads: enter the jail before starting any", threads);
    d = opendir("/proc/self/fd");
    if (d == NULL) return failure(err, errlen, "/proc/self/fd: %s", strerror(errno));
    int own = dirfd(d), found = -1, kernel = -1;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.') continue;
        int fd = atoi(e->d_name);
        struct stat st;
        struct statfs fs;
        if (fd == own || fstat(fd, &st) < 0) continue;
        if (S_ISDIR(st.st_mode)) { found = fd; break; }
        // The host's kernel interfaces, opened as host root: a cgroup.procs would take the
        // process back out of the jail's cgroup, a namespace file into the host's.
        if (fstatfs(fd, &fs) == 0 && kernel_interface((unsigned long)fs.f_type)) { kernel = fd; break; }
    }
    closedir(d);
    if (found >= 0)
        return failure(err, errlen, "descriptor %d is a directory: close it first (it leads out of the jail)", found);
    if (kernel >= 0)
        return failure(err, errlen, "descriptor %d is a file of the host's proc, sys, cgroup, bpf or namespace file systems: close it first", kernel);
    return 0;
}

ssize_t cj_read_file(const char *path, char *buf, size_t len) {
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t n = 0;
    for (ssize_t r; n < len - 1 && (r = read(fd, buf + n, len - 1 - n)) != 0;) {
        if (r < 0) {
            if (errno == EINTR) continue;
            close(fd);
            return -1;
        }
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    return (ssize_t)n;
}

unsigned long long cj_start_time(pid_t pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if (cj_read_file(path, buf, sizeof buf) < 0) return 0;
    char *p = strrchr(buf, ')');
    if (p == NULL) return 0;
    for (int field = 2; field < 22 && p != NULL; field++) p = strchr(p + 1, ' ');
    return p ? strtoull(p + 1, NULL, 10) : 0;
}

static int open_procs(const char *dir) {
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/cgroup.procs", dir) >= sizeof path) return -1;
    return open(path, O_WRONLY | O_CLOEXEC);
}

// Whether this process is in the cgroup v2 directory `dir` already (a creation that
// adopted it put it there): moving a running process costs an RCU grace period, which
// is most of what entering a jail costs.
static int hierarchy_mount(const char *controllers, char *out, size_t len);
static int already_in(const char *dir) {
    char text[8192], mount[1024], path[8192];
    if (cj_read_file("/proc/self/cgroup", text, sizeof text) < 0 || hierarchy_mount("", mount, sizeof mount) < 0) return 0;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (strncmp(line, "0::", 3)) continue;
        // The whole path, mount point included: a suffix could name another cgroup.
        snprintf(path, sizeof path, "%s%s", mount, line + 3);
        return !strcmp(path, dir);
    }
    return 0;
}

struct attachment {
    pid_t init;
    unsigned long long init_start;
    char cgroup[4096];
    uint64_t namespaces, caps;
    char key[64];
    int v1[MAX_V1];
    size_t nv1;
    struct cj_rlimit limits[MAX_RLIMITS];
    size_t nlimits;
    int stopping;
    int booted;
};

static void close_all(struct attachment *a, int pidfd, int procs, int ruleset) {
    for (size_t i = 0; i < a->nv1; i++) close(a->v1[i]);
    if (pidfd >= 0) close(pidfd);
    if (procs >= 0) close(procs);
    if (ruleset >= 0) close(ruleset);
}

// The record's lines (Registry.swift's encoding): the fields attaching needs.
static int parse_record(char *text, struct attachment *a, char *err, size_t errlen) {
    memset(a, 0, sizeof *a);
    int confined = 0;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (!strncmp(line, "init=", 5)) {
            a->init = (pid_t)strtol(line + 5, &line, 10);
            a->init_start = strtoull(line, NULL, 10);
        } else if (!strncmp(line, "cgroup=", 7)) {
            snprintf(a->cgroup, sizeof a->cgroup, "%s", line + 7);
        } else if (!strncmp(line, "param=init=", 11) && line[11] != '\0') {
            a->booted = 1;
        } else if (!strncmp(line, "stopping=", 9)) {
            a->stopping = !strcmp(line + 9, "true");
        } else if (!strncmp(line, "confinement=", 12)) {
            confined = sscanf(line + 12, "%" SCNu64 " %" SCNu64 " %63s", &a->namespaces, &a->caps, a->key) == 3;
        } else if (!strncmp(line, "v1cgroup=", 9) && a->nv1 < MAX_V1) {
            int fd = open_procs(line + 9);
            if (fd < 0) return failure(err, errlen, "%s: %s", line + 9, strerror(errno));
            a->v1[a->nv1++] = fd;
        } else if (!strncmp(line, "rlimit=", 7) && a->nlimits < MAX_RLIMITS) {
            struct cj_rlimit *l = &a->limits[a->nlimits];
            if (sscanf(line + 7, "%d %" SCNu64 " %" SCNu64, &l->resource, &l->soft, &l->hard) == 3)
                a->nlimits++;
        }
    }
    if (!confined || a->init <= 0 || a->cgroup[0] != '/')
        return failure(err, errlen, "the jail's record is incomplete (is it still starting?)");
    return 0;
}

// What Landlock does not cover of the calls that reach other processes by pid, which
// the same uid may make on host processes: limits, priorities, scheduling, I/O class.
// Allowed only on the caller itself (pid 0; PRIO_PROCESS or IOPRIO_WHO_PROCESS with who
// 0: a process group or a uid would take in host processes). x86_64 numbers; the
// jail's own filter has already killed any other ABI.
#define LOAD_ARG(n) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[n]))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
static const struct sock_filter other_processes[] = {
    /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 302 /* prlimit64 */, 7, 0),           // -> 9
    /* 2 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 203 /* sched_setaffinity */, 6, 0),   // -> 9
    /* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 144 /* sched_setscheduler */, 5, 0),  // -> 9
    /* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 142 /* sched_setparam */, 4, 0),      // -> 9
    /* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 314 /* sched_setattr */, 3, 0),       // -> 9
    /* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 141 /* setpriority */, 4, 0),         // -> 11
    /* 7 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 251 /* ioprio_set */, 7, 0),          // -> 15
    /* 8 */ RET(SECCOMP_RET_ALLOW),
    // pid (arg 0) 0.
    /* 9 */ LOAD_ARG(0),
    /* 10 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 8, 9),                           // -> 19, 20
    // setpriority: which (arg 0) PRIO_PROCESS = 0, who (arg 1) 0.
    /* 11 */ LOAD_ARG(0),
    /* 12 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 7),                           // -> 13, 20
    /* 13 */ LOAD_ARG(1),
    /* 14 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 4, 5),                           // -> 19, 20
    // ioprio_set: which (arg 0) IOPRIO_WHO_PROCESS = 1, who (arg 1) 0.
    /* 15 */ LOAD_ARG(0),
    /* 16 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 3),                           // -> 17, 20
    /* 17 */ LOAD_ARG(1),
    /* 18 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),                           // -> 19, 20
    /* 19 */ RET(SECCOMP_RET_ALLOW),
    /* 20 */ RET(SECCOMP_RET_ERRNO | EPERM),
};

__attribute__((noreturn)) static void abandon(const char *what) {
    // Part of the jail's confinement is in force and part is not: the process must not
    // go on as if nothing happened, nor as if it were jailed.
    char msg[256];
    int n = snprintf(msg, sizeof msg, "jail: entering the jail failed half-way (%s: %s); exiting\n", what, strerror(errno));
    if (n > 0) (void)!write(2, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
    _exit(126);
}

int cj_attach_jail(int jid, const char *registry, const char *cache, char *err, size_t errlen) {
    if (cj_self_check(err, errlen) < 0) return -1;
    char path[4096], text[65536];
    snprintf(path, sizeof path, "%s/%d", registry, jid);
    if (cj_read_file(path, text, sizeof text) < 0)
        return failure(err, errlen, "jail %d not found", jid);
    struct attachment a;
    int pidfd = -1, procs = -1, ruleset = -1;
    if (parse_record(text, &a, err, errlen) < 0) goto fail;
    if (a.stopping) { failure(err, errlen, "jail %d is being removed", jid); goto fail; }
    // A booted jail's cgroup tree is its own to change (systemd), and this process keeps
    // host pids in view: it could move host processes into that tree. Use jexec there.
    if (a.booted) { failure(err, errlen, "jail %d boots its own init: enter it with jexec, not in place", jid); goto fail; }
    // The pidfd first, then the start time: the pid cannot be reused in between.
    pidfd = (int)syscall(SYS_pidfd_open, a.init, 0);
    if (pidfd < 0 || cj_start_time(a.init) != a.init_start) { failure(err, errlen, "jail %d not found", jid); goto fail; }
    char members[4096];
    if ((size_t)snprintf(members, sizeof members, "%s/jail", a.cgroup) >= sizeof members) {
        failure(err, errlen, "cgroup path too long");
        goto fail;
    }
    if ((procs = open_procs(members)) < 0) { failure(err, errlen, "%s: %s", members, strerror(errno)); goto fail; }
    static struct sock_filter filter[MAX_FILTER / 8 + 1];
    snprintf(path, sizeof path, "%s/seccomp-%s.bpf", cache, a.key);
    ssize_t flen = cj_read_file(path, (char *)filter, sizeof filter);
    if (flen <= 0 || flen % 8 != 0 || flen > MAX_FILTER) {
        failure(err, errlen, "%s: missing or damaged (restart the jail)", path);
        goto fail;
    }
    // This process stays in the host's PID namespace (Linux moves only its children), so
    // host pids are within its reach: a Landlock domain keeps it from signalling (scope)
    // or tracing (any domain) processes outside it; its own children are inside. On the
    // host's network stack abstract unix sockets are scoped away too. The ruleset is made
    // now so that only restricting, which cannot fail for lack of support once this
    // worked, is left for later.
    uint64_t scoped = 2 /* LANDLOCK_SCOPE_SIGNAL */ | ((a.namespaces & CLONE_NEWNET) == 0 ? 1 /* ABSTRACT_UNIX_SOCKET */ : 0);
    struct { uint64_t fs, net, scoped; } attr = { 0, 0, scoped };
    ruleset = (int)syscall(444 /* landlock_create_ruleset */, &attr, sizeof attr, 0);
    if (ruleset < 0) { failure(err, errlen, "landlock (ABI 6 needed, Linux 6.12): %s", strerror(errno)); goto fail; }

    // Undoable: the cgroups (the caller moves back, cj_cgroup_restore) and the namespaces
    // (setns changes nothing when it fails).
    static char before[8192];
    if (cj_cgroup_save(0, before, sizeof before) < 0) { failure(err, errlen, "/proc/self/cgroup: %s", strerror(errno)); goto fail; }
    if ((!already_in(members) && write(procs, "0", 1) != 1) || cj_write_procs(a.v1, a.nv1) < 0) {
        failure(err, errlen, "enter the jail's cgroups: %s", strerror(errno));
        cj_cgroup_restore(0, before);
        goto fail;
    }
    // Root and working directory become the jail's: nothing of the host's tree stays
    // reachable through them. Its children are born in the jail's PID namespace.
    if (syscall(SYS_setns, pidfd, (int)a.namespaces) < 0) {
        failure(err, errlen, "enter the jail's namespaces: %s", strerror(errno));
        cj_cgroup_restore(0, before);
        goto fail;
    }
    // From here on there is no way back. Not dumpable: jailed root must not read the
    // memory or the host descriptors of a process that came from the host.
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (cj_set_rlimits(a.limits, a.nlimits) < 0) abandon("limits");
    if (ruleset >= 0 && syscall(446 /* landlock_restrict_self */, ruleset, 0) < 0) abandon("landlock");
    struct sock_fprog prog = { (unsigned short)(flen / 8), filter };
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) abandon("seccomp");
    struct sock_fprog others = { sizeof other_processes / sizeof other_processes[0], (struct sock_filter *)other_processes };
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &others) < 0) abandon("seccomp");
    if (cj_drop_bounding(a.caps) < 0) abandon("capabilities");
    // Whatever this process holds (root, a setuid program, file capabilities), no more
    // than the jail's set stays effective or permitted.
    if (cj_limit_caps_to(a.caps) < 0) abandon("capabilities");
    if (chdir("/") < 0) abandon("chdir");
    close_all(&a, pidfd, procs, ruleset);
    return 0;
fail:
    close_all(&a, pidfd, procs, ruleset);
    return -1;
}

int cj_cgroup_save(pid_t pid, char *buf, size_t len) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/cgroup", pid > 0 ? (int)pid : (int)getpid());
    return cj_read_file(path, buf, len) < 0 ? -1 : 0;
}

// Where the hierarchy of a /proc/self/cgroup line is mounted: the cgroup2 mount for
// "0::", else the cgroup mount whose options name the line's first controller.
static int hierarchy_mount(const char *controllers, char *out, size_t len) {
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (f == NULL) return -1;
    char line[4096], first[256];
    size_t n = strcspn(controllers, ",");
    snprintf(first, sizeof first, "%.*s", (int)n, controllers);
    int found = -1;
    while (found < 0 && fgets(line, sizeof line, f) != NULL) {
        char root[1024], mountpoint[1024], type[64], options[1024];
        char *dash = strstr(line, " - ");
        if (dash == NULL || sscanf(line, "%*s %*s %*s %1023s %1023s", root, mountpoint) != 2 ||
            sscanf(dash + 3, "%63s %*s %1023s", type, options) != 2 || strcmp(root, "/"))
            continue;
        if (first[0] == '\0' ? !strcmp(type, "cgroup2") : !strcmp(type, "cgroup")) {
            if (first[0] != '\0') {
                // Whole options only: "cpu" must not match "cpuset".
                char padded[1100], wanted[300];
                snprintf(padded, sizeof padded, ",%s,", options);
                snprintf(wanted, sizeof wanted, ",%s,", first);
                if (strstr(padded, wanted) == NULL) continue;
            }
            snprintf(out, len, "%s", mountpoint);
            found = 0;
        }
    }
    fclose(f);
    return found;
}

void cj_cgroup_restore(pid_t pid, const char *saved) {
    char copy[8192], who[24];
    snprintf(who, sizeof who, "%d", pid > 0 ? (int)pid : 0);
    snprintf(copy, sizeof copy, "%s", saved);
    for (char *line = strtok(copy, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2 == NULL) continue;
        *c2 = '\0';
        char mount[1024], dir[4096];
        if (hierarchy_mount(c1 + 1, mount, sizeof mount) < 0) continue;
        snprintf(dir, sizeof dir, "%s%s", mount, c2 + 1);
        int fd = open_procs(dir);
        if (fd >= 0) {
            (void)!write(fd, who, strlen(who));
            close(fd);
        }
    }
}
