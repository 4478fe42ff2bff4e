import Glibc
import JailSys
import SystemPackage

/// `jail -r`: kills every process of a jail at once, then releases what it held on the
/// host (cgroup, record). Also finishes a jail whose creating command was killed.
public struct JailRemoval {
    let env: Environment
    let quiet: Bool

    public init(environment: Environment, quiet: Bool) {
        self.env = environment
        self.quiet = quiet
    }

    /// Removes the jails named (jid or name; "*" for all). Returns 0, or 1 when one was
    /// not found or could not be removed.
    public func run(_ keys: [String]) throws(JailError) -> Int32 {
        try env.registry.withLock { () throws(JailError) -> Int32 in try remove(keys) }
    }

    private func remove(_ keys: [String]) throws(JailError) -> Int32 {
        var status: Int32 = 0
        let records = env.registry.records()
        for key in keys {
            let matches = key == "*" ? records : records.filter { String($0.jid) == key || $0.name == key }
            if matches.isEmpty && key != "*" {
                printError("jail: \"\(key)\" not found")
                status = 1
            }
            for record in matches {
                do {
                    try Self.release(record, registry: env.registry)
                    if !quiet { printLine("\(record.name): removed") }
                } catch {
                    printError("jail: \(record.name): \(error)")
                    status = 1
                }
            }
        }
        return status
    }

    /// Kills what is left in the jail's cgroup (cgroup.kill: no process can fork away while
    /// the others die), removes the cgroup and the record. The cgroup path comes from our
    /// own record, so nothing outside the jails' cgroup root is touched.
    static func release(_ record: JailRecord, registry: Registry) throws(SystemError) {
        let cgroup = FilePath(record.cgroup)
        let members = cgroup.appending("jail")
        if access(record.cgroup, F_OK) == 0 {
            try CgroupV2.kill(cgroup)
            _ = CgroupV2.waitEmpty(cgroup, timeoutMilliseconds: 10_000)
            try CgroupV2.remove(members)
            try CgroupV2.remove(cgroup)
        }
        registry.remove(record.jid)
    }

    /// Kept as is for jls: records of jails that exist now, after releasing those that
    /// ended (taking the lock only when something is to be released).
    static func live(_ registry: Registry) -> [JailRecord] {
        let all = registry.records()
        let live = all.filter { $0.initPID > 0 && Liveness.isInUse($0) }
        if all.contains(where: { !Liveness.isInUse($0) }) {
            _ = try? registry.withLock { () throws(JailError) in reapStale(registry) }
        }
        return live
    }

    /// Releases jails that ended on their own (no persist, last process gone) or whose
    /// creation was killed: with no daemon, the next command that notices does it.
    /// Call with the registry locked.
    static func reapStale(_ registry: Registry) {
        for record in registry.records() where !Liveness.isInUse(record) {
            try? release(record, registry: registry)
        }
    }
}
