import Testing

@testable import JailMounts

// Expected results cite where FreeBSD states them: CMD = usr.sbin/jail/command.c
// (IP_MOUNT: strtok, four fields, strunvis on the first two, "missing information"),
// CFG = usr.sbin/jail/config.c (mount.fstab files: '#' to end of line), UNVIS =
// contrib/libc-vis/unvis.c, VFS = sys/kern/vfs_mount.c (vfs_getopt_size), TMPFS =
// share/man/man5/tmpfs.5, MNTOPTS = sbin/mount/mntopts.h, DR = sbin/devfs/devfs.rules,
// RULE = sbin/devfs/rule.c, KDR = sys/fs/devfs/devfs_rule.c, FNM = sys/libkern/fnmatch.c,
// RCS = libexec/rc/rc.subr (devfs_rulesets_from_file), DR5 = devfs.rules(5), all in
// freebsd/freebsd-src; HB = the FreeBSD Handbook, jails chapter (freebsd/freebsd-doc).

/// The error `body` throws, or nil. (Closures do not infer typed throws, hence the cast.)
func failure(_ body: () throws -> Void) -> MountError? {
    do {
        try body()
        return nil
    } catch {
        return error as? MountError
    }
}

/// The message `Fstab.parseLine(line)` fails with, or nil.
func lineError(_ line: String) -> String? {
    failure { _ = try Fstab.parseLine(line) }?.description
}

/// The message `DevfsRules.parse(text)` fails with, or nil.
func rulesError(_ text: String, path: String = "/etc/devfs.rules") -> String? {
    failure { _ = try DevfsRules.parse(text, path: path) }?.description
}

/// The paths of `devices` that `ruleset` of `rules` leaves visible.
func visiblePaths(_ devices: [String], _ ruleset: Int, in rules: DevfsRules = .defaults) throws -> [String] {
    try rules.visible(devices, ruleset: ruleset).map(\.path)
}

/// A /dev as a Linux host has it: devices, the directories' contents, and the links
/// systemd-udev and the kernel make (fd, stdin, stdout, stderr, core).
let linuxDev = [
    "null", "zero", "full", "random", "urandom", "tty", "ptmx", "pts/0", "pts/1", "pts/ptmx",
    "fuse", "zfs", "sda", "sda1", "nvme0", "nvme0n1", "nvme0n1p1", "kvm", "dri/card0",
    "dri/renderD128", "net/tun", "mem", "kmem", "port", "console", "tty0", "tty1", "ttyS0",
    "ttyUSB0", "loop0", "loop-control", "mapper/control", "mapper/vg-root", "dm-0",
    "vhost-net", "vhost-vsock", "vfio/vfio", "fd", "stdin", "stdout", "stderr", "core", "shm",
    "mqueue", "hugepages", "rtc0", "hpet", "snd/timer", "input/event0", "bus/usb/001/001",
    "disk/by-uuid/0b1c", "autofs", "btrfs-control", "cpu_dma_latency", "watchdog", "tpm0",
    "sg0", "st0", "nst0", "sr0", "log",
]
