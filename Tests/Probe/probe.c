// jail-probe: runs inside a test jail and reports, one "name=result" line each, what the
// jailed process observes or what happens when it tries something. Results are "ok" or
// the errno name (EPERM, ENOSYS, ...) or "signal N" for a try that killed its process.
// Built static, so it needs nothing from the jail's tree.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/reboot.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *ename(int e) {
    switch (e) {
    case EPERM: return "EPERM"; case ENOENT: return "ENOENT"; case EACCES: return "EACCES";
    case ENOSYS: return "ENOSYS"; case EINVAL: return "EINVAL"; case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT"; case EROFS: return "EROFS"; case EBADF: return "EBADF";
    case ESRCH: return "ESRCH"; case EEXIST: return "EEXIST"; case ENOTDIR: return "ENOTDIR";
    case EBUSY: return "EBUSY"; case ENOTTY: return "ENOTTY"; case EIO: return "EIO";
    case EXDEV: return "EXDEV"; case ELOOP: return "ELOOP"; case ENXIO: return "ENXIO";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL"; case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
    case EOPNOTSUPP: return "EOPNOTSUPP"; case ENODEV: return "ENODEV"; case EFAULT: return "EFAULT";
    default: { static char b[32]; snprintf(b, sizeof b, "E%d", e); return b; }
    }
}

static void result(const char *name, long r) {
    if (r < 0) printf("%s=%s\n", name, ename(errno));
    else printf("%s=ok\n", name);
    fflush(stdout);
}

// Runs one attempt in a child, so that an attempt the kernel answers with a signal
// (seccomp's kill for a foreign ABI) is reported rather than ending the probe.
#define TRY(name, expr) do { \
    fflush(stdout); \
    pid_t p_ = fork(); \
    if (p_ == 0) { errno = 0; long r_ = (long)(expr); result(name, r_); _exit(0); } \
    int st_; waitpid(p_, &st_, 0); \
    if (WIFSIGNALED(st_)) { printf("%s=signal %d\n", name, WTERMSIG(st_)); fflush(stdout); } \
} while (0)

static long try_x32(void) {
    // getpid through the x32 ABI: same architecture token, syscall number | 0x40000000.
    return syscall(0x40000000 | SYS_getpid);
}

static long try_int80(void) {
    // getpid (20) through the i386 ABI.
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20) : "memory");
    if (ret < 0) { errno = (int)-ret; return -1; }
    return ret;
}

static long try_clone_ns(unsigned long flag) {
    long r = syscall(SYS_clone, flag | SIGCHLD, 0, 0, 0, 0);
    if (r == 0) _exit(0);
    if (r > 0) waitpid((pid_t)r, NULL, 0);
    return r;
}

static long try_clone3(void) {
    struct clone_args a;
    memset(&a, 0, sizeof a);
    a.flags = CLONE_NEWNS;
    a.exit_signal = SIGCHLD;
    long r = syscall(SYS_clone3, &a, sizeof a);
    if (r == 0) _exit(0);
    return r;
}

static long try_write(const char *path, const char *text) {
    int fd = open(path, O_WRONLY);
    if (fd < 0) return -1;
    long r = write(fd, text, strlen(text));
    close(fd);
    return r;
}

static long try_read(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    char b[64];
    long r = read(fd, b, sizeof b);
    close(fd);
    return r;
}

static long try_tiocsti(void) {
    char c = 'x';
    int fd = open("/dev/tty", O_RDWR);
    if (fd < 0) fd = 0;
    return ioctl(fd, TIOCSTI, &c);
}

static long try_tiocsti_high(void) {
    // The command word is 32 bits for the kernel: high bits must not slip past a filter.
    char c = 'x';
    return syscall(SYS_ioctl, 0, 0x100000000UL | TIOCSTI, &c);
}

static long try_bpf(void) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.map_type = BPF_MAP_TYPE_ARRAY;
    attr.key_size = 4; attr.value_size = 4; attr.max_entries = 1;
    return syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr);
}

