/// A host path taken apart the way the kernel walks it: each symlink met on the way, at
/// a place with only real directories above it, and the real path it ends at. Copying
/// the links as links and the end as a file makes the tree mirror the host's layout
/// (`/lib -> usr/lib`, `libz.so.1 -> libz.so.1.2.13`), so that every name the loader or
/// the program may use works inside the jail.
public struct PathWalk: Sendable, Equatable {
    public struct Link: Sendable, Equatable {
        public var path: String
        public var target: String
        public var status: FileStatus
    }

    public var links: [Link] = []
    /// The path without symlinks.
    public var path = "/"
    public var status: FileStatus
}

extension HostFiles {
    /// Walks `path` (absolute) without trusting the host's symlinks to be few or sane:
    /// at most 40 of them, as the kernel allows. A walk that enters the directory
    /// `avoiding` stops there, however the path spells it: that is the tree being written,
    /// whose symlinks are the jail's to point anywhere.
    public func walk(_ path: String, avoiding tree: FileIdentity? = nil) throws(NanoError) -> PathWalk {
        guard path.hasPrefix("/") else { throw NanoError("`\(path)`: not an absolute path") }
        guard var status = status("/") else { throw NanoError("`/`: cannot be read") }
        var pending = Array(path.split(separator: "/").reversed())
        var real: [Substring] = []
        var links: [PathWalk.Link] = []
        while let name = pending.popLast() {
            if name == "." { continue }
            if name == ".." {
                _ = real.popLast()
                status = self.status(Self.joined(real)) ?? status
                continue
            }
            let here = Self.joined(real + [name])
            guard let found = self.status(here) else {
                throw NanoError("\(Self.shown(path, here, links)): no such file or directory")
            }
            if case .symlink(let target) = found.kind {
                guard links.count < 40 else { throw NanoError("`\(path)`: too many levels of symbolic links") }
                links.append(.init(path: here, target: target, status: found))
                if target.hasPrefix("/") { real = [] }
                pending += target.split(separator: "/").reversed()
                continue
            }
            if !pending.isEmpty, found.kind != .directory {
                throw NanoError("\(Self.shown(path, here, links)): not a directory")
            }
            real.append(name)
            status = found
            if let tree, found.kind == .directory, found.identity == tree {
                throw NanoError("`\(path)`: in the tree itself")
            }
        }
        return PathWalk(links: links, path: Self.joined(real), status: status)
    }

    /// The name given, and where its symlinks led when they led elsewhere.
    static func shown(_ path: String, _ here: String, _ links: [PathWalk.Link]) -> String {
        links.isEmpty ? "`\(path)`" : "`\(path)` (`\(here)`)"
    }

    static func joined(_ components: [Substring]) -> String {
        "/" + components.joined(separator: "/")
    }
}

/// The directory part of an absolute path ("/" for "/x").
func directoryName(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
    return String(path[..<slash])
}

/// The last component of a path.
func baseName(_ path: String) -> String {
    String(path.split(separator: "/").last ?? "")
}

/// `name` below `directory`, without a doubled slash.
func joinPath(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
}
