/// What an archive may hold to become a jail's tree: every entry stays inside the
/// directory it is extracted into. Refused: absolute names, `..` components, device nodes
/// (a jail's devices come from its devfs ruleset, never from its tree), hard links to
/// anything but an earlier member, and any name that goes through a symbolic link the
/// archive itself made (the classic `link -> /etc` then `link/passwd`). Symbolic links
/// may point anywhere: they are resolved inside the jail.
public struct ArchiveChecks {
    /// The marker of an unfinished bootstrap: an archive must not bring its own.
    public static let reservedName = ".jail-bootstrap-incomplete"

    private var symbolicLinks: Set<String> = []
    private var members: Set<String> = []

    public init() {}

    public mutating func check(_ entry: TarEntry) throws(TarError) {
        let path: String
        do { path = try Self.normalize(entry.path) } catch { throw TarError("entry `\(entry.path)`: \(error.message)") }
        func refuse(_ why: String) -> TarError { TarError("entry `\(entry.path)`: \(why)") }
        if path == Self.reservedName { throw refuse("a name reserved for the bootstrap's marker") }
        switch entry.kind {
        case .characterDevice, .blockDevice:
            throw refuse("a \(TarReader.describe(entry.kind)) (\(entry.deviceMajor):\(entry.deviceMinor)); device nodes come from devfs rulesets")
        case .file, .hardLink, .symbolicLink, .directory, .fifo:
            break
        default:
            throw refuse("an unsupported \(TarReader.describe(entry.kind))")
        }
        if let link = throughLink(path) { throw refuse("beneath `\(link)`, a symbolic link of the archive") }
        if entry.kind == .hardLink {
            let target: String
            do { target = try Self.normalize(entry.linkTarget) } catch {
                throw refuse("a hard link to `\(entry.linkTarget)`: \(error.message)")
            }
            if let link = throughLink(target) {
                throw refuse("a hard link beneath `\(link)`, a symbolic link of the archive")
            }
            guard members.contains(target) else {
                throw refuse("a hard link to `\(entry.linkTarget)`, which is not a file earlier in the archive")
            }
        }
        // Once a link, always one for these checks: whether tar replaces a link by a
        // later directory of the same name or keeps it depends on its options.
        if entry.kind == .symbolicLink { symbolicLinks.insert(path) }
        if entry.kind == .directory { members.remove(path) } else { members.insert(path) }
    }

    /// The name relative to the extraction directory, without `.` components or repeated
    /// slashes ("." for the directory itself). Absolute names and `..` are refused.
    public static func normalize(_ name: String) throws(TarError) -> String {
        if name.isEmpty { throw TarError("an empty name") }
        if name.hasPrefix("/") { throw TarError("an absolute path") }
        let parts = name.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        if parts.contains("..") { throw TarError("a `..` component") }
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// The first proper prefix of `path` that the archive made a symbolic link.
    private func throughLink(_ path: String) -> String? {
        guard !symbolicLinks.isEmpty else { return nil }
        var prefix = ""
        let parts = path.split(separator: "/")
        for part in parts.dropLast() {
            prefix = prefix.isEmpty ? String(part) : prefix + "/" + part
            if symbolicLinks.contains(prefix) { return prefix }
        }
        return nil
    }
}
