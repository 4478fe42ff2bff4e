import CJail
import Glibc
import JailSys
import SystemPackage

/// jexec(8): runs a command inside a running jail, with the jail's namespaces, cgroup,
/// capability bounds and seccomp filter, as jailed root or a user of the jail.
public struct JailExec {
    public var jail: String
    public var command: [String]
    public var user: String?
    public var hostDatabase = false
    public var clean = false
    public var workdir: String?
    /// jexec -e name=value: set in the command's environment.
    public var extraEnvironment: [String] = []
    let env: Environment
    /// Rebuilds a running jail's spec from the parameters recorded at its creation.
    let specFromParameters: ([String]) throws -> JailSpec

    public init(jail: String, command: [String], environment: Environment,
                specFromParameters: @escaping ([String]) throws -> JailSpec) {
        self.jail = jail
        self.command = command
        self.env = environment
        self.specFromParameters = specFromParameters
    }

    /// Returns the command's wait status.
    public func run() throws(JailError) -> Int32 {
        RunningJail.thawIfStale(jail, registry: env.registry)
        var hold = env.registry.sharedHold()
        func release() {
            if hold >= 0 { _ = close(hold) }
            hold = -1
        }
        defer { release() }
        let target = try RunningJail.open(jail, registry: env.registry)
        let record = target.record
        // The recorded confinement; the parameters are parsed again only when the record
        // predates it or its seccomp program has left the cache.
        let confinement: Confinement
        if let recorded = Confinement(record, environment: env) {
            confinement = recorded
        } else {
            do { confinement = try Confinement(try specFromParameters(record.parameters), environment: env) } catch {
                throw JailError(jail: record.name, "its recorded parameters: \(error)")
            }
        }
        let setup: CommandSetup
        do {
            setup = try CommandSetup(user: user, hostDatabase: hostDatabase, clean: clean,
                                     jailRoot: "/proc/\(record.initPID)/root", workdir: workdir)
        } catch { throw JailError(jail: nil, error.description) }
        // No command: the user's shell from the jail's own passwd, as jexec(8) does.
        var argv = command
        if argv.isEmpty {
            argv = [setup.login?.shell ?? (try? Users.lookup(String(getuid()), jailRoot: "/proc/\(record.initPID)/root"))?.shell ?? "/bin/sh"]
        }
        // Like system(3): the terminal's ^C and ^\ are for the command.
        signal(SIGINT, SIG_IGN)
        signal(SIGQUIT, SIG_IGN)
        defer {
            signal(SIGINT, SIG_DFL)
            signal(SIGQUIT, SIG_DFL)
        }
        let status = try InsideCommand.run(
            record: record, pidfd: target.pidfd.rawValue, confinement: confinement, argv: argv,
            setup: setup, extraEnvironment: extraEnvironment, environment: env, born: release)
        return status ?? (1 << 8)
    }
}

/// A jail that is running now, checked against the kernel rather than trusted from its
/// record: its init is alive, is the process recorded (start time, so a reused pid is
/// never taken for it), and is in the jail's cgroup. Holds a pidfd on the init.
struct RunningJail: ~Copyable {
    let record: JailRecord
    let pidfd: OwnedFD

    static func open(_ key: String, registry: Registry, stopping: Bool = false) throws(JailError) -> RunningJail {
        guard let record = registry.find(key), record.initPID > 0, stopping || !record.beingStopped else {
            throw JailError(jail: nil, "jail \"\(key)\" not found")
        }
        let raw = cj_pidfd_open(record.initPID)
        guard raw >= 0 else { throw JailError(jail: nil, "jail \"\(key)\" not found") }
        let pidfd = OwnedFD(raw)
        // Checked after the pidfd exists: from here the pid cannot be reused under us.
        guard ProcessIdentity.isAlive(record.initPID, start: record.initStart),
              Self.cgroup(of: record.initPID).map({ Self.within(record.cgroup, $0) }) == true
        else {
            throw JailError(jail: nil, "jail \"\(key)\" not found")
        }

        return RunningJail(record: record, pidfd: pidfd)
    }

    /// Thaws a jail an rctl left frozen when it was killed (its freezer is dead), under the
    /// registry lock: a live rctl's freeze is never undone. Call without the lock held.
    static func thawIfStale(_ key: String, registry: Registry) {
        guard let r = registry.find(key), r.freezerPID > 0, !ProcessIdentity.isAlive(r.freezerPID, start: r.freezerStart) else { return }
        _ = try? registry.withLock { () throws(JailError) in
            guard var record = registry.record(r.jid), record.freezerPID > 0,
                  !ProcessIdentity.isAlive(record.freezerPID, start: record.freezerStart) else { return }
            try? CgroupV2.freeze(FilePath(record.cgroup), false)
            record.freezerPID = 0
            record.freezerStart = 0
            try? registry.write(record)
        }
    }

    /// Whether the cgroup `path` (as /proc/PID/cgroup names it) is the jail's cgroup (the
    /// absolute `jailCgroup`) or below it: a booted jail's init (systemd) moves itself into
    /// a cgroup of its own making there.
    static func within(_ jailCgroup: String, _ path: String) -> Bool {
        guard let mount = unifiedMount else { return false }
        // Whole paths: a booted jail may make cgroups named like another jail's.
        let absolute = mount + path
        return absolute == jailCgroup || absolute.hasPrefix(jailCgroup + "/")
    }

    /// Where the cgroup v2 hierarchy is mounted (its root: /proc/PID/cgroup paths start there).
    static let unifiedMount: String? = (try? CgroupHierarchies.discover())?.unified.string

    /// The process's cgroup v2 path ("0::/path" in /proc/pid/cgroup).
    static func cgroup(of pid: Int32) -> String? {
        guard let text = try? readFile(FilePath("/proc/\(pid)/cgroup")) else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix("0::") }.map { String($0.dropFirst(3)) }
    }
}
