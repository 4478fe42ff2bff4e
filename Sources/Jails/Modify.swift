import CJail
import Glibc
import JailSys
import SystemPackage

/// `jail -m`: changes what Linux can change in a running jail — host.hostname,
/// host.domainname, persist, and a shared-stack jail's addresses (ModifyAddresses). Everything else is fixed at creation here (the seccomp
/// filter and bounding set of running processes cannot be relaxed or tightened), and
/// asking for it fails as FreeBSD's "cannot be changed after creation".
public struct JailModification {
    public static let changeable: Set<String> = ["host.hostname", "host.domainname", "persist", "name", "jid"]

    let env: Environment
    let options: CreateOptions

    public init(environment: Environment, options: CreateOptions) {
        self.env = environment
        self.options = options
    }

    /// - Parameters:
    ///   - key: the running jail (name or jid).
    ///   - changed: the names of the parameters the command line sets.
    ///   - merged: the jail's spec with the new values applied.
    ///   - words: its parameters as now recorded.
    public func run(_ key: String, current: JailSpec, merged: JailSpec, changed: [String], words: [String]) throws(JailError) -> Int32 {
        let target = try RunningJail.open(key, registry: env.registry)
        let record = target.record
        for name in changed where !Self.changeable.contains(name) {
            if Self.addressParameters.contains(name) {
                try Self.checkAddressChange(name, current, merged, jail: options.label ?? record.name)
            }
            if !Self.same(name, current, merged) {
                if name == "rctl" {
                    throw JailError(jail: options.label ?? record.name, "rctl: change a running jail's limits with rctl -a and rctl -r")
                }
                throw JailError(jail: options.label ?? record.name, "\(name) cannot be changed after creation")
            }
        }
        var steps: [SetupStep] = []
        if merged.hostname != current.hostname, let h = merged.hostname { steps.append(.hostname(h)) }
        if merged.domainname != current.domainname, let d = merged.domainname { steps.append(.domainname(d)) }
        if !steps.isEmpty {
            if merged.host == .inherit {
                throw JailError(jail: options.label ?? record.name, "host.hostname: the jail shares the host's names (host=inherit)")
            }
            do { try InsideCommand.setUp(record, pidfd: target.pidfd.rawValue, flags: 0x0400_0000 /* CLONE_NEWUTS */, steps) } catch {
                throw JailError(jail: record.name, error.message)
            }
        }
        if Self.addressesChanged(current, merged) { try changeAddresses(record, to: merged) }
        if merged.persist != current.persist {
            // The init's persist flag: SIGUSR2 on, SIGUSR1 off (host senders only).
            _ = cj_pidfd_send_signal(target.pidfd.rawValue, merged.persist ? SIGUSR2 : SIGUSR1)
        }
        try env.registry.withLock { () throws(JailError) in
            // Read again under the lock: rctl or jail mount may have written it meanwhile.
            var current = env.registry.record(record.jid) ?? record
            current.hostname = merged.hostname ?? ""
            current.persist = merged.persist
            current.parameters = words
            do { try env.registry.write(current) } catch { throw JailError(jail: current.name, "\(error)") }
        }
        if !options.quiet, options.label != nil || current.name != nil || options.verbose {
            printLine("\(options.label ?? record.name): updated")
        }
        return 0
    }

    /// Whether a parameter outside the changeable set keeps its value.
    static func same(_ name: String, _ a: JailSpec, _ b: JailSpec) -> Bool {
        var x = a, y = b
        // Compare everything but what may change.
        x.hostname = nil; y.hostname = nil
        x.domainname = nil; y.domainname = nil
        x.persist = false; y.persist = false
        x.name = nil; y.name = nil
        x.jid = nil; y.jid = nil
        x.command = nil; y.command = nil
        // Addresses change in place (checkAddressChange, changeAddresses).
        for keyPath in [\NetworkSpec.ip4, \NetworkSpec.ip6] {
            x.network[keyPath: keyPath] = []; y.network[keyPath: keyPath] = []
        }
        x.network.sourceSelection4 = true; y.network.sourceSelection4 = true
        x.network.sourceSelection6 = true; y.network.sourceSelection6 = true
        x.hooks = .init(); y.hooks = .init()
        // exec.* only matter when the jail is created or removed.
        return name.hasPrefix("exec.") || name == "command" || name == "stop.timeout" || x == y
    }
}
