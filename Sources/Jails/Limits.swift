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
    /// - Parameters:
    ///   - existing: the jail's v1 cgroups already made (a running jail's record).
    ///   - devfs: whether the jail has our /dev (pseudoterminals limits its devpts).
    static func plan(_ rules: [Rule], jid: Int, unified: FilePath, ipcShared: Bool, cgroups: LimitCgroups,
                     existing: [String] = [], devfs: Bool = true) throws(JailError) -> JailLimits {
        let limits: LimitSet
        do { limits = try LimitSet.build(rules) } catch { throw JailError(jail: nil, "rctl: \(error)") }
        if limits.devptsMax != nil && !devfs {
            throw JailError(jail: nil, "rctl: pseudoterminals limits the jail's own devpts, and it has none (mount.nodevfs)")
        }
        if let files = limits.rlimits[.nofile], let max = (try? readFile("/proc/sys/fs/nr_open")).flatMap({ UInt64($0.filter(\.isNumber)) }),
           files > max {
            throw JailError(jail: nil, "rctl: openfiles: \(files) is above the kernel's fs.nr_open (\(max))")
        }
        if ipcShared && !limits.ipc.isEmpty {
            throw JailError(jail: nil, "rctl: the jail shares the host's SysV IPC (sysvmsg/sysvsem/sysvshm=inherit): its limits are the host's")
        }
        if limits.swap != nil && limits.memory == nil && !cgroups.hierarchies.unifiedControllers.contains("memory") {
            throw JailError(jail: nil, "rctl: swapuse needs a memoryuse rule on cgroup v1 (it limits memory and swap together)")
        }
        var placements = try cgroups.placements(limits, jid: jid, unified: unified)
        // A running jail keeps the v1 cgroups it has, wherever its creator put them.
        for i in placements.indices where placements[i].v1 {
            if let mount = cgroups.hierarchies.v1[CgroupSettings.v1Name(placements[i].controller)],
               let dir = existing.first(where: { $0.hasPrefix(mount.string + "/") }) {
                placements[i].directory = FilePath(dir)
            }
        }
        return JailLimits(limits: limits, placements: placements)
    }

    /// Creates the cgroups and writes the limits (creation, before the jail's first process).
    func applyCgroups() throws(SystemError) {
        try LimitCgroups.apply(limits, placements, devices: placements.contains { $0.controller == .io } ? BlockDevices.all() : [])
    }

    var v1Directories: [String] { LimitCgroups.v1Directories(placements).map(\.string) }

    /// Every jailed command's limits: FreeBSD counts these per jail; Linux only has them
    /// per process (each process may use the amount).
    /// The soft limit is the lower of the amount and ours (1024 open files stays 1024:
    /// select(2) cannot take more), the hard one the amount: a process may raise its soft
    /// limit up to the rule's, never beyond.
    /// Neither goes above what this process has: a jail cannot get more than its creator.
    var rlimits: [ResourceLimit] {
        limits.rlimits.sorted { $0.key.resourceNumber < $1.key.resourceNumber }.map { key, amount in
            var mine = rlimit()
            guard unsafe getrlimit(__rlimit_resource_t(UInt32(key.resourceNumber)), &mine) == 0 else {
                return ResourceLimit(resource: key.resourceNumber, soft: amount, hard: amount)
            }
            let hard = min(amount, UInt64(mine.rlim_max))
            return ResourceLimit(resource: key.resourceNumber, soft: min(hard, UInt64(mine.rlim_cur)), hard: hard)
        }
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
/// back if that fails. New v1 cgroups are recorded before they are made, and the freeze
/// that moves the jail's processes into them names its command, so that a kill at any
/// moment leaves nothing `jail -r` cannot remove and no jail frozen for good.
extension JailLimits {
    static func change(_ record: inout JailRecord, from oldRules: [Rule], to newRules: [Rule], env: Environment) throws(JailError) {
        let target = try RunningJail.open(String(record.jid), registry: env.registry)
        let ipcShared = (Confinement(record, environment: env)?.namespaceFlags ?? 0) & 0x0800_0000 == 0
        let cgroups = try LimitCgroups(environment: env)
        let unified = FilePath(record.cgroup)
        let next = try plan(newRules, jid: record.jid, unified: unified, ipcShared: ipcShared, cgroups: cgroups,
                            existing: record.v1Cgroups)
        let old = (try? plan(oldRules, jid: record.jid, unified: unified, ipcShared: ipcShared, cgroups: cgroups,
                             existing: record.v1Cgroups)) ?? JailLimits(limits: LimitSet(), placements: [])
        // The same rules again, or a freeze an rctl killed half-way left recorded: bring
        // every process in line (all of them into every v1 cgroup, every limit set), so
        // re-adding a rule repairs what the killed command left.
        let repair = oldRules == newRules || record.freezerPID != 0
        let fresh = LimitCgroups.v1Directories(next.placements).filter { repair || !record.v1Cgroups.contains($0.string) }
        let rlimitsChanged = repair ? !next.limits.rlimits.isEmpty : next.limits.rlimits != old.limits.rlimits
        let registry = env.registry
        func save(_ r: JailRecord) throws(JailError) {
            do { try registry.write(r) } catch { throw JailError(jail: r.name, error.description) }
        }
        // Controllers whose last rule went are written too: their limits are lifted.
        var apply = next
        apply.placements += old.placements.filter { p in !next.placements.contains { $0.controller == p.controller } }
        let freeze = !fresh.isEmpty || rlimitsChanged
        if !fresh.isEmpty || freeze {
            record.v1Cgroups += fresh.map(\.string).filter { !record.v1Cgroups.contains($0) }
            if freeze {
                record.freezerPID = getpid()
                record.freezerStart = ProcessIdentity.startTime(record.freezerPID) ?? 0
            }
            try save(record)
        }
        do {
            try apply.applyCgroups()
            if freeze {
                // Frozen, the jail's processes can neither fork nor exit: all of them move
                // and get their new limits, none is missed or reused.
                do throws(SystemError) {
                    try CgroupV2.freeze(unified, true)
                    defer { try? CgroupV2.freeze(unified, false) }
                    try LimitCgroups.migrate(jail: unified, into: fresh)
                    TestPoint.frozen.reached()
                    try setRlimits(next.rlimits, old: repair ? LimitSet() : old.limits, record: record)
                } catch { throw JailError(jail: nil, error.description) }
                record.freezerPID = 0
                record.freezerStart = 0
            }
            try next.applyInside(changedFrom: repair ? LimitSet() : old.limits, record: record, pidfd: target.pidfd.rawValue)
        } catch {
            // Back to the old values, what the new set lifted included. New v1 cgroups stay
            // recorded (processes may be in them) and go with the jail.
            var lifted = apply
            lifted.limits = LimitSet()
            try? lifted.applyCgroups()
            try? old.applyCgroups()
            try? old.applyInside(changedFrom: next.limits, record: record, pidfd: target.pidfd.rawValue)
            record.freezerPID = 0
            try? save(record)
            throw JailError(jail: record.name, "rctl: \(error)")
        }
        record.rlimits = next.rlimits
        record.freezerPID = 0
    }

    /// What changes inside the jail's own namespaces: its IPC sysctls, written through
    /// the host's /proc/sys by a helper in the jail's IPC namespace only, and its devpts,
    /// reconfigured by a helper in its mount namespace only.
    private func applyInside(changedFrom old: LimitSet, record: JailRecord, pidfd: Int32) throws(JailError) {
        if limits.ipc != old.ipc {
            try InsideCommand.setUp(record, pidfd: pidfd, flags: 0x0800_0000 /* CLONE_NEWIPC */, ipcSteps(all: true))
        }
        if limits.devptsMax != old.devptsMax {
            let options = FilesystemPlan.devptsOptions + "," + (devptsOption ?? Self.devptsDefaultMax)
            try InsideCommand.setUp(record, pidfd: pidfd, flags: 0x0002_0000 /* CLONE_NEWNS */,
                          [.reconfigure("/dev/pts", magic: Self.devptsMagic, option: options)])
        }
    }

    /// The per-process limits of the jail's processes, which are frozen: only resources
    /// whose amount changed; the soft limit is lowered to the amount, never raised; one
    /// whose rule went gets our own limit back (what a new process would have had).
    /// Returns false when a lifted limit could not be raised on running processes.
    @discardableResult
    private static func setRlimits(_ limits: [ResourceLimit], old: LimitSet, record: JailRecord) throws(SystemError) -> Bool {
        var raised = true
        defer { if !raised { printError("rctl: \(record.name): running processes keep the limits lifted until they exit (raising them needs CAP_SYS_RESOURCE, which this host withholds)") } }
        var changed: [ResourceLimit] = []
        for l in limits where old.rlimits.first(where: { $0.key.resourceNumber == l.resource })?.value != l.hard {
            changed.append(l)
        }
        for gone in old.rlimits.keys where !limits.contains(where: { $0.resource == gone.resourceNumber }) {
            var mine = rlimit()
            guard unsafe getrlimit(__rlimit_resource_t(UInt32(gone.resourceNumber)), &mine) == 0 else { continue }
            changed.append(ResourceLimit(resource: gone.resourceNumber, soft: UInt64(mine.rlim_cur), hard: UInt64(mine.rlim_max)))
        }
        guard !changed.isEmpty else { return true }
        let unified = FilePath(record.cgroup)
        for pid in CgroupFiles.processes(unified) where pid != record.initPID {
            for l in changed {
                var soft: UInt64 = 0, hard: UInt64 = 0
                guard unsafe cj_getrlimit(pid, l.resource, &soft, &hard) == 0 else { continue }
                guard cj_prlimit(pid, l.resource, min(soft, l.hard), l.hard) < 0, Glibc.errno != ESRCH else { continue }
                // Raising a hard limit needs CAP_SYS_RESOURCE, which some hosts withhold even
                // from root: a lifted limit then binds the running processes until they exit.
                if Glibc.errno == EPERM && l.hard > hard {
                    raised = false
                    continue
                }
                throw SystemError("set the resource limits of process \(pid)", Errno(rawValue: Glibc.errno))
            }
        }
        return raised
    }
}

extension LimitCgroups {
    init(environment env: Environment) throws(JailError) {
        do { self.init(hierarchies: try CgroupHierarchies.discover(), parent: env.cgroupParent) } catch {
            throw JailError(jail: nil, error.description)
        }
    }
}
