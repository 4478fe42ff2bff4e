import CJail
import Glibc
import JailSys
import SystemPackage

/// A process that enters a new jail in place (Jail.enter, libjail's JAIL_CREATE |
/// JAIL_ATTACH) is taken into the jail's cgroups by the creation itself, before the
/// jail's init starts counting its processes.
extension JailCreation {
    /// Moves `pid` into the jail's cgroups, and pushes the undo (back where it was), which
    /// must run before the cgroups are killed or removed, which would otherwise kill it.
    func adopt(_ pid: Int32, into members: FilePath, v1: [String], _ undo: inout UndoStack) throws(JailError) {
        var saved = [CChar](repeating: 0, count: 8192)
        guard unsafe cj_cgroup_save(pid, &saved, saved.count) == 0 else {
            throw JailError(jail: spec.name, "process \(pid) to attach: no such process")
        }
        undo.push { unsafe cj_cgroup_restore(pid, saved) }
        do {
            for directory in [members] + v1.map({ FilePath($0) }) {
                try CgroupFiles.write(directory, "cgroup.procs", String(pid))
            }
        } catch { throw JailError(jail: spec.name, "attach process \(pid): \(error)") }
    }
}
