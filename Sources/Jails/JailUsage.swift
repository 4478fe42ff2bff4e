import CJail
import Glibc
import JailSys
import Rctl
import SystemPackage

/// What a running jail uses (rctl -u, jail list), read from the kernel's own counters:
/// its cgroups (CPU time always, from cgroup v2; memory and I/O where a limit placed the
/// jail in that controller) and, for what Linux counts per process, the sum over its
/// processes. Rates (pcpu and the I/O rates) are measured over a short interval.
public struct JailUsage: Sendable {
    public var record: JailRecord
    public var values: [Resource: UInt64] = [:]

    /// The sampling interval for rates: FreeBSD's figures are recent averages too.
    public static let interval: UInt32 = 200_000

    /// Usage of each jail, sampled together over one interval.
    public static func read(_ records: [JailRecord]) -> [JailUsage] {
        let first = records.map(Counters.init)
        var ts = timespec(tv_sec: 0, tv_nsec: Int(interval) * 1000)
        unsafe _ = nanosleep(&ts, nil)
        return zip(records, first).map { record, before in
            let after = Counters(record)
            var u = JailUsage(record: record)
            u.values = after.totals
            let seconds = Double(after.time - before.time) / 1e9
            func rate(_ a: UInt64, _ b: UInt64) -> UInt64 { seconds > 0 ? UInt64(Double(a &- min(a, b)) / seconds) : 0 }
            u.values[.pcpu] = UInt64((Double(after.cpuMicroseconds &- min(after.cpuMicroseconds, before.cpuMicroseconds)) / 1e4 / seconds).rounded())
            u.values[.readbps] = rate(after.io.readBytes, before.io.readBytes)
            u.values[.writebps] = rate(after.io.writeBytes, before.io.writeBytes)
            u.values[.readiops] = rate(after.io.reads, before.io.reads)
            u.values[.writeiops] = rate(after.io.writes, before.io.writes)
            return u
        }
    }

    /// One reading of a jail's counters.
    struct Counters {
        var time: UInt64
        var cpuMicroseconds: UInt64 = 0
        var io = IO()
        var totals: [Resource: UInt64] = [:]

        struct IO { var readBytes: UInt64 = 0, writeBytes: UInt64 = 0, reads: UInt64 = 0, writes: UInt64 = 0 }

        init(_ record: JailRecord) {
            var now = timespec()
            unsafe _ = clock_gettime(CLOCK_MONOTONIC, &now)
            time = UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
            let unified = FilePath(record.cgroup)
            cpuMicroseconds = Self.field(CgroupFiles.read(unified, "cpu.stat"), "usage_usec") ?? 0
            totals[.cputime] = cpuMicroseconds / 1_000_000
            let pids = [record.initPID] + CgroupFiles.processes(unified.appending("jail")).filter { $0 != record.initPID }
            totals[.maxproc] = UInt64(pids.count)
            totals[.nthr] = UInt64(Self.lines(CgroupFiles.read(unified, "cgroup.threads"))
                                   + Self.lines(CgroupFiles.read(unified.appending("jail"), "cgroup.threads")))
            var status: [String: UInt64] = [:]
            var files: UInt64 = 0
            var perProcessIO = IO()
            for pid in pids {
                for (k, v) in Self.status(pid) { status[k, default: 0] += v }
                files += Self.count("/proc/\(pid)/fd")
                let text = try? readFile(FilePath("/proc/\(pid)/io"))
                perProcessIO.readBytes += Self.field(text, "read_bytes:") ?? 0
                perProcessIO.writeBytes += Self.field(text, "write_bytes:") ?? 0
            }
            totals[.openfiles] = files
            totals[.vmemoryuse] = status["VmSize:"]
            totals[.datasize] = status["VmData:"]
            totals[.stacksize] = status["VmStk:"]
            totals[.memorylocked] = status["VmLck:"]
            totals[.swapuse] = status["VmSwap:"]
            totals[.coredumpsize] = 0
            // Memory: the cgroup's count when the jail has a memory cgroup (it includes the
            // page cache the jail caused, as a limit does), else resident memory.
            let memory = record.v1Cgroups.lazy.compactMap { Self.field(CgroupFiles.read(FilePath($0), "memory.usage_in_bytes"), "") }.first
                ?? Self.field(CgroupFiles.read(unified, "memory.current"), "")
            totals[.memoryuse] = memory ?? status["VmRSS:"] ?? 0
            io = record.v1Cgroups.lazy.compactMap(Self.blkio).first ?? Self.ioStat(unified) ?? perProcessIO
            totals[.pseudoterminals] = Self.ptys(record.initPID)
            totals[.wallclock] = Self.age(record.initPID)
            for (k, v) in Self.sysv(record) { totals[k] = v }
        }

