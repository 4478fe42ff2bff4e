import Rctl

/// The cgroup files that carry a jail's limits, per controller and cgroup version. Pure:
/// the same call with a limit absent writes the "unlimited" value, so applying a new
/// set after `rctl -r` lifts what was removed. Lifting a limit whose file does not exist
/// (swap accounting off) is not an error.
enum CgroupSettings {
    /// CFS period for pcpu: 100 ms, the kernel's default.
    static let cpuPeriod: UInt64 = 100_000

    /// `devices`: "major:minor" of the block devices I/O limits apply to.
    static func files(_ limits: LimitSet, _ controller: Controller, v1: Bool, devices: [String]) -> [(file: String, value: String)] {
        switch (controller, v1) {
        case (.memory, true):
            // memsw (memory + swap) may never be below limit_in_bytes: lifted first, set last.
            var out: [(String, String)] = [("memory.memsw.limit_in_bytes", "-1")]
            out.append(("memory.limit_in_bytes", limits.memory.map(String.init) ?? "-1"))
            if let swap = limits.swap, let memory = limits.memory {
                out.append(("memory.memsw.limit_in_bytes", String(memory.addingReportingOverflow(swap).overflow ? UInt64(Int64.max) : memory + swap)))
            }
            return out
        case (.memory, false):
            return [("memory.max", limits.memory.map(String.init) ?? "max"),
                    ("memory.swap.max", limits.swap.map(String.init) ?? "max")]
        case (.pids, _):
            // The kernel refuses a number above its pid limit (PID_MAX_LIMIT): that is "max".
            return [("pids.max", limits.pids.flatMap { $0 <= 4_194_304 ? String($0) : nil } ?? "max")]
        case (.cpu, true):
            return [("cpu.cfs_period_us", String(cpuPeriod)),
                    ("cpu.cfs_quota_us", limits.cpuPercent.map { String(quota($0)) } ?? "-1")]
        case (.cpu, false):
            return [("cpu.max", (limits.cpuPercent.map { String(quota($0)) } ?? "max") + " \(cpuPeriod)")]
        case (.io, true):
            // One file per kind; 0 removes a device's limit.
            let files: [(IOLimit, String)] = [(.readBytes, "blkio.throttle.read_bps_device"),
                                              (.writeBytes, "blkio.throttle.write_bps_device"),
                                              (.readOperations, "blkio.throttle.read_iops_device"),
                                              (.writeOperations, "blkio.throttle.write_iops_device")]
            return files.flatMap { kind, file in devices.map { (file, "\($0) \(limits.io[kind] ?? 0)") } }
        case (.io, false):
            let keys: [(IOLimit, String)] = [(.readBytes, "rbps"), (.writeBytes, "wbps"),
                                             (.readOperations, "riops"), (.writeOperations, "wiops")]
            return devices.map { device in
                ("io.max", ([device] + keys.map { "\($1)=\(limits.io[$0].map(String.init) ?? "max")" }).joined(separator: " "))
            }
        }
    }

    /// Microseconds of CPU per period for a share of one CPU in percent (at least the
    /// kernel's minimum of 1 ms).
    static func quota(_ percent: UInt64) -> UInt64 {
        let (q, overflow) = percent.multipliedReportingOverflow(by: cpuPeriod / 100)
        return overflow ? UInt64(Int64.max) : max(q, 1000)
    }

    /// The hierarchy a controller lives in under cgroup v1 ("io" is "blkio" there).
    static func v1Name(_ controller: Controller) -> String {
        controller == .io ? "blkio" : controller.rawValue
    }
}
