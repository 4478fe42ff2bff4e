import CJail
import Glibc
import JailSys
import Rctl
import SystemPackage

/// A jail's resource limits (rctl): the rules in force for it, the limits they make, and
/// how those are put in place — at creation, or in a running jail after `rctl -a`/`-r`.
/// Each resource goes to its Linux mechanism: a cgroup file, a resource limit of every
/// process, a sysctl of the jail's own IPC namespace, or its devpts instance.
struct JailLimits: Sendable {
    var limits: LimitSet
    var placements: [Placement]

    /// Checks a rule set against this jail and this host; nothing is changed.
    static func plan(_ rules: [Rule], jid: Int, unified: FilePath, ipcShared: Bool, cgroups: LimitCgroups)
        throws(JailError) -> JailLimits {
        let limits: LimitSet
        do { limits = try LimitSet.build(rules) } catch { throw JailError(jail: nil, "rctl: \(error)") }
        if ipcShared && !limits.ipc.isEmpty {
            throw JailError(jail: nil, "rctl: the jail shares the host's SysV IPC (sysvmsg/sysvsem/sysvshm=inherit): its limits are the host's")
        }
        if limits.swap != nil && limits.memory == nil && !cgroups.hierarchies.unifiedControllers.contains("memory") {
            throw JailError(jail: nil, "rctl: swapuse needs a memoryuse rule on cgroup v1 (it limits memory and swap together)")
        }
        let placements = try cgroups.placements(limits, jid: jid, unified: unified)
        return JailLimits(limits: limits, placements: placements)
    }

    /// Creates the cgroups and writes the limits (creation, before the jail's first process).
    func applyCgroups() throws(SystemError) {
        try LimitCgroups.apply(limits, placements, devices: placements.contains { $0.controller == .io } ? BlockDevices.all() : [])
    }

    var v1Directories: [String] { LimitCgroups.v1Directories(placements).map(\.string) }

    /// Every jailed command's limits: FreeBSD counts these per jail; Linux only has them
    /// per process (each process may use the amount).
    var rlimits: [ResourceLimit] {
        limits.rlimits.sorted { $0.key.resourceNumber < $1.key.resourceNumber }
            .map { ResourceLimit(resource: $0.key.resourceNumber, soft: $0.value, hard: $0.value) }
    }

    /// Writes of the jail's IPC sysctls, through the host's /proc/sys by a process in the
    /// jail's IPC namespace. `all`: also the defaults of those without a limit (a change).
    func ipcSteps(all: Bool) -> [SetupStep] {
        let pageSize = UInt64(sysconf(Int32(_SC_PAGESIZE)))
        var steps: [SetupStep] = []
        func write(_ name: String, _ value: UInt64?, _ fallback: String) {
            guard all || value != nil else { return }
            steps.append(.writeFile("/proc/sys/kernel/" + name, contents: value.map(String.init) ?? fallback))
        }
        write("msgmni", limits.ipc[.messageQueues], "32000")
        write("msgmnb", limits.ipc[.messageQueueBytes], "16384")
        write("shmmni", limits.ipc[.sharedMemorySegments], "4096")
        write("shmall", limits.ipc[.sharedMemoryBytes].map { ($0 + pageSize - 1) / pageSize }, "18446744073692774399")
        if all || limits.ipc[.semaphores] != nil || limits.ipc[.semaphoreOperations] != nil {
            // SEMMSL SEMMNS SEMOPM SEMMNI, the kernel's defaults but for ours.
            let line = "32000 \(limits.ipc[.semaphores] ?? 1_024_000_000) \(limits.ipc[.semaphoreOperations] ?? 500) 32000"
            steps.append(.writeFile("/proc/sys/kernel/sem", contents: line))
        }
        return steps
    }

    /// devpts's own limit on ptys (pseudoterminals), as its mount option.
    var devptsOption: String? { limits.devptsMax.map { "max=\($0)" } }
    static let devptsDefaultMax = "max=1048576"
    static let devptsMagic: UInt = 0x1cd1
}

