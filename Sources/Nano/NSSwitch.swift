/// nsswitch.conf(5): the services glibc asks for users, groups, hosts and the rest, each
/// a module libnss_SERVICE.so.2 that libc dlopens when a lookup first needs it — except
/// those built into libc (`files` and `dns` since glibc 2.34), which it recognises by name.
enum NSSwitch {
    /// The services named, in order of first mention, without repeats. Action items
    /// (`[NOTFOUND=return]`) are skipped; a name that could not be a file name is dropped
    /// (it would put a `/` in a library name).
    static func services(_ text: String) -> [String] {
        var out: [String] = []
        for raw in text.split(separator: "\n") {
            let line = raw.firstIndex(of: "#").map { raw[..<$0] } ?? raw[...]
            guard let colon = line.firstIndex(of: ":") else { continue }
            var depth = 0
            var word = ""
            func flush() {
                if !word.isEmpty, !out.contains(word), isServiceName(word) { out.append(word) }
                word = ""
            }
            for c in line[line.index(after: colon)...] {
                switch c {
                case "[": flush(); depth += 1
                case "]": depth = max(0, depth - 1)
                case " ", "\t", "\r": flush()
                default: if depth == 0 { word.append(c) }
                }
            }
            flush()
        }
        return out
    }

    static func isServiceName(_ name: String) -> Bool {
        name.unicodeScalars.allSatisfy { $0.isASCIILetterOrDigit || "_-.+".unicodeScalars.contains($0) }
            && name != "." && name != ".."
    }

    static func moduleName(_ service: String) -> String { "libnss_\(service).so.2" }

    /// Whether libc defines the service itself: it exports the service's functions
    /// (`_nss_files_getpwnam_r`, ...) — true of `files` and `dns` in glibc 2.34 and later.
    static func isBuiltIn(_ service: String, libc: ELFFile) -> Bool {
        let prefix = "_nss_\(service)_"
        return libc.exports.contains { $0.hasPrefix(prefix) }
    }
}

extension Unicode.Scalar {
    var isASCIILetterOrDigit: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || ("0"..."9").contains(self)
    }
}
