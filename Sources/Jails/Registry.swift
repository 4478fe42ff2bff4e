import CJail
import Glibc
import JailSys
import Rctl
import SystemPackage

/// What the host knows about one jail, kept in /run/jail/<jid>. A record is never
/// trusted alone: `isAlive` checks the recorded init against the kernel's view.
public struct JailRecord: Sendable, Equatable {
    public var jid: Int
    public var name: String
    public var path: String
    public var hostname: String
    /// Host pid of the jail's init and its start time (clock ticks since boot, field 22 of
    /// /proc/pid/stat), so that a reused pid is never taken for the jail. 0 while the jail
    /// is being created.
    public var initPID: Int32 = 0
    public var initStart: UInt64 = 0
    /// The command creating the jail, so that a killed creation can be told apart.
    public var creatorPID: Int32 = 0
    public var creatorStart: UInt64 = 0
    /// The jail's cgroup in the v2 hierarchy (absolute path).
    public var cgroup: String
    public var persist: Bool
    /// Being removed by the command recorded here (pid, start time): not to be acted on
    /// by another command while that one lives.
    public var stopping = false
    public var stopperPID: Int32 = 0
    public var stopperStart: UInt64 = 0

    /// Someone is removing it right now.
    var beingStopped: Bool { stopping && ProcessIdentity.isAlive(stopperPID, start: stopperStart) }

    /// Marks it as being removed by this process.
    mutating func claim() {
        stopping = true
        stopperPID = getpid()
        stopperStart = ProcessIdentity.startTime(stopperPID) ?? 0
    }
    /// The parameters as given, `name=value` words (for jls and jail -m later).
    public var parameters: [String] = []
    /// exec.poststop and exec.release, kept for whichever command finds the jail ended
    /// on its own (there is no daemon to run them when its last process exits).
    public var poststop: [String] = []
    public var release: [String] = []
    /// Namespaces, capabilities and seccomp program of its processes (Confinement).
    public var confinement = ""
    /// Its cgroups in v1 hierarchies (limits on hybrid hosts), entered by every jailed
    /// process and removed with the jail.
    public var v1Cgroups: [String] = []
    /// Resource limits of every jailed process (rctl resources Linux has per process).
    public var rlimits: [ResourceLimit] = []
    /// Rules from its rctl parameter: in force while it exists.
    public var parameterRules: [String] = []
    /// Directories (from the jail's root) where `jail mount` attached a host tree.
    public var liveMounts: [String] = []
    /// Addresses it added to host interfaces ("interface address/prefix"), removed with it.
    public var aliases: [String] = []
    /// The command that froze the jail to move its processes (rctl -a), pid and start
    /// time: a freeze whose command died is stale and thawed by whoever notices.
    public var freezerPID: Int32 = 0
    public var freezerStart: UInt64 = 0

    func encoded() -> String {
        var lines = [
            "jid=\(jid)", "name=\(name)", "path=\(path)", "host.hostname=\(hostname)",
            "init=\(initPID) \(initStart)", "creator=\(creatorPID) \(creatorStart)",
            "cgroup=\(cgroup)", "persist=\(persist)", "stopping=\(stopping)",
            "stopper=\(stopperPID) \(stopperStart)", "confinement=\(confinement)",
            "freezer=\(freezerPID) \(freezerStart)",
        ]
        lines += parameters.map { "param=" + $0.replacingNewlines() }
        lines += poststop.map { "poststop=" + $0.replacingNewlines() }
        lines += release.map { "release=" + $0.replacingNewlines() }
        lines += v1Cgroups.map { "v1cgroup=" + $0.replacingNewlines() }
        lines += parameterRules.map { "rctlrule=" + $0.replacingNewlines() }
        lines += liveMounts.map { "livemount=" + $0.replacingNewlines() }
        lines += aliases.map { "alias=" + $0.replacingNewlines() }
        lines += rlimits.map { "rlimit=\($0.resource) \($0.soft) \($0.hard)" }
        return lines.joined(separator: "\n") + "\n"
    }

