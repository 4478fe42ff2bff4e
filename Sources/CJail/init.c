// The jail's PID 1, and the tiny executable it runs from.
//
// The init's code is compiled into this binary but into a section of its own; at each
// start `cj_init_memfd` copies that section into a sealed memfd behind a minimal ELF
// header, and the child path execs it. So the init is a freestanding program of a few
// hundred bytes: no libc start-up, no relocations, a few pages of memory per jail; and
// its /proc/1/exe is an anonymous sealed file, never a host binary (the runc
// CVE-2019-5736 class of escape has nothing to reach).
//
// Rules for the code in INIT_SECTION: raw system calls only, no global or static data,
// no string literals, no switch (jump tables land in .rodata), no calls outside the
// section; everything it references must be relative to itself.
//
// What it does: reaps orphans, forwards SIGTERM/SIGINT/SIGHUP to every jailed process,
// reports the command's wait status to the `jail` that started it, and ends the jail
// when the jail's cgroup holds no process any more. Membership is the cgroup's, not the
// init's children: a process that entered through jexec has its parent outside the jail.
#define _GNU_SOURCE
#include "cjail.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/memfd.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define INIT_SECTION __attribute__((section("jail_init_text"), used, noinline, no_stack_protector))

#define NR_read 0
#define NR_write 1
#define NR_close 3
#define NR_poll 7
#define NR_rt_sigprocmask 14
#define NR_pread64 17
#define NR_exit_group 231
#define NR_kill 62
#define NR_wait4 61
#define NR_prctl 157
#define NR_signalfd4 289
#define NR_munmap 11

// The image: code at INIT_BASE; a stack segment right after it, in the same 2 MiB of
// address space, so that the init's page tables are one chain (see ji_start).
#define INIT_BASE 0x400000ul
#define INIT_STACK 0x410000ul
#define INIT_STACK_SIZE 0x4000ul

#define SIG_HUP 1
#define SIG_INT 2
#define SIG_USR1 10
#define SIG_USR2 12
#define SIG_PIPE 13
#define SIG_TERM 15
#define SIG_CHLD 17

INIT_SECTION static long ji_sys(long n, long a, long b, long c, long d) {
    long r;
    register long r10 __asm__("r10") = d;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
    return r;
}

INIT_SECTION static long ji_number(const char *s) {
    long v = 0, sign = 1;
    if (*s == '-') { sign = -1; s++; }
    while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
    return v * sign;
}

// 1 when the cgroup holds a process, 0 when empty, -1 when unreadable. cgroup.events
// starts with "populated N".
INIT_SECTION static int ji_populated(int fd) {
    char buf[64];
    long n = ji_sys(NR_pread64, fd, (long)buf, sizeof buf, 0);
    if (n < 11 || buf[0] != 'p' || buf[9] != ' ') return -1;
    return buf[10] == '1';
}

INIT_SECTION static void ji_report(int *status_fd, int status) {
    if (*status_fd < 0) return;
    ji_sys(NR_write, *status_fd, (long)&status, sizeof status, 0);
    ji_sys(NR_close, *status_fd, 0, 0, 0);
    *status_fd = -1;
}

INIT_SECTION static void ji_reap(pid_t command, int *status_fd) {
    for (;;) {
        int st = 0;
        long p = ji_sys(NR_wait4, -1, (long)&st, 1 /* WNOHANG */, 0);
        if (p <= 0) return;
        if (p == command) ji_report(status_fd, st);
    }
}

