/// File access for `.include` and the default file, injected so that this module needs no
/// operating-system library and can be tested (and fuzzed) against an in-memory tree.
public protocol ConfFileSystem: Sendable {
    /// The file's text, or nil when it cannot be read.
    func read(_ path: String) -> String?
    /// The paths matching a glob(3) pattern (`*`, `?`, `[...]`); [] when none match.
    func glob(_ pattern: String) -> [String]
}

/// A ConfFileSystem over a fixed set of files, for tests and tools.
public struct InMemoryFileSystem: ConfFileSystem {
    public var files: [String: String]

    public init(_ files: [String: String]) {
        self.files = files
    }

    /// Paths are compared in lexical normal form, so `/a/b/../c` finds `/a/c` as the kernel would
    /// (there are no symbolic links here).
    public func read(_ path: String) -> String? {
        files[path] ?? files[PathRules.normalize(path)]
    }

    public func glob(_ pattern: String) -> [String] {
        files.keys.filter { globMatch(Array(pattern.utf8), Array($0.utf8)) }.sorted()
    }
}

enum PathRules {
    /// glob(3) treats a pattern with `*`, `?` or `[` as a pattern (GLOB_MAGCHAR); FreeBSD's
    /// include_config then parses every match, possibly none. A pattern without them names a
    /// file that must exist.
    static func hasGlobMagic(_ pattern: String) -> Bool {
        pattern.utf8.contains { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[") }
    }

    /// A relative include is taken relative to the directory of the file that includes it
    /// (config.c include_config), or as given when that file's name has no directory.
    static func resolveInclude(_ name: String, from includingFile: String) -> String {
        if name.hasPrefix("/") {
            return name
        }
        guard let slash = includingFile.lastIndex(of: "/") else {
            return name
        }
        return String(includingFile[...slash]) + name
    }

    /// A lexical normal form (no `.`, `..` or repeated slashes) so that `./a.conf` and `a.conf`
    /// are seen as one file when looking for include cycles. Symbolic links are not followed
    /// (no file system access here); the include depth limit stops loops through them.
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." {
                continue
            }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            if part == ".." && absolute {
                continue
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }
}

/// Minimal glob(3) matching for InMemoryFileSystem: `*` and `?` do not cross `/`, `[...]`
/// classes with ranges and `!`/`^` negation.
func globMatch(_ pattern: [UInt8], _ path: [UInt8]) -> Bool {
    // Iterative matcher with one backtrack point for the last `*`, which keeps it linear
    // enough for tests and free of recursion.
    var p = 0
    var s = 0
    var starP = -1
    var starS = 0
    let slash = UInt8(ascii: "/")
    while s < path.count {
        if p < pattern.count {
            let c = pattern[p]
            if c == UInt8(ascii: "*") {
                starP = p
                starS = s
                p += 1
                continue
            }
            if c == UInt8(ascii: "?") && path[s] != slash {
                p += 1
                s += 1
                continue
            }
            if c == UInt8(ascii: "["), let (matched, next) = matchClass(pattern, p, path[s]) {
                if matched && path[s] != slash {
                    p = next
                    s += 1
                    continue
                }
            } else if c == path[s] && c != UInt8(ascii: "[") {
                p += 1
                s += 1
                continue
            }
        }
        if starP >= 0 && path[starS] != slash {
            starS += 1
            s = starS
            p = starP + 1
            continue
        }
        return false
    }
    while p < pattern.count && pattern[p] == UInt8(ascii: "*") {
        p += 1
    }
    return p == pattern.count
}

private func matchClass(_ pattern: [UInt8], _ start: Int, _ byte: UInt8) -> (Bool, Int)? {
    var i = start + 1
    var negate = false
    if i < pattern.count && (pattern[i] == UInt8(ascii: "!") || pattern[i] == UInt8(ascii: "^")) {
        negate = true
        i += 1
    }
    var matched = false
    var first = true
    while i < pattern.count {
        let c = pattern[i]
        if c == UInt8(ascii: "]") && !first {
            return (matched != negate, i + 1)
        }
        first = false
        if i + 2 < pattern.count && pattern[i + 1] == UInt8(ascii: "-") && pattern[i + 2] != UInt8(ascii: "]") {
            if byte >= c && byte <= pattern[i + 2] {
                matched = true
            }
            i += 3
        } else {
            if byte == c {
                matched = true
            }
            i += 1
        }
    }
    return nil
}
