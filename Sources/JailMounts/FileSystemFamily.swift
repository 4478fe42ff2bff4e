/// The file system types a jail's mount lines may name, grouped by what Linux mounts for
/// them.
///
/// Types that live on a block device (ufs, zfs, ext4, msdosfs...) or reach the network (nfs,
/// smbfs) are refused: jail(8) mounts them on FreeBSD's host with the host's privilege, but
/// here the mount happens inside the jail's mount namespace, where the device is hidden and
/// the jail's root has no right to mount it. The host mounts such a file system itself and
/// the jail binds the result with nullfs, as the Handbook's thin jails bind their templates.
enum FileSystemFamily: Sendable, Equatable {
    case bind
    case tmpfs
    case proc
    case fdescfs
    case sysfs
    case devfs

    /// The family of a type as written, or nil for a type jails cannot mount here.
    /// Type names are case-sensitive, as FreeBSD's vfs names are.
    init?(type: String) {
        switch type {
        // "none" is Linux fstab's spelling for a bind; it needs the bind or rbind option.
        case "nullfs", "bind", "rbind", "none": self = .bind
        case "tmpfs": self = .tmpfs
        case "procfs", "linprocfs", "proc": self = .proc
        case "fdescfs": self = .fdescfs
        case "linsysfs", "sysfs": self = .sysfs
        case "devfs": self = .devfs
        default: return nil
        }
    }

    /// The types that map to Linux, for messages.
    static let supported = "nullfs (or bind, rbind), tmpfs, procfs, linprocfs, fdescfs, linsysfs, devfs"

    /// The options of this family besides the common ones, for messages.
    var ownOptions: [String] {
        switch self {
        case .bind: ["bind", "rbind", "cache", "nocache"]
        case .tmpfs: ["size", "inodes", "mode", "uid", "gid"]
        case .proc, .sysfs: []
        case .fdescfs: ["linrdlnk", "rdlnk", "nodup"]
        case .devfs: ["ruleset"]
        }
    }
}
