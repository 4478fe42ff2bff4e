import JailSys

/// What confines every process of a jail: the namespaces it has of its own, the
/// capability bounding set and the compiled seccomp program. Computed once at creation
/// and recorded, so that jexec needs neither the parameter parser nor libseccomp.
struct Confinement: Sendable {
    var namespaceFlags: UInt64
    var capabilities: CapabilitySet
    var program: SeccompProgram

    init(_ spec: JailSpec, environment env: Environment) throws(JailError) {
        let restrictions = Restrictions(spec)
        namespaceFlags = spec.namespaceFlags
        capabilities = restrictions.capabilities
        do { program = try Seccomp.program(for: restrictions.seccomp, cacheDirectory: env.seccompCache) } catch {
            throw JailError(jail: spec.name, error.description)
        }
    }

    /// From a running jail's record; nil when it has none or its program left the cache.
    init?(_ record: JailRecord, environment env: Environment) {
        let parts = record.confinement.split(separator: " ")
        guard parts.count == 3, let ns = UInt64(parts[0]), let caps = UInt64(parts[1]),
              let program = Seccomp.cached(key: String(parts[2]), cacheDirectory: env.seccompCache) else { return nil }
        namespaceFlags = ns
        var set = CapabilitySet()
        set.mask = caps
        capabilities = set
        self.program = program
    }

    /// On the host's network stack the abstract unix socket namespace is the host's: every
    /// command gets a Landlock domain scoped away from it (LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET).
    var landlockScopes: UInt64 { namespaceFlags & JailSpec.newNet == 0 ? 1 : 0 }

    /// "namespaces capabilities program", as the record keeps it.
    var recorded: String { "\(namespaceFlags) \(capabilities.mask) \(program.key)" }
}
