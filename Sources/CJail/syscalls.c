// Thin wrappers over system calls that Glibc does not declare, or that Swift cannot call
// (variadic functions, macros). Each returns -1 with errno set on failure.
#define _GNU_SOURCE
#include "cjail.h"
#include "raw.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

pid_t cj_clone_into(int cgroup_fd, unsigned long long flags) {
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = flags;
    args.exit_signal = SIGCHLD;
    if (cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (unsigned long long)cgroup_fd;
    }
    return (pid_t)syscall(SYS_clone3, &args, sizeof args);
}

int cj_close_range_cloexec(unsigned int first) {
    return (int)syscall(SYS_close_range, first, ~0u, CLOSE_RANGE_CLOEXEC);
}


int cj_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int cj_pidfd_send_signal(int pidfd, int sig) {
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

int cj_openat2_in_root(int dirfd, const char *path, int flags, int resolve) {
    struct open_how how = { .flags = (unsigned long long)flags, .resolve = (unsigned long long)resolve };
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}



int cj_flock(int fd, int operation) {
    int r;
    do { r = flock(fd, operation); } while (r < 0 && errno == EINTR);
    return r;
}

int cj_seccomp_load(const void *filter, unsigned short len) {
    struct sock_fprog prog = { .len = len, .filter = (struct sock_filter *)filter };
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

int cj_memfd(const char *name) {
    return (int)syscall(SYS_memfd_create, name, MFD_CLOEXEC);
}

int cj_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

long cj_getxattr(const char *path, const char *name, void *value, size_t size) {
    return getxattr(path, name, value, size);
}

int cj_setxattr(const char *path, const char *name, const void *value, size_t size) {
    return setxattr(path, name, value, size, 0);
}

// clone3 that runs fn(arg) on `stack` in the child and never returns there: with
// CLONE_VM the child may not return through the parent's frames. x86_64.
__attribute__((naked)) long cj_clone3_run(struct clone_args *args, size_t size,
                                          int (*fn)(void *), void *arg) {
    __asm__ volatile(
        "push %r12\n"
        "push %r13\n"
        "mov %rdx, %r12\n"          // fn and arg survive the syscall in callee-saved registers
        "mov %rcx, %r13\n"
        "mov $435, %eax\n"          // SYS_clone3
        "syscall\n"
        "test %rax, %rax\n"
        "jnz 1f\n"
        "xor %ebp, %ebp\n"          // child: fresh stack, no frames above
        "mov %r13, %rdi\n"
        "call *%r12\n"
        "mov %eax, %edi\n"
        "mov $60, %eax\n"           // SYS_exit
        "syscall\n"
        "ud2\n"
        "1:\n"
        "pop %r13\n"
        "pop %r12\n"
        "ret\n");
}

int cj_prlimit(pid_t pid, int resource, uint64_t soft, uint64_t hard) {
    struct { uint64_t cur, max; } lim = { soft, hard };
    return (int)syscall(SYS_prlimit64, pid, resource, &lim, NULL);
}

int cj_setns(int fd, int nstype) {
    return (int)syscall(SYS_setns, fd, nstype);
}

int cj_open_tree(const char *path, unsigned long flags) {
    // The source is reached without any symlink: a directory of one jail's tree that its
    // root swapped for a link to / must not hand the host's tree to another jail.
    int src = cj_open_nofollow(path);
    if (src < 0) return -1;
    int m = (int)syscall(SYS_open_tree, src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                         ((flags & MS_REC) ? AT_RECURSIVE : 0));
    int e = errno;
    close(src);
    errno = e;
    if (m < 0) return -1;
    struct mount_attr attr = {
        .attr_set = ((flags & MS_RDONLY) ? MOUNT_ATTR_RDONLY : 0) | ((flags & MS_NOSUID) ? MOUNT_ATTR_NOSUID : 0) |
                    ((flags & MS_NODEV) ? MOUNT_ATTR_NODEV : 0) | ((flags & MS_NOEXEC) ? MOUNT_ATTR_NOEXEC : 0),
        .propagation = MS_SLAVE,
    };
    if (syscall(SYS_mount_setattr, m, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0) {
        int e = errno;
        close(m);
        errno = e;
        return -1;
    }
    return m;
}

int cj_bpf_pin(int fd, const char *path) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.pathname = (uint64_t)(uintptr_t)path;
    attr.bpf_fd = (uint32_t)fd;
    return (int)syscall(SYS_bpf, BPF_OBJ_PIN, &attr, sizeof attr);
}

int cj_bpf_get(const char *path) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.pathname = (uint64_t)(uintptr_t)path;
    attr.file_flags = 0;
    return (int)syscall(SYS_bpf, BPF_OBJ_GET, &attr, sizeof attr);
}

unsigned long cj_fs_magic(const char *path) {
    struct statfs st;
    return statfs(path, &st) == 0 ? (unsigned long)st.f_type : 0;
}

int cj_getrlimit(pid_t pid, int resource, uint64_t *soft, uint64_t *hard) {
    struct { uint64_t cur, max; } lim;
    if (syscall(SYS_prlimit64, pid, resource, NULL, &lim) < 0) return -1;
    *soft = lim.cur;
    *hard = lim.max;
    return 0;
}

unsigned long cj_fd_fs_magic(int fd) {
    struct statfs st;
    return fstatfs(fd, &st) == 0 ? (unsigned long)st.f_type : 0;
}

uint64_t cj_mount_id(int fd) {
    struct statx stx;
    if (syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_MNT_ID_UNIQUE, &stx) < 0) return 0;
    return (stx.stx_mask & STATX_MNT_ID_UNIQUE) ? stx.stx_mnt_id : 0;
}