// argv: jail-init; envp: EVENTS_FD STATUS_FD GO_FD COMMAND_PID PERSIST(0|1)
INIT_SECTION __attribute__((noreturn)) void ji_main(long *sp) {
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    for (int i = 0; i < 5; i++)
        if (envp[i] == 0) ji_sys(NR_exit_group, 110, 0, 0, 0);
    int events_fd = (int)ji_number(envp[0]);
    int status_fd = (int)ji_number(envp[1]);
    int go_fd = (int)ji_number(envp[2]);
    pid_t command = (pid_t)ji_number(envp[3]);
    int persist = envp[4][0] == '1';

    // Until this call /proc/1 of the jail could be read by its processes; the command
    // waits on go_fd for it, so no jailed process exists before the init is protected.
    ji_sys(NR_prctl, 4 /* PR_SET_DUMPABLE */, 0, 0, 0);
    ji_sys(NR_prctl, 15 /* PR_SET_NAME */, (long)argv[0], 0, 0);
    // Done with argv and the environment: the kernel's stack, far up the address space,
    // goes, and with it the page tables that map it (a third of an idle jail's).
    unsigned long top = ((unsigned long)sp & ~0xffful) + 0x40000;
    ji_sys(NR_munmap, (long)(top - 0x140000), 0x140000, 0, 0);

    unsigned long mask = (1ul << (SIG_CHLD - 1)) | (1ul << (SIG_TERM - 1)) |
                         (1ul << (SIG_INT - 1)) | (1ul << (SIG_HUP - 1)) |
                         (1ul << (SIG_USR1 - 1)) | (1ul << (SIG_USR2 - 1));
    // SIGPIPE blocked too: a status pipe whose reader is gone must not kill PID 1.
    unsigned long blocked = mask | (1ul << (SIG_PIPE - 1));
    ji_sys(NR_rt_sigprocmask, 0 /* SIG_BLOCK */, (long)&blocked, 0, 8);
    long sfd = ji_sys(NR_signalfd4, -1, (long)&mask, 8, 02000000 /* SFD_CLOEXEC */);
    if (sfd < 0) ji_sys(NR_exit_group, 111, 0, 0, 0);
    if (go_fd >= 0) ji_sys(NR_close, go_fd, 0, 0, 0);

    struct { int fd; short events, revents; } fds[2];
    fds[0].fd = (int)sfd;
    fds[0].events = 1; /* POLLIN */
    fds[1].fd = persist ? -1 : events_fd;
    fds[1].events = 2; /* POLLPRI: cgroupfs signals a change this way */
    for (;;) {
        if (!persist && events_fd >= 0 && ji_populated(events_fd) == 0) {
            // A command that exited before we looked still has its status to report.
            ji_reap(command, &status_fd);
            ji_sys(NR_exit_group, 0, 0, 0, 0);
        }
        fds[0].revents = 0;
        fds[1].revents = 0;
        if (ji_sys(NR_poll, (long)fds, 2, -1, 0) < 0) continue;
        if (!(fds[0].revents & 1)) continue;
        unsigned int info[32];   // struct signalfd_siginfo: 128 bytes, ssi_signo first
        while (ji_sys(NR_read, sfd, (long)info, sizeof info, 0) == (long)sizeof info) {
            if (info[0] == SIG_CHLD) {
                ji_reap(command, &status_fd);
                break;
            }
            // persist off (SIGUSR1) and on (SIGUSR2), from the host only: a kill(2)
            // (ssi_code SI_USER, the third word, which sigqueue cannot forge) from outside
            // our PID namespace, whose sender reads as pid 0 (ssi_pid, the fourth word).
            if (info[0] == SIG_USR1 || info[0] == SIG_USR2) {
                if (info[2] == 0 /* SI_USER */ && info[3] == 0) {
                    persist = info[0] == SIG_USR2;
                    fds[1].fd = persist ? -1 : events_fd;
                }
                break;
            }
            // kill(-1) from PID 1 reaches every process of the namespace but itself.
            ji_sys(NR_kill, -1, info[0], 0, 0);
        }
    }
}

INIT_SECTION __attribute__((naked, noreturn)) void ji_start(void) {
    // Our own stack (INIT_STACK + INIT_STACK_SIZE), next to the code.
    __asm__ volatile("mov %rsp, %rdi\n"
                     "mov $0x414000, %rsp\n"
                     "call ji_main\n"
                     "ud2\n");
}

extern const unsigned char __start_jail_init_text[];
extern const unsigned char __stop_jail_init_text[];

int cj_init_memfd(void) {
#if !defined(__x86_64__)
    errno = ENOEXEC;
    return -1;
#else
    const unsigned char *code = __start_jail_init_text;
    size_t len = (size_t)(__stop_jail_init_text - __start_jail_init_text);
    const uint64_t base = INIT_BASE;
    const size_t header = sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr);
    Elf64_Ehdr eh;
    memset(&eh, 0, sizeof eh);
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_EXEC;
    eh.e_machine = EM_X86_64;
    eh.e_version = EV_CURRENT;
    eh.e_entry = base + header + (uint64_t)((const unsigned char *)ji_start - code);
    eh.e_phoff = sizeof eh;
    eh.e_ehsize = sizeof eh;
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = 2;
    Elf64_Phdr ph[2];
    memset(ph, 0, sizeof ph);
    ph[0].p_type = PT_LOAD;
    ph[0].p_flags = PF_R | PF_X;
    ph[0].p_offset = 0;
    ph[0].p_vaddr = ph[0].p_paddr = base;
    ph[0].p_filesz = ph[0].p_memsz = header + len;
    ph[0].p_align = 0x1000;
    // The stack: zero-filled memory, nothing from the file.
    ph[1].p_type = PT_LOAD;
    ph[1].p_flags = PF_R | PF_W;
    ph[1].p_offset = 0;
    ph[1].p_vaddr = ph[1].p_paddr = INIT_STACK;
    ph[1].p_filesz = 0;
    ph[1].p_memsz = INIT_STACK_SIZE;
    ph[1].p_align = 0x1000;

    int fd = (int)syscall(SYS_memfd_create, "jail-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return -1;
    if (write(fd, &eh, sizeof eh) != (ssize_t)sizeof eh ||
        write(fd, ph, sizeof ph) != (ssize_t)sizeof ph ||
        write(fd, code, len) != (ssize_t)len ||
        // Sealed: nothing, not even the host, can change what every jail's init runs.
        fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
#endif
}
