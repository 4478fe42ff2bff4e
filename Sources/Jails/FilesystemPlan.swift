import CJail
import Glibc
import JailSys

/// The file system a jail sees, as the list of steps its first process executes inside
/// the new mount namespace. Pure: computed from the spec, testable without privilege.
public enum FilesystemPlan {
    /// Host directories that hold our state: never visible inside a jail, even path=/.
    public static let hiddenHostDirectories = ["/run/jail", "/var/cache/jail"]

    // Kernel interfaces in /proc that reach the whole machine: read-only for the jail.
    static let procReadOnly = ["/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs"]
    // ... or hidden: kernel memory, the keyring list, timers and scheduler internals.
    static let procMaskedFiles = ["/proc/kcore", "/proc/keys", "/proc/timer_list",
                                  "/proc/sched_debug", "/proc/latency_stats",
                                  // physical page data: an aid to rowhammer
                                  "/proc/kpageflags", "/proc/kpagecount", "/proc/kpagecgroup"]
    static let procMaskedDirectories = ["/proc/acpi", "/proc/scsi", "/proc/asound"]

    /// - Parameters:
    ///   - root: the jail's root, an absolute host path without symlinks.
    public static func steps(_ spec: JailSpec, root: String) -> [SetupStep] {
        let nosuid = UInt(MS_NOSUID), nodev = UInt(MS_NODEV), noexec = UInt(MS_NOEXEC)
        var steps: [SetupStep] = [
            // Slave: mounts the host adds below the jail's path later still appear inside
            // (FreeBSD has one mount table), but nothing the jail does reaches the host.
            .mount(source: nil, target: "/", fstype: nil, flags: UInt(MS_REC | MS_SLAVE), data: nil),
            .mount(source: root, target: root, fstype: nil, flags: UInt(MS_BIND | MS_REC), data: nil),
            // Device nodes inside the jail's own tree are dead: only our /dev has live ones.
            .setAttributes(target: root, set: UInt64(CJ_MOUNT_ATTR_NODEV), clear: 0),
            // For "/", the lookup of "/" stops at the process's root, under the bind just
            // stacked on it; "/proc/.." climbs back out of a mount and lands on the top one.
            .pivot(root: root == "/" ? "/proc/.." : root),
        ]
        // Whatever the tree had mounted on /dev, /proc and /sys (the host's own, with
        // path=/) goes first, before any mount of ours exists that a planted symlink could
        // point an unmount at: nothing of the host may hide below ours, and sysfs refuses
        // to be stacked on itself.
        if spec.mountDevfs { steps.append(.detach("/dev")) }
        if spec.mountProcfs { steps.append(.detach("/proc")) }
        steps.append(.detach("/sys"))
        // Mount points in the tree are opened without following symlinks and the new
        // file systems attached to those descriptors (fsmount): the tree may be shared with
        // another jail that swaps a directory for a link at any moment. Paths inside our
        // own fresh /dev, /proc and /sys are the kernel's and safe to name.
        if spec.mountDevfs { steps += devSteps(fdescfs: spec.mountFdescfs) }
        if spec.mountProcfs {
            steps.append(.fsMount(target: "/proc", fstype: "proc", flags: nosuid | nodev | noexec, data: nil))
            for path in procReadOnly { steps += readOnlyBind(path) }
            // Masked by the jail's own /dev/null: a bind source must be a mount of this
            // namespace. Without devfs they stay as the kernel guards them (kcore needs
            // CAP_SYS_RAWIO, which the jail never has).
            if spec.mountDevfs {
                for path in procMaskedFiles {
                    steps.append(.mount(source: "/dev/null", target: path, fstype: nil, flags: UInt(MS_BIND), data: nil, optional: true))
                }
            }
            for path in procMaskedDirectories { steps.append(emptyReadOnly(path)) }
        }
        // sysfs is not a FreeBSD notion: mounted read-only where the tree has /sys.
        steps.append(.fsMount(target: "/sys", fstype: "sysfs", flags: UInt(MS_RDONLY) | nosuid | nodev | noexec,
                              data: nil, optional: true))
        steps.append(emptyReadOnly("/sys/firmware"))
        if spec.mountDevfs {
            steps.append(.mount(source: "/dev/null", target: "/sys/kernel/vmcoreinfo", fstype: nil, flags: UInt(MS_BIND),
                                data: nil, optional: true))
        }
        for dir in hiddenHostDirectories {
            if let inside = pathInside(root: root, hostPath: dir) { steps.append(emptyReadOnly(inside)) }
        }
        if spec.host != .inherit {
            if let h = spec.hostname { steps.append(.hostname(h)) }
            if let d = spec.domainname { steps.append(.domainname(d)) }
        }
        return steps
    }

