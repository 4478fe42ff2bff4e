/// What planning a nanojail needs to know of the host's files. The host answers with
/// lstat, reads and directory listings (Jails' HostFileSource); tests answer from a
/// dictionary. Nothing here writes.
public protocol HostFiles {
    /// lstat(2) of an absolute path; nil when it does not exist or cannot be reached.
    func status(_ path: String) -> FileStatus?
    /// The first `limit` bytes of a regular file (symlinks followed); nil when it is not
    /// one or cannot be read.
    func contents(_ path: String, limit: Int) -> [UInt8]?
    /// The names in a directory, without `.` and `..`; nil when it is not one.
    func names(in directory: String) -> [String]?
}

extension HostFiles {
    /// The whole file (libraries, small configuration files).
    func contents(_ path: String) -> [UInt8]? { contents(path, limit: Int.max) }
}

/// What lstat(2) says of a file, as far as copying it needs.
public struct FileStatus: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case file
        case directory
        case symlink(target: String)
        case device
        case socket
        case fifo
    }

    public var kind: Kind
    /// Permission bits, setuid, setgid and sticky included (st_mode & 07777).
    public var mode: UInt32
    public var owner: UInt32
    public var group: UInt32
    public var identity: FileIdentity

    public init(_ kind: Kind, mode: UInt32, owner: UInt32 = 0, group: UInt32 = 0,
                identity: FileIdentity = FileIdentity(device: 0, inode: 0)) {
        self.kind = kind
        self.mode = mode
        self.owner = owner
        self.group = group
        self.identity = identity
    }
}

/// A file's device and inode numbers: what tells two names of one file apart from two files.
public struct FileIdentity: Sendable, Hashable {
    public var device: UInt64
    public var inode: UInt64

    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }
}

/// Why a tree could not be planned: one line, FreeBSD's style (paths in backquotes).
public struct NanoError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
