import Glibc

/// Our standard streams pointed elsewhere while `body` runs, then put back: a process we
/// clone or spawn meanwhile inherits them (a jailed command's log, a booted init's
/// console, a command's input), we keep ours. `streams`: stream number → descriptor.
public func withStandardStreams<R, E: Error>(_ streams: [Int32: Int32], _ body: () throws(E) -> R) throws(E) -> R {
    var saved: [Int32: Int32] = [:]
    for (stream, fd) in streams where fd >= 0 {
        saved[stream] = fcntl(stream, F_DUPFD_CLOEXEC, 3)
        _ = dup2(fd, stream)
    }
    defer {
        for (stream, fd) in saved where fd >= 0 {
            _ = dup2(fd, stream)
            _ = close(fd)
        }
    }
    return try body()
}
