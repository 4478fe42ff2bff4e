/// fnmatch(3) with FNM_PATHNAME and no other flag, as devfs matches a rule's `path` pattern
/// against a node's name (devfs_rule_matchpath in sys/fs/devfs/devfs_rule.c, with the
/// kernel's sys/libkern/fnmatch.c):
///
/// - `*` matches any run of characters but `/`, so `pts/*` matches `pts/0` and `*` does
///   not; `?` matches one character but `/`;
/// - `[...]` matches one character from the list or ranges (`a-z`); `[!...]` and `[^...]`
///   one not in it; a `]` first in the list is literal; `/` never matches a bracket; a `[`
///   without its `]` is a literal `[`. There are no `[:classes:]`, as in the kernel's copy;
/// - `\c` matches `c`; a `\` at the end of the pattern matches a backslash;
/// - a leading `.` is not special (devfs does not pass FNM_PERIOD).
///
/// The match is on bytes, as the kernel's is.
public enum Fnmatch {
    /// Whether `name` matches `pattern`.
    public static func matches(_ pattern: String, _ name: String) -> Bool {
        match(Array(pattern.utf8)[...], Array(name.utf8)[...])
    }

    private static let slash = UInt8(ascii: "/")

    private static func match(_ pattern: ArraySlice<UInt8>, _ name: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex
        var n = name.startIndex
        while p < pattern.endIndex {
            let c = pattern[p]
            p += 1
            switch c {
            case UInt8(ascii: "?"):
                guard n < name.endIndex, name[n] != slash else {
                    return false
                }
                n += 1
            case UInt8(ascii: "*"):
                while p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") {
                    p += 1
                }
                if p == pattern.endIndex {
                    // A trailing star takes the rest of the component, not another one.
                    return !name[n...].contains(slash)
                }
                if pattern[p] == slash {
                    // A star before a slash takes everything up to the next slash.
                    guard let next = name[n...].firstIndex(of: slash) else {
                        return false
                    }
                    n = next
                    continue
                }
                // Otherwise try each place the star may stop, up to the next slash.
                var stop = n
                while stop < name.endIndex {
                    if match(pattern[p...], name[stop...]) {
                        return true
                    }
                    if name[stop] == slash {
                        break
                    }
                    stop += 1
                }
                return false
            case UInt8(ascii: "["):
                guard n < name.endIndex, name[n] != slash else {
                    return false
                }
                switch bracket(pattern[p...], matching: name[n]) {
                case .matched(let rest):
                    p = rest
                    n += 1
                case .notMatched:
                    return false
                case .unterminated:
                    // A "[" with no "]" is an ordinary character.
                    guard name[n] == c else {
                        return false
                    }
                    n += 1
                }
            default:
                var literal = c
                if c == UInt8(ascii: "\\") && p < pattern.endIndex {
                    literal = pattern[p]
                    p += 1
                }
                guard n < name.endIndex, name[n] == literal else {
                    return false
                }
                n += 1
            }
        }
        return n == name.endIndex
    }

    private enum Bracket {
        /// The character is in the list; the pattern continues at the index.
        case matched(ArraySlice<UInt8>.Index)
        case notMatched
        case unterminated
    }

    /// A bracket expression starting just after its `[`.
    private static func bracket(_ pattern: ArraySlice<UInt8>, matching test: UInt8) -> Bracket {
        var p = pattern.startIndex
        func next() -> UInt8? {
            guard p < pattern.endIndex else {
                return nil
            }
            defer { p += 1 }
            return pattern[p]
        }
        func peek(_ offset: Int) -> UInt8? {
            p + offset < pattern.endIndex ? pattern[p + offset] : nil
        }
        let negated = peek(0) == UInt8(ascii: "!") || peek(0) == UInt8(ascii: "^")
        if negated {
            p += 1
        }
        var found = false
        var first = true
        while true {
            guard var low = next() else {
                return .unterminated
            }
            // The first character of the list may be "]" and still be a member.
            if low == UInt8(ascii: "]") && !first {
                break
            }
            first = false
            if low == UInt8(ascii: "\\") {
                guard let escaped = next() else {
                    return .unterminated
                }
                low = escaped
            }
            if low == slash {
                return .notMatched
            }
            if peek(0) == UInt8(ascii: "-"), let high = peek(1), high != UInt8(ascii: "]") {
                p += 2
                var upper = high
                if high == UInt8(ascii: "\\") {
                    guard let escaped = next() else {
                        return .unterminated
                    }
                    upper = escaped
                }
                if low <= test && test <= upper {
                    found = true
                }
            } else if low == test {
                found = true
            }
        }
        return found != negated ? .matched(p) : .notMatched
    }
}
