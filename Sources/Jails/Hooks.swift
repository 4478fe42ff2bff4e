import CJail
import Glibc
import JailSys
import SystemPackage

/// Runs a jail's exec.* commands as jail(8) does: each list in order, each command through
/// /bin/sh -c, every one required to exit 0; host-side ones with JID, JNAME and JPATH in
/// their environment (not with exec.clean), inside ones as the jail's own processes.
struct HookRunner {
    let jid: Int
    let name: String
    let path: String
    let hooks: JailSpec.Hooks
    let clean: Bool
    let verbose: Bool

    /// Host-side: exec.prepare, exec.prestart, exec.created, exec.poststart, exec.prestop,
    /// exec.poststop, exec.release.
    func host(_ commands: [String], _ parameter: String) throws(JailError) {
        for command in commands {
            if verbose { printLine("\(name): run command: \(command)") }
            var environment = clean
                ? ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
                : ProcessEnvironment.current().filter { !$0.hasPrefix("JID=") && !$0.hasPrefix("JNAME=") && !$0.hasPrefix("JPATH=") }
            if !clean { environment += ["JID=\(jid)", "JNAME=\(name)", "JPATH=\(path)"] }
            var credentials: (uid: UInt32, gid: UInt32, groups: [UInt32])?
            if let user = hooks.systemUser {
                do {
                    let login = try Users.lookup(user, jailRoot: nil)
                    credentials = (login.uid, login.gid, login.groups)
                } catch { throw JailError(jail: name, "exec.system_user: \(error)") }
            }
            let log = try consoleLog()
            defer { if log >= 0 { _ = close(log) } }
            let status: Int32?
            do {
                let pid = try HostCommand.spawn(["/bin/sh", "-c", command], environment: environment,
                                                logFD: log, newGroup: hooks.timeout != nil,
                                                credentials: credentials)
                status = HostCommand.wait(pid, timeout: hooks.timeout)
            } catch {
                throw JailError(jail: name, "\(parameter): \(error)")
            }
            try check(status, command)
        }
    }

    /// Inside: exec.start, exec.stop, command. `run` starts one command in the jail and
    /// returns its wait status (nil: timed out).
    func inside(_ commands: [[String]], _ run: ([String]) throws(JailError) -> Int32?) throws(JailError) {
        for argv in commands {
            if verbose { printLine("\(name): run command in jail: \(argv.joined(separator: " "))") }
            try check(try run(argv), argv.count == 3 && argv[0] == "/bin/sh" ? argv[2] : argv.joined(separator: " "))
        }
    }

    /// The output file of exec.consolelog, opened for appending; -1 without one. The
    /// caller closes it.
    func consoleLog() throws(JailError) -> Int32 {
        guard let file = hooks.consoleLog else { return -1 }
        do { return try OwnedFD.open(FilePath(file), O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY, mode: 0o644).release() } catch {
            throw JailError(jail: name, "exec.consolelog: \(error)")
        }
    }

    /// jail(8)'s words for a command that did not succeed.
    func check(_ status: Int32?, _ command: String) throws(JailError) {
        guard let status else { throw JailError(jail: name, "\(command): timed out") }
        if status == 0 { return }
        let sig = status & 0x7f
        throw JailError(jail: name, sig != 0 ? "\(command): terminated by signal \(sig)" : "\(command): failed")
    }
}

