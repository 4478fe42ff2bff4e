/// A cgroup controller a jail's limits need enabled.
public enum Controller: String, Sendable, CaseIterable {
    case memory, pids, cpu, io
}

/// The limits one jail gets from its rules, by Linux mechanism. Amounts are the rules'
/// (bytes, counts, percent of one CPU); converting them to what each interface takes is the
/// caller's job.
public struct LimitSet: Sendable, Equatable {
    /// memoryuse, in bytes: `memory.max`.
    public var memory: UInt64?
    /// swapuse, in bytes: `memory.swap.max` (cgroup v1: memory + swap).
    public var swap: UInt64?
    /// The lower of maxproc and nthr: `pids.max`, which counts threads. Above
    /// PID_MAX_LIMIT (4194304) the kernel refuses a number: write `max`.
    public var pids: UInt64?
    /// pcpu, percent of one CPU (200 is two CPUs): `cpu.max` quota over period.
    public var cpuPercent: UInt64?
    /// I/O rates, per second: `io.max`, per device.
    public var io: [IOLimit: UInt64]
    /// Set on every process of the jail: a rule per jail is enforced per process.
    public var rlimits: [RLimit: UInt64]
    /// pseudoterminals: devpts `max=`.
    public var devptsMax: UInt64?
    /// SysV IPC sysctls of the jail's IPC namespace; shared memory in bytes (see `IPCLimit`).
    public var ipc: [IPCLimit: UInt64]

    public init() {
        io = [:]
        rlimits = [:]
        ipc = [:]
    }

    public var isEmpty: Bool {
        self == LimitSet()
    }

    /// The limits of one jail's rules. Each rule is validated (`validateForLinux`). Several
    /// rules on one mechanism leave the lowest amount, as FreeBSD enforces every deny rule
    /// (rctl_get_limit takes the minimum): maxproc and nthr both feed `pids`; a rlimit rule
    /// per jail and one per process both feed the rlimit. Rules for several jails are an error.
    public static func build(_ rules: [Rule]) throws(RctlError) -> LimitSet {
        var limits = LimitSet()
        var jail: String?
        for rule in rules {
            try rule.validateForLinux()
            if let jail, jail != rule.id {
                throw RctlError(
                    .wrongJail,
                    "rules for jails \(quoted(jail)) and \(quoted(rule.id)) cannot make one jail's limits")
            }
            jail = rule.id
            limits.add(rule.resource.mechanism, rule.amount)
        }
        return limits
    }

    private mutating func add(_ mechanism: LinuxMechanism, _ amount: UInt64) {
        switch mechanism {
        case .memory: memory = lower(memory, amount)
        case .swap: swap = lower(swap, amount)
        case .pids: pids = lower(pids, amount)
        case .cpu: cpuPercent = lower(cpuPercent, amount)
        case .io(let limit): io[limit] = lower(io[limit], amount)
        case .rlimit(let limit): rlimits[limit] = lower(rlimits[limit], amount)
        case .devpts: devptsMax = lower(devptsMax, amount)
        case .ipc(let limit): ipc[limit] = lower(ipc[limit], amount)
        // validateForLinux refuses every rule on these.
        case .accounting, .refused: break
        }
    }

    /// The cgroup controllers these limits need; swap is a file of the memory controller.
    public var usesCgroupControllers: Set<Controller> {
        var controllers: Set<Controller> = []
        if memory != nil || swap != nil { controllers.insert(.memory) }
        if pids != nil { controllers.insert(.pids) }
        if cpuPercent != nil { controllers.insert(.cpu) }
        if !io.isEmpty { controllers.insert(.io) }
        return controllers
    }
}

private func lower(_ current: UInt64?, _ amount: UInt64) -> UInt64 {
    min(current ?? amount, amount)
}
