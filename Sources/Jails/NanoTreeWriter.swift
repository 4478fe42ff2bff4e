import Glibc
import JailSys
import Nano
import SystemPackage

/// Writes a nanojail's plan into its tree. Every name in the tree is reached from the
/// tree's root through descriptors, one component at a time, never through a symlink:
/// the tree may have been a running jail's, whose root can swap any directory for a link
/// to the host's. Each file is copied under a temporary name and renamed into place, so
/// an interruption leaves the old file or the new one, never part of one.
struct TreeWriter: ~Copyable {
    let root: OwnedFD
    /// The tree's host path, for messages.
    let tree: String
    /// Owners are kept only as root; anyone else would fail to give files away.
    let keepOwners: Bool
    private var temporaries = 0

    init(root: consuming OwnedFD, tree: String, keepOwners: Bool) {
        self.root = root
        self.tree = tree
        self.keepOwners = keepOwners
    }

    /// Refuses an entry the tree cannot take as it is (a directory where a file goes, a
    /// symlink where a directory goes), before anything is written.
    func check(_ entry: TreePlan.Entry) throws(JailError) {
        var path = ""
        for component in entry.path.split(separator: "/") {
            path += "/" + component
            let found: FileInfo?
            do { found = try fileInfo(FilePath(tree + path)) } catch { throw fail("\(error)") }
            guard let info = found else { return }
            // Above the entry and for a directory, a directory; a file or a symlink is
            // replaced by a rename, which cannot replace a directory.
            let isLast = path == entry.path
            let fits = isLast && entry.kind != .directory
                ? info.kind == .regular || info.kind == .symlink
                : info.kind == .directory
            guard fits else {
                throw fail("`\(tree + path)`: \(describe(info.kind)) in the tree, where the host has "
                    + (isLast ? describe(entry.kind) : "a directory"))
            }
        }
    }

    /// Writes one entry: made, replaced, or found as the host has it.
    mutating func write(_ entry: TreePlan.Entry) throws(JailError) -> Nanojail.Outcome {
        var components = entry.path.split(separator: "/").map(String.init)
        guard let name = components.popLast() else { return .unchanged }
        do {
            let dir = try parent(components)
            switch entry.kind {
            case .directory: return try directory(entry, name, in: dir)
            case .symlink(let target): return try symlink(entry, name, target: target, in: dir)
            case .file: return try file(entry, name, in: dir)
            }
        } catch { throw fail("`\(tree + entry.path)`: \(error)") }
    }

    /// The directory holding an entry, made where missing with the host directory's mode
    /// and owner.
    private func parent(_ components: [String]) throws(SystemError) -> OwnedFD {
        var dir = try root.openDirectory(".")
        var host = ""
        for name in components {
            host += "/" + name
            if try fileInfo(FilePath(name), at: dir.rawValue) == nil {
                let info = try? fileInfo(FilePath(host))
                try makeDirectory(name, in: dir, like: info)
            }
            dir = try dir.openDirectory(name)
        }
        return dir
    }

    private func makeDirectory(_ name: String, in dir: borrowing OwnedFD, like host: FileInfo?) throws(SystemError) {
        // Private until its mode and owner are the host's.
        try dir.makeDirectory(name, mode: 0o700)
        let made = try dir.openDirectory(name)
        try made.setOwnerAndMode(owner: keepOwners ? host?.owner ?? 0 : getuid(), group: keepOwners ? host?.group ?? 0 : getgid(),
                                 mode: host?.mode ?? 0o755)
    }

    private func directory(_ entry: TreePlan.Entry, _ name: String, in dir: borrowing OwnedFD) throws(SystemError)
        -> Nanojail.Outcome {
        let existing = try fileInfo(FilePath(name), at: dir.rawValue)
        if existing == nil { try dir.makeDirectory(name, mode: 0o700) }
        let fd = try dir.openDirectory(name)
        let changed = try fixOwnerAndMode(fd, entry)
        return existing == nil ? .made : changed ? .replaced : .unchanged
    }

    private mutating func symlink(_ entry: TreePlan.Entry, _ name: String, target: String, in dir: borrowing OwnedFD)
        throws(SystemError) -> Nanojail.Outcome {
        let existing = try fileInfo(FilePath(name), at: dir.rawValue)
        if let existing, existing.kind == .symlink, try readLink(FilePath(name), at: dir.rawValue) == target {
            if keepOwners, existing.owner != entry.owner || existing.group != entry.group {
                try dir.setOwner(name, owner: entry.owner, group: entry.group)
            }
            return .unchanged
        }
        let temporary = nextTemporary()
        try dir.makeSymlink(temporary, target: target)
        do {
            if keepOwners { try dir.setOwner(temporary, owner: entry.owner, group: entry.group) }
            try dir.rename(temporary, to: name)
        } catch {
            try? dir.remove(temporary)
            throw error
        }
        return existing == nil ? .made : .replaced
    }

    private mutating func file(_ entry: TreePlan.Entry, _ name: String, in dir: borrowing OwnedFD) throws(SystemError)
        -> Nanojail.Outcome {
        // The host's file, as planned: a regular file at a path without symlinks.
        let source = try OwnedFD.open(FilePath(entry.path), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)
        let sourceInfo = try source.info()
        guard sourceInfo.kind == .regular else { throw SystemError("open", .notSupported, path: FilePath(entry.path)) }
        let existing = try fileInfo(FilePath(name), at: dir.rawValue)
        if let existing, existing.kind == .regular, existing.size == sourceInfo.size {
            let current = try dir.openFile(name)
            if try current.sameContents(as: source) {
                return try fixOwnerAndMode(current, entry) ? .replaced : .unchanged
            }
            _ = lseek(source.rawValue, 0, SEEK_SET)
        }
        let temporary = nextTemporary()
        let copy = try dir.createFile(temporary, mode: 0o600)
        do {
            try copy.copyContents(from: source)
            try setOwnerAndMode(copy, entry)
            try dir.rename(temporary, to: name)
        } catch {
            try? dir.remove(temporary)
            throw error
        }
        return existing == nil ? .made : .replaced
    }

    /// Sets what differs from the plan; whether anything did.
    private func fixOwnerAndMode(_ fd: borrowing OwnedFD, _ entry: TreePlan.Entry) throws(SystemError) -> Bool {
        let info = try fd.info()
        let ownerDiffers = keepOwners && (info.owner != entry.owner || info.group != entry.group)
        guard ownerDiffers || info.mode != entry.mode else { return false }
        try setOwnerAndMode(fd, entry)
        return true
    }

    private func setOwnerAndMode(_ fd: borrowing OwnedFD, _ entry: TreePlan.Entry) throws(SystemError) {
        try fd.setOwnerAndMode(owner: keepOwners ? entry.owner : getuid(), group: keepOwners ? entry.group : getgid(),
                               mode: entry.mode)
    }

    private mutating func nextTemporary() -> String {
        temporaries += 1
        return ".nano-\(getpid())-\(temporaries)"
    }

    private func fail(_ message: String) -> JailError { Nanojail.fail(message) }

    private func describe(_ kind: FileInfo.Kind) -> String {
        switch kind {
        case .directory: "a directory"
        case .symlink: "a symbolic link"
        case .regular: "a file"
        default: "a special file"
        }
    }

    private func describe(_ kind: TreePlan.Entry.Kind) -> String {
        switch kind {
        case .directory: "a directory"
        case .symlink: "a symbolic link"
        case .file: "a file"
        }
    }
}