int cj_open_nofollow(const char *path) {
    struct open_how how = {
        .flags = O_PATH | O_CLOEXEC | O_DIRECTORY,
        .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    return (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
}

int cj_bpf_device_program_is(int fd, const uint64_t *_Nullable insns, uint32_t n) {
    uint64_t xlated[512];
    if (n > 512) return 0;
    struct bpf_prog_info info;
    memset(&info, 0, sizeof info);
    info.xlated_prog_len = (uint32_t)sizeof xlated;
    info.xlated_prog_insns = (uint64_t)(uintptr_t)xlated;
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.info.bpf_fd = (uint32_t)fd;
    attr.info.info_len = sizeof info;
    attr.info.info = (uint64_t)(uintptr_t)&info;
    if (syscall(SYS_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof attr) < 0) return 0;
    return info.type == BPF_PROG_TYPE_CGROUP_DEVICE && info.xlated_prog_len == n * 8 &&
           memcmp(xlated, insns, n * 8) == 0;
}

int cj_bpf_prog_load(uint32_t type, uint32_t expected_attach_type, uint32_t attach_btf_id,
                     const uint64_t *_Nullable insns, uint32_t n, char *_Nullable log, uint32_t log_size) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.prog_type = type;
    attr.expected_attach_type = expected_attach_type;
    attr.attach_btf_id = attach_btf_id;
    attr.insns = (uint64_t)(uintptr_t)insns;
    attr.insn_cnt = n;
    attr.license = (uint64_t)(uintptr_t)"GPL";
    if (log && log_size) {
        log[0] = 0;
        attr.log_buf = (uint64_t)(uintptr_t)log;
        attr.log_size = log_size;
        attr.log_level = 1;
    }
    return (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
}

int cj_bpf_prog_attach(int cgroup_fd, int prog_fd, uint32_t attach_type, uint32_t flags) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.target_fd = (uint32_t)cgroup_fd;
    attr.attach_bpf_fd = (uint32_t)prog_fd;
    attr.attach_type = attach_type;
    attr.attach_flags = flags;
    return (int)syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof attr);
}

int cj_bpf_map_create(uint32_t type, uint32_t key_size, uint32_t value_size, uint32_t max_entries) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.map_type = type;
    attr.key_size = key_size;
    attr.value_size = value_size;
    attr.max_entries = max_entries;
    return (int)syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr);
}

int cj_bpf_prog_identity(int fd, uint32_t *type, uint32_t *attach_btf_id, uint8_t tag[8]) {
    struct bpf_prog_info info;
    memset(&info, 0, sizeof info);
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.info.bpf_fd = (uint32_t)fd;
    attr.info.info_len = sizeof info;
    attr.info.info = (uint64_t)(uintptr_t)&info;
    if (syscall(SYS_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof attr) < 0) return -1;
    *type = info.type;
    *attach_btf_id = info.attach_btf_id;
    memcpy(tag, info.tag, 8);
    return 0;
}
