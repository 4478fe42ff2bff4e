// Raw system calls shared by the C files of CJail (not exported to Swift).
#ifndef CJAIL_RAW_H
#define CJAIL_RAW_H
#include <sys/types.h>

// fork(), but born inside the cgroup `cgroup_fd` (when >= 0) with `flags` (CLONE_NEW*).
pid_t cj_clone_into(int cgroup_fd, unsigned long long flags);
// Marks every descriptor from `first` on close-on-exec.
int cj_close_range_cloexec(unsigned int first);
struct clone_args;
// clone3 running fn(arg) on args->stack in the child (CLONE_VM-safe). x86_64.
long cj_clone3_run(struct clone_args *args, size_t size, int (*fn)(void *), void *arg);
#endif

// statx's unique, never-reused mount id (Linux 6.8); the headers of Debian 12 predate it.
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x00004000U
#endif