static long try_perf(void) {
    struct perf_event_attr pe;
    memset(&pe, 0, sizeof pe);
    pe.type = PERF_TYPE_SOFTWARE; pe.size = sizeof pe; pe.config = PERF_COUNT_SW_CPU_CLOCK;
    return syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0);
}

static long try_open_by_handle(void) {
    struct { struct file_handle h; unsigned char b[128]; } fh;
    fh.h.handle_bytes = 8; fh.h.handle_type = 1;
    memset(fh.h.f_handle, 0, 8);
    return syscall(SYS_open_by_handle_at, AT_FDCWD, &fh.h, O_RDONLY);
}

static long try_chroot_escape(void) {
    // The classic: chroot into a subdirectory while keeping the cwd outside it, then
    // walk up. Succeeds only if something above the jail's root is reachable.
    mkdir("/tmp", 0777);
    mkdir("/tmp/esc", 0755);
    if (chroot("/tmp/esc") < 0) return -1;
    for (int i = 0; i < 64; i++) if (chdir("..") < 0) return -1;
    if (chroot(".") < 0) return -1;
    struct stat st;
    // The test tree has no /usr; the host has one.
    return stat("/usr", &st);
}

static void list(const char *path) {
    DIR *d = opendir(path);
    if (!d) { printf("list %s=%s\n", path, ename(errno)); return; }
    printf("list %s=", path);
    struct dirent *e;
    int first = 1;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        printf("%s%s", first ? "" : ",", e->d_name);
        first = 0;
    }
    printf("\n");
    closedir(d);
}

static void status_lines(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) { printf("status=%s\n", ename(errno)); return; }
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "CapEff:", 7) || !strncmp(line, "CapBnd:", 7) || !strncmp(line, "CapPrm:", 7) ||
            !strncmp(line, "NoNewPrivs:", 11) || !strncmp(line, "Seccomp:", 8) || !strncmp(line, "Uid:", 4) ||
            !strncmp(line, "Gid:", 4) || !strncmp(line, "Groups:", 7)) {
            char *c = strchr(line, ':');
            *c = '\0';
            char *v = c + 1;
            while (*v == ' ' || *v == '\t') v++;
            v[strcspn(v, "\n")] = '\0';
            for (char *t = v; *t; t++) if (*t == '\t') *t = ' ';
            printf("%s=%s\n", line, v);
        }
    }
    fclose(f);
}

static void info(void) {
    char host[256] = "", cwd[4096] = "";
    gethostname(host, sizeof host);
    printf("pid=%d\nppid=%d\nuid=%d\neuid=%d\ngid=%d\nhostname=%s\n", getpid(), getppid(), getuid(), geteuid(), getgid(), host);
    char dom[256] = "";
    getdomainname(dom, sizeof dom);
    printf("domainname=%s\n", dom);
    printf("cwd=%s\n", getcwd(cwd, sizeof cwd) ? cwd : ename(errno));
    char *tty = ttyname(0);
    printf("tty=%s\n", tty ? tty : "none");
    printf("sid_is_self=%d\n", getsid(0) == getpid());
    status_lines();
    // Descriptors this process holds beyond 0-2.
    printf("fds=");
    int first = 1;
    for (int fd = 3; fd < 256; fd++)
        if (fcntl(fd, F_GETFD) >= 0) { printf("%s%d", first ? "" : ",", fd); first = 0; }
    printf("\n");
    const char *env = getenv("PROBE_ENV");
    printf("env PROBE_ENV=%s\nenv PATH=%s\nenv HOME=%s\n", env ? env : "", getenv("PATH") ?: "", getenv("HOME") ?: "");
}

