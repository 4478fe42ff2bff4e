/// The jail.conf lexer, following FreeBSD's usr.sbin/jail/jaillex.l rule by rule (read, not
/// copied): the unquoted-token byte class, single-character tokens, C escapes, quoting, and
/// `$var` / `${var}` references. It works on UTF-8 bytes so that every column and escape means
/// what it means to FreeBSD's byte-oriented flex scanner.

/// A string as written. Tokens with no whitespace or comment between them join into one string
/// (jaillex.l returns STR then STR1/VAR1 continuation tokens, which jailparse.y concatenates).
/// Kept as the literal text plus where each `$var` goes (config.c struct cfstring), so that a
/// value needs no conversion after parsing.
struct Word: Sendable {
    var literal: [UInt8] = []
    var variables: [RawValue.Reference] = []
    var location: SourceLocation
    /// How many lexer tokens made this word; a quoted string counts as one.
    var tokenCount = 0
    /// The first token was a bare `$name` or `${name}`; in name position that defines a variable.
    var startsWithVariable = false

    init(location: SourceLocation) {
        self.location = location
    }

    var hasVariables: Bool { !variables.isEmpty }

    /// All the text, when the word has no variables.
    var literalText: [UInt8]? {
        variables.isEmpty ? literal : nil
    }

    mutating func appendVariable(_ name: String, at location: SourceLocation) {
        variables.append(RawValue.Reference(name: name, position: literal.count, location: location))
    }
}

struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        case word, equals, plusEquals, comma, semicolon, openBrace, closeBrace, end
    }

    var kind: Kind
    var location: SourceLocation
    var word: Word?

    /// How the token reads in a syntax error message.
    var display: String {
        switch kind {
        case .word:
            if let bytes = word?.literalText, bytes.count <= 40, let text = String(validating: bytes, as: UTF8.self) {
                return quoted(text)
            }
            return "a string"
        case .equals: return quoted("=")
        case .plusEquals: return quoted("+=")
        case .comma: return quoted(",")
        case .semicolon: return quoted(";")
        case .openBrace: return quoted("{")
        case .closeBrace: return quoted("}")
        case .end: return "end of file"
        }
    }
}

/// Convert bytes to a String, refusing what a C program would silently cut short or mangle:
/// a NUL ends a C string early (so `\0` would truncate a path handed to the kernel), and
/// invalid UTF-8 cannot round-trip through Swift's String.
func decodeText(_ bytes: [UInt8], at location: SourceLocation) throws(ConfError) -> String {
    // Nearly all configuration text is plain ASCII, which needs no validation.
    if bytes.allSatisfy({ $0 != 0 && $0 < 0x80 }) {
        return String(decoding: bytes, as: UTF8.self)
    }
    if bytes.contains(0) {
        throw ConfError(.syntax, "string contains a NUL character", at: location)
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
        throw ConfError(.syntax, "string is not valid UTF-8", at: location)
    }
    return text
}

private enum Byte {
    static let newline: UInt8 = 0x0A
    static let tab: UInt8 = 0x09
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22  // "
    static let hash: UInt8 = 0x23  // #
    static let dollar: UInt8 = 0x24  // $
    static let apostrophe: UInt8 = 0x27  // '
    static let star: UInt8 = 0x2A  // *
    static let plus: UInt8 = 0x2B  // +
    static let comma: UInt8 = 0x2C  // ,
    static let slash: UInt8 = 0x2F  // /
    static let semicolon: UInt8 = 0x3B  // ;
    static let equals: UInt8 = 0x3D  // =
    static let backslash: UInt8 = 0x5C  // \
    static let openBrace: UInt8 = 0x7B  // {
    static let closeBrace: UInt8 = 0x7D  // }
    static let lowerX: UInt8 = 0x78  // x
}

/// jaillex.l's unquoted token class: `A-Za-z0-9_!%&()-.:<>?@[]^`|~`.
/// (`$ * + / \` are tokens of their own, one character each.)
private let unquotedClass: [Bool] = {
    var table = [Bool](repeating: false, count: 256)
    for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = true }
    for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = true }
    for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = true }
    for byte in "_!%&()-.:<>?@[]^`|~".utf8 { table[Int(byte)] = true }
    return table
}()

private func isNameStart(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
        || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_")
}

private func isNameContinuation(_ byte: UInt8) -> Bool {
    isNameStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
}

private func octalValue(_ byte: UInt8) -> UInt8? {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "7") ? byte - UInt8(ascii: "0") : nil
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
}

