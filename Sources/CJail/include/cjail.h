// The C side of Jails: the code that runs between clone and execve, the jail's PID 1,
// and the raw system calls that Glibc does not export to Swift.
//
// Swift prepares a `cj_plan` (every string, number and the compiled seccomp program is
// already in memory); the child walks it with raw system calls only. Nothing here
// allocates, and nothing returns into Swift in a child process.
#ifndef CJAIL_H
#define CJAIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cjattach.h"

#pragma clang assume_nonnull begin

// One set-up step, executed in order inside the new mount namespace. A step that fails
// is reported to the parent as (index, errno) and nothing after it runs.
//
// Steps with a `base` work relative to a file system this child mounted earlier (the
// descriptor fsmount returned, kept in that slot): names inside our own fresh /dev, /proc
// and /sys are never looked up again through the jail's tree, where a second jail on the
// same tree could rename or swap a directory under us.
enum cj_op {
    CJ_OP_MOUNT = 1,      // mount(source, target, fstype, flags, data): host paths only
    CJ_OP_MKDIR,          // mkdirat(base, target, arg)
    CJ_OP_MKNOD,          // mknodat(base, target, arg, flags)   (flags holds the dev_t)
    CJ_OP_SYMLINK,        // symlinkat(source, base, target)
    CJ_OP_HOSTNAME,       // sethostname(source)
    CJ_OP_DOMAINNAME,     // setdomainname(source)
    CJ_OP_FSMOUNT,        // a new fstype instance (data: comma options, flags: MS_*) attached
                          // to target (opened without following any symlink); kept in slot
                          // `arg` when arg > 0
    CJ_OP_DETACH,         // umount2(target, MNT_DETACH|UMOUNT_NOFOLLOW); not a mount point
                          // is not an error
    CJ_OP_MASK,           // an empty read-only directory over target: the first one a
                          // tmpfs, the others clones of it (one superblock per jail)
    CJ_OP_BIND_RO,        // target (in base) bound over itself, read-only, recursively
    CJ_OP_MASK_FILE,      // the null device of slot 1 (our /dev) bound over target (in base)
    CJ_OP_ROOT,           // target (no symlinks; device `flags`, inode `arg` when not 0)
                          // cloned recursively, nodev, over itself, and pivoted into
    CJ_OP_WRITE,          // `data` written to the existing file target (no symlink followed):
                          // the jail's own IPC namespace limits, through the host's /proc/sys
    CJ_OP_RECONFIGURE,    // the file system mounted at target (no symlinks; its statfs magic
                          // must be `arg`) reconfigured with the key=value in `data`
    CJ_OP_TREE,           // a detached recursive copy of the host path target, with the
                          // MS_* attributes in `flags` and slave propagation, in slot `arg`
    CJ_OP_ATTACH,         // the tree in slot `arg` (or descriptor `arg`: CJ_STEP_DESCRIPTOR)
                          // moved onto target (no symlinks)
    CJ_OP_CHOWN,          // fchownat(base, target, uid `arg`, gid `flags`), not following links
    CJ_OP_UNMOUNT,        // the mount with unique id `arg` at target (its parent reached
                          // without symlinks) detached
    CJ_OP_OPEN_CHECKED,   // directory target (no symlinks), device `flags`, inode `arg`,
                          // kept in slot CJ_STEP_SLOT(options)
    CJ_OP_OVERLAY,        // overlayfs of slots 4 (lower), 5 (upper), 6 (work) in slot `arg`
};

// A missing target (ENOENT) is not an error for this step: it is skipped. Used for
// masking /proc entries that some kernels do not have.
#define CJ_STEP_OPTIONAL 1u
// CJ_OP_ROOT: the root is mounted read-only.
#define CJ_STEP_READONLY 2u
// CJ_OP_ATTACH: `arg` is a descriptor, not a slot.
#define CJ_STEP_DESCRIPTOR 4u
// CJ_OP_ROOT: the file system in this slot (bits 8 and up of options) becomes the root,
// in place of a copy of the tree.
#define CJ_STEP_SLOT(options) ((options) >> 8)

struct cj_step {
    int op;
    unsigned int options;
    int base;             // 0: paths from our root; 1-63: relative to that slot's mount
    const char *_Nullable source;
    const char *_Nullable target;
    const char *_Nullable fstype;
    const char *_Nullable data;
    unsigned long flags;
    unsigned long arg;
};


