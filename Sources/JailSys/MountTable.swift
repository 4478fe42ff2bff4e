import Glibc
import SystemPackage

/// The mounts of this process's mount namespace, as /proc/self/mountinfo lists them.
public enum MountTable {
    /// Mount points strictly beneath `directory` (absolute, symlinks resolved, as the
    /// kernel names mount points), the deepest first: the order to unmount them in.
    public static func mountPoints(beneath directory: String) throws(SystemError) -> [String] {
        let info = try readFile("/proc/self/mountinfo")
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        var points: [String] = []
        for line in info.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { continue }
            let point = CgroupV2.unescape(String(fields[4]))
            if point.hasPrefix(prefix) && !points.contains(point) { points.append(point) }
        }
        return points.sorted { $0.count > $1.count }
    }

    /// Detaches the mount at `path` (lazily: whoever still uses it keeps it until done),
    /// without following a symlink at its last component.
    public static func detach(_ path: String) throws(SystemError) {
        _ = try syscall("unmount", path: FilePath(path)) {
            unsafe umount2(path, Int32(MNT_DETACH) | Int32(UMOUNT_NOFOLLOW))
        }
    }

    /// The absolute name of `path` with every symlink resolved (realpath(3)).
    public static func resolve(_ path: String) throws(SystemError) -> String {
        guard let resolved = unsafe realpath(path, nil) else {
            throw SystemError("resolve", Errno(rawValue: Glibc.errno), path: FilePath(path))
        }
        defer { unsafe free(resolved) }
        return unsafe String(cString: resolved)
    }
}
