/// The one table of jail parameters: every parameter of FreeBSD's jail(8) (FREEBSD-JAILS.md
/// §2.1–2.4), its type, default, whether it can change on a running jail, and what Linux
/// makes of it. Validation, `jail -e`, `jls -v` and docs/parameters.md all read it.
public enum ParameterTable {
    /// The parameter named exactly `name` (no `no` prefix); `meta.KEY` and `env.KEY` are the
    /// per-key forms of `meta` and `env`.
    public static func info(_ name: String) -> ParameterInfo? {
        if let index = byName[name] {
            return all[index]
        }
        for family in keyedFamilies where name.utf8.count > family.prefix.utf8.count && name.hasPrefix(family.prefix) {
            if let index = byName[family.name] {
                var keyed = all[index]
                keyed.name = name
                keyed.summary = "one key of \(family.name)"
                return keyed
            }
        }
        return nil
    }

    public static let all: [ParameterInfo] = core + allow + modules + pseudo

    /// Parameters with per-key forms (`meta.KEY`, `env.KEY`).
    private static let keyedFamilies: [(name: String, prefix: String)] = [("meta", "meta."), ("env", "env.")]

    private static let byName: [String: Int] = {
        var map: [String: Int] = [:]
        for (index, info) in all.enumerated() {
            map[info.name] = index
        }
        return map
    }()

    // MARK: - Reasons, shared by several rows

    private static let needsUserNamespace = "needs a user namespace, not supported yet"
    private static let readOnly = "read-only: reported by the system, never set"
    private static let noZFS = "ZFS delegation to jails is not supported"
    private static let noLinuxABI = "Linux ABI emulation settings mean nothing on a Linux host"

    // MARK: - Row builders

    private static func kernel(
        _ name: String, _ type: ParamType, default defaultValue: ParamValue? = nil, _ defaultText: String,
        freeBSD: String? = nil, runtime: Bool, support: LinuxSupport = .supported,
        range: ClosedRange<Int>? = nil, readOnly: Bool = false, _ summary: String
    ) -> ParameterInfo {
        ParameterInfo(
            name: name, type: type, kind: .kernel, defaultValue: defaultValue, defaultText: defaultText,
            freeBSDDefault: freeBSD, runtimeChangeable: runtime, readOnly: readOnly, support: support,
            validRange: range, summary: summary)
    }

    private static func pseudo(
        _ name: String, _ type: ParamType, default defaultValue: ParamValue? = nil, _ defaultText: String,
        freeBSD: String? = nil, support: LinuxSupport = .supported, range: ClosedRange<Int>? = nil,
        _ summary: String
    ) -> ParameterInfo {
        // Pseudo-parameters are read by jail(8) when it creates or removes a jail; changing
        // one never needs a restart (jail.c rdtun_params only looks at kernel parameters).
        ParameterInfo(
            name: name, type: type, kind: .pseudo, defaultValue: defaultValue, defaultText: defaultText,
            freeBSDDefault: freeBSD, runtimeChangeable: true, readOnly: false, support: support,
            validRange: range, summary: summary)
    }

    /// An `allow.*` permission. Linux fixes a process's capabilities and seccomp filter when it
    /// starts, so none of them can change on a running jail here.
    private static func permission(
        _ name: String, default value: Bool = false, freeBSD: String? = nil,
        support: LinuxSupport = .supported, _ summary: String
    ) -> ParameterInfo {
        kernel(
            name, .bool, default: .bool(value), value ? "true" : "false", freeBSD: freeBSD, runtime: false,
            support: support, summary)
    }

    private static let allJailsys = ["disable", "new", "inherit"]
    private static let newOrInherit = ["new", "inherit"]

    // MARK: - Core kernel parameters (§2.1)