    static func decode(_ text: String) -> JailRecord? {
        var fields: [String: String] = [:]
        var params: [String] = [], poststop: [String] = [], release: [String] = [], v1: [String] = []
        var rlimits: [ResourceLimit] = [], rules: [String] = [], live: [String] = [], aliases: [String] = []
        // Byte-wise: jls reads a record per jail, and a thousand jails must list in
        // milliseconds.
        for line in text.utf8.split(separator: UInt8(ascii: "\n")) {
            guard let eq = line.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let key = String(decoding: line[..<eq], as: UTF8.self)
            let rawValue = line[line.index(after: eq)...]
            var value = String(decoding: rawValue, as: UTF8.self)
            if rawValue.contains(UInt8(ascii: "\\")) { value = value.restoringNewlines() }
            switch key {
            case "param": params.append(value)
            case "poststop": poststop.append(value)
            case "release": release.append(value)
            case "v1cgroup": v1.append(value)
            case "rctlrule": rules.append(value)
            case "livemount": live.append(value)
            case "alias": aliases.append(value)
            case "rlimit":
                let parts = value.split(separator: " ")
                if parts.count == 3, let r = Int32(parts[0]), let soft = UInt64(parts[1]), let hard = UInt64(parts[2]) {
                    rlimits.append(ResourceLimit(resource: r, soft: soft, hard: hard))
                }
            default: fields[key] = value
            }
        }
        guard let jid = fields["jid"].flatMap({ Int($0) }), let name = fields["name"],
              let cgroup = fields["cgroup"] else { return nil }
        var r = JailRecord(jid: jid, name: name, path: fields["path"] ?? "/",
                           hostname: fields["host.hostname"] ?? "", cgroup: cgroup,
                           persist: fields["persist"] == "true", parameters: params)
        r.stopping = fields["stopping"] == "true"
        r.confinement = fields["confinement"] ?? ""
        r.poststop = poststop
        r.release = release
        r.v1Cgroups = v1
        r.rlimits = rlimits
        r.parameterRules = rules
        r.liveMounts = live
        r.aliases = aliases
        (r.initPID, r.initStart) = pair(fields["init"])
        (r.creatorPID, r.creatorStart) = pair(fields["creator"])
        (r.stopperPID, r.stopperStart) = pair(fields["stopper"])
        (r.freezerPID, r.freezerStart) = pair(fields["freezer"])
        return r
    }

    private static func pair(_ s: String?) -> (Int32, UInt64) {
        let parts = (s ?? "").split(separator: " ")
        guard parts.count == 2, let p = Int32(parts[0]), let t = UInt64(parts[1]) else { return (0, 0) }
        return (p, t)
    }
}

extension String {
    fileprivate func replacingNewlines() -> String {
        var out = ""
        for c in self {
            switch c {
            case "\n": out += "\\n"
            case "\\": out += "\\\\"
            default: out.append(c)
            }
        }
        return out
    }

    fileprivate func restoringNewlines() -> String {
        var out = ""
        var escape = false
        for c in self {
            if escape { out.append(c == "n" ? "\n" : c); escape = false } else if c == "\\" { escape = true } else { out.append(c) }
        }
        return out
    }
}

/// The registry of jails under /run/jail: one file per jail, named by its jid, and an
/// exclusive lock on the directory for every change. Never visible inside a jail.
public struct Registry: Sendable {
    public let directory: FilePath

    public init(directory: FilePath = "/run/jail") { self.directory = directory }

    /// Holds the registry lock until closed.
    public struct Lock: ~Copyable {
        let fd: OwnedFD
        public consuming func unlock() { fd.close() }
    }

    public func lock() throws(SystemError) -> Lock {
        let r = unsafe directory.withPlatformString { unsafe mkdir($0, 0o700) }
        if r < 0 && Glibc.errno != EEXIST {
            throw SystemError("mkdir", Errno(rawValue: Glibc.errno), path: directory)
        }
        let fd = try OwnedFD.open(directory, O_RDONLY | O_DIRECTORY)
        _ = try syscall("flock", path: directory) { cj_flock(fd.rawValue, LOCK_EX) }
        return Lock(fd: fd)
    }

    /// A shared hold on the registry (a descriptor to close; -1 when there is none): jexec
    /// holds one from reading a jail's record until its command is born, so that rctl,
    /// which changes records under the exclusive lock, never moves a jail's processes
    /// while one is being born with the old limits.
    func sharedHold() -> Int32 {
        guard let fd = try? OwnedFD.open(directory, O_RDONLY | O_DIRECTORY) else { return -1 }
        guard cj_flock(fd.rawValue, LOCK_SH) == 0 else { return -1 }
        return fd.release()
    }

    /// Runs `body` with the registry locked.
    public func withLock<R, E: Error>(_ body: () throws(E) -> R) throws(JailError) -> R {
        let held: Lock
        do { held = try lock() } catch { throw JailError(jail: nil, error.description) }
        let result: Result<R, JailError>
        do { result = .success(try body()) } catch let e as JailError { result = .failure(e) } catch {
            result = .failure(JailError(jail: nil, "\(error)"))
        }
        held.unlock()
        return try result.get()
    }

    /// The jails that exist now; jails found to have ended are released on the way.
    public func liveRecords() -> [JailRecord] { JailRemoval.live(self) }

    public func records() -> [JailRecord] {
        guard let dir = unsafe opendir(directory.string) else { return [] }
        defer { unsafe _ = closedir(dir) }
        var out: [JailRecord] = []
        while let entry = unsafe readdir(dir) {
            let name = unsafe withUnsafeBytes(of: entry.pointee.d_name) { raw in
                unsafe raw.bindMemory(to: CChar.self).baseAddress.map { unsafe String(cString: $0) } ?? ""
            }
            guard let jid = Int(name), jid > 0 else { continue }
            if let r = record(jid) { out.append(r) }
        }
        return out.sorted { $0.jid < $1.jid }
    }

