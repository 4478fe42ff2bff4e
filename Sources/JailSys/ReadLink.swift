import Glibc

/// readlink(2) of `path`: a symbolic link's target, or what a /proc magic link names (a
/// descriptor's file, a process's executable). nil when it is neither.
public func readSymbolicLink(_ path: String) -> String? {
    var buf = [CChar](repeating: 0, count: 4096)
    let n = unsafe readlink(path, &buf, buf.count - 1)
    guard n > 0 else { return nil }
    return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
