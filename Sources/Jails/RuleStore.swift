import Glibc
import JailSys
import Rctl
import SystemPackage

/// The rctl rules in force. FreeBSD keeps them in the kernel, lost at reboot; we keep them
/// in the registry's directory on /run, lost at reboot the same way. /etc/rctl.conf is
/// the persistent set: its rules for a jail join the rules in force when the jail is
/// created (FreeBSD loads the file at boot). Rules may name jails that do not exist yet.
/// Callers hold the registry lock around a read-change-write.
public struct RuleStore: Sendable {
    public var file: FilePath
    public var conf: FilePath

    public init(environment env: Environment) {
        self.init(registry: env.registry, conf: env.rctlConf)
    }

    init(registry: Registry, conf: FilePath = "/etc/rctl.conf") {
        file = registry.directory.appending("rctl.rules")
        self.conf = conf
    }

    /// The rules in force, in the order they were added.
    public func rules() throws(JailError) -> [Rule] {
        guard let text = try? readFile(file) else { return [] }
        do { return try RulesFile.parse(text, path: file.string) } catch { throw JailError(jail: nil, error.description) }
    }

    public func save(_ rules: [Rule]) throws(JailError) {
        let text = rules.map { $0.formatted(human: false) + "\n" }.joined()
        do { try writeAtomically(file, text) } catch { throw JailError(jail: nil, error.description) }
    }

    /// /etc/rctl.conf's rules (none when the file does not exist). Like FreeBSD's
    /// rc.d/rctl, a line that does not parse is reported and skipped: one bad line must
    /// not stop every jail from starting.
    public func confRules() throws(JailError) -> [Rule] {
        let text: String
        do { text = try readFile(conf) } catch {
            if error.errno == .noSuchFileOrDirectory { return [] }
            throw JailError(jail: nil, error.description)
        }
        if let all = try? RulesFile.parse(text, path: conf.string) { return all }
        var rules: [Rule] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            do { rules += try RulesFile.parse(String(line), path: conf.string) } catch {
                printError("jail: \(conf.string):\(i + 1): \(error.message) (line skipped)")
            }
        }
        return rules
    }

    /// Adds rules not already in force; returns those it added.
    @discardableResult
    public func add(_ new: [Rule]) throws(JailError) -> [Rule] {
        guard !new.isEmpty else { return [] }
        var current = try rules()
        let added = new.reduce(into: [Rule]()) { out, r in if !current.contains(r) && !out.contains(r) { out.append(r) } }
        guard !added.isEmpty else { return [] }
        current += added
        try save(current)
        return added
    }

    public func remove(_ gone: [Rule]) throws(JailError) {
        let current = try rules()
        let kept = current.filter { !gone.contains($0) }
        if kept.count != current.count { try save(kept) }
    }

    /// The rules of jail `name`.
    static func rules(_ all: [Rule], jail name: String) -> [Rule] {
        all.filter { $0.subject == .jail && $0.id == name }
    }
}

/// Replaces `path` with `text` in one rename: a reader sees the old file or the new one.
func writeAtomically(_ path: FilePath, _ text: String) throws(SystemError) {
    let tmp = path.removingLastComponent().appending("." + (path.lastComponent?.string ?? "file") + ".tmp")
    let fd = try OwnedFD.open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode: 0o600)
    try fd.writeAll(Array(text.utf8), path: tmp)
    fd.close()
    if unsafe rename(tmp.string, path.string) < 0 {
        let e = Errno(rawValue: Glibc.errno)
        _ = unsafe unlink(tmp.string)
        throw SystemError("rename", e, path: path)
    }
}
