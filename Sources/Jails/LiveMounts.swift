import CJail
import Glibc
import JailSys
import SystemPackage

/// `jail mount NAME SOURCE TARGET [options]` and `jail umount NAME TARGET`: a host
/// directory shown in a running jail, and taken out again, with no restart. The tree is
/// copied on the host (open_tree) and attached inside the jail's own mount namespace, at
/// a directory looked up from the jail's root without symlinks: neither the host's mount
/// table nor any other jail's changes, and a link the jail planted leads nowhere.
public enum LiveMounts {
    /// - Parameters:
    ///   - target: the directory as the jail sees it ("/data").
    ///   - options: fstab-style: ro, rw, nosuid, noexec, nodev.
    public static func mount(_ key: String, source: String, target: String, options: [String],
                             environment env: Environment) throws(JailError) {
        var flags: UInt = UInt(MS_NODEV)
        for o in options {
            switch o {
            case "ro", "rdonly": flags |= UInt(MS_RDONLY)
            case "rw": flags &= ~UInt(MS_RDONLY)
            case "nosuid": flags |= UInt(MS_NOSUID)
            case "noexec": flags |= UInt(MS_NOEXEC)
            case "nodev": flags |= UInt(MS_NODEV)
            default: throw JailError(jail: nil, "mount: unknown option \"\(o)\" (ro, rw, nosuid, noexec, nodev)")
            }
        }
        guard source.hasPrefix("/") else { throw JailError(jail: nil, "mount: \(source): not an absolute path") }
        let inside = try relative(target)
        let jail = try RunningJail.open(key, registry: env.registry)
        let tree = unsafe cj_open_tree(source, flags)
        guard tree >= 0 else { throw JailError(jail: nil, "mount: \(source): \(SystemError.message(Errno(rawValue: Glibc.errno)))") }
        defer { _ = close(tree) }
        try env.registry.withLock { () throws(JailError) in
            guard var record = env.registry.record(jail.record.jid) else { throw JailError(jail: key, "not running") }
            try join(record, pidfd: jail.pidfd.rawValue, [.attachDescriptor(target: inside, descriptor: tree)])
            record.liveMounts.append(inside)
            do throws(SystemError) { try env.registry.write(record) } catch { throw JailError(jail: key, error.description) }
        }
    }

    /// Takes out what `jail mount` put at `target` (lazily: a process using it keeps what
    /// it has open). Only our own live mounts: the jail's others are its configuration.
    public static func unmount(_ key: String, target: String, environment env: Environment) throws(JailError) {
        let inside = try relative(target)
        let jail = try RunningJail.open(key, registry: env.registry)
        try env.registry.withLock { () throws(JailError) in
            guard var record = env.registry.record(jail.record.jid) else { throw JailError(jail: key, "not running") }
            guard let index = record.liveMounts.lastIndex(of: inside) else {
                throw JailError(jail: nil, "umount: /\(inside): not mounted by jail mount in \(key)")
            }
            try join(record, pidfd: jail.pidfd.rawValue, [.detach(inside)])
            record.liveMounts.remove(at: index)
            do throws(SystemError) { try env.registry.write(record) } catch { throw JailError(jail: key, error.description) }
        }
    }

    /// "/data/x/" → "data/x"; the jail's root itself and ".." are refused.
    static func relative(_ target: String) throws(JailError) -> String {
        guard target.hasPrefix("/") else { throw JailError(jail: nil, "mount: \(target): give the path as the jail sees it, from /") }
        let parts = target.split(separator: "/").filter { $0 != "." }
        guard !parts.isEmpty else { throw JailError(jail: nil, "mount: cannot mount over the jail's root") }
        guard !parts.contains("..") else { throw JailError(jail: nil, "mount: \(target): \"..\" is not allowed") }
        return parts.joined(separator: "/")
    }

    private static func join(_ record: JailRecord, pidfd: Int32, _ steps: [SetupStep]) throws(JailError) {
        var plan = ChildPlan()
        plan.joinFlags = 0x0002_0000 /* CLONE_NEWNS */
        plan.steps = steps
        let (_, failure) = try InsideCommand.joined(record: record, pidfd: pidfd, plan: &plan)
        if let failure { throw JailError(jail: nil, ChildReport.describe(failure, plan: plan, user: nil)) }
    }
}
