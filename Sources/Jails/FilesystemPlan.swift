import CJail
import Glibc
import JailSys

/// The file system a jail sees, as the list of steps its first process executes inside
/// the new mount namespace. Pure: computed from the spec, testable without privilege.
public enum FilesystemPlan {
    /// The options of a jail's devpts (ptys usable by the tty group, as on a host).
    static let devptsOptions = "ptmxmode=0666,mode=0620,gid=5"

    /// Host directories that hold our state: never visible inside a jail, even path=/.
    public static let hiddenHostDirectories = ["/run/jail", "/var/cache/jail"]

    // Slots of the file systems the child mounts, for steps done beneath them.
    static let devSlot = 1, procSlot = 2, sysSlot = 3
    /// A booted jail's /run: the last slot (4 to 62 are the mount lines', MountPlan).
    static let runSlot = 63

    // Kernel interfaces in /proc that reach the whole machine: read-only for the jail.
    static let procReadOnly = ["sys", "sysrq-trigger", "irq", "bus", "fs"]
    // ... or hidden: kernel memory, the keyring list, timers and scheduler internals.
    static let procMaskedFiles = ["kcore", "keys", "timer_list", "sched_debug", "latency_stats",
                                  // physical page data: an aid to rowhammer
                                  "kpageflags", "kpagecount", "kpagecgroup"]
    static let procMaskedDirectories = ["acpi", "scsi", "asound"]

    /// - Parameters:
    ///   - root: the jail's root, an absolute host path without symlinks.
    ///   - identity: its device and inode, as the caller opened it (0, 0: unchecked).
    ///   - devptsOption: an extra option of the jail's devpts ("max=N": pseudoterminals).
    ///   - devices: the nodes of its /dev (its devfs ruleset).
    ///   - mounts: its mount lines and thin base.
    static func steps(_ spec: JailSpec, root: String, identity: (device: UInt64, inode: UInt64) = (0, 0),
                      devptsOption: String? = nil, devices: DevicePlan = .none,
                      mounts: MountSteps = MountSteps()) -> [SetupStep] {
        let nosuid = UInt(MS_NOSUID), nodev = UInt(MS_NODEV), noexec = UInt(MS_NOEXEC)
        var steps: [SetupStep] = [
            // Slave: mounts the host adds below the jail's path later still appear inside
            // (FreeBSD has one mount table), but nothing the jail does reaches the host.
            .mount(source: nil, target: "/", fstype: nil, flags: UInt(MS_REC | MS_SLAVE), data: nil),
        ]
        // Host trees of the mount lines and a thin jail's overlay, taken while the host's
        // tree is still ours to name.
        steps += mounts.beforeRoot
        // Looked up once, checked, then only descriptors: nodev clone, pivot_root.
        steps.append(.root(path: root, device: identity.device, inode: identity.inode,
                           readOnly: mounts.rootReadOnly, slot: mounts.rootSlot))
        // Whatever the tree had mounted on /dev, /proc and /sys (the host's own, with
        // path=/) goes first, before any mount of ours exists that a planted symlink could
        // point an unmount at: nothing of the host may hide below ours (with mount.noprocfs
        // or mount.nodevfs the jail has none), and sysfs refuses to be stacked on itself.
        steps += [.detach("/dev"), .detach("/proc"), .detach("/sys")]
        // The mount lines, in order, at directories reached from the new root without a
        // symlink; then devfs, fdescfs and procfs, as jail(8) orders them.
        steps += mounts.inside
        // Mount points in the tree are opened without following symlinks and the new file
        // systems attached to those descriptors (fsmount); everything inside them is then
        // done beneath the mount's own root (a slot), never by name through the tree: the
        // tree may be shared with another jail that renames or swaps its directories.
        if spec.mountDevfs { steps += devSteps(devices, fdescfs: spec.mountFdescfs, devptsOption: devptsOption) }
        if spec.mountProcfs {
            steps.append(.fsMount(target: "/proc", fstype: "proc", flags: nosuid | nodev | noexec, data: nil,
                                  slot: procSlot))
            // /proc/sys must be read-only, or the jail could set the host's sysctls: not optional.
            for path in procReadOnly {
                steps.append(.bindReadOnly(path, base: procSlot, optional: path != "sys"))
            }
            // Masked by the jail's own /dev/null. Without devfs they stay as the kernel guards
            // them (kcore needs CAP_SYS_RAWIO, which the jail never has).
            if spec.mountDevfs {
                for path in procMaskedFiles { steps.append(.maskFile(path, base: procSlot)) }
            }
            for path in procMaskedDirectories { steps.append(.mask(path, base: procSlot)) }
        }
        // sysfs is not a FreeBSD notion: mounted read-only where the tree has /sys.
        steps.append(.fsMount(target: "/sys", fstype: "sysfs", flags: UInt(MS_RDONLY) | nosuid | nodev | noexec,
                              data: nil, optional: true, slot: sysSlot))
        steps.append(.mask("firmware", base: sysSlot))
        if spec.initPath != nil {
            // What a booted system expects (systemd's container interface): its own cgroup
            // tree, writable, and /run and /tmp empty at each boot.
            steps.append(.fsMount(target: "fs/cgroup", fstype: "cgroup2", flags: nosuid | nodev | noexec, data: nil,
                                  optional: true, base: sysSlot))
            // systemd stops unless /dev/shm is a mount (of its own, here).
            if spec.mountDevfs {
                steps.append(.fsMount(target: "shm", fstype: "tmpfs", flags: nosuid | nodev, data: "mode=1777", base: devSlot))
            }
            steps.append(.fsMount(target: "/run", fstype: "tmpfs", flags: nosuid | nodev, data: "mode=755,size=20%",
                                  slot: runSlot))
            steps.append(.makeDirectory("lock", mode: 0o755, base: runSlot))
            steps.append(.fsMount(target: "lock", fstype: "tmpfs", flags: nosuid | nodev | noexec,
                                  data: "mode=1777,size=5m", base: runSlot))
            steps.append(.fsMount(target: "/tmp", fstype: "tmpfs", flags: nosuid | nodev, data: "mode=1777"))
        }
        if spec.mountDevfs { steps.append(.maskFile("kernel/vmcoreinfo", base: sysSlot)) }
        for dir in hiddenHostDirectories {
            if let inside = pathInside(root: root, hostPath: dir) { steps.append(.mask(inside)) }
        }
        if spec.host != .inherit {
            if let h = spec.hostname { steps.append(.hostname(h)) }
            if let d = spec.domainname { steps.append(.domainname(d)) }
        }
        return steps
    }

