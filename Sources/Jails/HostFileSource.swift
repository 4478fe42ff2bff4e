import Glibc
import JailSys
import Nano
import SystemPackage

/// The host's files as `jail nano`'s planner reads them.
struct HostFileSource: HostFiles {
    func status(_ path: String) -> FileStatus? {
        guard let info = try? fileInfo(FilePath(path)) else { return nil }
        let kind: FileStatus.Kind
        switch info.kind {
        case .regular: kind = .file
        case .directory: kind = .directory
        case .symlink:
            guard let target = try? readLink(FilePath(path)) else { return nil }
            kind = .symlink(target: target)
        case .characterDevice, .blockDevice: kind = .device
        case .socket: kind = .socket
        case .fifo: kind = .fifo
        }
        return FileStatus(kind, mode: info.mode, owner: info.owner, group: info.group,
                          identity: FileIdentity(device: info.device, inode: info.inode))
    }

    func contents(_ path: String, limit: Int) -> [UInt8]? {
        // Non-blocking: a FIFO put where a library was expected must not hang the planner.
        guard let fd = try? OwnedFD.open(FilePath(path), O_RDONLY | O_NONBLOCK | O_NOCTTY),
              (try? fd.info().kind) == .regular else { return nil }
        return try? fd.readAll(limit: limit)
    }

    func names(in directory: String) -> [String]? {
        guard let fd = try? OwnedFD.open(FilePath(directory), O_RDONLY | O_DIRECTORY) else { return nil }
        return try? fd.names()
    }
}
