import Glibc
import JailSys

/// What jailed root may do: the capability bounding set and the seccomp rules, derived
/// from the spec. Each allow.* permission is one documented relaxation here.
public struct Restrictions: Sendable, Equatable {
    public var capabilities: CapabilitySet
    public var seccomp: [SeccompRule]

    public init(_ spec: JailSpec) {
        capabilities = Self.capabilities(spec)
        seccomp = Self.rules(spec)
    }

    /// Root inside owns its files and may change users (su, sshd, package managers need
    /// that); it may not touch devices, the network configuration, the kernel, other
    /// processes' memory or the mount table.
    static func capabilities(_ spec: JailSpec) -> CapabilitySet {
        // allow.suser off: uid 0 has no privilege at all, and setuid-root programs
        // regain nothing because the bounding set is empty.
        guard spec.allow.suser else { return CapabilitySet() }
        var caps = CapabilitySet([
            .chown, .dacOverride, .fowner, .fsetid, .kill, .setgid, .setuid, .setpcap,
            .sysChroot, .auditWrite, .setfcap,
        ])
        if spec.allow.reservedPorts { caps.insert(.netBindService) }
        if spec.allow.chflags { caps.insert(.linuxImmutable) }
        if spec.allow.mlock { caps.insert(.ipcLock) }
        if spec.allow.adjtime || spec.allow.settime { caps.insert(.sysTime) }
        if spec.allow.readMsgbuf { caps.insert(.syslog) }
        // vnet: the jail's own stack is its to configure (its namespace is the only one it
        // can reach: setns and new namespaces stay refused).
        if spec.network.vnet { caps.insert(.netAdmin) }
        // allow.raw_sockets: on the host's stack the jail's packets are held to its
        // addresses (PacketAddressFilter), and SO_MARK, which CAP_NET_RAW also opens, is
        // refused below (a mark can pick the host's routes or firewall rules).
        if spec.allow.rawSockets { caps.insert(.netRaw) }
        return caps
    }

    // Namespace-creating clone flags (sched.h): a jailed process may not leave its jail's
    // namespaces or make new ones.
    static let namespaceFlags: UInt64 = 0x0002_0000 /* NEWNS */ | 0x0200_0000 /* NEWCGROUP */
        | 0x0400_0000 /* NEWUTS */ | 0x0800_0000 /* NEWIPC */ | 0x1000_0000 /* NEWUSER */
        | 0x2000_0000 /* NEWPID */ | 0x4000_0000 /* NEWNET */ | 0x80 /* NEWTIME */

    static func rules(_ spec: JailSpec) -> [SeccompRule] {
        var rules: [SeccompRule] = []
        func deny(_ names: [String], _ e: Int32 = EPERM) {
            rules += names.map { .deny($0, errno: e) }
        }
        // The mount table, in both APIs.
        deny(["mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsconfig",
              "fsmount", "fspick", "mount_setattr"])
        // The kernel itself and the machine.
        deny(["init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
              "reboot", "swapon", "swapoff", "acct", "iopl", "ioperm", "quotactl", "quotactl_fd",
              "vhangup", "lookup_dcookie", "nfsservctl", "uselib", "fanotify_init"])
        // Kernel interfaces that reach past the jail: bpf and perf see the whole machine,
        // open_by_handle_at opens files by inode, bypassing the root (the "shocker" escape),
        // keyrings are not namespaced, userfaultfd is an exploitation aid.
        deny(["bpf", "perf_event_open", "open_by_handle_at", "name_to_handle_at", "keyctl",
              "add_key", "request_key", "userfaultfd"])
        // io_uring's operations bypass every argument check below.
        deny(["io_uring_setup", "io_uring_enter", "io_uring_register"], ENOSYS)
        // Namespaces: none may be entered or created. clone3's flags live in memory that
        // seccomp cannot read, so it reports ENOSYS and libc falls back to clone.
        deny(["unshare", "setns"])
        deny(["clone3"], ENOSYS)
        rules.append(.denyBits("clone", arg: 0, bits: namespaceFlags, errno: EPERM))
        // The hostname belongs to the host side (no user namespace: see allow.set_hostname).
        deny(["sethostname", "setdomainname"])
        // Terminal injection: TIOCSTI pushes input into the terminal the jail shares with
        // the host's shell; TIOCLINUX can do the same on a virtual console.
        rules.append(.denyValues("ioctl", arg: 1, values: [0x5412, 0x541C], errno: EPERM))
        // Execution domains other than Linux's own would change syscall semantics.
        rules.append(.allowValues("personality", arg: 0,
                                  values: [0, 0x0008, 0x0002_0000, 0x0002_0008, 0xffff_ffff], errno: EPERM))

        if !spec.allow.settime { deny(["settimeofday", "clock_settime"]) }
        if !spec.allow.adjtime { deny(["adjtimex", "clock_adjtime"]) }
        if !spec.allow.readMsgbuf { deny(["syslog"]) }
        if !spec.allow.mlock { deny(["mlock", "mlock2", "mlockall"]) }
        if !spec.allow.unprivilegedProcDebug {
            deny(["ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd"])
        }
        // SysV IPC "disable": the calls do not exist for the jail, as on FreeBSD.
        if spec.sysvmsg == .disable { deny(["msgget", "msgsnd", "msgrcv", "msgctl"], ENOSYS) }
        if spec.sysvsem == .disable { deny(["semget", "semop", "semtimedop", "semctl"], ENOSYS) }
        if spec.sysvshm == .disable { deny(["shmget", "shmat", "shmdt", "shmctl"], ENOSYS) }

        rules += socketRules(spec)
        return rules
    }