struct Lexer {
    private let bytes: [UInt8]
    private let file: String
    private var index = 0
    private var line = 1
    private var column = 1

    init(_ text: String, file: String) {
        self.bytes = Array(text.utf8)
        self.file = file
    }

    /// The location of the next unread byte.
    var location: SourceLocation {
        SourceLocation(file: file, line: line, column: column)
    }

    private func peek(_ offset: Int = 0) -> UInt8? {
        let position = index + offset
        return position < bytes.count ? bytes[position] : nil
    }

    /// Columns count characters, not bytes: a UTF-8 continuation byte does not move the column.
    private mutating func advance() {
        let byte = bytes[index]
        if byte == Byte.newline {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1
        }
        index += 1
    }

    mutating func next() throws(ConfError) -> Token {
        try skipSpaceAndComments()
        let start = location
        guard let byte = peek() else {
            return Token(kind: .end, location: start)
        }
        let single: Token.Kind?
        switch byte {
        case Byte.comma: single = .comma
        case Byte.semicolon: single = .semicolon
        case Byte.equals: single = .equals
        case Byte.openBrace: single = .openBrace
        case Byte.closeBrace: single = .closeBrace
        case Byte.plus where peek(1) == Byte.equals:
            advance()
            single = .plusEquals
        default: single = nil
        }
        if let single {
            advance()
            return Token(kind: single, location: start)
        }
        guard startsPiece() else {
            throw ConfError(.syntax, "unexpected character \(describe(byte))", at: start)
        }
        var word = Word(location: start)
        while startsPiece() {
            try readPiece(into: &word)
            word.tokenCount += 1
        }
        return Token(kind: .word, location: start, word: word)
    }

