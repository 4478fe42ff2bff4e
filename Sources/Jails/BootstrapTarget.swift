import CJail
import Glibc
import JailSys
import SystemPackage

/// The directory a bootstrap fills, and the things it keeps beside it while it works.
/// A tree being built is always recognisable as unfinished: a debootstrap'd one holds
/// the marker file (what was asked, so that a re-run can tell it is the same request),
/// an archive is extracted into `.NAME.partial` next to it and renamed into place only
/// when complete. Anything else that is not empty is not ours, and is never touched.
struct BootstrapTarget {
    /// Absolute, without a trailing slash.
    let path: String
    let parent: String
    let name: String

    init(_ given: String) throws(JailError) {
        var absolute = given
        if !given.hasPrefix("/") {
            guard let cwd = unsafe getcwd(nil, 0) else {
                throw Bootstrap.failure("\(given): cannot resolve a relative path: \(SystemError.message(Errno(rawValue: Glibc.errno)))")
            }
            absolute = unsafe String(cString: cwd) + "/" + given
            unsafe free(cwd)
        }
        let parts = absolute.split(separator: "/").filter { $0 != "." }
        guard let last = parts.last else { throw Bootstrap.failure("\(given): not a directory a tree can be made in") }
        guard !parts.contains("..") else { throw Bootstrap.failure("\(given): give a path without `..`") }
        path = "/" + parts.joined(separator: "/")
        parent = "/" + parts.dropLast().joined(separator: "/")
        name = String(last)
    }

    var marker: String { path + "/" + ArchiveChecks.reservedName }
    /// Where an archive is extracted before it is renamed into place.
    var partial: String { sibling("partial") }
    /// debootstrap's whole output, kept after the run.
    var log: String { sibling("bootstrap.log") }
    /// Packages downloaded by debootstrap, kept until it succeeds: what makes a re-run
    /// after an interruption resume rather than start over.
    var cache: String { sibling("bootstrap-cache") }

    private func sibling(_ suffix: String) -> String {
        (parent == "/" ? "" : parent) + "/." + name + "." + suffix
    }

    enum State: Equatable {
        case absent
        case empty
        /// Holds our marker with this request in it.
        case incomplete(String)
        case notEmpty
        case notDirectory
        case symbolicLink
    }

    func state() throws(JailError) -> State {
        var st = stat()
        if unsafe lstat(path, &st) != 0 {
            let e = Errno(rawValue: Glibc.errno)
            if e == .noSuchFileOrDirectory { return .absent }
            throw Bootstrap.failure("\(path): \(SystemError.message(e))")
        }
        if (st.st_mode & S_IFMT) == S_IFLNK { return .symbolicLink }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { return .notDirectory }
        let names: [String]
        do { names = try directoryEntries(path) } catch { throw Bootstrap.failure("\(error)") }
        if names.isEmpty { return .empty }
        if names.contains(ArchiveChecks.reservedName) {
            return .incomplete((try? readFile(FilePath(marker))) ?? "")
        }
        return .notEmpty
    }

    /// The error for a target that cannot be used.
    func refusal(_ state: State) -> JailError {
        switch state {
        case .notEmpty:
            return Bootstrap.failure("\(path): not empty (give a new or empty directory)")
        case .notDirectory:
            return Bootstrap.failure("\(path): not a directory")
        case .symbolicLink:
            return Bootstrap.failure("\(path): a symbolic link; give the real path")
        case .incomplete(let request):
            let what = request.split(separator: "\n").first.map(String.init) ?? "unknown"
            return Bootstrap.failure(
                "\(path): holds an unfinished bootstrap of something else (\(what)); repeat that command to finish it, or remove it (rm -rf \(path))")
        case .absent, .empty:
            return Bootstrap.failure("\(path): cannot be used")
        }
    }

    /// Holds `directory` (the tree being built) for this run: two bootstraps of one
    /// target would remove each other's work. The lock ends with the descriptor, and
    /// with this process.
    func lock(_ directory: String) throws(JailError) -> OwnedFD {
        let fd: OwnedFD
        do { fd = try OwnedFD.open(FilePath(directory), O_RDONLY | O_DIRECTORY | O_NOFOLLOW) } catch {
            throw Bootstrap.failure("\(error)")
        }
        guard cj_flock(fd.rawValue, LOCK_EX | LOCK_NB) == 0 else {
            throw Bootstrap.failure("\(directory): another jail bootstrap is working on it")
        }
        return fd
    }

    /// A directory we build in or keep packages in must be ours and writable by no one
    /// else: another user who could write there (in /var/tmp, say) could plant links or
    /// packages in a tree root is building.
    func checkOwned(_ directory: String) throws(JailError) {
        var st = stat()
        guard unsafe lstat(directory, &st) == 0 else {
            throw Bootstrap.failure("\(directory): \(SystemError.message(Errno(rawValue: Glibc.errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { throw Bootstrap.failure("\(directory): not a directory") }
        guard st.st_uid == geteuid() else {
            throw Bootstrap.failure("\(directory): owned by uid \(st.st_uid), not by us; remove it or give another target")
        }
        guard st.st_mode & 0o022 == 0 else {
            throw Bootstrap.failure(
                "\(directory): writable by others (mode \(String(st.st_mode & 0o7777, radix: 8))); remove it or give another target")
        }
    }

    /// The parent directories, as mkdir -p makes them (mode 0755).
    func makeParents() throws(JailError) {
        var prefix = ""
        for part in parent.split(separator: "/") {
            prefix += "/" + part
            if unsafe mkdir(prefix, 0o755) != 0 && Glibc.errno != EEXIST {
                throw Bootstrap.failure("mkdir `\(prefix)`: \(SystemError.message(Errno(rawValue: Glibc.errno)))")
            }
        }
    }

    func writeMarker(_ request: String, in directory: String) throws(JailError) {
        let file = directory + "/" + ArchiveChecks.reservedName
        do {
            let fd = try OwnedFD.open(FilePath(file), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode: 0o600)
            try fd.writeAll(Array(request.utf8), path: FilePath(file))
            _ = fsync(fd.rawValue)
        } catch { throw Bootstrap.failure("\(error)") }
    }

    func removeMarker(in directory: String) throws(JailError) {
        let file = directory + "/" + ArchiveChecks.reservedName
        if unsafe unlink(file) != 0 && Glibc.errno != ENOENT {
            throw Bootstrap.failure("unlink `\(file)`: \(SystemError.message(Errno(rawValue: Glibc.errno)))")
        }
    }
}

/// Removing a tree of ours: whatever a killed debootstrap left mounted in it first (its
/// /proc and /sys), then the files, never crossing into another file system.
enum TreeRemoval {
    static func remove(_ path: String) throws(JailError) {
        var st = stat()
        guard unsafe lstat(path, &st) == 0 else { return }
        try unmountAll(beneath: path)
        let rm = try HelperProcess.run([HelperProcess.tool("rm") ?? "/bin/rm", "-rf", "--one-file-system", "--", path])
        guard rm.succeeded else { throw Bootstrap.failure("remove `\(path)`: \(rm.message())") }
    }

    static func unmountAll(beneath path: String) throws(JailError) {
        var st = stat()
        guard unsafe lstat(path, &st) == 0 else { return }
        do {
            // Mount points are named with symlinks resolved.
            let real = try MountTable.resolve(path)
            for point in try MountTable.mountPoints(beneath: real) { try MountTable.detach(point) }
        } catch { throw Bootstrap.failure("\(error)") }
    }
}