    private static let core: [ParameterInfo] = [
        kernel(
            "jid", .int, "next free", runtime: false, range: 1...999_999,
            "jail ID, one space shared by all jails"),
        kernel(
            "name", .string, "the jid", runtime: false,
            "jail name; may not contain dots (they mark the hierarchy) or be all digits unless equal to the jid"),
        kernel("path", .string, "/", runtime: false, "root directory of the jail"),
        kernel(
            "ip4.addr", .ip4List, "none", runtime: true,
            "IPv4 addresses the jail is restricted to; the first is primary"),
        kernel(
            "ip4.saddrsel", .bool, default: .bool(true), "true", runtime: true,
            "source address selection; off: always use the primary address"),
        kernel(
            "ip4", .jailsys(allowed: allJailsys), "new with ip4.addr, otherwise disable", runtime: false,
            "IPv4: inherit all host addresses, new (limited to ip4.addr) or disable"),
        kernel(
            "ip6.addr", .ip6List, "none", runtime: true,
            "IPv6 addresses the jail is restricted to; the first is primary"),
        kernel(
            "ip6.saddrsel", .bool, default: .bool(true), "true", runtime: true,
            "IPv6 source address selection; off: always use the primary address"),
        kernel(
            "ip6", .jailsys(allowed: allJailsys), "new with ip6.addr, otherwise disable", runtime: false,
            "IPv6: inherit, new or disable"),
        kernel(
            "vnet", .jailsys(allowed: newOrInherit), default: .list(["inherit"]), "inherit", runtime: false,
            "new: the jail gets its own network stack (a network namespace)"),
        kernel("host.hostname", .string, "the host's hostname", runtime: true, "hostname (at most 64 bytes on Linux)"),
        kernel("host.domainname", .string, "the host's domain name", runtime: true, "NIS domain name"),
        kernel(
            "host.hostuuid", .string, "the host's", runtime: true,
            support: .warn("no per-jail host UUID yet; the jail sees the host's /etc/machine-id"),
            "kern.hostuuid"),
        kernel(
            "host.hostid", .int, "the host's", runtime: true,
            support: .warn("no per-jail host ID yet; gethostid() in the jail returns the host's"),
            range: 0...Int(UInt32.max), "kern.hostid"),
        kernel(
            "host", .jailsys(allowed: newOrInherit), "new when any host.* is set, otherwise inherit",
            runtime: false, "new: own hostname and domain name (a UTS namespace); inherit: the host's"),
        kernel(
            "securelevel", .int, "the host's (-1 or 0 on Linux)", runtime: false,
            support: .refused(
                "Linux has no securelevel; a jail asking for level 1 or more would silently get less protection",
                when: .unlessIn(Int.min...0)),
            "the jail's kern.securelevel; only -1 and 0 (no extra restriction) are accepted"),
        kernel(
            "devfs_ruleset", .int, "0 (mount.devfs then applies ruleset 4, devfsrules_jail)", runtime: false,
            range: 0...65_535, "device ruleset enforced on the jail's /dev"),
        kernel(
            "children.max", .int, default: .list(["0"]), "0", runtime: true,
            support: .refused("child jails are later work; only children.max = 0 is supported", when: .unlessIn(0...0)),
            range: 0...Int(Int32.max), "how many child jails this jail may create"),
        kernel(
            "children.cur", .int, "", runtime: false, support: .refused(readOnly), readOnly: true,
            "current number of descendant jails (read-only)"),
        kernel(
            "enforce_statfs", .int, default: .list(["2"]), "2", runtime: false,
            support: .refused(
                "enforce_statfs = 0 would show the host's mount points; a jail's mount namespace holds only its own (1 and 2 show those)",
                when: .unlessIn(1...2)),
            range: 0...2, "which mount points the jail may see"),
        kernel(
            "persist", .bool, default: .bool(false), "false", runtime: true,
            "the jail may exist with no processes"),
        kernel(
            "cpuset.id", .int, "", runtime: false, support: .refused(readOnly), readOnly: true,
            "the jail's cpuset (read-only)"),
        kernel(
            "dying", .bool, "", runtime: false, support: .refused(readOnly), readOnly: true,
            "the jail is being removed (read-only)"),
        kernel(
            "parent", .int, "", runtime: false, support: .refused(readOnly), readOnly: true,
            "jid of the parent jail, 0 at top level (read-only)"),
        kernel(
            "osrelease", .string, "the host's", runtime: false,
            support: .warn("uname is not faked; the jail sees the host kernel's release"),
            "kern.osrelease and uname -r in the jail"),
        kernel(
            "osreldate", .int, "the host's", runtime: false,
            support: .warn("uname is not faked; the jail sees the host kernel's version"),
            range: 0...Int(Int32.max), "kern.osreldate and uname -K in the jail"),
        kernel(
            "meta", .string, "empty", runtime: true,
            "free-form key=value text hidden from the jail; meta.KEY sets one key"),
        kernel(
            "env", .string, "empty", runtime: true,
            "free-form key=value text the jail can read; env.KEY sets one key"),
        kernel(
            "mac.label", .string, "none", runtime: false,
            support: .refused(
                "MAC framework labels have no Linux equivalent here; ignoring one would drop a restriction"),
            "mac(4) label"),
        kernel(
            "desc", .int, "none", runtime: false,
            support: .refused("jail descriptors are a jail_set(2) feature, not a parameter"),
            "jail descriptor (jail_set(2) only)"),
    ]

    // MARK: - allow.* permissions (§2.2)