// Adds 127.0.0.9/8 to lo over rtnetlink: changing the host's network configuration
// must fail (CAP_NET_ADMIN) even where netlink sockets may be opened.
static long try_netlink_addr(void) {
    int fd = socket(AF_NETLINK, SOCK_RAW, 0);
    if (fd < 0) return -1;
    struct {
        struct nlmsghdr nh;
        struct ifaddrmsg ifa;
        struct rtattr rta;
        unsigned char addr[4];
    } req;
    memset(&req, 0, sizeof req);
    req.nh.nlmsg_len = sizeof req;
    req.nh.nlmsg_type = RTM_NEWADDR;
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE;
    req.ifa.ifa_family = AF_INET;
    req.ifa.ifa_prefixlen = 8;
    req.ifa.ifa_index = 1;
    req.rta.rta_type = IFA_LOCAL;
    req.rta.rta_len = RTA_LENGTH(4);
    req.addr[0] = 127; req.addr[3] = 9;
    if (send(fd, &req, sizeof req, 0) < 0) { close(fd); return -1; }
    char buf[512];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    close(fd);
    if (n < (ssize_t)sizeof(struct nlmsghdr)) { errno = EIO; return -1; }
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    if (h->nlmsg_type == NLMSG_ERROR) {
        int err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
        if (err < 0) { errno = -err; return -1; }
    }
    return 0;
}

static long try_open_init_fd(void) {
    // The init's descriptors must not be reachable: /proc/1 is not dumpable.
    char path[32];
    for (int fd = 0; fd < 16; fd++) {
        snprintf(path, sizeof path, "/proc/1/fd/%d", fd);
        int r = open(path, O_RDONLY);
        if (r >= 0) return r;
        if (errno != ENOENT) return -1;
    }
    errno = ENOENT;
    return -1;
}

static long try_kill_init(void) {
    // SIGKILL from inside is dropped for the namespace's init: the jail survives it.
    kill(1, SIGKILL);
    usleep(100000);
    return kill(1, 0);
}

// Scans /proc for `seconds`, trying each process's exe, cwd and root links. Any that
// opens must be a file or directory of this jail's own tree: the same inode as the path
// the link names, looked up from inside. Anything else is a way out.
static void race(int seconds) {
    long checked = 0, escapes = 0, opened = 0;
    time_t end = time(NULL) + seconds;
    const char *kinds[] = { "exe", "cwd", "root" };
    while (time(NULL) < end) {
        DIR *d = opendir("/proc");
        if (!d) break;
        struct dirent *e;
        while ((e = readdir(d))) {
            int pid = atoi(e->d_name);
            if (pid <= 1 || pid == getpid()) continue;
            for (int k = 0; k < 3; k++) {
                char path[64], target[4096];
                snprintf(path, sizeof path, "/proc/%d/%s", pid, kinds[k]);
                int fd = open(path, O_PATH);
                checked++;
                if (fd < 0) continue;
                opened++;
                // What we hold, named through our own descriptor: stable even if the
                // process has gone meanwhile.
                char self[64];
                snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
                ssize_t n = readlink(self, target, sizeof target - 1);
                struct stat a, b;
                int same = n > 0 && fstat(fd, &a) == 0 && (target[n] = 0, stat(target, &b) == 0) &&
                           a.st_dev == b.st_dev && a.st_ino == b.st_ino;
                if (!same) {
                    escapes++;
                    printf("escape=%d %s %s\n", pid, kinds[k], n > 0 ? target : "?");
                }
                close(fd);
            }
        }
        closedir(d);
    }
    printf("race_checked=%ld\nrace_opened=%ld\nrace_escapes=%ld\n", checked, opened, escapes);
}

static long swapon_stub(void) { return syscall(SYS_swapon, "/tmp/nothing", 0); }

