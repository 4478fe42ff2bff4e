import Glibc
import JailSys

/// `init`: the tree's own init as the jail's PID 1 (a whole system boots), in place of ours.
extension JailCreation {
    /// The tree's own init as PID 1, in the environment systemd reads to know it runs in a
    /// container (systemd's CONTAINER_INTERFACE).
    static func boot(_ plan: inout ChildPlan, init path: String) {
        plan.boot = true
        plan.argv = [path]
        plan.environment = ["container=jail", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
        plan.searchPath = nil
        plan.workdir = "/"
        plan.takeTerminal = false
        plan.credentials = nil
    }

    /// 0, 1 and 2 pointed at `fd` (or /dev/null for -1); what they were, to restore.
    static func redirectStandardStreams(to fd: Int32) -> [Int32] {
        let target = fd >= 0 ? fd : unsafe open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { if fd < 0 && target >= 0 { _ = close(target) } }
        guard target >= 0 else { return [] }
        var saved: [Int32] = []
        for stream: Int32 in 0...2 {
            saved.append(fcntl(stream, F_DUPFD_CLOEXEC, 3))
            _ = dup2(target, stream)
        }
        return saved
    }

    static func restoreStandardStreams(_ saved: [Int32]) {
        for (stream, fd) in saved.enumerated() where fd >= 0 {
            _ = dup2(fd, Int32(stream))
            _ = close(fd)
        }
    }
}