    private func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F {
            return quoted(String(UnicodeScalar(byte)))
        }
        let digits = Array("0123456789abcdef")
        return "0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
    }

    /// Whitespace is only space, tab, CR and LF, as in jaillex.l; comments are `#`, `//` and
    /// `/* */`, and may stand wherever whitespace may.
    private mutating func skipSpaceAndComments() throws(ConfError) {
        while let byte = peek() {
            switch byte {
            case Byte.space, Byte.tab, Byte.carriageReturn, Byte.newline:
                advance()
            case Byte.hash:
                skipToEndOfLine()
            case Byte.slash where peek(1) == Byte.slash:
                skipToEndOfLine()
            case Byte.slash where peek(1) == Byte.star:
                let start = location
                advance()
                advance()
                while true {
                    guard let inner = peek() else {
                        throw ConfError(.syntax, "unterminated comment", at: start)
                    }
                    if inner == Byte.star && peek(1) == Byte.slash {
                        advance()
                        advance()
                        break
                    }
                    advance()
                }
            default:
                return
            }
        }
    }

    private mutating func skipToEndOfLine() {
        while let byte = peek(), byte != Byte.newline {
            advance()
        }
    }

    /// Whether the next byte begins a string token. `+=`, `//` and `/*` are longer matches for
    /// other rules in jaillex.l, so `+` and `/` only start a string when not followed by them.
    private func startsPiece() -> Bool {
        guard let byte = peek() else { return false }
        if unquotedClass[Int(byte)] { return true }
        switch byte {
        case Byte.backslash, Byte.dollar, Byte.star, Byte.apostrophe, Byte.quote:
            return true
        case Byte.plus:
            return peek(1) != Byte.equals
        case Byte.slash:
            return peek(1) != Byte.slash && peek(1) != Byte.star
        default:
            return false
        }
    }

    private mutating func readPiece(into word: inout Word) throws(ConfError) {
        guard let byte = peek() else { return }
        switch byte {
        case Byte.apostrophe:
            try readSingleQuoted(into: &word)
        case Byte.quote:
            try readDoubleQuoted(into: &word)
        case Byte.backslash:
            readEscape(into: &word.literal)
        case Byte.dollar:
            let isFirst = word.tokenCount == 0
            if try readVariable(insideDoubleQuotes: false, into: &word) {
                if isFirst {
                    word.startsWithVariable = true
                }
            } else {
                advance()
                word.literal.append(Byte.dollar)
            }
        case Byte.star, Byte.plus, Byte.slash:
            advance()
            word.literal.append(byte)
        default:
            while let next = peek(), unquotedClass[Int(next)] {
                word.literal.append(next)
                advance()
            }
        }
    }

    /// Decode one backslash escape (the index is at the backslash) the way jaillex.l's
    /// text2lval does: C escapes, up to three octal digits, `x` and up to two hex digits,
    /// backslash-newline joins lines, and any other character stands for itself.
    private mutating func readEscape(into bytes: inout [UInt8]) {
        advance()
        guard let byte = peek() else {
            // A lone backslash at the very end of input is jaillex.l's single-character token.
            bytes.append(Byte.backslash)
            return
        }
        advance()
        if var value = octalValue(byte) {
            for _ in 0..<2 {
                guard let next = peek(), let digit = octalValue(next) else { break }
                value = (value &* 8) &+ digit  // a char in C: \777 wraps to 0xFF
                advance()
            }
            bytes.append(value)
            return
        }
        switch byte {
        case UInt8(ascii: "a"): bytes.append(0x07)
        case UInt8(ascii: "b"): bytes.append(0x08)
        case UInt8(ascii: "f"): bytes.append(0x0C)
        case UInt8(ascii: "n"): bytes.append(0x0A)
        case UInt8(ascii: "r"): bytes.append(0x0D)
        case UInt8(ascii: "t"): bytes.append(0x09)
        case UInt8(ascii: "v"): bytes.append(0x0B)
        case Byte.newline: break
        case Byte.lowerX:
            // FreeBSD yields a NUL for `\x` without digits; decodeText then refuses it.
            var value: UInt8 = 0
            for _ in 0..<2 {
                guard let next = peek(), let digit = hexValue(next) else { break }
                value = value &* 16 &+ digit
                advance()
            }
            bytes.append(value)
        default:
            bytes.append(byte)
        }
    }

    private mutating func readSingleQuoted(into word: inout Word) throws(ConfError) {
        let start = location
        advance()
        while true {
            guard let byte = peek() else {
                throw ConfError(.syntax, "unterminated string", at: start)
            }
            if byte == Byte.apostrophe {
                advance()
                return
            }
            if byte == Byte.backslash {
                guard peek(1) != nil else {
                    throw ConfError(.syntax, "unterminated string", at: start)
                }
                readEscape(into: &word.literal)
            } else {
                word.literal.append(byte)
                advance()
            }
        }
    }

    /// Double quotes allow `$var` and `${var}` inside; a `$` followed by anything else is literal.
    private mutating func readDoubleQuoted(into word: inout Word) throws(ConfError) {
        let start = location
        advance()
        while true {
            guard let byte = peek() else {
                throw ConfError(.syntax, "unterminated string", at: start)
            }
            switch byte {
            case Byte.quote:
                advance()
                return
            case Byte.backslash:
                guard peek(1) != nil else {
                    throw ConfError(.syntax, "unterminated string", at: start)
                }
                readEscape(into: &word.literal)
            case Byte.dollar:
                if try !readVariable(insideDoubleQuotes: true, into: &word) {
                    word.literal.append(byte)
                    advance()
                }
            default:
                word.literal.append(byte)
                advance()
            }
        }
    }

    /// Read `$name` or `${name}` at the current `$` into the word; false (nothing consumed) when
    /// the `$` starts neither, in which case it is a literal dollar sign. Inside double quotes a
    /// braced name may not contain a double quote, as in jaillex.l's DQ start condition.
    private mutating func readVariable(insideDoubleQuotes: Bool, into word: inout Word) throws(ConfError) -> Bool {
        let start = location
        guard let next = peek(1) else { return false }
        if isNameStart(next) {
            advance()
            var name: [UInt8] = []
            while let byte = peek(), isNameContinuation(byte) {
                name.append(byte)
                advance()
            }
            word.appendVariable(try decodeText(name, at: start), at: start)
            return true
        }
        guard next == Byte.openBrace else { return false }
        advance()
        advance()
        var name: [UInt8] = []
        while true {
            guard let byte = peek() else {
                throw ConfError(.syntax, "unterminated variable", at: start)
            }
            if byte == Byte.closeBrace {
                advance()
                break
            }
            if byte == Byte.newline || byte == Byte.openBrace || (insideDoubleQuotes && byte == Byte.quote) {
                throw ConfError(.syntax, "unterminated variable", at: start)
            }
            if byte == Byte.backslash {
                guard peek(1) != nil else {
                    throw ConfError(.syntax, "unterminated variable", at: start)
                }
                readEscape(into: &name)
            } else {
                name.append(byte)
                advance()
            }
        }
        word.appendVariable(try decodeText(name, at: start), at: start)
        return true
    }
}