/// Runs a command inside a running jail: its namespaces, its cgroup, its restrictions.
/// Used by jexec and by the inside hooks (exec.start, exec.stop).
enum InsideCommand {
    static func run(
        record: JailRecord, pidfd: Int32, confinement: Confinement, argv: [String], setup: CommandSetup,
        extraEnvironment: [String] = [], environment env: Environment, timeout: Int? = nil,
        logFD: Int32 = -1, born: () -> Void = {}
    ) throws(JailError) -> Int32? {
        var plan = ChildPlan()
        plan.joinFlags = confinement.namespaceFlags
        plan.keepCapabilities = confinement.capabilities
        plan.filter = confinement.program
        plan.landlockScopes = confinement.landlockScopes
        setup.apply(to: &plan, argv: argv)
        for entry in extraEnvironment {
            let key = entry.prefix { $0 != "=" }
            plan.environment.removeAll { $0.prefix { $0 != "=" } == key }
            plan.environment.append(entry)
        }
        // On the caller's terminal, the command gets a pty of the jail's own devpts and a
        // session of its own; we relay. The jail never holds the caller's terminal.
        var master: Int32 = -1, slave: Int32 = -1
        if logFD < 0 && Terminal.isInteractive {
            if let root = try? OwnedFD.open(FilePath("/proc/\(record.initPID)/root"), Int32(CJ_O_PATH) | O_DIRECTORY) {
                master = unsafe cj_pty_open(root.rawValue, &slave)
            }
            // No usable ptmx in the jail (no devfs, or one its root replaced): a pty of the
            // host's. Either way the command never gets our terminal.
            if master < 0 { master = unsafe cj_pty_open(-1, &slave) }
            guard master >= 0 else {
                throw JailError(jail: record.name, "no pty for the command: \(SystemError.message(Errno(rawValue: Glibc.errno)))")
            }
            if master >= 0 { plan.terminalFD = slave }
        }
        defer {
            if master >= 0 { _ = close(master) }
        }
        // exec.consolelog: the command's output goes to the log. Its descriptors are copied
        // from ours when it is cloned, so ours point there for that moment only.
        let result = Result { () throws(JailError) in
            try withStandardStreams([1: logFD, 2: logFD]) { () throws(JailError) in
                try joined(record: record, pidfd: pidfd, plan: &plan, born: { _ in born() })
            }
        }
        if slave >= 0 { _ = close(slave) }
        let (commandPID, failure) = try result.get()
        guard let commandPID else {
            let why = failure.map { ChildReport.describe($0, plan: plan, user: setup.login?.name) }
            throw JailError(jail: nil, why ?? "enter the jail: the helper died")
        }
        if master >= 0 {
            let pidfd = cj_pidfd_open(commandPID)
            if pidfd >= 0 {
                cj_pty_relay(master, pidfd)
                _ = close(pidfd)
            }
        }
        let status = HostCommand.wait(commandPID, timeout: timeout)
        if plan.takeTerminal { Terminal.reclaim() }
        if let failure {
            throw JailError(jail: nil, ChildReport.describe(failure, plan: plan, user: setup.login?.name))
        }
        return status
    }

    /// Executes `steps` in the running jail's namespaces `flags` (CLONE_NEW* bits) through
    /// jexec's helper, with no command (jail -m, rctl, jail mount).
    static func setUp(_ record: JailRecord, pidfd: Int32, flags: UInt64, _ steps: [SetupStep]) throws(JailError) {
        var plan = ChildPlan()
        plan.joinFlags = flags
        plan.steps = steps
        let (_, failure) = try joined(record: record, pidfd: pidfd, plan: &plan)
        if let failure { throw JailError(jail: nil, ChildReport.describe(failure, plan: plan, user: nil)) }
    }

    /// Runs `plan` in the running jail through jexec's helper (which joins the jail's
    /// namespaces from its cgroup and forks the command, if any, as our child). Returns
    /// the command's host pid and the failure the child path reported, if any.
    static func joined(record: JailRecord, pidfd: Int32, plan: inout ChildPlan,
                       born: (Int32) -> Void = { _ in }) throws(JailError) -> (Int32?, ChildFailure?) {
        func sys<T: ~Copyable>(_ body: () throws(SystemError) -> T) throws(JailError) -> T {
            do { return try body() } catch { throw JailError(jail: record.name, error.description) }
        }
        let members = try sys { () throws(SystemError) in
            try OwnedFD.open(FilePath(record.cgroup).appending("jail"), O_RDONLY | O_DIRECTORY)
        }
        let errorPipe = try sys { () throws(SystemError) in try makePipe() }
        let errorRead = OwnedFD(errorPipe.read), errorWrite = OwnedFD(errorPipe.write)
        plan.joinPIDFD = pidfd
        plan.jailCgroupFD = members.rawValue
        plan.errorFD = errorWrite.rawValue
        // Limits: the jail's v1 cgroups (on hybrid hosts) and per-process limits.
        let v1Procs = try sys { () throws(SystemError) in try CgroupEntries(plan.argv == nil ? [] : record.v1Cgroups) }
        if plan.argv != nil {
            plan.v1ProcsFDs = v1Procs.descriptors
            plan.rlimits = record.rlimits
        }
        let helper = try sys { () throws(SystemError) in try Spawner.spawn(plan) }
        // The helper is gone at once (CLONE_VFORK); reaped now, before the command runs:
        // until then it counts among the jail's processes (maxproc). The command, if any,
        // is our child.
        var st: Int32 = 0
        _ = unsafe waitpid(helper, &st, 0)
        errorWrite.close()
        members.close()
        _ = consume v1Procs
        let report = ChildReport.read(errorRead, born: born)
        errorRead.close()
        return report
    }
}
