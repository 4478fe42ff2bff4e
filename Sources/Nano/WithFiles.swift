/// `--with PATH`: a file, or a directory with everything below it, copied as the host has
/// it (modes, owners, symlinks as symlinks). The path named is followed through its
/// symlinks, which are copied too; below a directory nothing is followed, so nothing
/// comes from a place the user did not name.
extension Planner {
    mutating func addWith(_ path: String, reason: String, roots: inout [(path: String, elf: ELFFile)]) throws(NanoError) {
        let walk = try files.walk(path, avoiding: request.tree)
        plan.add(walk, reason: reason)
        switch walk.status.kind {
        case .directory: try addDirectory(walk.path, reason: reason, roots: &roots)
        default: try addFile(walk.path, walk.status, reason: reason, roots: &roots)
        }
    }

    private mutating func addDirectory(_ dir: String, reason: String, roots: inout [(path: String, elf: ELFFile)]) throws(NanoError) {
        guard let names = files.names(in: dir) else { throw NanoError("`\(dir)`: cannot be read") }
        for name in names.sorted() {
            let path = joinPath(dir, name)
            guard let status = files.status(path) else { continue }
            if status.kind == .directory {
                // A tree inside the directory it copies would copy itself for ever.
                if let tree = request.tree, status.identity == tree {
                    plan.notes.append("`\(path)`: the tree itself, left out")
                    continue
                }
                plan.add(path, .directory, status: status, reason: reason)
                try addDirectory(path, reason: reason, roots: &roots)
            } else {
                try addFile(path, status, reason: reason, roots: &roots)
            }
        }
    }

    private mutating func addFile(_ path: String, _ status: FileStatus, reason: String,
                                  roots: inout [(path: String, elf: ELFFile)]) throws(NanoError) {
        switch status.kind {
        case .device:
            // A jail's devices come from its devfs ruleset; the tree is mounted nodev anyway.
            throw NanoError("`\(path)`: a device node, refused")
        case .socket, .fifo:
            plan.notes.append("`\(path)`: a \(status.kind == .socket ? "socket" : "fifo"), left out")
        case .symlink(let target):
            plan.add(path, .symlink(target: target), status: status, reason: reason)
        case .directory:
            break
        case .file:
            plan.add(path, .file, status: status, reason: reason)
            guard let head = files.contents(path, limit: 4), ELFFile.hasMagic(head) else { return }
            do {
                let elf = try Self.parse(path, files: files)
                if elf.isDynamic, elf.isCompatible(with: loader.program) {
                    roots.append((path, elf))
                } else if elf.isDynamic {
                    plan.notes.append("`\(path)`: for another machine: its libraries are not looked for")
                }
            } catch {
                plan.notes.append("\(error.message): its libraries are not looked for")
            }
        }
    }

    /// A note for each symlink copied from a `--with` tree whose target the tree lacks
    /// (nothing is followed below a named directory, so the user may want to name it too).
    mutating func noteLinksLeavingTheTree() {
        for entry in plan.entries where entry.reason.hasPrefix("--with ") {
            guard case .symlink(let target) = entry.kind else { continue }
            let path = target.hasPrefix("/") ? target : joinPath(directoryName(entry.path), target)
            // One dangling on the host too is the host's business.
            guard let real = try? files.walk(path).path else { continue }
            let inTree = plan.entry(real) != nil || plan.entries.contains { $0.path.hasPrefix(real + "/") }
            if !inTree { plan.notes.append("`\(entry.path)` -> \(target): not in the tree") }
        }
    }
}
