import CJail
import Glibc
import JailSys
import SystemPackage

/// `jail mount NAME SOURCE TARGET [options]` and `jail umount NAME TARGET`: a host
/// directory shown in a running jail, and taken out again, with no restart. The tree is
/// copied on the host (open_tree, the source reached without any symlink) and attached
/// inside the jail's own mount namespace, at a directory looked up from the jail's root
/// without symlinks: neither the host's mount table nor any other jail's changes, and a
/// link the jail planted leads nowhere. Read-only unless `rw` is asked for.
public enum LiveMounts {
    /// - Parameters:
    ///   - target: the directory as the jail sees it ("/data").
    ///   - options: ro (the default), rw, nosuid, noexec, nodev (always), rbind (with
    ///     what is mounted below the source; nullfs shows the source's own file system).
    public static func mount(_ key: String, source: String, target: String, options: [String],
                             environment env: Environment) throws(JailError) {
        var flags = UInt(MS_NODEV | MS_RDONLY)
        for o in options {
            switch o {
            case "ro", "rdonly": flags |= UInt(MS_RDONLY)
            case "rw": flags &= ~UInt(MS_RDONLY)
            case "nosuid": flags |= UInt(MS_NOSUID)
            case "noexec": flags |= UInt(MS_NOEXEC)
            case "nodev": break
            case "rbind": flags |= UInt(MS_REC)
            default: throw JailError(jail: nil, "mount: unknown option \"\(o)\" (ro, rw, nosuid, noexec, nodev, rbind)")
            }
        }
        guard source.hasPrefix("/") else { throw JailError(jail: nil, "mount: \(source): not an absolute path") }
        try HostState.checkSource(source, what: "mount:")
        let inside = try relative(target)
        RunningJail.thawIfStale(key, registry: env.registry)
        let jail = try RunningJail.open(key, registry: env.registry)
        let tree = unsafe cj_open_tree(source, flags)
        guard tree >= 0 else {
            let e = Errno(rawValue: Glibc.errno)
            let why = e == .tooManySymbolicLinkLevels ? "a symbolic link in the path (give the real path)" : SystemError.message(e)
            throw JailError(jail: nil, "mount: \(source): \(why)")
        }
        defer { _ = close(tree) }
        let id = cj_mount_id(tree)
        try env.registry.withLock { () throws(JailError) in
            guard var record = env.registry.record(jail.record.jid) else { throw JailError(jail: key, "not running") }
            // Recorded first: a command killed after the attach leaves a mount jail umount
            // still knows (by its unique id).
            record.liveMounts.append("\(id) \(inside)")
            try write(record, env.registry)
            do throws(JailError) {
                try InsideCommand.setUp(record, pidfd: jail.pidfd.rawValue, flags: Self.mountNamespace, [.attachDescriptor(target: inside, descriptor: tree)])
            } catch {
                record.liveMounts.removeLast()
                try? write(record, env.registry)
                throw error
            }
        }
    }

    /// Takes out what `jail mount` put at `target` (lazily: a process using it keeps what
    /// it has open). Only our own live mounts, identified by their unique mount id: the
    /// jail's others are its configuration, and a directory the jail renamed or swapped
    /// for a link never leads the unmount to one of them.
    public static func unmount(_ key: String, target: String, environment env: Environment) throws(JailError) {
        let inside = try relative(target)
        RunningJail.thawIfStale(key, registry: env.registry)
        let jail = try RunningJail.open(key, registry: env.registry)
        try env.registry.withLock { () throws(JailError) in
            guard var record = env.registry.record(jail.record.jid) else { throw JailError(jail: key, "not running") }
            guard let index = record.liveMounts.lastIndex(where: { Self.entry($0).target == inside }),
                  let id = Self.entry(record.liveMounts[index]).id else {
                throw JailError(jail: nil, "umount: /\(inside): not mounted by jail mount in \(key)")
            }
            do throws(JailError) { try InsideCommand.setUp(record, pidfd: jail.pidfd.rawValue, flags: Self.mountNamespace, [.unmount(inside, id: id)]) } catch {
                throw JailError(jail: nil, "umount: /\(inside): the mount jail mount made is not there (moved inside the jail?): \(error)")
            }
            record.liveMounts.remove(at: index)
            try write(record, env.registry)
        }
    }

    static let mountNamespace: UInt64 = 0x0002_0000  // CLONE_NEWNS

    /// A recorded live mount: "ID TARGET".
    static func entry(_ text: String) -> (id: UInt64?, target: String) {
        let parts = text.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let id = UInt64(parts[0]) else { return (nil, text) }
        return (id, String(parts[1]))
    }

    /// "/data/x/" → "data/x"; the jail's root itself and ".." are refused.
    static func relative(_ target: String) throws(JailError) -> String {
        guard target.hasPrefix("/") else { throw JailError(jail: nil, "mount: \(target): give the path as the jail sees it, from /") }
        let parts = target.split(separator: "/").filter { $0 != "." }
        guard !parts.isEmpty else { throw JailError(jail: nil, "mount: cannot mount over the jail's root") }
        guard !parts.contains("..") else { throw JailError(jail: nil, "mount: \(target): \"..\" is not allowed") }
        return parts.joined(separator: "/")
    }

    private static func write(_ record: JailRecord, _ registry: Registry) throws(JailError) {
        do { try registry.write(record) } catch { throw JailError(jail: record.name, error.description) }
    }
}