static void forbidden(void) {
    TRY("mount", mount("none", "/tmp", "tmpfs", 0, NULL));
    TRY("umount", umount2("/proc", MNT_DETACH));
    TRY("pivot_root", syscall(SYS_pivot_root, "/", "/"));
    TRY("open_tree", syscall(SYS_open_tree, AT_FDCWD, "/", 1 /* OPEN_TREE_CLONE */));
    TRY("fsopen", syscall(SYS_fsopen, "tmpfs", 0));
    TRY("move_mount", syscall(SYS_move_mount, AT_FDCWD, "/proc", AT_FDCWD, "/tmp", 0));
    TRY("init_module", syscall(SYS_init_module, NULL, 0, ""));
    TRY("finit_module", syscall(SYS_finit_module, 0, "", 0));
    TRY("delete_module", syscall(SYS_delete_module, "loop", 0));
    TRY("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0));
    TRY("reboot", syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_CAD_OFF, NULL));
    TRY("swapon", swapon_stub());
    struct timeval tv; gettimeofday(&tv, NULL);
    TRY("settimeofday", settimeofday(&tv, NULL));
    struct timespec ts; clock_gettime(CLOCK_REALTIME, &ts);
    TRY("clock_settime", clock_settime(CLOCK_REALTIME, &ts));
    struct timex tx; memset(&tx, 0, sizeof tx); tx.modes = ADJ_OFFSET_SINGLESHOT;
    TRY("adjtimex", adjtimex(&tx));
    TRY("sethostname", sethostname("evil", 4));
    TRY("setdomainname", setdomainname("evil", 4));
    TRY("mknod_dev", mknod("/tmp/probe-null", S_IFCHR | 0666, makedev(1, 3)));
    TRY("socket_inet", socket(AF_INET, SOCK_STREAM, 0));
    TRY("socket_inet6", socket(AF_INET6, SOCK_DGRAM, 0));
    TRY("socket_packet", socket(AF_PACKET, SOCK_RAW, 0));
    TRY("socket_raw", socket(AF_INET, SOCK_RAW, 1));
    TRY("socket_unix", socket(AF_UNIX, SOCK_STREAM, 0));
    TRY("socket_netlink_route", socket(AF_NETLINK, SOCK_RAW, 0));
    TRY("socket_netlink_diag", socket(AF_NETLINK, SOCK_RAW, 4));
    TRY("bpf", try_bpf());
    TRY("perf_event_open", try_perf());
    TRY("keyctl", syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3, 0));
    TRY("add_key", syscall(SYS_add_key, "user", "probe", "x", 1, -3));
    TRY("open_by_handle_at", try_open_by_handle());
    TRY("io_uring_setup", syscall(SYS_io_uring_setup, 1, NULL));
    TRY("unshare_ns", unshare(CLONE_NEWNS));
    TRY("unshare_user", unshare(CLONE_NEWUSER));
    TRY("unshare_net", unshare(CLONE_NEWNET));
    TRY("clone_newuser", try_clone_ns(CLONE_NEWUSER));
    TRY("clone_newpid", try_clone_ns(CLONE_NEWPID));
    TRY("clone3_newns", try_clone3());
    TRY("setns", setns(0, 0));
    TRY("tiocsti", try_tiocsti());
    TRY("tiocsti_high_bits", try_tiocsti_high());
    TRY("syslog", syscall(SYS_syslog, 3 /* READ_ALL */, NULL, 0));
    TRY("ptrace_init", ptrace(PTRACE_ATTACH, 1, 0, 0));
    TRY("x32_abi", try_x32());
    TRY("i386_abi", try_int80());
    TRY("unknown_syscall", syscall(1000));
    TRY("chroot_escape", try_chroot_escape());
    TRY("write_proc_sys", try_write("/proc/sys/kernel/hostname", "evil"));
    TRY("write_sysrq", try_write("/proc/sysrq-trigger", "h"));
    TRY("read_kcore", try_read("/proc/kcore"));
    TRY("write_sys", try_write("/sys/kernel/uevent_helper", "/evil"));
    TRY("open_init_exe", open("/proc/1/exe", O_RDONLY));
    TRY("open_init_root", open("/proc/1/root/", O_RDONLY | O_DIRECTORY));
    TRY("list_init_fds", open("/proc/1/fd/", O_RDONLY | O_DIRECTORY));
    TRY("mlock", mlock(&tv, sizeof tv));
    TRY("personality_bsd", personality(0x0006 /* PER_BSD */));
    TRY("open_init_fd", try_open_init_fd());
    TRY("init_survives_sigkill", try_kill_init());
}


