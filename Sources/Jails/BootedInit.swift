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
}
