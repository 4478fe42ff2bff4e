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
        let target = try RunningJail.open(jail, registry: env.registry)
        let record = target.record
        let spec: JailSpec
        do { spec = try specFromParameters(record.parameters) } catch {
            throw JailError(jail: record.name, "its recorded parameters: \(error)")
        }
        func sys<T: ~Copyable>(_ body: () throws(SystemError) -> T) throws(JailError) -> T {
            do { return try body() } catch { throw JailError(jail: record.name, error.description) }
        }
        let restrictions = Restrictions(spec)
        let program = try sys { () throws(SystemError) in
            try Seccomp.program(for: restrictions.seccomp, cacheDirectory: env.seccompCache)
        }
        let setup: CommandSetup
        do {
            setup = try CommandSetup(user: user, hostDatabase: hostDatabase, clean: clean,
                                     jailRoot: record.path, workdir: workdir)
        } catch { throw JailError(jail: nil, error.description) }
        // No command: the user's shell from the jail's own passwd, as jexec(8) does.
        let shell = setup.login?.shell
            ?? (try? Users.lookup(String(getuid()), jailRoot: record.path))?.shell ?? "/bin/sh"
        let argv = command.isEmpty ? [shell] : command

        let members = try sys { () throws(SystemError) in
            try OwnedFD.open(FilePath(record.cgroup).appending("jail"), O_RDONLY | O_DIRECTORY)
        }
        let errorPipe = try sys { () throws(SystemError) in try makePipe() }
        let errorRead = OwnedFD(errorPipe.read), errorWrite = OwnedFD(errorPipe.write)

        var plan = ChildPlan()
        plan.joinPIDFD = target.pidfd.rawValue
        plan.joinFlags = spec.namespaceFlags
        plan.jailCgroupFD = members.rawValue
        plan.errorFD = errorWrite.rawValue
        plan.keepCapabilities = restrictions.capabilities
        plan.filter = program
        setup.apply(to: &plan, argv: argv)
        for entry in extraEnvironment {
            let key = entry.prefix { $0 != "=" }
            plan.environment.removeAll { $0.prefix { $0 != "=" } == key }
            plan.environment.append(entry)
        }

        let helper = try sys { () throws(SystemError) in try Spawner.spawn(plan) }
        errorWrite.close()
        members.close()
        // Like system(3): the terminal's ^C and ^\ are for the command.
        signal(SIGINT, SIG_IGN)
        signal(SIGQUIT, SIG_IGN)
        let failure = ChildReport.readFailure(errorRead)
        errorRead.close()
        // Our children: the helper that joined the jail, and the command it started for us.
        var status: Int32 = 0
        var commandStatus: Int32? = nil
        while true {
            var st: Int32 = 0
            let pid = unsafe waitpid(-1, &st, 0)
            if pid < 0 {
                if Glibc.errno == EINTR { continue }
                break
            }
            if pid != helper { commandStatus = st }
        }
        signal(SIGINT, SIG_DFL)
        signal(SIGQUIT, SIG_DFL)
        if let failure {
            throw JailError(jail: nil, ChildReport.describe(failure, plan: plan, user: user))
        }
        status = commandStatus ?? (1 << 8)
        return status
    }
}

/// A jail that is running now, checked against the kernel rather than trusted from its
/// record: its init is alive, is the process recorded (start time, so a reused pid is
/// never taken for it), and is in the jail's cgroup. Holds a pidfd on the init.
struct RunningJail: ~Copyable {
    let record: JailRecord
    let pidfd: OwnedFD

    static func open(_ key: String, registry: Registry) throws(JailError) -> RunningJail {
        guard let record = registry.find(key), record.initPID > 0 else {
            throw JailError(jail: nil, "jail \"\(key)\" not found")
        }
        let raw = cj_pidfd_open(record.initPID)
        guard raw >= 0 else { throw JailError(jail: nil, "jail \"\(key)\" not found") }
        let pidfd = OwnedFD(raw)
        // Checked after the pidfd exists: from here the pid cannot be reused under us.
        guard ProcessIdentity.isAlive(record.initPID, start: record.initStart),
              Self.cgroup(of: record.initPID).map({ record.cgroup.hasSuffix($0) }) == true
        else {
            throw JailError(jail: nil, "jail \"\(key)\" not found")
        }
        return RunningJail(record: record, pidfd: pidfd)
    }

    /// The process's cgroup v2 path ("0::/path" in /proc/pid/cgroup).
    static func cgroup(of pid: Int32) -> String? {
        guard let text = try? readFile(FilePath("/proc/\(pid)/cgroup")) else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix("0::") }.map { String($0.dropFirst(3)) }
    }
}