/// `rctl -a` and `rctl -r` on a running jail: the new limits put in place, the old ones
/// back if that fails.
extension JailLimits {
    static func change(_ record: inout JailRecord, from oldRules: [Rule], to newRules: [Rule], env: Environment) throws(JailError) {
        let target = try RunningJail.open(String(record.jid), registry: env.registry)
        let ipcShared = (Confinement(record, environment: env)?.namespaceFlags ?? 0) & 0x0800_0000 == 0
        let cgroups = try LimitCgroups(environment: env)
        let unified = FilePath(record.cgroup)
        let next = try plan(newRules, jid: record.jid, unified: unified, ipcShared: ipcShared, cgroups: cgroups)
        let old = (try? plan(oldRules, jid: record.jid, unified: unified, ipcShared: ipcShared, cgroups: cgroups))
            ?? JailLimits(limits: LimitSet(), placements: [])
        let fresh = LimitCgroups.v1Directories(next.placements).filter { !record.v1Cgroups.contains($0.string) }
        // Controllers whose last rule went are written too: their limits are lifted.
        var apply = next
        apply.placements += old.placements.filter { p in !next.placements.contains { $0.controller == p.controller } }
        do {
            try apply.applyCgroups()
            try LimitCgroups.migrate(jail: unified, into: fresh)
            try next.applyInside(changedFrom: old.limits, record: record, pidfd: target.pidfd.rawValue)
        } catch {
            // Back to the old values (what the new set lifted included); new directories go.
            var lifted = apply
            lifted.limits = LimitSet()
            try? lifted.applyCgroups()
            try? old.applyCgroups()
            try? old.applyInside(changedFrom: next.limits, record: record, pidfd: target.pidfd.rawValue)
            LimitCgroups.remove(fresh.map(\.string))
            throw JailError(jail: record.name, "rctl: \(error)")
        }
        record.v1Cgroups += fresh.map(\.string)
        record.rlimits = next.rlimits
        setRlimits(next.rlimits, old: old.limits, record: record)
    }

    /// What changes inside the jail's own namespaces: IPC sysctls and its devpts.
    private func applyInside(changedFrom old: LimitSet, record: JailRecord, pidfd: Int32) throws(JailError) {
        var steps: [SetupStep] = []
        var flags: UInt64 = 0
        if limits.ipc != old.ipc {
            steps += ipcSteps(all: true)
            flags |= 0x0800_0000 /* CLONE_NEWIPC */
        }
        if limits.devptsMax != old.devptsMax {
            steps.append(.reconfigure("/dev/pts", magic: Self.devptsMagic, option: devptsOption ?? Self.devptsDefaultMax))
            flags |= 0x0002_0000 /* CLONE_NEWNS */
        }
        guard !steps.isEmpty else { return }
        var plan = ChildPlan()
        plan.joinFlags = flags
        plan.steps = steps
        let (_, failure) = try InsideCommand.joined(record: record, pidfd: pidfd, plan: &plan)
        if let failure { throw JailError(jail: nil, ChildReport.describe(failure, plan: plan, user: nil)) }
    }

    /// The per-process limits of the jail's running processes. Each process is pinned by a
    /// pidfd and checked to be the jail's before prlimit; a resource whose rule went is
    /// given back our own limit (what a new process would have had).
    private static func setRlimits(_ limits: [ResourceLimit], old: LimitSet, record: JailRecord) {
        var all = limits
        for gone in old.rlimits.keys where !limits.contains(where: { $0.resource == gone.resourceNumber }) {
            var mine = rlimit()
            guard unsafe getrlimit(__rlimit_resource_t(UInt32(gone.resourceNumber)), &mine) == 0 else { continue }
            all.append(ResourceLimit(resource: gone.resourceNumber, soft: UInt64(mine.rlim_cur), hard: UInt64(mine.rlim_max)))
        }
        guard !all.isEmpty else { return }
        for pid in JailProcesses.members(record) {
            let fd = cj_pidfd_open(pid)
            guard fd >= 0 else { continue }
            defer { _ = close(fd) }
            guard JailProcesses.isMember(pid, of: record) else { continue }
            for l in all { _ = cj_prlimit(pid, l.resource, l.soft, l.hard) }
        }
    }
}

extension LimitCgroups {
    init(environment env: Environment) throws(JailError) {
        do { self.init(hierarchies: try CgroupHierarchies.discover(), parent: env.cgroupParent) } catch {
            throw JailError(jail: nil, error.description)
        }
    }
}
