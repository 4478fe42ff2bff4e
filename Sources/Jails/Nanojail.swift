import Glibc
import JailSys
import Nano
import SystemPackage

/// `jail nano PROGRAM --into DIR`: a jail's tree holding one program and what it needs
/// (issue 9). Planned first, from the host alone (Nano.Planner); then checked against
/// what the tree holds; only then written, file by file, each copy made under a
/// temporary name and renamed into place. Files are copied, never hard-linked: a hard
/// link into a tree the jail's root can write would let it write the host's file.
public enum Nanojail {
    /// What happened to one entry of the plan.
    public enum Outcome: String, Sendable {
        case made, replaced, unchanged
    }

    /// The plan for `request` into `tree` (an absolute host path), nothing written.
    public static func plan(_ request: NanoRequest, into tree: String) throws(JailError) -> TreePlan {
        var request = request
        request.tree = try existingTree(tree)
        do { return try Planner.plan(request, files: HostFileSource()) } catch { throw fail(error.message) }
    }

    /// Plans, checks and writes the tree (made if missing); the plan and what each entry
    /// came to, in order.
    public static func build(_ request: NanoRequest, into tree: String) throws(JailError)
        -> (plan: TreePlan, outcomes: [Outcome]) {
        let plan = try plan(request, into: tree)
        let root: OwnedFD
        do { root = try openTree(tree) } catch { throw fail("\(error)") }
        var writer = TreeWriter(root: root, tree: tree, keepOwners: geteuid() == 0)
        for entry in plan.entries { try writer.check(entry) }
        var outcomes: [Outcome] = []
        for entry in plan.entries { outcomes.append(try writer.write(entry)) }
        return (plan, outcomes)
    }

    static func fail(_ message: String) -> JailError { JailError(jail: nil, "nano: \(message)") }

    /// The tree's identity when it exists; refused when it is not a directory, is reached
    /// through a symlink (as a jail's path is), or is the host's root.
    static func existingTree(_ tree: String) throws(JailError) -> FileIdentity? {
        guard tree.hasPrefix("/") else { throw fail("--into \(tree): not an absolute path") }
        var components: [String] = []
        for name in tree.split(separator: "/").map(String.init) where name != "." {
            guard name != ".." else { throw fail("--into \(tree): give a path without ..") }
            components.append(name)
            let path = "/" + components.joined(separator: "/")
            let found: FileInfo?
            do { found = try fileInfo(FilePath(path)) } catch { throw fail("--into: \(error)") }
            guard let info = found else { return nil }
            if info.kind == .symlink { throw fail("--into `\(path)`: a symbolic link; give the real path") }
            guard info.kind == .directory else { throw fail("--into `\(path)`: not a directory") }
        }
        guard !components.isEmpty else { throw fail("--into /: the host's own root") }
        guard let info = try? fileInfo(FilePath(tree)) else { return nil }
        return FileIdentity(device: info.device, inode: info.inode)
    }

    /// The tree's directory, made (0755) where missing, every component opened without
    /// following a symlink.
    static func openTree(_ tree: String) throws(SystemError) -> OwnedFD {
        var dir = try OwnedFD.open("/", O_RDONLY | O_DIRECTORY)
        for name in tree.split(separator: "/").map(String.init) where name != "." {
            do { try dir.makeDirectory(name, mode: 0o755) } catch where error.errno == .fileExists {}
            dir = try dir.openDirectory(name)
        }
        return dir
    }
}
