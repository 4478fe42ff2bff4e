import Glibc
import SystemPackage

/// Files of a directory tree reached through descriptors, one name at a time and never
/// through a symlink: what `jail nano` needs to write into a tree whose root may be a
/// jail's, where any name may have been swapped for a link to the host's files. Also
/// the host look-ups by path (lstat, readlink, listings) its planning reads.

/// What lstat(2) says of a file.
public struct FileInfo: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case regular, directory, symlink, characterDevice, blockDevice, socket, fifo
    }

    public var kind: Kind
    /// Permission bits with setuid, setgid and sticky (st_mode & 07777).
    public var mode: UInt32
    public var owner: UInt32
    public var group: UInt32
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var links: UInt64

    init(_ st: stat) {
        switch st.st_mode & S_IFMT {
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        case S_IFCHR: kind = .characterDevice
        case S_IFBLK: kind = .blockDevice
        case S_IFSOCK: kind = .socket
        case S_IFIFO: kind = .fifo
        default: kind = .regular
        }
        mode = UInt32(st.st_mode) & 0o7777
        owner = st.st_uid
        group = st.st_gid
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        size = Int64(st.st_size)
        links = UInt64(st.st_nlink)
    }
}

/// lstat(2) of `path` (relative ones from `dir`); nil when it does not exist.
public func fileInfo(_ path: FilePath, at dir: Int32 = AT_FDCWD) throws(SystemError) -> FileInfo? {
    var st = stat()
    let rc = unsafe path.withPlatformString { unsafe fstatat(dir, $0, &st, AT_SYMLINK_NOFOLLOW) }
    if rc != 0 {
        let err = Errno(rawValue: Glibc.errno)
        if err == .noSuchFileOrDirectory || err == .notDirectory { return nil }
        throw SystemError("stat", err, path: path)
    }
    return FileInfo(st)
}

/// readlink(2) of `path`.
public func readLink(_ path: FilePath, at dir: Int32 = AT_FDCWD) throws(SystemError) -> String {
    var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let n = try syscall("readlink", path: path) {
        unsafe path.withPlatformString { name in
            unsafe buf.withUnsafeMutableBufferPointer { out in
                guard let base = out.baseAddress else { return -1 }
                return unsafe readlinkat(dir, name, base, out.count - 1)
            }
        }
    }
    return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

extension OwnedFD {
    /// fstat(2).
    public func info() throws(SystemError) -> FileInfo {
        var st = stat()
        let fd = rawValue
        _ = try syscall("fstat") { unsafe fstat(fd, &st) }
        return FileInfo(st)
    }

    /// The names in this directory, without `.` and `..`.
    public func names() throws(SystemError) -> [String] {
        let copy = try syscall("dup") { fcntl(rawValue, F_DUPFD_CLOEXEC, 0) }
        guard let dir = unsafe fdopendir(copy) else {
            let err = Errno(rawValue: Glibc.errno)
            _ = Glibc.close(copy)
            throw SystemError("opendir", err)
        }
        defer { unsafe _ = closedir(dir) }
        unsafe rewinddir(dir)
        var out: [String] = []
        while let entry = unsafe readdir(dir) {
            let name = unsafe withUnsafeBytes(of: entry.pointee.d_name) { raw in
                unsafe raw.bindMemory(to: CChar.self).baseAddress.map { unsafe String(cString: $0) } ?? ""
            }
            if name != ".", name != "..", !name.isEmpty { out.append(name) }
        }
        return out
    }

    /// The directory `name` in this one, refusing a symlink there (ELOOP).
    public func openDirectory(_ name: String) throws(SystemError) -> OwnedFD {
        try OwnedFD.open(FilePath(name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW, at: rawValue)
    }

    /// The regular file `name` in this one, for reading; a symlink is refused and a FIFO
    /// cannot block the open.
    public func openFile(_ name: String) throws(SystemError) -> OwnedFD {
        let fd = try OwnedFD.open(FilePath(name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, at: rawValue)
        guard try fd.info().kind == .regular else { throw SystemError("open", .notSupported, path: FilePath(name)) }
        return fd
    }

    /// A new file `name` in this directory (never an existing one, never through a symlink).
    public func createFile(_ name: String, mode: UInt32) throws(SystemError) -> OwnedFD {
        try OwnedFD.open(FilePath(name), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: mode_t(mode), at: rawValue)
    }

    public func makeDirectory(_ name: String, mode: UInt32) throws(SystemError) {
        _ = try syscall("mkdir", path: FilePath(name)) { unsafe mkdirat(rawValue, name, mode_t(mode)) }
    }

    public func makeSymlink(_ name: String, target: String) throws(SystemError) {
        _ = try syscall("symlink", path: FilePath(name)) { unsafe symlinkat(target, rawValue, name) }
    }

    /// rename(2) within this directory: the new name appears whole or not at all.
    public func rename(_ from: String, to: String) throws(SystemError) {
        _ = try syscall("rename", path: FilePath(to)) { unsafe renameat(rawValue, from, rawValue, to) }
    }

    public func remove(_ name: String) throws(SystemError) {
        _ = try syscall("unlink", path: FilePath(name)) { unsafe unlinkat(rawValue, name, 0) }
    }

    /// The owner of `name` in this directory, itself if a symlink.
    public func setOwner(_ name: String, owner: UInt32, group: UInt32) throws(SystemError) {
        _ = try syscall("chown", path: FilePath(name)) {
            unsafe fchownat(rawValue, name, owner, group, AT_SYMLINK_NOFOLLOW)
        }
    }

    /// Owner, then mode: chown(2) clears setuid and setgid, so the mode comes after it.
    public func setOwnerAndMode(owner: UInt32, group: UInt32, mode: UInt32) throws(SystemError) {
        let fd = rawValue
        _ = try syscall("chown") { fchown(fd, owner, group) }
        _ = try syscall("chmod") { fchmod(fd, mode_t(mode)) }
    }

    /// Copies everything from `source` (read to its end) into this file.
    public func copyContents(from source: borrowing OwnedFD) throws(SystemError) {
        var chunk = [UInt8](repeating: 0, count: 1 << 17)
        while true {
            let n = try source.read(into: &chunk)
            if n == 0 { return }
            try writeAll(chunk[0..<n])
        }
    }

    /// Whether this file and `other` hold the same bytes (both read from their start).
    public func sameContents(as other: borrowing OwnedFD) throws(SystemError) -> Bool {
        var a = [UInt8](repeating: 0, count: 1 << 17), b = a
        while true {
            let n = try read(into: &a)
            var m = 0
            while m < n {
                let got = try other.read(into: &b, offset: m, count: n - m)
                if got == 0 { return false }
                m += got
            }
            if n == 0 { return try other.read(into: &b, offset: 0, count: 1) == 0 }
            if a[0..<n] != b[0..<n] { return false }
        }
    }

    /// One read(2) into `buffer[offset..<offset+count]` (the whole buffer by default).
    func read(into buffer: inout [UInt8], offset: Int = 0, count: Int? = nil) throws(SystemError) -> Int {
        let fd = rawValue
        let want = min(count ?? buffer.count - offset, buffer.count - offset)
        return try syscall("read") {
            unsafe buffer.withUnsafeMutableBytes { raw in
                guard let base = raw.baseAddress else { return 0 }
                return unsafe Glibc.read(fd, base + offset, want)
            }
        }
    }
}
