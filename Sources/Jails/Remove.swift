import CJail
import Glibc
import JailSys
import Rctl
import SystemPackage

extension JailRemoval {
    /// `jail -C [jail ...]`: finishes jails that ended without their host-side clean-up.
    public static func cleanUp(_ keys: [String], environment: Environment, verbose: Bool) -> Int32 {
        let done = finishEnded(environment.registry, only: keys.isEmpty || keys == ["*"] ? nil : keys)
        if verbose { for r in done { printLine("\(r.name): cleaned up") } }
        return 0
    }
}

/// `jail -r`: jail(8)'s stop table — exec.prestop, exec.stop inside, SIGTERM to every
/// jailed process, `stop.timeout` seconds, then every process killed at once,
/// exec.poststop, exec.release — and the host's share released (cgroup, record). Also
/// finishes a jail whose creating command was killed. The registry lock is held only to
/// read and to change records, never while a command runs: hooks call jls and jexec.
public struct JailRemoval {
    let env: Environment
    let quiet: Bool
    let verbose: Bool

    public init(environment: Environment, quiet: Bool, verbose: Bool = false) {
        self.env = environment
        self.quiet = quiet
        self.verbose = verbose
    }

    /// Removes the jails named (jid or name; "*" for all). `specFor` gives a jail's
    /// commands (from jail.conf) or nil for none (jail -R, or a jail the file does not
    /// define). Returns 0, or 1 when one was not found or a step failed.
    public func run(_ keys: [String], specFor: (JailRecord) -> JailSpec? = { _ in nil }) throws(JailError) -> Int32 {
        let registry = env.registry
        var status: Int32 = 0
        // jail(8) names a jail in its messages as it was named on the command line.
        var chosen: [(record: JailRecord, label: String)] = []
        Self.finishEnded(registry)
        try registry.withLock { () throws(JailError) in
            let records = registry.records().filter { !$0.beingStopped && Liveness.isInUse($0) }
            for key in keys {
                let matches = key == "*" ? records : records.filter { String($0.jid) == key || $0.name == key }
                if matches.isEmpty && key != "*" {
                    printError("jail: \"\(key)\" not found")
                    status = 1
                }
                for var record in matches where !chosen.contains(where: { $0.record.jid == record.jid }) {
                    record.claim()
                    try? registry.write(record)
                    chosen.append((record, key == "*" ? record.name : key))
                }
            }
        }
        TestPoint.claimed.reached()
        for (record, label) in chosen {
            if !stop(record, label: label, spec: specFor(record)) { status = 1 }
        }
        return status
    }

    private func stop(_ record: JailRecord, label: String, spec: JailSpec?) -> Bool {
        var ok = true
        func attempt(_ body: () throws(JailError) -> Void) {
            do { try body() } catch {
                printError("jail: \(error)")
                ok = false
            }
        }
        let hooks = spec?.hooks ?? JailSpec.Hooks()
        let runner = HookRunner(jid: record.jid, name: record.name, path: record.path, hooks: hooks,
                                clean: spec?.execClean ?? false, verbose: verbose)
        attempt { () throws(JailError) in try runner.host(hooks.prestop, "exec.prestop") }
        // Its interfaces come back before its processes go (the namespace may go with them).
        JailNetwork.returnInterfaces(record)
        TestPoint.prestopped.reached()
        if let spec, !hooks.stop.isEmpty {
            attempt { () throws(JailError) in
                let target = try RunningJail.open(String(record.jid), registry: env.registry, stopping: true)
                let setup: CommandSetup
                do {
                    setup = try CommandSetup(user: spec.jailUser, hostDatabase: spec.systemJailUser,
                                             clean: spec.execClean, jailRoot: "/proc/\(record.initPID)/root", workdir: nil)
                } catch { throw JailError(jail: record.name, "\(error)") }
                let confinement: Confinement
                if let recorded = Confinement(record, environment: env) { confinement = recorded } else {
                    confinement = try Confinement(spec, environment: env)
                }
                let log = try runner.consoleLog()
                defer { if log >= 0 { _ = close(log) } }
                try runner.inside(hooks.stop.map { ["/bin/sh", "-c", $0] }) { (argv) throws(JailError) -> Int32? in
                    try InsideCommand.run(record: record, pidfd: target.pidfd.rawValue, confinement: confinement, argv: argv,
                                          setup: setup, environment: env, timeout: hooks.timeout, logFD: log)
                }
            }
        }
        Self.terminate(record, timeout: hooks.stopTimeout)
        TestPoint.terminated.reached()
        attempt { () throws(JailError) in try runner.host(hooks.poststop, "exec.poststop") }
        TestPoint.poststopped.reached()
        attempt { () throws(JailError) in try runner.host(hooks.release, "exec.release") }
        do {
            try env.registry.withLock { () throws(JailError) in
                do { try Self.release(record, registry: env.registry) } catch {
                    throw JailError(jail: record.name, "\(error)")
                }
            }
        } catch {
            printError("jail: \(error)")
            return false
        }
        if !quiet { printLine("\(label): removed") }
        return ok
    }

