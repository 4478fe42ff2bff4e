import Glibc
import SystemPackage

/// The host's devices as the kernel lists them (/sys/dev/char and /sys/dev/block: each
/// one's /dev name in its uevent), with the mode and owner udev gave its /dev node. This
/// is Linux's counterpart of the device list FreeBSD's devfs filters with its rulesets.
public enum HostDevices {
    public struct Device: Sendable, Equatable {
        public var name: String         // below /dev: "null", "dri/card0", "sda1"
        public var block: Bool
        public var major: UInt32
        public var minor: UInt32
        public var mode: UInt32         // permission bits of the host's node (0o600 without one)
        public var uid: UInt32
        public var gid: UInt32
    }

    public static func all() -> [Device] {
        list("/sys/dev/char", block: false) + list("/sys/dev/block", block: true)
    }

    static func list(_ dir: String, block: Bool) -> [Device] {
        var out: [Device] = []
        for link in (try? directoryEntries(dir)) ?? [] {
            let numbers = link.split(separator: ":")
            guard numbers.count == 2, let major = UInt32(numbers[0]), let minor = UInt32(numbers[1]),
                  let uevent = try? readFile(FilePath("\(dir)/\(link)/uevent")),
                  let name = uevent.split(separator: "\n").first(where: { $0.hasPrefix("DEVNAME=") })?.dropFirst(8),
                  !name.isEmpty, !name.contains("..") else { continue }
            var device = Device(name: String(name), block: block, major: major, minor: minor, mode: 0o600, uid: 0, gid: 0)
            var st = stat()
            if unsafe lstat("/dev/\(name)", &st) == 0, (st.st_mode & S_IFMT) == (block ? S_IFBLK : S_IFCHR),
               UInt64(st.st_rdev) == makedev(major, minor) {
                device.mode = UInt32(st.st_mode) & 0o7777
                device.uid = st.st_uid
                device.gid = st.st_gid
            }
            out.append(device)
        }
        return out.sorted { $0.name < $1.name }
    }

    /// One device by its /dev name, from the host's node (udev made it from the kernel's
    /// list); nil when there is no such node.
    public static func lookup(_ name: String) -> Device? {
        guard !name.isEmpty, !name.split(separator: "/").contains("..") else { return nil }
        var st = stat()
        guard unsafe lstat("/dev/\(name)", &st) == 0 else { return nil }
        let type = st.st_mode & S_IFMT
        guard type == S_IFCHR || type == S_IFBLK else { return nil }
        let rdev = UInt64(st.st_rdev)
        // glibc's major()/minor() (sys/sysmacros.h).
        let major = UInt32(((rdev >> 32) & 0xffff_f000) | ((rdev >> 8) & 0xfff))
        let minor = UInt32(((rdev >> 12) & 0xffff_ff00) | (rdev & 0xff))
        return Device(name: name, block: type == S_IFBLK, major: major, minor: minor,
                      mode: UInt32(st.st_mode) & 0o7777, uid: st.st_uid, gid: st.st_gid)
    }

    /// glibc's dev_t encoding (sys/sysmacros.h).
    public static func makedev(_ major: UInt32, _ minor: UInt32) -> UInt64 {
        let ma = UInt64(major), mi = UInt64(minor)
        return ((ma & 0xffff_f000) << 32) | ((ma & 0xfff) << 8) | ((mi & 0xffff_ff00) << 12) | (mi & 0xff)
    }
}
