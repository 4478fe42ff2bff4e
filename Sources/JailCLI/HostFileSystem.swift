import Glibc
import JailConf
import JailSys
import SystemPackage

/// jail.conf's view of the host: reads files and expands .include globs.
struct HostFileSystem: ConfFileSystem {
    func read(_ path: String) -> String? { try? readFile(FilePath(path)) }

    func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            if let p = g.gl_pathv[i] { out.append(String(cString: p)) }
        }
        return out
    }
}
