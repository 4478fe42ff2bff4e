import CJail
import Glibc
import SystemPackage

/// A descriptor this process owns: closed exactly once, by `close()` or at the end of its
/// life. Borrowed as a swift-system `FileDescriptor` for calls.
public struct OwnedFD: ~Copyable {
    public let rawValue: Int32

    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    public var descriptor: FileDescriptor { FileDescriptor(rawValue: rawValue) }

    /// Gives the descriptor number up without closing it (for a child that inherits it).
    public consuming func release() -> Int32 {
        let fd = rawValue
        discard self
        return fd
    }

    public consuming func close() {
        _ = Glibc.close(rawValue)
        discard self
    }

    deinit { _ = Glibc.close(rawValue) }
}

extension OwnedFD {
    /// open(2) with O_CLOEXEC always added.
    public static func open(
        _ path: FilePath, _ flags: Int32, mode: mode_t = 0, at dir: Int32 = AT_FDCWD
    ) throws(SystemError) -> OwnedFD {
        let fd = try syscall("open", path: path) {
            unsafe path.withPlatformString { unsafe openat(dir, $0, flags | O_CLOEXEC, mode) }
        }
        return OwnedFD(fd)
    }

    /// Reads the whole file (small files: /proc, cgroupfs, passwd; libraries with a
    /// larger limit, read in larger chunks).
    public func readAll(limit: Int = 1 << 20) throws(SystemError) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: limit > 1 << 20 ? 1 << 16 : 4096)
        while out.count < limit {
            let fd = rawValue
            let n = try syscall("read") {
                unsafe chunk.withUnsafeMutableBytes { unsafe Glibc.read(fd, $0.baseAddress, $0.count) }
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    public func writeAll(_ bytes: some Collection<UInt8>, path: FilePath? = nil) throws(SystemError) {
        try Self.writeAll(rawValue, bytes, path: path)
    }

    /// Writes all of `bytes` to the descriptor `fd` (borrowed: a pipe's end).
    public static func writeAll(_ fd: Int32, _ bytes: some Collection<UInt8>, path: FilePath? = nil) throws(SystemError) {
        let data = Array(bytes)
        var done = 0
        while done < data.count {
            let n = try syscall("write", path: path) {
                unsafe data.withUnsafeBytes { buf in
                    guard let base = buf.baseAddress else { return 0 }
                    return unsafe Glibc.write(fd, base + done, buf.count - done)
                }
            }
            done += n
        }
    }
}

/// Reads a small file into a string.
public func readFile(_ path: FilePath, at dir: Int32 = AT_FDCWD) throws(SystemError) -> String {
    let fd = try OwnedFD.open(path, O_RDONLY, at: dir)
    let bytes = try fd.readAll()
    return String(decoding: bytes, as: UTF8.self)
}

/// Writes a small file in one call (cgroupfs, procfs).
public func writeFile(_ path: FilePath, _ text: String, at dir: Int32 = AT_FDCWD) throws(SystemError) {
    let fd = try OwnedFD.open(path, O_WRONLY, at: dir)
    try fd.writeAll(Array(text.utf8), path: path)
}

/// Reads a small file inside a jail's tree: `..` and symlinks (absolute ones included)
/// resolve as if `root` were "/", so a link planted by the jail cannot reach a host file;
/// and only a regular file is read, never a FIFO that would hang us or a device node
/// whose open would act on the host.
public func readFile(inRoot root: FilePath, _ path: String, limit: Int = 1 << 20) throws(SystemError) -> String {
    let rootFD = try OwnedFD.open(root, Int32(CJ_O_PATH) | O_DIRECTORY)
    let raw = try syscall("open", path: root.appending(path)) {
        unsafe cj_openat2_in_root(rootFD.rawValue, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
                                  Int32(CJ_RESOLVE_IN_ROOT) | Int32(CJ_RESOLVE_NO_MAGICLINKS))
    }
    let fd = OwnedFD(raw)
    var st = stat()
    _ = try syscall("fstat", path: root.appending(path)) { unsafe fstat(fd.rawValue, &st) }
    guard (st.st_mode & S_IFMT) == S_IFREG else {
        throw SystemError("open", .notSupported, path: root.appending(path))
    }
    return String(decoding: try fd.readAll(limit: limit), as: UTF8.self)
}

/// A pipe whose both ends close on exec: raw (read end, write end), for the caller to own.
public func makePipe() throws(SystemError) -> (read: Int32, write: Int32) {
    var fds: [Int32] = [0, 0]
    _ = try syscall("pipe2") {
        unsafe fds.withUnsafeMutableBufferPointer { buf -> Int32 in
            guard let base = buf.baseAddress else { return -1 }
            return unsafe cj_pipe_cloexec(base)
        }
    }
    return (fds[0], fds[1])
}
