import CJail
import Glibc
import JailSys
import SystemPackage

/// A thin jail's overlay layers, checked on the host: the base (lower, read-only), the
/// jail's own path (upper) and a work directory next to it that is ours (root's, 0700,
/// made here if missing) on the same file system. Each is reached without any symlink and
/// known by device and inode; the child opens them again the same way and checks they
/// are still those directories, so that whoever can rename next to the jail's path
/// cannot swap a layer for another directory.
struct ThinLayers: Sendable {
    struct Layer: Sendable { var path: String; var device: UInt64; var inode: UInt64 }
    let lower: Layer, upper: Layer, work: Layer

    /// - Parameters:
    ///   - root: the jail's path, resolved; `rootDevice` its device.
    init(base: String, root: String, rootDevice: UInt64) throws(JailError) {
        func fail(_ message: String) -> JailError { JailError(jail: nil, "thin.base: " + message) }
        guard root != "/" else { throw fail("path=/ cannot be a thin jail's own layer") }
        func layer(_ path: String, at dir: Int32 = AT_FDCWD) throws(JailError) -> Layer {
            let fd = unsafe cj_open_nofollow(path)
            guard fd >= 0 else {
                let e = Errno(rawValue: Glibc.errno)
                throw fail("\(path): " + (e == .tooManySymbolicLinkLevels ? "a symbolic link in the path; give the real path" : SystemError.message(e)))
            }
            defer { _ = Glibc.close(fd) }
            var st = stat()
            guard unsafe fstat(fd, &st) == 0 else { throw fail("\(path): \(SystemError.message(Errno(rawValue: Glibc.errno)))") }
            return Layer(path: path, device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
        }
        try HostState.checkSource(base, what: "thin.base:")
        lower = try layer(base)
        upper = try layer(root)
        let parent = FilePath(root).removingLastComponent().string
        let parentLayer = try layer(parent)
        guard parentLayer.device == rootDevice else {
            throw fail("path \(root) is a mount point: the overlay's work directory must be on its file system (make the jail's path a directory inside it)")
        }
        let workPath = (parent == "/" ? "" : parent) + "/." + (FilePath(root).lastComponent?.string ?? "jail") + ".work"
        if unsafe mkdir(workPath, 0o700) < 0 && Glibc.errno != EEXIST {
            throw fail("mkdir `\(workPath)`: \(SystemError.message(Errno(rawValue: Glibc.errno)))")
        }
        let w = try layer(workPath)
        var st = stat()
        guard unsafe lstat(workPath, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR, st.st_uid == 0, st.st_mode & 0o7777 == 0o700,
              UInt64(st.st_dev) == rootDevice, UInt64(st.st_ino) == w.inode else {
            throw fail("`\(workPath)`: must be a directory of root's, mode 0700, on the file system of \(root)")
        }
        work = w
    }
}
