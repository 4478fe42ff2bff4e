import Glibc
import JailSys
import Rctl
import SystemPackage

/// Where one limited controller of a jail lives: the jail's own v2 cgroup when the host
/// enables the controller there, else a cgroup of the jail in that controller's v1
/// hierarchy (`<mount>/<parent>/<jid>`).
struct Placement: Sendable, Equatable {
    var controller: Controller
    var directory: FilePath
    var v1: Bool
}

/// The cgroups that carry a jail's limits: placing, creating, writing, entering, removing.
/// Nothing here exists for a jail without limits: a v1 migration waits for an RCU grace
/// period (about 10 ms on these hosts), paid only when a limit asks for it.
struct LimitCgroups: Sendable {
    let hierarchies: CgroupHierarchies
    let parent: String

    /// Placements for the controllers `limits` needs; `unified` is the jail's v2 cgroup.
    func placements(_ limits: LimitSet, jid: Int, unified: FilePath) throws(JailError) -> [Placement] {
        var out: [Placement] = []
        for controller in Controller.allCases where limits.usesCgroupControllers.contains(controller) {
            if hierarchies.unifiedControllers.contains(controller.rawValue) {
                out.append(Placement(controller: controller, directory: unified, v1: false))
            } else if let base = hierarchies.base(CgroupSettings.v1Name(controller), parent: parent) {
                out.append(Placement(controller: controller, directory: base.appending(String(jid)), v1: true))
            } else {
                throw JailError(jail: nil, "the \(controller.rawValue) controller is not available on this host"
                                + " (neither cgroup v2 nor a v1 hierarchy has it)")
            }
        }
        return out
    }

    /// The v1 directories among `placements`, once each (co-mounted controllers share one).
    static func v1Directories(_ placements: [Placement]) -> [FilePath] {
        var seen: [FilePath] = []
        for p in placements where p.v1 && !seen.contains(p.directory) { seen.append(p.directory) }
        return seen
    }

    /// Creates what is missing and writes every setting of `limits` for `placements`.
    static func apply(_ limits: LimitSet, _ placements: [Placement], devices: [String]) throws(SystemError) {
        for p in placements {
            if p.v1 {
                try CgroupV2.makeDirectories(p.directory)
            } else {
                try enable(p.controller, below: p.directory.removingLastComponent())
            }
            for (file, value) in CgroupSettings.files(limits, p.controller, v1: p.v1, devices: devices) {
                do { try CgroupFiles.write(p.directory, file, value) } catch {
                    // A device that cannot be throttled (no request queue) is skipped;
                    // lifting a limit the host cannot have (no swap accounting) is done.
                    if p.controller == .io && (error.errno == .noSuchAddressOrDevice || error.errno == .operationNotSupportedByDevice) { continue }
                    if error.errno == .noSuchFileOrDirectory && (value == "-1" || value == "max") { continue }
                    throw error
                }
            }
        }
    }

    /// cgroup v2 hands a controller to a cgroup's children through the parent's
    /// `cgroup.subtree_control`; the jails' parent is ours, its own parent must delegate.
    static func enable(_ controller: Controller, below base: FilePath) throws(SystemError) {
        let name = controller.rawValue
        if (CgroupFiles.read(base, "cgroup.subtree_control") ?? "").split(separator: " ").contains(where: { $0.trimmed == name }) { return }
        guard (CgroupFiles.read(base, "cgroup.controllers") ?? "").split(whereSeparator: \.isWhitespace).contains(where: { $0 == name }) else {
            throw SystemError("use the \(name) controller: not delegated to this cgroup (enable it in its parent's cgroup.subtree_control)",
                              .notSupported, path: base)
        }
        try CgroupFiles.write(base, "cgroup.subtree_control", "+" + name)
    }

    /// Moves every process of a running jail (its v2 cgroup and below) into `directories`;
    /// the caller has frozen the jail, so that none forks outside meanwhile.
    static func migrate(jail unified: FilePath, into directories: [FilePath]) throws(SystemError) {
        guard !directories.isEmpty else { return }
        let pids = CgroupFiles.processes(unified)   // the init and, below, every jailed process
        for directory in directories {
            // v1 memory: what the processes already use moves with them (where the kernel
            // still offers it), or the limit would count only new memory.
            try? CgroupFiles.write(directory, "memory.move_charge_at_immigrate", "3")
            for pid in pids {
                do { try CgroupFiles.write(directory, "cgroup.procs", String(pid)) } catch {
                    if error.errno != .noSuchProcess { throw error }
                }
            }
        }
    }

    /// Removes a jail's v1 cgroups, once its processes are gone.
    static func remove(_ directories: [String]) {
        for d in directories { try? CgroupV2.remove(FilePath(d)) }
    }
}

extension Substring {
    fileprivate var trimmed: Substring { self.filter { !$0.isWhitespace }[...] }
}