static void sysv(void) {
    TRY("msgget", msgget(IPC_PRIVATE, 0600));
    TRY("semget", semget(IPC_PRIVATE, 1, 0600));
    TRY("shmget", shmget(IPC_PRIVATE, 4096, 0600));
}

// Limits (rctl): each tries to use more than a limit allows and says how far it got.

// Touches `mb` MiB, page by page, then optionally stays (for usage readings).
static void alloc(int mb, int hold) {
    size_t n = (size_t)mb << 20;
    char *p = malloc(n);
    if (!p) { printf("alloc failed\n"); return; }
    for (size_t i = 0; i < n; i += 4096) p[i] = 1;
    printf("allocated %d\n", mb);
    fflush(stdout);
    if (hold) pause();
}

// Forks children that wait, until fork fails; prints how many and why, then ends them.
static void forkbomb(int max) {
    int n = 0, err = 0;
    pid_t kids[4096];
    while (n < max && n < 4096) {
        pid_t pid = fork();
        if (pid < 0) { err = errno; break; }
        if (pid == 0) { pause(); _exit(0); }
        kids[n++] = pid;
    }
    printf("forked %d %s\n", n, err ? strerrorname_np(err) : "OK");
    for (int i = 0; i < n; i++) kill(kids[i], SIGKILL);
    while (wait(NULL) > 0) {}
}

static double cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

// Spins for `wall` seconds of wall-clock time; prints the CPU time it got.
static void spin(double wall) {
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do { clock_gettime(CLOCK_MONOTONIC, &now); }
    while (now.tv_sec - start.tv_sec + (now.tv_nsec - start.tv_nsec) / 1e9 < wall);
    printf("cpu %.3f\n", cpu_seconds());
}

// Burns exactly `cpu` seconds of CPU time.
static void burn(double cpu) {
    while (cpu_seconds() < cpu) {}
    printf("burnt %.3f\n", cpu_seconds());
}

// Opens things until it cannot: "files" (/dev/null), "ptys" (/dev/ptmx), "msgq" (queues).
static void exhaust(const char *what) {
    int n = 0, err = 0;
    for (; n < 100000; n++) {
        int r = !strcmp(what, "files") ? open("/dev/null", O_RDONLY)
              : !strcmp(what, "ptys") ? open("/dev/ptmx", O_RDWR | O_NOCTTY)
              : msgget(IPC_PRIVATE, 0600);
        if (r < 0) { err = errno; break; }
    }
    printf("%s %d %s\n", what, n, err ? strerrorname_np(err) : "OK");
}

// Reads `path` with O_DIRECT (no page cache: every byte from the disk) and prints how
// many bytes in how many seconds.
static void readdirect(const char *path) {
    int fd = open(path, O_RDONLY | O_DIRECT);
    if (fd < 0) { printf("readdirect %s\n", ename(errno)); return; }
    void *buf;
    if (posix_memalign(&buf, 4096, 1 << 20)) return;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    long total = 0, n;
    while ((n = read(fd, buf, 1 << 20)) > 0) total += n;
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("readdirect %ld %.3f\n", total, b.tv_sec - a.tv_sec + (b.tv_nsec - a.tv_nsec) / 1e9);
}

