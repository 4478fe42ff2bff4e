import CJail
import Glibc
import JailConf
import JailSys
import SystemPackage

extension JailParams: JailParameterSource {}

/// For daemons that jail themselves, as FreeBSD's jail(2) and jail_attach(2) let them:
/// start, load libraries, read the configuration with the whole host in view, then enter
/// the jail and serve from inside it.
///
/// ```swift
/// import Jails
/// let config = try loadMyConfig()
/// try Jail.enter(["path": "/var/empty/mydaemon", "host.hostname": "mydaemon",
///                 "ip4.addr": "192.0.2.30"])
/// try listen(port: 80)             // binds 192.0.2.30:80
/// ```
///
/// Linux's rules shape the calls: namespaces, capabilities and Landlock belong to a
/// thread, and the mount namespace can only be changed by a process with one thread. So
/// call them first thing in `main`, before any task or thread starts, with no directory
/// open (a directory descriptor would lead back to the host's tree). The process keeps
/// its memory and its other descriptors. Afterwards its root is the jail's, it binds only
/// the jail's addresses, it cannot regain privileges, its children are born in the jail's
/// PID namespace, and `jls` lists the jail. When something is refused, nothing has
/// changed; a failure half-way (which only a kernel fault can cause) ends the process.
public enum Jail {
    /// Creates a jail from FreeBSD parameters (jail(8)'s names and values; an empty value
    /// sets a boolean, as `"persist": ""`) and moves the calling process into it. The jail
    /// lasts while the process or its children live, or until `jail -r` with `persist`.
    /// Returns the jail's jid.
    /// A dictionary literal, a `[String: String]` or an array of `(key:value:)` pairs built
    /// at run time all fit.
    @discardableResult
    public static func enter<Parameters: Sequence>(_ parameters: Parameters) throws(JailError) -> Int
    where Parameters.Element == (key: String, value: String) {
        try check()
        let words = parameters.map { $0.value.isEmpty ? $0.key : "\($0.key)=\($0.value)" }
        let spec: JailSpec
        do { spec = try JailSpec(try CommandLineParams.parse(words)) } catch { throw JailError(jail: nil, "\(error)") }
        if spec.command != nil || !spec.hooks.start.isEmpty {
            throw JailError(jail: spec.name, "command, exec.start: the calling process is what runs in the jail")
        }
        let env = Environment.fromProcessEnvironment()
        var options = CreateOptions()
        options.quiet = true
        options.adopt = getpid()
        var saved = [CChar](repeating: 0, count: 8192)
        _ = unsafe cj_cgroup_save(0, &saved, saved.count)
        _ = try JailCreation(spec: spec, parameters: words, options: options, environment: env).run()
        guard let jid = ownJail() else { throw JailError(jail: spec.name, "the jail ended at once") }
        do { try attach(jid, env) } catch {
            // Out of its cgroups first: removing the jail kills what is in them.
            unsafe cj_cgroup_restore(0, saved)
            _ = try? JailRemoval(environment: env, quiet: true).run([String(jid)])
            throw error
        }
        return jid
    }

    /// Moves the calling process into a running jail, by name or jid (jail_attach(2)).
    public static func attach(_ jail: String) throws(JailError) {
        try check()
        let env = Environment.fromProcessEnvironment()
        guard let record = find(jail, env) else { throw JailError(jail: nil, "\"\(jail)\" not found") }
        try attach(record.jid, env)
    }

    /// Removes a jail, as `jail -r` (jail_remove(2)): its processes end.
    public static func remove(_ jail: String) throws(JailError) {
        _ = try JailRemoval(environment: .fromProcessEnvironment(), quiet: true).run([jail])
    }

    /// A running jail's parameters as it was created with them, plus jid, name, path and
    /// host.hostname (jail_get(2)); lists are comma-separated, booleans "true"/"false".
    public static func parameters(of jail: String) throws(JailError) -> [String: String] {
        let env = Environment.fromProcessEnvironment()
        guard let record = find(jail, env) else { throw JailError(jail: nil, "\"\(jail)\" not found") }
        var out: [String: String] = [:]
        if let params = try? CommandLineParams.parse(record.parameters) {
            for (key, value) in params.entries {
                switch value {
                case .bool(let b): out[key] = b ? "true" : "false"
                case .list(let items): out[key] = items.joined(separator: ",")
                }
            }
        }
        out["jid"] = String(record.jid)
        out["name"] = record.name
        out["path"] = record.path
        out["host.hostname"] = record.hostname
        return out
    }

    static func check() throws(JailError) {
        var err = [CChar](repeating: 0, count: 256)
        if unsafe cj_self_check(&err, err.count) < 0 { throw JailError(jail: nil, message(err)) }
    }

    static func attach(_ jid: Int, _ env: Environment) throws(JailError) {
        var err = [CChar](repeating: 0, count: 256)
        let r = unsafe cj_attach_jail(Int32(jid), env.registry.directory.string, env.seccompCache.string, &err, err.count)
        if r < 0 { throw JailError(jail: nil, message(err)) }
    }

    static func find(_ key: String, _ env: Environment) -> JailRecord? {
        env.registry.liveRecords().first { $0.name == key || String($0.jid) == key }
    }

    /// The jid whose cgroup this process is in: `.../<jid>/jail` in the v2 hierarchy.
    static func ownJail() -> Int? {
        guard let text = try? readFile("/proc/self/cgroup") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("0::") {
            let parts = line.split(separator: "/")
            if parts.count >= 2, parts.last == "jail" { return Int(parts[parts.count - 2]) }
        }
        return nil
    }

    static func message(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