    public func record(_ jid: Int) -> JailRecord? {
        guard let text = try? readFile(directory.appending(String(jid))) else { return nil }
        return JailRecord.decode(text)
    }

    /// Finds a jail by jid (all digits) or by name, as jls -j and jexec do.
    public func find(_ key: String) -> JailRecord? {
        if let jid = Int(key), let r = record(jid) { return r }
        // A name leads to its jid through the link "@name" (one readlink, not a scan).
        var buf = [CChar](repeating: 0, count: 32)
        let n = unsafe readlink(directory.appending("@" + key).string, &buf, buf.count - 1)
        guard n > 0, let jid = Int(String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)),
              let r = record(jid), r.name == key else { return nil }
        return r
    }

    /// Written whole to a temporary name and renamed, so a reader never sees half a record.
    public func write(_ record: JailRecord) throws(SystemError) {
        let file = directory.appending(String(record.jid))
        let tmp = directory.appending(".\(record.jid).tmp")
        let fd = try OwnedFD.open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode: 0o600)
        try fd.writeAll(Array(record.encoded().utf8), path: tmp)
        fd.close()
        _ = try syscall("rename", path: file) {
            unsafe tmp.withPlatformString { t in unsafe file.withPlatformString { unsafe rename(t, $0) } }
        }
        if record.name != String(record.jid) {
            let link = directory.appending("@" + record.name)
            _ = unsafe unlink(link.string)
            _ = try syscall("symlink", path: link) { unsafe symlink(String(record.jid), link.string) }
        }
    }

    public func remove(_ record: JailRecord) {
        let link = directory.appending("@" + record.name).string
        var buf = [CChar](repeating: 0, count: 32)
        let n = unsafe readlink(link, &buf, buf.count - 1)
        // Only our own link: another jail may have taken the name since.
        if n > 0, String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) == String(record.jid) {
            _ = unsafe unlink(link)
        }
        _ = unsafe directory.appending(String(record.jid)).withPlatformString { unsafe unlink($0) }
    }

    /// The next jid as FreeBSD gives them out: one more than the last one given, wrapping
    /// at JAIL_MAX, skipping those in use. The last jid is kept in an extended attribute of
    /// the registry directory, so no file outlives the last jail.
    public func allocateJID(requested: Int?, inUse: Set<Int>) throws(SpecError) -> Int {
        if let jid = requested {
            guard jid > 0, jid <= Self.maxJID else { throw SpecError("jid \(jid): out of range (1 to \(Self.maxJID))") }
            guard !inUse.contains(jid) else { throw SpecError("\"\(jid)\" already exists") }
            return jid
        }
        var jid = lastJID()
        for _ in 0..<Self.maxJID {
            jid = jid >= Self.maxJID ? 1 : jid + 1
            if !inUse.contains(jid) {
                setLastJID(jid)
                return jid
            }
        }
        throw SpecError("no free jid")
    }

    /// FreeBSD's JAIL_MAX.
    public static let maxJID = 999_999
    static let lastJIDAttribute = "trusted.jail.lastjid"

    func lastJID() -> Int {
        var buf = [UInt8](repeating: 0, count: 16)
        let n = unsafe buf.withUnsafeMutableBytes { raw in
            unsafe cj_getxattr(directory.string, Self.lastJIDAttribute, raw.baseAddress, raw.count)
        }
        guard n > 0 else { return 0 }
        return Int(String(decoding: buf[0..<n], as: UTF8.self)) ?? 0
    }

    func setLastJID(_ jid: Int) {
        let text = Array(String(jid).utf8)
        _ = unsafe text.withUnsafeBytes { raw in
            unsafe cj_setxattr(directory.string, Self.lastJIDAttribute, raw.baseAddress, raw.count)
        }
    }
}

/// Process identity that survives pid reuse: pid plus start time.
public enum ProcessIdentity {
    /// Field 22 of /proc/<pid>/stat, or nil when the process is gone.
    public static func startTime(_ pid: Int32) -> UInt64? {
        guard pid > 0, let fd = try? OwnedFD.open(FilePath("/proc/\(pid)/stat"), O_RDONLY),
              let bytes = try? fd.readAll(limit: 4096) else { return nil }
        // The command name (field 2) may hold spaces and parentheses: skip to its last ')'.
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        // After it: " S ..." where S is field 3 (state); field 22 is 19 spaces further.
        var field = 2, i = close + 1, value: UInt64 = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: " ") {
                if field == 22 { return value }
                field += 1
            } else if field == 3 {
                // A zombie has ended: it only waits for a parent that may be slow to reap.
                if c == UInt8(ascii: "Z") || c == UInt8(ascii: "X") { return nil }
            } else if field == 22 {
                value = value &* 10 &+ UInt64(c &- UInt8(ascii: "0"))
            }
            i += 1
        }
        return field == 22 ? value : nil
    }

    public static func isAlive(_ pid: Int32, start: UInt64) -> Bool {
        pid > 0 && startTime(pid) == start
    }
}