        /// SysV IPC objects of the jail's own IPC namespace: /proc/sysvipc lists those of
        /// the reader's, so this thread visits the jail's while it opens them. A jail
        /// sharing the host's (sysv*=inherit) has nothing of its own to count.
        static func sysv(_ record: JailRecord) -> [Resource: UInt64] {
            let newIPC: Int32 = 0x0800_0000
            guard let flags = UInt64(record.confinement.split(separator: " ").first ?? ""), flags & UInt64(newIPC) != 0,
                  let ours = try? OwnedFD.open("/proc/self/ns/ipc", O_RDONLY) else { return [:] }
            // Through a pidfd checked to be the recorded init: never a reused pid's.
            let pidfd = cj_pidfd_open(record.initPID)
            guard pidfd >= 0 else { return [:] }
            defer { _ = close(pidfd) }
            guard ProcessIdentity.isAlive(record.initPID, start: record.initStart), cj_setns(pidfd, newIPC) == 0 else { return [:] }
            let texts = ["msg", "sem", "shm"].map { (try? readFile(FilePath("/proc/sysvipc/\($0)"))) ?? "" }
            _ = cj_setns(ours.rawValue, newIPC)
            func rows(_ i: Int) -> [[Substring]] {
                texts[i].split(separator: "\n").dropFirst().map { $0.split(whereSeparator: \.isWhitespace) }
            }
            func sum(_ table: [[Substring]], _ column: Int) -> UInt64 {
                table.reduce(0) { $0 + (column < $1.count ? UInt64($1[column]) ?? 0 : 0) }
            }
            // Columns: msg "key msqid perms cbytes qnum", sem "key semid perms nsems",
            // shm "key shmid perms size".
            let msg = rows(0), sem = rows(1), shm = rows(2)
            return [.nmsgq: UInt64(msg.count), .msgqsize: sum(msg, 3), .msgqqueued: sum(msg, 4),
                    .nsem: sum(sem, 3), .nsemop: 0, .nshm: UInt64(shm.count), .shmsize: sum(shm, 3)]
        }

        /// "key value" (or a bare number with key "") from a cgroup or proc file.
        static func field(_ text: String?, _ key: String) -> UInt64? {
            guard let text else { return nil }
            if key.isEmpty { return UInt64(text.filter { !$0.isWhitespace }) }
            for line in text.split(separator: "\n") {
                let parts = line.split(whereSeparator: \.isWhitespace)
                if parts.count >= 2, parts[0] == key { return UInt64(parts[1]) }
            }
            return nil
        }

        static func lines(_ text: String?) -> Int { text?.split(separator: "\n").count ?? 0 }

        /// /proc/pid/status sizes, in bytes.
        static func status(_ pid: Int32) -> [String: UInt64] {
            guard let text = try? readFile(FilePath("/proc/\(pid)/status")) else { return [:] }
            var out: [String: UInt64] = [:]
            for line in text.split(separator: "\n") where line.hasPrefix("Vm") {
                let parts = line.split(whereSeparator: \.isWhitespace)
                if parts.count == 3, let kb = UInt64(parts[1]) { out[String(parts[0])] = kb * 1024 }
            }
            return out
        }

        static func count(_ dir: String, _ keep: (String) -> Bool = { _ in true }) -> UInt64 {
            var n: UInt64 = 0
            for name in (try? directoryEntries(dir)) ?? [] {
                if !name.hasPrefix(".") && keep(name) { n += 1 }
            }
            return n
        }

        /// The jail's ptys: entries of its devpts, reached from its root without a symlink
        /// and checked to be a devpts (the jail owns its tree and could point us anywhere).
        static func ptys(_ initPID: Int32) -> UInt64 {
            guard let root = try? OwnedFD.open(FilePath("/proc/\(initPID)/root"), Int32(CJ_O_PATH) | O_DIRECTORY) else { return 0 }
            let fd = unsafe cj_openat2_in_root(root.rawValue, "dev/pts", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK,
                                                Int32(CJ_RESOLVE_IN_ROOT) | Int32(CJ_RESOLVE_NO_SYMLINKS))
            guard fd >= 0 else { return 0 }
            guard cj_fd_fs_magic(fd) == 0x1cd1, let dir = unsafe fdopendir(fd) else {
                _ = close(fd)
                return 0
            }
            defer { unsafe _ = closedir(dir) }
            var n: UInt64 = 0
            while let entry = unsafe readdir(dir) {
                let name = unsafe withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    unsafe raw.bindMemory(to: CChar.self).baseAddress.map { unsafe String(cString: $0) } ?? ""
                }
                if !name.isEmpty && name.allSatisfy(\.isNumber) { n += 1 }
            }
            return n
        }

        /// v1 blkio totals ("MAJ:MIN Read N" lines; "Total" lines skipped).
        static func blkio(_ dir: String) -> IO? {
            let d = FilePath(dir)
            guard let bytes = CgroupFiles.read(d, "blkio.throttle.io_service_bytes_recursive") else { return nil }
            let ops = CgroupFiles.read(d, "blkio.throttle.io_serviced_recursive") ?? ""
            func sum(_ text: String, _ kind: String) -> UInt64 {
                text.split(separator: "\n").reduce(0) { acc, line in
                    let p = line.split(separator: " ")
                    return p.count == 3 && p[1] == kind ? acc + (UInt64(p[2]) ?? 0) : acc
                }
            }
            return IO(readBytes: sum(bytes, "Read"), writeBytes: sum(bytes, "Write"), reads: sum(ops, "Read"), writes: sum(ops, "Write"))
        }

        /// v2 io.stat ("MAJ:MIN rbytes=N wbytes=N rios=N wios=N ...").
        static func ioStat(_ dir: FilePath) -> IO? {
            guard let text = CgroupFiles.read(dir, "io.stat") else { return nil }
            var io = IO()
            for line in text.split(separator: "\n") {
                for kv in line.split(separator: " ") {
                    let p = kv.split(separator: "=")
                    guard p.count == 2, let v = UInt64(p[1]) else { continue }
                    switch p[0] {
                    case "rbytes": io.readBytes += v
                    case "wbytes": io.writeBytes += v
                    case "rios": io.reads += v
                    case "wios": io.writes += v
                    default: break
                    }
                }
            }
            return io
        }

        /// Seconds since the process started (field 22 of /proc/pid/stat, in clock ticks).
        static func age(_ pid: Int32) -> UInt64 {
            guard let start = ProcessIdentity.startTime(pid),
                  let uptime = try? readFile("/proc/uptime"), let up = Double(uptime.split(separator: " ").first ?? "") else { return 0 }
            let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
            return UInt64(max(0, up - Double(start) / hz))
        }
    }
}