    /// SIGTERM to every jailed process and up to `timeout` seconds for them to go (0: none).
    /// A booted system is asked to halt by its own init instead, which stops its services
    /// in order and then exits, ending the jail.
    static func terminate(_ record: JailRecord, timeout: Int) {
        let members = FilePath(record.cgroup).appending("jail")
        if let signal = haltSignal(record) {
            guard timeout > 0, let target = try? OwnedFD(syscall("pidfd_open") { cj_pidfd_open(record.initPID) }) else { return }
            guard ProcessIdentity.isAlive(record.initPID, start: record.initStart) else { return }
            _ = cj_pidfd_send_signal(target.rawValue, signal)
            _ = CgroupV2.waitEmpty(members, timeoutMilliseconds: Int32(min(timeout, 3600) * 1000))
            return
        }
        guard timeout > 0, let procs = try? readFile(members.appending("cgroup.procs")) else { return }
        for line in procs.split(separator: "\n") {
            // Through a pidfd, checked against the cgroup once it is pinned: a jail that
            // cycles pids cannot have a host process's pid signalled in its place.
            guard let pid = Int32(line) else { continue }
            let fd = cj_pidfd_open(pid)
            guard fd >= 0 else { continue }
            if JailProcesses.isMember(pid, of: record) {
                _ = cj_pidfd_send_signal(fd, SIGTERM)
            }
            _ = close(fd)
        }
        _ = CgroupV2.waitEmpty(members, timeoutMilliseconds: Int32(min(timeout, 3600) * 1000))
    }

    /// For a jail booted with `init`: stop.signal, else what its init takes as "halt":
    /// SIGRTMIN+3 for systemd, SIGPWR for the others (sysvinit's powerfail, LXC's default).
    static func haltSignal(_ record: JailRecord) -> Int32? {
        guard record.parameters.contains(where: { $0.hasPrefix("init=") && $0.count > 5 }) else { return nil }
        if let word = record.parameters.last(where: { $0.hasPrefix("stop.signal=") }),
           let number = JailSpec.signalNumber(String(word.dropFirst(12))) { return number }
        let exe = readSymbolicLink("/proc/\(record.initPID)/exe") ?? ""
        return JailSpec.signalNumber(exe.contains("systemd") ? "SIGRTMIN+3" : "SIGPWR")
    }

    /// Kills what is left in the jail's cgroup (cgroup.kill: no process can fork away while
    /// the others die), removes the cgroup and the record. The cgroup path comes from our
    /// own record, so nothing outside the jails' cgroup root is touched.
    static func release(_ record: JailRecord, registry: Registry) throws(SystemError) {
        let cgroup = FilePath(record.cgroup)
        let members = cgroup.appending("jail")
        JailNetwork.returnInterfaces(record)
        if unsafe access(record.cgroup, F_OK) == 0 {
            if CgroupV2.isPopulated(cgroup) { try CgroupV2.kill(cgroup) }
            _ = CgroupV2.waitEmpty(cgroup, timeoutMilliseconds: 10_000)
            try CgroupV2.remove(members)
            try CgroupV2.remove(cgroup)
        }
        LimitCgroups.remove(record.v1Cgroups)
        JailNetwork.release(record)
        // Its rctl parameter's rules end with it; those added by rctl -a stay, as on FreeBSD.
        let own = record.parameterRules.compactMap { try? Rule.parse($0) }
        if !own.isEmpty { try? RuleStore(registry: registry).remove(own) }
        registry.remove(record)
    }

    /// Records of jails that exist now, after finishing those that ended.
    static func live(_ registry: Registry) -> [JailRecord] {
        var live: [JailRecord] = [], ended = false
        for r in registry.records() {
            if Liveness.isInUse(r) {
                if r.initPID > 0 && !r.beingStopped { live.append(r) }
            } else if !r.beingStopped {
                ended = true
            }
        }
        if ended { finishEnded(registry) }
        return live
    }

    /// Finishes jails that ended on their own (no persist, last process gone) or whose
    /// creation was killed: their exec.poststop and exec.release run, then the host's share
    /// is released. With no daemon, the next command that notices does it; `jail -C`
    /// does it on demand. The lock is held to claim records and to release them, not while
    /// their commands run.
    @discardableResult
    static func finishEnded(_ registry: Registry, only keys: [String]? = nil) -> [JailRecord] {
        let all = registry.records()
        guard all.contains(where: { !Liveness.isInUse($0) && !$0.beingStopped }) else { return [] }
        var claimed: [JailRecord] = []
        _ = try? registry.withLock { () throws(JailError) in
            for var record in registry.records() where !Liveness.isInUse(record) && !record.beingStopped {
                if let keys, !keys.contains(record.name) && !keys.contains(String(record.jid)) { continue }
                record.claim()
                try? registry.write(record)
                claimed.append(record)
            }
        }
        for record in claimed {
            var hooks = JailSpec.Hooks()
            hooks.poststop = record.poststop
            hooks.release = record.release
            let runner = HookRunner(jid: record.jid, name: record.name, path: record.path, hooks: hooks,
                                    clean: false, verbose: false)
            // exec.poststop only for a jail that existed; exec.release also for a creation
            // killed half-way, whose exec.prepare may have run.
            if record.initPID > 0 { try? runner.host(hooks.poststop, "exec.poststop") }
            try? runner.host(hooks.release, "exec.release")
            _ = try? registry.withLock { () throws(JailError) in try? release(record, registry: registry) }
        }
        return claimed
    }
}
