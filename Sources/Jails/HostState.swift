import CJail
import Glibc
import JailSys
import SystemPackage

/// The host directories that hold our state (/run/jail: records, rules, pinned programs;
/// /var/cache/jail: compiled seccomp programs) never enter a jail: not as its root, not as
/// a mount's source, not through `..` or any other spelling — paths are compared as the
/// kernel resolves them, without symlinks.
enum HostState {
    /// The path as the kernel resolves it without symlinks ("/run/jail/../x" → "/run/x").
    static func resolved(_ path: String) throws(JailError) -> String {
        let fd = unsafe cj_open_nofollow(path)
        guard fd >= 0 else {
            let e = Errno(rawValue: Glibc.errno)
            throw JailError(jail: nil, "\(path): " + (e == .tooManySymbolicLinkLevels ? "a symbolic link in the path; give the real path" : SystemError.message(e)))
        }
        defer { _ = close(fd) }
        guard let resolved = readSymbolicLink("/proc/self/fd/\(fd)") else { throw JailError(jail: nil, "\(path): cannot resolve it") }
        return resolved
    }

    /// A mount source: refused when it is, holds or lies inside our state.
    static func checkSource(_ path: String, what: String) throws(JailError) {
        let real = try resolved(path)
        for dir in FilesystemPlan.hiddenHostDirectories where below(real, dir) || below(dir, real) {
            throw JailError(jail: nil, "\(what) \(path): \(real == dir || below(real, dir) ? "is" : "holds") \(dir), the jails' state, which no jail may see")
        }
    }

    /// A jail's root: refused when it is or lies inside our state (one that holds it, such
    /// as /, gets it masked).
    static func checkRoot(_ real: String, what: String) throws(JailError) {
        for dir in FilesystemPlan.hiddenHostDirectories where below(real, dir) {
            throw JailError(jail: nil, "\(what) \(real): is the jails' state (\(dir)), which no jail may see")
        }
    }

    /// `path` is `dir` or below it.
    static func below(_ path: String, _ dir: String) -> Bool {
        dir == "/" || path == dir || path.hasPrefix(dir + "/")
    }
}
