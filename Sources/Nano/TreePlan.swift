/// What a nanojail's tree holds: every entry with the reason it is there. Paths are the
/// host's, and the tree mirrors them (`/usr/lib/x86_64-linux-gnu/libc.so.6` of the host
/// becomes `TREE/usr/lib/x86_64-linux-gnu/libc.so.6`). Directories above an entry are
/// not listed: they are made as the host has them.
public struct TreePlan: Sendable {
    public struct Entry: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            /// A copy of the host's file at the same path.
            case file
            case symlink(target: String)
            case directory
        }

        public var path: String
        public var kind: Kind
        /// Permission bits (07777), owner and group: the host's for what is copied.
        public var mode: UInt32
        public var owner: UInt32
        public var group: UInt32
        public var reason: String
    }

    public private(set) var entries: [Entry] = []
    /// What was left out or may not work, one line each.
    public internal(set) var notes: [String] = []
    private var positions: [String: Int] = [:]

    public init() {}

    /// The entry at `path`, if planned.
    public func entry(_ path: String) -> Entry? { positions[path].map { entries[$0] } }

    /// Adds an entry unless its path is already planned: the first reason stays.
    mutating func add(_ path: String, _ kind: Entry.Kind, status: FileStatus, reason: String) {
        guard positions[path] == nil else { return }
        positions[path] = entries.count
        entries.append(Entry(path: path, kind: kind, mode: status.mode, owner: status.owner, group: status.group,
                             reason: reason))
    }

    /// Adds what a walk met: its symlinks, then the file or directory it ends at.
    mutating func add(_ walk: PathWalk, reason: String) {
        for link in walk.links { add(link.path, .symlink(target: link.target), status: link.status, reason: reason) }
        add(walk.path, walk.status.kind == .directory ? .directory : .file, status: walk.status, reason: reason)
    }
}

/// What to put in a nanojail's tree.
public struct NanoRequest: Sendable {
    /// The program, an absolute host path.
    public var program: String
    /// Files and directory trees to copy as well (`--with`).
    public var with: [String] = []
    /// The NSS modules of /etc/nsswitch.conf, found among the `with` files (`--nss`).
    public var nss = false
    /// glibc's gconv modules, for iconv(3) between other character sets than UTF-8 and ASCII (`--gconv`).
    public var gconv = false
    /// libgcc_s.so.1, which glibc dlopens to unwind a thread in pthread_cancel and pthread_exit (`--libgcc`).
    public var libgcc = false
    /// The tree's own directory, left out where a `with` directory holds it.
    public var tree: FileIdentity?
    /// Where ld.so.conf is (tests point it elsewhere).
    public var ldSoConf = "/etc/ld.so.conf"

    public init(program: String) { self.program = program }
}
