import Glibc
import JailSys
import Rctl
import SystemPackage

/// rctl(8): adding and removing rules, listing them; a running jail named by a rule has
/// its limits changed at once, and a change that cannot be made leaves the rules as they
/// were. Rules for jails that do not exist wait for them, as on FreeBSD.
public enum ResourceControl {
    /// rctl -a
    public static func add(_ rules: [Rule], environment env: Environment) throws(JailError) {
        let store = RuleStore(environment: env)
        try env.registry.withLock { () throws(JailError) in
            let all = try store.rules()
            let new = rules.filter { !all.contains($0) }
            guard !new.isEmpty else { return }
            let cgroups = try LimitCgroups(environment: env)
            for name in Set(new.map(\.id)) {
                let old = RuleStore.rules(all, jail: name)
                let next = old + new.filter { $0.id == name }
                try change(jail: name, from: old, to: next, env: env, cgroups: cgroups)
            }
            try store.save(all + new)
        }
    }

    /// rctl -r: removes every rule in force matching `filter`.
    public static func remove(_ filter: RuleFilter, text: String, environment env: Environment) throws(JailError) {
        let store = RuleStore(environment: env)
        try env.registry.withLock { () throws(JailError) in
            let all = try store.rules()
            let gone = all.filter(filter.matches)
            guard !gone.isEmpty else { throw JailError(jail: nil, "rctl: failed to remove rule '\(text)': no such rule") }
            let cgroups = try LimitCgroups(environment: env)
            for name in Set(gone.map(\.id)) {
                let old = RuleStore.rules(all, jail: name)
                try change(jail: name, from: old, to: old.filter { !gone.contains($0) }, env: env, cgroups: cgroups)
            }
            try store.save(all.filter { !gone.contains($0) })
        }
    }

    /// Rules in force matching `filter` (all without one).
    public static func rules(matching filter: RuleFilter?, environment env: Environment) throws(JailError) -> [Rule] {
        let all = try RuleStore(environment: env).rules()
        return filter.map { f in all.filter(f.matches) } ?? all
    }

    /// rctl -l process:PID: the rules of the jail the process is in.
    public static func rules(forProcess pid: Int32, environment env: Environment) throws(JailError) -> [Rule] {
        guard let record = env.registry.liveRecords().first(where: {
            $0.initPID == pid || JailProcesses.isMember(pid, of: $0)
        }) else { return [] }
        return RuleStore.rules(try RuleStore(environment: env).rules(), jail: record.name)
    }

    /// A running jail's limits follow its new rules; a jail that does not run only has
    /// them checked against this host.
    private static func change(jail name: String, from old: [Rule], to new: [Rule], env: Environment,
                               cgroups: LimitCgroups) throws(JailError) {
        guard var record = env.registry.find(name), Liveness.isInUse(record), record.initPID > 0 else {
            _ = try JailLimits.plan(new, jid: 1, unified: cgroups.hierarchies.unified, ipcShared: false, cgroups: cgroups)
            return
        }
        try JailLimits.change(&record, from: old, to: new, env: env)
        do { try env.registry.write(record) } catch { throw JailError(jail: name, error.description) }
    }
}