    private static let allow: [ParameterInfo] = [
        permission(
            "allow.set_hostname", freeBSD: "true",
            support: .refused("letting the jail change its hostname " + needsUserNamespace, when: .whenTrue),
            "the jail may change its hostname"),
        permission("allow.sysvipc", "deprecated: the same as sysvmsg, sysvsem and sysvshm = inherit"),
        permission("allow.raw_sockets", "raw sockets (ping, traceroute)"),
        permission("allow.chflags", "root may change immutable and append-only file flags"),
        permission(
            "allow.mount", support: .refused("mounting inside the jail " + needsUserNamespace, when: .whenTrue),
            "mount jail-friendly file systems"),
        permission(
            "allow.mount.devfs", support: .refused("mounting devfs " + needsUserNamespace, when: .whenTrue),
            "mount devfs"),
        permission(
            "allow.mount.fdescfs", support: .refused("mounting fdescfs " + needsUserNamespace, when: .whenTrue),
            "mount fdescfs"),
        permission(
            "allow.mount.fusefs",
            support: .refused("mounting FUSE file systems " + needsUserNamespace, when: .whenTrue),
            "mount FUSE file systems"),
        permission(
            "allow.mount.nullfs",
            support: .refused("mounting nullfs (bind mounts) " + needsUserNamespace, when: .whenTrue),
            "mount nullfs"),
        permission(
            "allow.mount.procfs", support: .refused("mounting procfs " + needsUserNamespace, when: .whenTrue),
            "mount procfs"),
        permission(
            "allow.mount.linprocfs", support: .refused("mounting linprocfs " + needsUserNamespace, when: .whenTrue),
            "mount linprocfs"),
        permission(
            "allow.mount.linsysfs", support: .refused("mounting linsysfs " + needsUserNamespace, when: .whenTrue),
            "mount linsysfs"),
        permission(
            "allow.mount.tmpfs", support: .refused("mounting tmpfs " + needsUserNamespace, when: .whenTrue),
            "mount tmpfs"),
        permission(
            "allow.mount.zfs", support: .refused(noZFS, when: .whenTrue),
            "mount ZFS"),
        permission(
            "allow.quotas", support: .refused("quota administration from a jail is not supported", when: .whenTrue),
            "administer quotas"),
        permission("allow.read_msgbuf", "read the kernel message buffer"),
        permission("allow.socket_af", "address families other than UNIX, IPv4, IPv6 and routing"),
        permission("allow.mlock", "lock memory (mlock)"),
        permission(
            "allow.nfsd", support: .refused("NFS servers in a jail are not supported", when: .whenTrue),
            "run NFS server daemons"),
        permission("allow.reserved_ports", default: true, "root may bind ports below 1024"),
        permission(
            "allow.unprivileged_parent_tampering",
            support: .warn("no separate control: Linux decides by uid and ptrace rules"),
            "unprivileged host processes may signal or debug same-uid jailed processes"),
        permission("allow.unprivileged_proc_debug", default: true, "unprivileged processes may debug"),
        permission("allow.suser", default: true, "root in the jail has privilege"),
        permission(
            "allow.extattr",
            support: .refused("system-namespace extended attributes are not supported", when: .whenTrue),
            "system-namespace extended attributes"),
        permission("allow.adjtime", "slowly adjust the system clock"),
        permission("allow.settime", "set the system clock"),
        permission(
            "allow.routing",
            support: .refused("changing the host's routing table from a jail is not supported", when: .whenTrue),
            "a non-VNET jail may change the system routing table"),
        permission(
            "allow.setaudit", support: .refused("audit session state is not supported", when: .whenTrue),
            "set audit session state"),
        permission(
            "allow.vmm", support: .refused("virtual machine access (/dev/kvm) is not supported", when: .whenTrue),
            "access vmm(4)"),
        permission(
            "allow.vmm_ppt", support: .refused("PCI passthrough is not supported", when: .whenTrue),
            "PCI passthrough for vmm guests"),
    ]

    // MARK: - Parameters added by kernel modules (§2.3)

    private static let modules: [ParameterInfo] = [
        kernel(
            "sysvmsg", .jailsys(allowed: allJailsys), default: .list(["new"]), "new", freeBSD: "disable",
            runtime: false, "System V message queues: disable, new (own namespace) or inherit the host's"),
        kernel(
            "sysvsem", .jailsys(allowed: allJailsys), default: .list(["new"]), "new", freeBSD: "disable",
            runtime: false, "System V semaphores, as sysvmsg"),
        kernel(
            "sysvshm", .jailsys(allowed: allJailsys), default: .list(["new"]), "new", freeBSD: "disable",
            runtime: false, "System V shared memory, as sysvmsg"),
        kernel(
            "linux", .jailsys(allowed: newOrInherit), "inherit", runtime: false, support: .warn(noLinuxABI),
            "Linux ABI environment"),
        kernel("linux.osname", .string, "the host's", runtime: false, support: .warn(noLinuxABI), "Linux ABI OS name"),
        kernel(
            "linux.osrelease", .string, "the host's", runtime: false, support: .warn(noLinuxABI), "Linux ABI OS release"
        ),
        kernel(
            "linux.oss_version", .int, "the host's", runtime: false, support: .warn(noLinuxABI),
            range: 0...Int(Int32.max), "Linux ABI OSS version"),
        kernel(
            "zfs.mount_snapshot", .bool, "false", runtime: false, support: .refused(noZFS),
            "jailed users may see ZFS snapshots"),
    ]

