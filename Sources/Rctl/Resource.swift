/// A resource rctl(8) accounts for, in FreeBSD's order (`RACCT_*` in sys/sys/racct.h, the
/// `resourcenames` table of sys/kern/kern_rctl.c), which is also the order of `rctl -u`.
public enum Resource: String, CaseIterable, Sendable {
    case cputime, datasize, stacksize, coredumpsize, memoryuse, memorylocked, maxproc, openfiles
    case vmemoryuse, pseudoterminals, swapuse, nthr, msgqqueued, msgqsize, nmsgq, nsem, nsemop
    case nshm, shmsize, wallclock, pcpu, readbps, writebps, readiops, writeiops

    /// What an amount of this resource counts.
    public var unit: ResourceUnit {
        switch self {
        case .cputime, .wallclock: .seconds
        case .datasize, .stacksize, .coredumpsize, .memoryuse, .memorylocked, .vmemoryuse, .swapuse,
            .msgqsize, .shmsize:
            .bytes
        case .maxproc, .openfiles, .pseudoterminals, .nthr, .msgqqueued, .nmsgq, .nsem, .nsemop, .nshm:
            .count
        case .pcpu: .percent
        case .readbps, .writebps: .bytesPerSecond
        case .readiops, .writeiops: .operationsPerSecond
        }
    }

    /// rctl(8)'s one-line description (RESOURCES).
    public var summary: String {
        switch self {
        case .cputime: "CPU time, in seconds"
        case .datasize: "data size, in bytes"
        case .stacksize: "stack size, in bytes"
        case .coredumpsize: "core dump size, in bytes"
        case .memoryuse: "resident set size, in bytes"
        case .memorylocked: "locked memory, in bytes"
        case .maxproc: "number of processes"
        case .openfiles: "file descriptor table size"
        case .vmemoryuse: "address space limit, in bytes"
        case .pseudoterminals: "number of PTYs"
        case .swapuse: "swap space that may be reserved or used, in bytes"
        case .nthr: "number of threads"
        case .msgqqueued: "number of queued SysV messages"
        case .msgqsize: "SysV message queue size, in bytes"
        case .nmsgq: "number of SysV message queues"
        case .nsem: "number of SysV semaphores"
        case .nsemop: "number of SysV semaphores modified in a single semop(2) call"
        case .nshm: "number of SysV shared memory segments"
        case .shmsize: "SysV shared memory size, in bytes"
        case .wallclock: "wallclock time, in seconds"
        case .pcpu: "%CPU, in percents of a single CPU core"
        case .readbps: "filesystem reads, in bytes per second"
        case .writebps: "filesystem writes, in bytes per second"
        case .readiops: "filesystem reads, in operations per second"
        case .writeiops: "filesystem writes, in operations per second"
        }
    }

    /// The resource spelled `name`, in any case, as the kernel's `str2value` compares.
    public static func named(_ name: some StringProtocol) -> Resource? {
        Resource(rawValue: name.lowercased())
    }
}

/// What an amount counts. It decides the range an amount may take (see `Amount.parse`).
public enum ResourceUnit: Sendable, Hashable, CaseIterable {
    case bytes, count, seconds, percent, bytesPerSecond, operationsPerSecond

    /// The largest amount FreeBSD's kernel takes: amounts are `int64_t`, and seconds and
    /// percents are kept in millionths (`RACCT_IN_MILLIONS`), so rctl_string_to_rule refuses
    /// those above INT64_MAX / 1000000 with ERANGE.
    public var maximumAmount: UInt64 {
        switch self {
        case .seconds, .percent: UInt64(Int64.max / 1_000_000)
        case .bytes, .count, .bytesPerSecond, .operationsPerSecond: UInt64(Int64.max)
        }
    }
}

// The properties FreeBSD's racct gives each resource (`racct_types` in sys/kern/kern_racct.c),
// as far as rctl_rule_add looks at them.
extension Resource {
    /// `deny` is refused for undeniable resources, except memoryuse and pcpu, which the kernel
    /// enforces another way: that leaves cputime, wallclock and the four I/O rates.
    var freeBSDAllowsDeny: Bool {
        switch self {
        case .cputime, .wallclock, .readbps, .writebps, .readiops, .writeiops: false
        default: true
        }
    }

    /// `throttle` needs a decaying resource other than pcpu: the four I/O rates.
    var freeBSDAllowsThrottle: Bool {
        switch self {
        case .readbps, .writebps, .readiops, .writeiops: true
        default: false
        }
    }

    /// RACCT_SLOPPY: accounted per credential only, so rules per process are refused.
    var isAccountedPerCredentialOnly: Bool {
        switch self {
        case .pseudoterminals, .swapuse, .msgqqueued, .msgqsize, .nmsgq, .nsem, .nshm, .shmsize: true
        default: false
        }
    }

    /// The I/O rates: the only resources FreeBSD throttles and never denies.
    var isIORate: Bool {
        freeBSDAllowsThrottle
    }
}
