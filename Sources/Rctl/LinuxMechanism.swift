/// How Linux enforces a resource for a jail. FreeBSD accounts every resource per jail in one
/// framework (racct); Linux spreads them over cgroups, rlimits, the jail's own devpts and IPC
/// namespace, and some it cannot limit at all.
public enum LinuxMechanism: Sendable, Equatable {
    /// memoryuse: cgroup v2 `memory.max`, v1 `memory.limit_in_bytes`. Linux charges page
    /// cache to the cgroup too, where FreeBSD counts resident pages.
    case memory
    /// swapuse: cgroup v2 `memory.swap.max` (swap alone); v1 has only
    /// `memory.memsw.limit_in_bytes`, memory plus swap, so the v1 value is memory + swap.
    case swap
    /// maxproc and nthr: cgroup v2 `pids.max`, v1 `pids.max` of the pids controller. Linux
    /// counts tasks, that is threads: a maxproc limit also caps threads, and one pids limit
    /// serves both resources.
    case pids
    /// pcpu: cgroup v2 `cpu.max`, v1 `cpu.cfs_quota_us` over `cpu.cfs_period_us`. The amount
    /// is percent of one CPU, so it may exceed 100 on several cores.
    case cpu
    /// readbps, writebps, readiops, writeiops: cgroup v2 `io.max` (`rbps`, `wbps`, `riops`,
    /// `wiops`), v1 `blkio.throttle.*_device`. Both are per block device; FreeBSD's rates are
    /// per jail over all file systems.
    case io(IOLimit)
    /// A per-process rlimit set on every process of the jail: FreeBSD's per-jail totals have
    /// no Linux equivalent, so a rule "per jail" is enforced per process.
    case rlimit(RLimit)
    /// pseudoterminals: the jail's own devpts instance, mount option `max=`.
    case devpts
    /// SysV IPC limits, sysctls of the jail's own IPC namespace.
    case ipc(IPCLimit)
    /// cputime and wallclock: usage is shown (`rctl -u`); FreeBSD only allows log, devctl and
    /// signals on them, which need a watching daemon Linux jails do not have.
    case accounting
    /// A resource Linux cannot limit; `nearest` names the closest resource it can.
    case refused(nearest: String)
}

/// An I/O rate limit, one key of cgroup v2 `io.max`.
public enum IOLimit: Sendable, Hashable, CaseIterable {
    case readBytes, writeBytes, readOperations, writeOperations

    /// The `io.max` key.
    public var ioMaxKey: String {
        switch self {
        case .readBytes: "rbps"
        case .writeBytes: "wbps"
        case .readOperations: "riops"
        case .writeOperations: "wiops"
        }
    }
}

/// A Linux rlimit, with the kernel's `RLIMIT_*` number for prlimit(2).
public enum RLimit: Sendable, Hashable, CaseIterable {
    case data, stack, core, nofile, memlock, addressSpace

    /// `RLIMIT_DATA` 2, `STACK` 3, `CORE` 4, `NOFILE` 7, `MEMLOCK` 8, `AS` 9
    /// (include/uapi/asm-generic/resource.h, the same on every architecture we build for).
    public var resourceNumber: Int32 {
        switch self {
        case .data: 2
        case .stack: 3
        case .core: 4
        case .nofile: 7
        case .memlock: 8
        case .addressSpace: 9
        }
    }

    /// The C name, for messages.
    public var name: String {
        switch self {
        case .data: "RLIMIT_DATA"
        case .stack: "RLIMIT_STACK"
        case .core: "RLIMIT_CORE"
        case .nofile: "RLIMIT_NOFILE"
        case .memlock: "RLIMIT_MEMLOCK"
        case .addressSpace: "RLIMIT_AS"
        }
    }
}

/// A SysV IPC limit, a sysctl of the jail's own IPC namespace (`/proc/sys/kernel/...`
/// written from inside it). Amounts are what the rule says: `sharedMemoryBytes` is in bytes
/// while `kernel.shmall` counts pages, and converting (rounding up to whole pages) is the
/// caller's job, which knows the page size.
public enum IPCLimit: Sendable, Hashable, CaseIterable {
    /// nmsgq: `kernel.msgmni`, the number of message queues.
    case messageQueues
    /// msgqsize: `kernel.msgmnb`, the bytes one queue may hold (FreeBSD: all queues' bytes).
    case messageQueueBytes
    /// nsem: `kernel.sem` field 2, SEMMNS, the semaphores in all sets.
    case semaphores
    /// nsemop: `kernel.sem` field 3, SEMOPM, the operations one semop(2) may carry.
    case semaphoreOperations
    /// nshm: `kernel.shmmni`, the number of shared memory segments.
    case sharedMemorySegments
    /// shmsize: `kernel.shmall`, the shared memory in all segments, in pages (amount in bytes).
    case sharedMemoryBytes

    /// The sysctl's name.
    public var sysctl: String {
        switch self {
        case .messageQueues: "kernel.msgmni"
        case .messageQueueBytes: "kernel.msgmnb"
        case .semaphores, .semaphoreOperations: "kernel.sem"
        case .sharedMemorySegments: "kernel.shmmni"
        case .sharedMemoryBytes: "kernel.shmall"
        }
    }

    /// For `kernel.sem`, which holds four numbers (SEMMSL SEMMNS SEMOPM SEMMNI), the 1-based
    /// field this limit sets; nil for the single-valued sysctls.
    public var sysctlField: Int? {
        switch self {
        case .semaphores: 2
        case .semaphoreOperations: 3
        default: nil
        }
    }
}

extension Resource {
    /// How Linux jails enforce this resource.
    public var mechanism: LinuxMechanism {
        switch self {
        case .cputime, .wallclock: .accounting
        case .datasize: .rlimit(.data)
        case .stacksize: .rlimit(.stack)
        case .coredumpsize: .rlimit(.core)
        case .memoryuse: .memory
        case .memorylocked: .rlimit(.memlock)
        case .maxproc, .nthr: .pids
        case .openfiles: .rlimit(.nofile)
        case .vmemoryuse: .rlimit(.addressSpace)
        case .pseudoterminals: .devpts
        case .swapuse: .swap
        // Linux limits the bytes a queue holds (kernel.msgmnb), never the messages in it.
        case .msgqqueued: .refused(nearest: Resource.msgqsize.rawValue)
        case .msgqsize: .ipc(.messageQueueBytes)
        case .nmsgq: .ipc(.messageQueues)
        case .nsem: .ipc(.semaphores)
        case .nsemop: .ipc(.semaphoreOperations)
        case .nshm: .ipc(.sharedMemorySegments)
        case .shmsize: .ipc(.sharedMemoryBytes)
        case .pcpu: .cpu
        case .readbps: .io(.readBytes)
        case .writebps: .io(.writeBytes)
        case .readiops: .io(.readOperations)
        case .writeiops: .io(.writeOperations)
        }
    }
}
