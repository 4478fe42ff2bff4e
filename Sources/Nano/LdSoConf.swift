import JailMounts

/// /etc/ld.so.conf: the directories ldconfig puts in ld.so.cache, which the loader
/// searches after DT_RUNPATH and before its default directories. Read as ldconfig reads
/// it (elf/ldconfig.c, parse_conf): one directory a line, `include` lines with glob
/// patterns (relative ones from the including file's directory), `hwcap` lines ignored,
/// `#` comments.
enum LdSoConf {
    /// The directories, in order and without repeats.
    static func directories(_ path: String, files: some HostFiles) -> [String] {
        var out: [String] = []
        read(path, files: files, depth: 0, into: &out)
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }

    private static func read(_ path: String, files: some HostFiles, depth: Int, into out: inout [String]) {
        // An include cycle would never end; ldconfig has no limit, we stop at a sane depth.
        guard depth < 16, let bytes = files.contents(path, limit: 1 << 20) else { return }
        for raw in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let line = (raw.firstIndex(of: "#").map { raw[..<$0] } ?? raw[...]).trimmingBlanks()
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let first = words.first else { continue }
            if first == "include", words.count > 1 {
                for pattern in words.dropFirst() {
                    let absolute = pattern.hasPrefix("/") ? String(pattern) : joinPath(directoryName(path), String(pattern))
                    for file in files.glob(absolute) { read(file, files: files, depth: depth + 1, into: &out) }
                }
            } else if first.lowercased() == "hwcap", words.count > 1 {
                continue
            } else {
                // "dir=TYPE" is libc5's notation for a library type: the directory is before "=".
                var dir = String(line.split(separator: "=", maxSplits: 1).first ?? "").trimmingBlanks()
                while dir.count > 1, dir.hasSuffix("/") { dir.removeLast() }
                if dir.hasPrefix("/") { out.append(dir) }
            }
        }
    }
}

extension HostFiles {
    /// glob(3) as ldconfig calls it (no flags): `*`, `?` and `[...]` in any component, a
    /// leading `.` matched only by a pattern's leading `.`, results sorted.
    func glob(_ pattern: String) -> [String] {
        var found = ["/"]
        for component in pattern.split(separator: "/").map(String.init) {
            var next: [String] = []
            for dir in found {
                if component.contains(where: { "*?[".contains($0) }) {
                    let names = (self.names(in: dir) ?? []).sorted()
                    for name in names where Fnmatch.matches(component, name) {
                        if name.hasPrefix("."), !component.hasPrefix(".") { continue }
                        next.append(joinPath(dir, name))
                    }
                } else {
                    let path = joinPath(dir, component)
                    if status(path) != nil { next.append(path) }
                }
            }
            found = next
        }
        return found
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingBlanks() -> String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let start = firstIndex(where: { !blank($0) }), let end = lastIndex(where: { !blank($0) }) else { return "" }
        return String(self[start...end])
    }
}