#include "net.c"

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: probe info|forbidden|sysv|ls DIR|read FILE|write FILE|sleep N|daemon N|pids|exit N\n"); return 2; }
    const char *cmd = argv[1];
    int net = net_command(argc, argv);
    if (net >= 0) return net;
    if (!strcmp(cmd, "info")) info();
    else if (!strcmp(cmd, "forbidden")) forbidden();
    else if (!strcmp(cmd, "sysv")) sysv();
    else if (!strcmp(cmd, "ls") && argc > 2) for (int i = 2; i < argc; i++) list(argv[i]);
    else if (!strcmp(cmd, "read") && argc > 2) result(argv[2], try_read(argv[2]));
    else if (!strcmp(cmd, "write") && argc > 2) result(argv[2], try_write(argv[2], "x"));
    else if (!strcmp(cmd, "sleep") && argc > 2) sleep((unsigned)atoi(argv[2]));
    else if (!strcmp(cmd, "daemon") && argc > 2) {
        // Detach like a daemon: the jail must outlive its command.
        if (fork() == 0) { setsid(); close(0); close(1); close(2); sleep((unsigned)atoi(argv[2])); _exit(0); }
    }
    else if (!strcmp(cmd, "pids")) list("/proc");
    else if (!strcmp(cmd, "sysctl_writable")) {
        // For each directory named: if its sys is procfs, can its kernel/hostname be
        // opened for writing? ("proc-ro", "proc-WRITABLE", or "not-proc").
        for (int i = 2; i < argc; i++) {
            // One descriptor for both questions: the directory cannot change in between.
            char path[512];
            struct statfs sf;
            snprintf(path, sizeof path, "%s/sys", argv[i]);
            int dir = open(path, O_RDONLY | O_DIRECTORY);
            if (dir < 0 || fstatfs(dir, &sf) < 0 || sf.f_type != 0x9fa0) {
                printf("%s=not-proc\n", argv[i]);
                if (dir >= 0) close(dir);
                continue;
            }
            int fd = openat(dir, "kernel/hostname", O_WRONLY);
            printf("%s=%s\n", argv[i], fd >= 0 ? "proc-WRITABLE" : "proc-ro");
            if (fd >= 0) close(fd);
            close(dir);
        }
    }
    else if (!strcmp(cmd, "swap") && argc > 4) {
        // On the host, as an attacker sharing a jail's tree would: exchange two directories
        // as fast as possible for SECONDS.
        time_t end = time(NULL) + atoi(argv[4]);
        long n = 0;
        while (time(NULL) < end) { syscall(SYS_renameat2, AT_FDCWD, argv[2], AT_FDCWD, argv[3], 2 /* RENAME_EXCHANGE */); n++; }
        printf("swaps=%ld\n", n);
    }
    else if (!strcmp(cmd, "race") && argc > 2) race(atoi(argv[2]));
    else if (!strcmp(cmd, "netlink_addr")) result("netlink_addr", try_netlink_addr());
    else if (!strcmp(cmd, "sigqueue_init") && argc > 2) {
        // A forged "from the host" signal: sigqueue with si_pid 0 (the init must ignore it).
        siginfo_t si;
        memset(&si, 0, sizeof si);
        si.si_signo = atoi(argv[2]);
        si.si_code = SI_QUEUE;
        si.si_pid = 0;
        result("sigqueue_init", syscall(SYS_rt_sigqueueinfo, 1, si.si_signo, &si));
    }
    else if (!strcmp(cmd, "exit") && argc > 2) return atoi(argv[2]);
    else if (!strcmp(cmd, "alloc") && argc > 2) alloc(atoi(argv[2]), argc > 3);
    else if (!strcmp(cmd, "forkbomb") && argc > 2) forkbomb(atoi(argv[2]));
    else if (!strcmp(cmd, "spin") && argc > 2) spin(atof(argv[2]));
    else if (!strcmp(cmd, "burn") && argc > 2) burn(atof(argv[2]));
    else if (!strcmp(cmd, "exhaust") && argc > 2) exhaust(argv[2]);
    else if (!strcmp(cmd, "readdirect") && argc > 2) readdirect(argv[2]);
    else { fprintf(stderr, "probe: unknown command %s\n", cmd); return 2; }
    return 0;
}