    static let afUnix: UInt32 = 1, afInet: UInt32 = 2, afInet6: UInt32 = 10
    static let afNetlink: UInt32 = 16, afPacket: UInt32 = 17
    static let solSocket: UInt32 = 1

    /// Address families: UNIX always; IPv4/IPv6 only when the jail has that network;
    /// netlink only for routing (read-only without CAP_NET_ADMIN) and audit, so the host's
    /// socket tables (sock_diag) stay hidden; others only with allow.socket_af, never
    /// packet sockets on the host's stack. A jail held to its addresses gets TCP and UDP
    /// only: those are the protocols whose addresses the kernel's cgroup hooks check (no
    /// ICMP sockets, SCTP or MPTCP on the host's stack), unless allow.raw_sockets puts its
    /// packets under the packet filter.
    static func socketRules(_ spec: JailSpec) -> [SeccompRule] {
        if spec.network.vnet { return vnetSocketRules(spec) }
        var inet: [UInt32] = []
        if spec.ip4 != .disable { inet.append(afInet) }
        if spec.ip6 != .disable { inet.append(afInet6) }
        // Families whose protocols a rule below restricts (none with allow.raw_sockets: the
        // packet filter checks what every protocol sends).
        let held = spec.allow.rawSockets ? [] : [(spec.ip4, afInet), (spec.ip6, afInet6)].filter { $0.0 == .new }.map(\.1)
        let noInet = [afInet, afInet6].filter { !inet.contains($0) }
        // With CAP_NET_RAW, socket(AF_INET, SOCK_PACKET) is a packet socket on the host's
        // stack (the kernel turns it into PF_PACKET after this filter saw AF_INET): IPv4
        // sockets are then decided by their type.
        let typed = spec.allow.rawSockets && inet.contains(afInet) ? [afInet] : []
        let family: SeccompRule = spec.allow.socketAF
            ? .denyValues("socket", arg: 0, values: noInet + [afPacket], elsewhere: [afNetlink] + held + typed,
                          errno: EAFNOSUPPORT)
            : .allowValues("socket", arg: 0, values: [afUnix] + inet.filter { !held.contains($0) && !typed.contains($0) },
                           elsewhere: [afNetlink] + held + typed, errno: EAFNOSUPPORT)
        let netlink = SeccompRule.allowValues(
            "socket", arg: 2, values: [0 /* ROUTE */, 9 /* AUDIT */], errno: EPROTONOSUPPORT,
            when: .init(arg: 0, value: afNetlink))
        let protocols = held.map {
            SeccompRule.allowValues("socket", arg: 2, values: [0, 6 /* TCP */, 17 /* UDP */, 136 /* UDPLITE */],
                                    errno: EPROTONOSUPPORT, when: .init(arg: 0, value: $0))
        }
        let noMark: [SeccompRule] = !spec.allow.rawSockets ? [] : [
            .denyValues("setsockopt", arg: 1, values: [], elsewhere: [solSocket], errno: EPERM),
            .denyValues("setsockopt", arg: 2, values: [36 /* SO_MARK */], errno: EPERM, when: .init(arg: 1, value: solSocket)),
        ]
        let types = typed.map {
            SeccompRule.allowMasked("socket", arg: 1, mask: 0xf, values: [1, 2, 3, 5] /* STREAM DGRAM RAW SEQPACKET */,
                                    errno: EAFNOSUPPORT, when: .init(arg: 0, value: $0))
        }
        return [family, netlink] + protocols + noMark + types
    }

    /// A vnet jail's own stack: every IP protocol, the netlink families that configure it
    /// (routes, sockets, xfrm, netfilter) — all scoped to its namespace — and packet
    /// sockets with allow.raw_sockets. Not generic netlink: some of its families
    /// (taskstats, devlink) reach past the namespace.
    static func vnetSocketRules(_ spec: JailSpec) -> [SeccompRule] {
        let always = [afUnix, afInet, afInet6] + (spec.allow.rawSockets ? [afPacket] : [])
        let family: SeccompRule = spec.allow.socketAF
            ? .denyValues("socket", arg: 0, values: spec.allow.rawSockets ? [] : [afPacket], elsewhere: [afNetlink],
                          errno: EAFNOSUPPORT)
            : .allowValues("socket", arg: 0, values: always, elsewhere: [afNetlink], errno: EAFNOSUPPORT)
        let netlink = SeccompRule.allowValues(
            "socket", arg: 2, values: [0 /* ROUTE */, 4 /* SOCK_DIAG */, 6 /* XFRM */, 9 /* AUDIT */,
                                       12 /* NETFILTER */],
            errno: EPROTONOSUPPORT, when: .init(arg: 0, value: afNetlink))
        return [family, netlink]
    }
}
