/// The Debian mirror the host's apt uses, for debootstrap to use too: the first
/// enabled `deb` source whose path ends in `/debian` (not `debian-security`, not another
/// distribution's archive), from deb822 `debian.sources` first, then `sources.list`.
public enum DebianMirror {
    public static let fallback = "http://deb.debian.org/debian"

    public static func from(sources: String?, list: String?) -> String? {
        if let sources, let uri = fromDeb822(sources) { return uri }
        if let list, let uri = fromList(list) { return uri }
        return nil
    }

    /// deb822 stanzas: "Types: deb", "URIs: a b", "Enabled: no" to skip one.
    static func fromDeb822(_ text: String) -> String? {
        for stanza in stanzas(text) {
            guard (stanza["types"] ?? []).contains("deb"), stanza["enabled"]?.first?.lowercased() != "no" else { continue }
            if let uri = (stanza["uris"] ?? []).first(where: isDebianArchive) { return trimmed(uri) }
        }
        return nil
    }

    /// One-line sources: "deb [options] URI suite component...".
    static func fromList(_ text: String) -> String? {
        for line in text.split(separator: "\n") {
            var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard words.first == "deb" else { continue }
            words.removeFirst()
            // Options in brackets, possibly spread over several words.
            if words.first?.hasPrefix("[") == true {
                while let w = words.first {
                    words.removeFirst()
                    if w.hasSuffix("]") { break }
                }
            }
            if let uri = words.first, isDebianArchive(uri) { return trimmed(uri) }
        }
        return nil
    }

    private static func stanzas(_ text: String) -> [[String: [String]]] {
        var out: [[String: [String]]] = []
        var current: [String: [String]] = [:]
        var lastKey: String?
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.hasPrefix("#") { continue }
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                if !current.isEmpty { out.append(current) }
                current = [:]
                lastKey = nil
                continue
            }
            let values = { (s: Substring) in s.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) }
            if line.first == " " || line.first == "\t" {
                if let lastKey { current[lastKey, default: []] += values(line) }
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].lowercased()
            current[key] = values(line[line.index(after: colon)...])
            lastKey = key
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    private static func isDebianArchive(_ uri: String) -> Bool {
        let parts = trimmed(uri).split(separator: "/")
        return parts.last == "debian" && (uri.hasPrefix("http://") || uri.hasPrefix("https://") || uri.hasPrefix("file:/"))
    }

    private static func trimmed(_ uri: String) -> String {
        var u = Substring(uri)
        while u.hasSuffix("/") { u = u.dropLast() }
        return String(u)
    }
}
