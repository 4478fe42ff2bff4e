import CJail
import Glibc
import JailSys
import SystemPackage

/// The host's view of a jail's processes: they are host processes, found through the
/// jail's cgroup (FreeBSD's `ps -J` and `pkill -j`).
public enum JailProcesses {
    public struct Entry: Sendable {
        public var pid: Int32
        public var uid: UInt32
        public var state: String
        public var command: String
    }

    /// Every process of the running jail `key`, its init first.
    public static func list(_ key: String, environment env: Environment) throws(JailError) -> [Entry] {
        let target = try RunningJail.open(key, registry: env.registry)
        var pids = [target.record.initPID]
        pids += members(target.record)
        return pids.compactMap(entry)
    }

    /// Sends `signal` to the given pids of the jail, or to all its processes (the init
    /// only forwards it). A pid that is not the jail's is refused, never signalled.
    public static func kill(_ key: String, signal: Int32, pids: [Int32], environment env: Environment) throws(JailError) -> Int32 {
        let target = try RunningJail.open(key, registry: env.registry)
        let chosen = pids.isEmpty ? members(target.record) : pids
        var status: Int32 = 0
        for pid in chosen {
            // The pidfd pins the process; the cgroup check then cannot be raced by reuse.
            let fd = cj_pidfd_open(pid)
            guard fd >= 0 else {
                printError("jail: kill \(pid): no such process")
                status = 1
                continue
            }
            defer { _ = close(fd) }
            guard isMember(pid, of: target.record) || pid == target.record.initPID else {
                printError("jail: kill \(pid): not a process of jail \"\(key)\"")
                status = 1
                continue
            }
            if cj_pidfd_send_signal(fd, signal) < 0 {
                printError("jail: kill \(pid): \(SystemError.message(Errno(rawValue: Glibc.errno)))")
                status = 1
            }
        }
        return status
    }

    /// Whether `pid` is one of the jail's processes now (in its "<jid>/jail" cgroup, or
    /// below it in a booted jail). Call with a pidfd held, so that the pid cannot be reused.
    static func isMember(_ pid: Int32, of record: JailRecord) -> Bool {
        RunningJail.cgroup(of: pid).map { RunningJail.within(record.cgroup + "/jail", $0) } ?? false
    }

    static func members(_ record: JailRecord) -> [Int32] {
        CgroupFiles.processes(FilePath(record.cgroup).appending("jail"))
    }

    static func entry(_ pid: Int32) -> Entry? {
        guard let status = try? readFile(FilePath("/proc/\(pid)/status")) else { return nil }
        var uid: UInt32 = 0, state = "?"
        for line in status.split(separator: "\n") {
            if line.hasPrefix("Uid:") { uid = UInt32(line.split(separator: "\t").dropFirst().first ?? "") ?? 0 }
            if line.hasPrefix("State:") { state = String(line.split(separator: "\t").dropFirst().first?.prefix(1) ?? "?") }
        }
        let raw = (try? readFile(FilePath("/proc/\(pid)/cmdline"))) ?? ""
        var command = raw.split(separator: "\0").joined(separator: " ")
        if command.isEmpty { command = "[" + ((try? readFile(FilePath("/proc/\(pid)/comm"))) ?? "?").filter { $0 != "\n" } + "]" }
        return Entry(pid: pid, uid: uid, state: state, command: command)
    }
}

/// Another run of this very program (`jail -p` creates jails side by side this way).
public enum SelfCommand {
    public static func spawn(_ arguments: [String]) throws(JailError) -> pid_t {
        let me = readSymbolicLink("/proc/self/exe") ?? "/proc/self/exe"
        do {
            return try HostCommand.spawn([me] + arguments, environment: ProcessEnvironment.current(), newGroup: false)
        } catch { throw JailError(jail: nil, error.description) }
    }
}
