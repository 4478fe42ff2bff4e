import Testing

@testable import JailConf

// Shared helpers. Expected results in these tests cite where FreeBSD states them:
// JC5 = usr.sbin/jail/jail.conf.5, J8 = usr.sbin/jail/jail.8, JP = jailparse.y,
// JL = jaillex.l, CC = config.c, JC = jail.c, ST = state.c (freebsd/freebsd-src and the
// 5BSD/5BSD tree that tracks FreeBSD main), HB = the FreeBSD Handbook's jail chapter,
// FJ = /work/shared/FREEBSD-JAILS.md.

/// Parse `text` as the file `path`, with `files` readable beside it.
func conf(_ text: String, path: String = "/test/jail.conf", files: [String: String] = [:]) throws(ConfError)
    -> JailConfFile
{
    var all = files
    all[path] = text
    return try JailConfFile(path: path, fs: InMemoryFileSystem(all))
}

/// Resolve one jail of a configuration for creation (it comes after its dependencies).
func jail(_ name: String, in text: String, overrides: [String] = [], files: [String: String] = [:]) throws(ConfError)
    -> JailParams
{
    let jails = try conf(text, files: files).resolve([name], overrides: overrides, forRemoval: false)
    guard let last = jails.last else {
        throw ConfError(.jailNotFound, "test: nothing resolved")
    }
    return last
}

/// The error `body` throws, or nil. (Closures do not infer typed throws, hence the cast.)
func failure(_ body: () throws -> Void) -> ConfError? {
    do {
        try body()
        return nil
    } catch {
        return error as? ConfError
    }
}

/// The `jail -e` output of a configuration.
func exhibit(_ text: String, separator: String = "|", files: [String: String] = [:]) throws(ConfError) -> String {
    try conf(text, files: files).formatE(separator: separator)
}

/// The values of all tokens, for lexer tests: words as their text (variables as `${name}`),
/// punctuation as itself.
func tokens(_ text: String) throws(ConfError) -> [String] {
    var lexer = Lexer(text, file: "t")
    var result: [String] = []
    while true {
        let token = try lexer.next()
        switch token.kind {
        case .end:
            return result
        case .word:
            // Rebuild the word with each variable shown as `${name}` where it goes.
            var text = ""
            var position = 0
            let literal = token.word?.literal ?? []
            for variable in token.word?.variables ?? [] {
                text += String(decoding: literal[position..<variable.position], as: UTF8.self)
                text += "${" + variable.name + "}"
                position = variable.position
            }
            text += String(decoding: literal[position...], as: UTF8.self)
            result.append(text)
        case .equals: result.append("=")
        case .plusEquals: result.append("+=")
        case .comma: result.append(",")
        case .semicolon: result.append(";")
        case .openBrace: result.append("{")
        case .closeBrace: result.append("}")
        }
    }
}

/// Strip the Handbook's AsciiDoc callout markers (`<.>`), which are not part of the files.
func withoutCallouts(_ text: String) -> String {
    var result = ""
    var rest = Substring(text)
    while let range = rest.firstRange(of: " <.>") {
        result += rest[..<range.lowerBound]
        rest = rest[range.upperBound...]
    }
    return result + rest
}
