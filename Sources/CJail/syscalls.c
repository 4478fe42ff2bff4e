// Thin wrappers over system calls that Glibc does not declare, or that Swift cannot call
// (variadic functions, macros). Each returns -1 with errno set on failure.
#define _GNU_SOURCE
#include "cjail.h"
#include "raw.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
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
