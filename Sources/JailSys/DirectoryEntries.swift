import Glibc
import SystemPackage

/// The names in the directory `path`, without "." and "..", in the order readdir gives.
public func directoryEntries(_ path: String) throws(SystemError) -> [String] {
    guard let dir = unsafe opendir(path) else {
        throw SystemError("open the directory", Errno(rawValue: Glibc.errno), path: FilePath(path))
    }
    defer { unsafe _ = closedir(dir) }
    var names: [String] = []
    while let entry = unsafe readdir(dir) {
        let name = unsafe withUnsafeBytes(of: entry.pointee.d_name) { raw in
            unsafe raw.bindMemory(to: CChar.self).baseAddress.map { unsafe String(cString: $0) } ?? ""
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}
