import Glibc
import JailSys
import Rctl
import SystemPackage

/// rctl(8): adding and removing rules, listing them. Jails are named by their name, as
/// FreeBSD's rules are. Every jail a change touches is checked first; the rules are then
/// saved and each running jail's limits changed, and if one cannot be, those already
/// changed and the rules go back to what they were. Rules for jails that do not exist
/// wait for them.
public enum ResourceControl {
    /// rctl -a. A deny rule replaces one that differs only in its amount (kern_rctl.c
    /// rctl_rule_add), so a limit can be raised.
    public static func add(_ rules: [Rule], environment env: Environment) throws(JailError) {
        for r in rules {
            do { try r.validateForLinux() } catch { throw JailError(jail: nil, "rctl: \(error)") }
        }
        let store = RuleStore(environment: env)
        try env.registry.withLock { () throws(JailError) in
            let all = try store.rules()
            var next = all
            for r in rules {
                if r.action == .deny {
                    next.removeAll { $0 != r && $0.action == .deny && $0.subject == r.subject && $0.id == r.id
                        && $0.resource == r.resource && $0.per == r.per }
                }
                if !next.contains(r) { next.append(r) }
            }
            // Also when nothing is new: adding a rule in force again brings a jail that
            // missed it (a command killed half-way) back in line.
            try change(from: all, to: next, jails: Set(rules.map(\.id)), store: store, env: env)
        }
    }

    /// rctl -r: removes every rule in force matching `filter`.
    public static func remove(_ filter: RuleFilter, text: String, environment env: Environment) throws(JailError) {
        let store = RuleStore(environment: env)
        try env.registry.withLock { () throws(JailError) in
            let all = try store.rules()
            let gone = all.filter(filter.matches)
            guard !gone.isEmpty else { throw JailError(jail: nil, "rctl: failed to remove rule '\(text)': no such rule") }
            try change(from: all, to: all.filter { !gone.contains($0) }, jails: Set(gone.map(\.id)), store: store, env: env)
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

    /// The running jail named `name` (never a jid: rules name jails). Safe under the
    /// registry lock (finishing ended jails takes it).
    public static func running(_ name: String, registry: Registry) -> JailRecord? {
        registry.records().first { $0.name == name && $0.initPID > 0 && !$0.beingStopped && Liveness.isInUse($0) }
    }

    private static func change(from all: [Rule], to next: [Rule], jails: Set<String>, store: RuleStore,
                               env: Environment) throws(JailError) {
        let cgroups = try LimitCgroups(environment: env)
        var live: [JailRecord] = []
        for name in jails.sorted() {
            let rules = RuleStore.rules(next, jail: name)
            if let record = env.registry.records().first(where: { $0.name == name && $0.initPID == 0 }),
               Liveness.isInUse(record) {
                throw JailError(jail: nil, "rctl: jail \(name) is being created: add the rule once it runs")
            }
            if let record = running(name, registry: env.registry) {
                live.append(record)
            } else {
                // Checked against this host; applied when the jail is created.
                _ = try JailLimits.plan(rules, jid: 1, unified: cgroups.hierarchies.unified, ipcShared: false, cgroups: cgroups)
            }
        }
        try store.save(next)
        var done: [JailRecord] = []
        for var record in live {
            do {
                try JailLimits.change(&record, from: RuleStore.rules(all, jail: record.name),
                                      to: RuleStore.rules(next, jail: record.name), env: env)
                try write(record, env.registry)
                done.append(record)
            } catch {
                for var r in done {
                    try? JailLimits.change(&r, from: RuleStore.rules(next, jail: r.name), to: RuleStore.rules(all, jail: r.name), env: env)
                    try? write(r, env.registry)
                }
                try? store.save(all)
                throw error
            }
        }
    }

    private static func write(_ record: JailRecord, _ registry: Registry) throws(JailError) {
        do { try registry.write(record) } catch { throw JailError(jail: record.name, error.description) }
    }
}
