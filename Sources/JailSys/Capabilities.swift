/// Linux capabilities (capability.h), by number. Raw numbers stay in JailSys.
public enum Capability: Int, CaseIterable, Sendable {
    case chown = 0, dacOverride, dacReadSearch, fowner, fsetid, kill, setgid, setuid, setpcap,
         linuxImmutable, netBindService, netBroadcast, netAdmin, netRaw, ipcLock, ipcOwner,
         sysModule, sysRawio, sysChroot, sysPtrace, sysPacct, sysAdmin, sysBoot, sysNice,
         sysResource, sysTime, sysTtyConfig, mknod, lease, auditWrite, auditControl, setfcap,
         macOverride, macAdmin, syslog, wakeAlarm, blockSuspend, auditRead, perfmon, bpf,
         checkpointRestore
}

/// A set of capabilities, as the 64-bit mask the kernel uses.
public struct CapabilitySet: Equatable, Sendable {
    public var mask: UInt64

    public init(_ caps: [Capability] = []) {
        mask = caps.reduce(0) { $0 | (1 << UInt64($1.rawValue)) }
    }

    public mutating func insert(_ cap: Capability) { mask |= 1 << UInt64(cap.rawValue) }
    public func contains(_ cap: Capability) -> Bool { mask & (1 << UInt64(cap.rawValue)) != 0 }
}