    /// A private /dev holding the nodes of the jail's devfs ruleset (the same list its
    /// cgroup's device filter allows), its own devpts instance and shm.
    static func devSteps(_ devices: DevicePlan, fdescfs: Bool, devptsOption: String? = nil) -> [SetupStep] {
        let nosuid = UInt(MS_NOSUID), noexec = UInt(MS_NOEXEC)
        var steps: [SetupStep] = [
            // Not nodev: this is where the allowed nodes live. The jail cannot add any:
            // CAP_MKNOD is not in its bounding set.
            .fsMount(target: "/dev", fstype: "tmpfs", flags: nosuid | noexec, data: "mode=755,size=64m", slot: devSlot),
        ]
        var directories: Set<String> = []
        for node in devices.nodes {
            // Parents first ("dri/card0"); names come from the kernel, never with "..".
            let parts = node.path.split(separator: "/")
            for depth in 1..<max(parts.count, 1) {
                let dir = parts[0..<depth].joined(separator: "/")
                if directories.insert(dir).inserted { steps.append(.makeDirectory(dir, mode: 0o755, base: devSlot)) }
            }
            let type = UInt32(node.block ? S_IFBLK : S_IFCHR)
            steps.append(.makeNode(node.path, mode: type | node.mode, device: HostDevices.makedev(node.major, node.minor),
                                   base: devSlot))
            if node.uid != 0 || node.gid != 0 { steps.append(.chown(node.path, uid: node.uid, gid: node.gid, base: devSlot)) }
        }
        if devices.devpts {
            steps += [
                .makeDirectory("pts", mode: 0o755, base: devSlot),
                // newinstance: the jail's ptys are its own, not the host's.
                .fsMount(target: "pts", fstype: "devpts", flags: nosuid | noexec,
                         data: "newinstance," + devptsOptions + (devptsOption.map { "," + $0 } ?? ""), base: devSlot),
                .symlink(target: "pts/ptmx", at: "ptmx", base: devSlot),
            ]
        }
        // shm is a directory of /dev's own tmpfs: a superblock less per jail.
        steps.append(.makeDirectory("shm", mode: 0o1777, base: devSlot))
        if fdescfs {
            steps += [
                .symlink(target: "/proc/self/fd", at: "fd", base: devSlot),
                .symlink(target: "/proc/self/fd/0", at: "stdin", base: devSlot),
                .symlink(target: "/proc/self/fd/1", at: "stdout", base: devSlot),
                .symlink(target: "/proc/self/fd/2", at: "stderr", base: devSlot),
            ]
        }
        return steps
    }

    /// Where the host path `hostPath` appears inside a jail rooted at `root`, if it does.
    static func pathInside(root: String, hostPath: String) -> String? {
        if root == "/" { return hostPath }
        guard hostPath.hasPrefix(root + "/") else { return nil }
        return String(hostPath.dropFirst(root.count))
    }

}

/// What a jail's mount lines and thin base add to its set-up.
struct MountSteps: Sendable, Equatable {
    /// Host trees and the overlay, taken before the root changes (kept in slots).
    var beforeRoot: [SetupStep] = []
    /// The slot whose file system becomes the root (0: a copy of the tree).
    var rootSlot = 0
    var rootReadOnly = false
    /// After the root: attached at the jail's directories, before our /dev, /proc, /sys.
    var inside: [SetupStep] = []
}