    /// A private /dev with only the harmless nodes (FreeBSD's devfs ruleset 4 without
    /// the BSD-only ones), its own devpts instance and shm.
    static func devSteps(fdescfs: Bool) -> [SetupStep] {
        let nosuid = UInt(MS_NOSUID), noexec = UInt(MS_NOEXEC)
        var steps: [SetupStep] = [
            // Not nodev: this is where the allowed nodes live. The jail cannot add any:
            // CAP_MKNOD is not in its bounding set.
            .fsMount(target: "/dev", fstype: "tmpfs", flags: nosuid | noexec, data: "mode=755,size=64m"),
        ]
        let chr = UInt32(S_IFCHR)
        for (name, major, minor) in [("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8),
                                     ("urandom", 1, 9), ("tty", 5, 0)] {
            steps.append(.makeNode("/dev/\(name)", mode: chr | 0o666, device: makedev(UInt32(major), UInt32(minor))))
        }
        steps += [
            .makeDirectory("/dev/pts", mode: 0o755),
            // newinstance: the jail's ptys are its own, not the host's.
            .mount(source: "devpts", target: "/dev/pts", fstype: "devpts", flags: nosuid | noexec,
                   data: "newinstance,ptmxmode=0666,mode=0620,gid=5"),
            .symlink(target: "pts/ptmx", at: "/dev/ptmx"),
            // shm is a directory of /dev's own tmpfs: a superblock less per jail.
            .makeDirectory("/dev/shm", mode: 0o1777),
        ]
        if fdescfs {
            steps += [
                .symlink(target: "/proc/self/fd", at: "/dev/fd"),
                .symlink(target: "/proc/self/fd/0", at: "/dev/stdin"),
                .symlink(target: "/proc/self/fd/1", at: "/dev/stdout"),
                .symlink(target: "/proc/self/fd/2", at: "/dev/stderr"),
            ]
        }
        return steps
    }

    static func readOnlyBind(_ path: String) -> [SetupStep] {
        [
            .mount(source: path, target: path, fstype: nil, flags: UInt(MS_BIND | MS_REC), data: nil, optional: true),
            .mount(source: nil, target: path, fstype: nil,
                   flags: UInt(MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC), data: nil, optional: true),
        ]
    }

    static func emptyReadOnly(_ path: String) -> SetupStep { .mask(path) }

    /// Where the host path `hostPath` appears inside a jail rooted at `root`, if it does.
    static func pathInside(root: String, hostPath: String) -> String? {
        if root == "/" { return hostPath }
        guard hostPath.hasPrefix(root + "/") else { return nil }
        return String(hostPath.dropFirst(root.count))
    }

    static func makedev(_ major: UInt32, _ minor: UInt32) -> UInt64 {
        // glibc's encoding (sys/sysmacros.h).
        let ma = UInt64(major), mi = UInt64(minor)
        return ((ma & 0xffff_f000) << 32) | ((ma & 0xfff) << 8) | ((mi & 0xffff_ff00) << 12) | (mi & 0xff)
    }
}