    // MARK: - Pseudo-parameters used only by jail(8) (§2.4)

    private static let pseudo: [ParameterInfo] = [
        pseudo("exec.prepare", .commandList, "none", "host commands before addresses and mounts are set up"),
        pseudo("exec.prestart", .commandList, "none", "host commands before the jail is created"),
        pseudo("exec.created", .commandList, "none", "host commands right after the jail is created"),
        pseudo("exec.start", .commandList, "none", "commands run in the jail when it is created"),
        pseudo("command", .commandList, "none", "command-line synonym for exec.start"),
        pseudo("exec.poststart", .commandList, "none", "host commands after exec.start"),
        pseudo("exec.prestop", .commandList, "none", "host commands before removal"),
        pseudo("exec.stop", .commandList, "none", "commands run in the jail before removal"),
        pseudo("exec.poststop", .commandList, "none", "host commands after the jail is removed"),
        pseudo("exec.release", .commandList, "none", "host commands after unmounting and address removal"),
        pseudo("exec.clean", .bool, default: .bool(false), "false", "run commands in a clean environment"),
        pseudo("exec.jail_user", .string, "the current user", "user for commands run in the jail"),
        pseudo(
            "exec.system_jail_user", .bool, default: .bool(false), "false",
            "look exec.jail_user up in the host's passwd"),
        pseudo("exec.system_user", .string, "the current user", "user for commands run on the host"),
        pseudo("exec.timeout", .int, "none", range: 0...Int(Int32.max), "seconds a command may run"),
        pseudo("exec.consolelog", .string, "none", "file for the commands' output"),
        pseudo(
            "exec.fib", .int, "none",
            support: .warn("no per-command routing table on Linux yet; commands use the main table"),
            range: 0...Int(Int32.max), "routing table (FIB) for commands"),
        pseudo(
            "stop.timeout", .int, default: .list(["10"]), "10", range: 0...Int(Int32.max),
            "seconds to wait after SIGTERM before removing the jail"),
        pseudo(
            "stop.signal", .string, "SIGRTMIN+3 for systemd, else SIGPWR",
            "with init: the signal asking the jail's init to halt (then stop.timeout, then SIGKILL)"),
        pseudo(
            "init", .string, "none",
            "the tree's own init (/sbin/init) as the jail's PID 1, booting a whole system; started with container=jail"),
        pseudo("interface", .string, "none", "host interface that gets the jail's addresses"),
        pseudo(
            "thin.base", .string, "none",
            "a read-only base tree under the jail's own path (an overlay: path holds what the jail changes)"),
        pseudo(
            "rctl", .list, "none",
            "resource limits: rctl(8) rules without the subject (memoryuse:deny=512M), in force while the jail exists"),
        pseudo("vnet.interface", .list, "none", "interfaces moved into a VNET jail"),
        pseudo(
            "vnet.bridge", .list, "none",
            "bridge|address/prefix [gateway]: a veth whose host end joins the bridge; the jail's end is its eth0 with that address and default route"),
        pseudo("zfs.dataset", .list, "none", support: .refused(noZFS), "ZFS datasets attached to the jail"),
        pseudo(
            "ip_hostname", .bool, default: .bool(false), "false",
            "resolve host.hostname and add its addresses"),
        pseudo("mount", .commandList, "none", "fstab(5) lines to mount before creation"),
        pseudo("mount.fstab", .commandList, "none", "fstab(5) files of mounts"),
        pseudo(
            "mount.devfs", .bool, default: .bool(true), "true", freeBSD: "false",
            "a device file system on the jail's /dev (mount.nodevfs turns it off)"),
        pseudo(
            "mount.fdescfs", .bool, default: .bool(true), "true", freeBSD: "false",
            "/dev/fd, /dev/stdin, /dev/stdout and /dev/stderr in the jail's /dev (mount.nofdescfs turns them off)"),
        pseudo(
            "mount.procfs", .bool, default: .bool(true), "true", freeBSD: "false",
            "proc on the jail's /proc (mount.noprocfs turns it off)"),
        pseudo(
            "allow.dying", .bool, "false", support: .warn("deprecated and has no effect"),
            "deprecated, no effect"),
        pseudo("depend", .list, "none", "jails to create before this one (and remove after it)"),
    ]
}