// Everything the child needs, prepared by the parent.
struct cj_plan {
    // Namespaces to create for the jail (CLONE_NEW* bits).
    uint64_t clone_flags;
    // cgroup v2 directories (O_PATH|O_DIRECTORY): the init goes into `init_cgroup`,
    // every other jailed process into `jail_cgroup`. -1: no cgroup (not used by the CLI).
    int init_cgroup_fd;
    int jail_cgroup_fd;
    // `cgroup.events` of jail_cgroup, read-only: the only host object the init keeps.
    int events_fd;
    // The init executable (cj_init_memfd), exec'd by the child once set-up is done.
    int init_exe_fd;
    // Close-on-exec pipe on which set-up failures travel to the parent.
    int error_fd;
    // Pipe on which the init reports the command's wait status (-1: none).
    int status_fd;
    // The init keeps the jail alive with no processes (persist).
    int persist;
    // argv is the tree's own init: the jail's first process confines itself as a command
    // and becomes it (PID 1 of the jail); no init of ours.
    int boot;
    // jexec: a pidfd of the running jail's init. The child joins its namespaces instead
    // of creating a jail, and the command becomes a child of our caller (CLONE_PARENT).
    int join_pidfd;
    uint64_t join_flags;

    const struct cj_step *steps;
    size_t nsteps;

    // `cgroup.procs` of the jail's cgroup in each v1 hierarchy that limits it (O_WRONLY):
    // the child enters them before anything else, so all it forks is born inside.
    const int *_Nullable v1_procs_fds;
    size_t nv1_procs;
    // Limits of every command (rctl resources that Linux enforces per process).
    const struct cj_rlimit *_Nullable rlimits;
    size_t nrlimits;

    // The command, run inside as a child of the init.
    const char *_Nullable const *_Nullable argv;  // NULL: no command
    const char *_Nullable const *_Nonnull envp;
    const char *_Nullable search_path;           // PATH used to find argv[0] without a slash
    char *_Nullable exec_buf;                    // scratch space for PATH search
    size_t exec_buf_len;
    const char *workdir;
    // The caller is the terminal's foreground job: the command's new process group takes
    // the terminal over (the caller gives it back when the command is done).
    int take_terminal;
    // A pty slave that becomes the command's controlling terminal and standard streams,
    // in a session of its own (-1: keep the caller's streams).
    int terminal_fd;

    // Credentials of the command.
    int set_ids;
    uid_t uid;
    gid_t gid;
    const gid_t *_Nullable groups;
    size_t ngroups;

    // Restrictions of the command.
    uint64_t keep_caps;                          // capability bounding set to keep
    const void *_Nullable filter;                // struct sock_filter[]
    unsigned short filter_len;
    // Landlock scopes (LANDLOCK_SCOPE_*) the command's domain gets; 0: none.
    uint64_t landlock_scoped;
};

// What the parent reads from error_fd when a step fails.
struct cj_failure {
    int32_t step;        // index in steps, or one of CJ_FAIL_*
    int32_t error;       // errno
};
#define CJ_FAIL_CLONE    (-1)
#define CJ_FAIL_SETUP    (-2)   // between steps: cgroups, pipes
#define CJ_FAIL_IDS      (-3)
#define CJ_FAIL_SECCOMP  (-4)
#define CJ_FAIL_CAPS     (-5)
#define CJ_FAIL_CHDIR    (-6)
#define CJ_FAIL_EXEC     (-7)
#define CJ_FAIL_INIT     (-8)
#define CJ_FAIL_CGROUP   (-9)   // entering a v1 cgroup
#define CJ_FAIL_RLIMIT   (-10)
#define CJ_FAIL_LANDLOCK (-12)
#define CJ_FAIL_STOPPED  (-11)  // not from the child: the host saw the command stopped before its exec
// Not a failure: jexec's helper telling the host pid of the command it started.
#define CJ_MSG_COMMAND_PID (-100)

/// Creates the jail described by `plan` (or, with join_pidfd, enters it). Returns the pid
/// (host view) of the first child, or -1 with errno set when the clone itself failed.
/// Set-up failures inside the child arrive on the read end of plan->error_fd.
pid_t cj_spawn(const struct cj_plan *plan);

/// A sealed memfd holding the jail's init as a tiny static executable, close-on-exec.
int cj_init_memfd(void);

/// Starts a host-side command (argv[0] is a full path) with `envp`; its standard input,
/// output and error from `fds` (-1: inherited); in a new process group when `new_group`;
/// sent `death_signal` (when > 0) if the caller dies first; as uid/gid/groups when
/// `set_ids`. Returns the child's pid, or -1 with errno set.
pid_t cj_spawn_host(const char *_Nullable const *_Nonnull argv, const char *_Nullable const *_Nonnull envp,
                    const int fds[_Nonnull 3], int new_group, int death_signal, int set_ids, uid_t uid, gid_t gid,
                    const gid_t *_Nullable groups, size_t ngroups);

/// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (children started by
/// cj_spawn_host get them unblocked) and returns a non-blocking signalfd for them.
int cj_interrupt_fd(void);
/// The number of the next pending signal of `fd` (cj_interrupt_fd), or 0.
int cj_read_signal(int fd);

/// Opens the master of a new pty at dev/ptmx inside the jail root `root` (-1: the host's
/// /dev/ptmx) and its slave,
/// unlocked, with the caller's window size. Returns the master, or -1 with errno set.
int cj_pty_open(int root, int *_Nonnull slave);
/// Relays the caller's terminal to `master` until the process of `pidfd` exits.
void cj_pty_relay(int master, int pidfd);

// Constants that Glibc hides from Swift (they need _GNU_SOURCE or live in linux/ headers).
enum {
    CJ_O_PATH = 010000000,
    CJ_RESOLVE_NO_MAGICLINKS = 0x02,
    CJ_RESOLVE_NO_SYMLINKS = 0x04,
    CJ_RESOLVE_IN_ROOT = 0x10,
};

// Raw system calls that Glibc as seen from Swift lacks.
int cj_pidfd_open(pid_t pid);
/// A detached recursive copy of the host directory `path` (open_tree), with the MS_RDONLY,
/// MS_NOSUID, MS_NODEV, MS_NOEXEC of `flags` set recursively and slave propagation.
int cj_open_tree(const char *path, unsigned long flags);
/// BPF_PROG_LOAD of any program type (license GPL). With `log`, the verifier's log lands
/// there (level 1). Returns the program's descriptor, or -1 with errno set.
int cj_bpf_prog_load(uint32_t type, uint32_t expected_attach_type, uint32_t attach_btf_id,
                     const uint64_t *_Nullable insns, uint32_t n, char *_Nullable log, uint32_t log_size);
/// BPF_MAP_CREATE without BTF. Returns the map's descriptor, or -1 with errno set.
int cj_bpf_map_create(uint32_t type, uint32_t key_size, uint32_t value_size, uint32_t max_entries);
/// BPF_PROG_ATTACH of `prog_fd` to the cgroup v2 directory `cgroup_fd`.
int cj_bpf_prog_attach(int cgroup_fd, int prog_fd, uint32_t attach_type, uint32_t flags);
/// The statfs magic of the file system at `path` (or of descriptor `fd`), or 0.
unsigned long cj_fs_magic(const char *path);
unsigned long cj_fd_fs_magic(int fd);
/// BPF_OBJ_PIN / BPF_OBJ_GET of a program at `path` in a bpf file system.
int cj_bpf_pin(int fd, const char *path);
int cj_bpf_get(const char *path);
/// Whether program `fd` is a cgroup device program whose instructions, as the kernel
/// holds them, are exactly `insns` (a pinned copy is checked before it is trusted).
int cj_bpf_device_program_is(int fd, const uint64_t *_Nullable insns, uint32_t n);
/// The unique id (statx STATX_MNT_ID_UNIQUE) of the mount `fd` refers to; 0 on failure.
uint64_t cj_mount_id(int fd);
/// A directory opened O_PATH without following any symlink on the way (absolute `path`).
int cj_open_nofollow(const char *path);
/// setns(2): `fd` a namespace file or a pidfd, `nstype` CLONE_NEW* bits.
int cj_setns(int fd, int nstype);
/// prlimit(2) setting both values of `resource` for `pid`.
int cj_prlimit(pid_t pid, int resource, uint64_t soft, uint64_t hard);
int cj_getrlimit(pid_t pid, int resource, uint64_t *soft, uint64_t *hard);

int cj_pidfd_send_signal(int pidfd, int sig);
int cj_openat2_in_root(int dirfd, const char *path, int flags, int resolve);
int cj_flock(int fd, int operation);
int cj_seccomp_load(const void *filter, unsigned short len);
int cj_memfd(const char *name);
int cj_pipe_cloexec(int fds[_Nonnull 2]);
long cj_getxattr(const char *path, const char *name, void *_Nullable value, size_t size);
int cj_setxattr(const char *path, const char *name, const void *_Nullable value, size_t size);
/// BPF_OBJ_GET_INFO_BY_FD of program `fd`: its type, the BTF id it attaches to and its
/// tag (the kernel's hash of the instructions it was loaded with, 8 bytes).
int cj_bpf_prog_identity(int fd, uint32_t *type, uint32_t *attach_btf_id, uint8_t tag[_Nonnull 8]);

#pragma clang assume_nonnull end

#endif
