import Glibc
import SystemPackage

/// The cgroup v2 hierarchy: where a jail's processes are counted, killed at once
/// (`cgroup.kill`) and, on hosts with controllers there, limited. Hybrid hosts mount it
/// at /sys/fs/cgroup/unified with no controllers; that is enough for all of this.
public enum CgroupV2 {
    /// mkdir that tolerates an existing directory.
    public static func makeDirectory(_ path: FilePath) throws(SystemError) {
        let r = unsafe path.withPlatformString { unsafe mkdir($0, 0o755) }
        if r < 0 && Glibc.errno != EEXIST {
            throw SystemError("mkdir", Errno(rawValue: Glibc.errno), path: path)
        }
    }

    /// mkdir -p below an existing root.
    public static func makeDirectories(_ path: FilePath) throws(SystemError) {
        var current = FilePath("/")
        for component in path.components {
            current.append(component)
            try makeDirectory(current)
        }
    }

    /// rmdir, retried briefly: a cgroup whose last process has just exited can still be
    /// busy for a moment while the kernel finishes the exit. The cgroups a booted system
    /// made below it (systemd's slices and scopes) go first; their depth is bounded by the
    /// cgroup.max.depth the jail was given.
    public static func remove(_ path: FilePath, depth: Int = 0) throws(SystemError) {
        if depth < 32 {
            for child in subdirectories(path) { try remove(path.appending(child), depth: depth + 1) }
        }
        for attempt in 0..<200 {
            let r = unsafe path.withPlatformString { unsafe rmdir($0) }
            if r == 0 { return }
            let err = Errno(rawValue: Glibc.errno)
            if err == .noSuchFileOrDirectory { return }
            guard err == .resourceBusy, attempt < 199 else { throw SystemError("rmdir", err, path: path) }
            var ts = timespec(tv_sec: 0, tv_nsec: 1_000_000)
            unsafe _ = nanosleep(&ts, nil)
        }
    }

    /// The child cgroups: the directories of a cgroup's directory.
    static func subdirectories(_ path: FilePath) -> [String] {
        guard let dir = unsafe path.withPlatformString({ unsafe opendir($0) }) else { return [] }
        defer { unsafe _ = closedir(dir) }
        var out: [String] = []
        while let entry = unsafe readdir(dir) {
            guard unsafe entry.pointee.d_type == UInt8(DT_DIR) else { continue }
            let name = unsafe withUnsafeBytes(of: entry.pointee.d_name) { unsafe String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { out.append(name) }
        }
        return out
    }

    /// Whether any process is in the cgroup or below it.
    public static func isPopulated(_ path: FilePath) -> Bool {
        guard let text = try? readFile(path.appending("cgroup.events")) else { return false }
        return text.contains("populated 1")
    }

    /// SIGKILL to every process of the cgroup and its descendants, in one step, so that
    /// none can fork away while the others die.
    public static func kill(_ path: FilePath) throws(SystemError) {
        try writeFile(path.appending("cgroup.kill"), "1")
    }

    /// Waits until the cgroup is empty, polling cgroup.events for a change.
    public static func waitEmpty(_ path: FilePath, timeoutMilliseconds: Int32) -> Bool {
        guard let fd = try? OwnedFD.open(path.appending("cgroup.events"), O_RDONLY) else { return true }
        var buf = [UInt8](repeating: 0, count: 256)
        var remaining = timeoutMilliseconds
        while true {
            let n = unsafe buf.withUnsafeMutableBytes { unsafe pread(fd.rawValue, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return true }
            if !String(decoding: buf[0..<n], as: UTF8.self).contains("populated 1") { return true }
            if remaining <= 0 { return false }
            var p = pollfd(fd: fd.rawValue, events: Int16(POLLPRI), revents: 0)
            let step: Int32 = min(remaining, 100)
            unsafe _ = poll(&p, 1, step)
            remaining -= step
        }
    }

    static func unescape(_ s: String) -> String {
        // mountinfo escapes space, tab, newline and backslash as \ooo.
        guard s.contains("\\") else { return s }
        var out: [UInt8] = []
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\"), i + 3 < bytes.count,
               let v = UInt8(String(decoding: bytes[(i + 1)...(i + 3)], as: UTF8.self), radix: 8) {
                out.append(v)
                i += 4
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
