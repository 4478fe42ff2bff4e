/// The jail.conf grammar, after FreeBSD's usr.sbin/jail/jailparse.y (the 2025 grammar with
/// nested definitions and `.include`):
///
///     conf   : (jail | param ';' | ';')*
///     jail   : NAME '{' conf '}'          -- nested: `foo { bar { } }` is jail foo.bar
///     param  : name | name '=' value | name '+=' value | name value
///     value  : string (',' string)*
///
/// The parser knows nothing about what parameters mean: it records statements per jail
/// block, in file order, and follows `.include`.

/// One parameter or variable statement, as written.
struct Statement: Sendable {
    enum Operation: Sendable, Equatable {
        /// `name = value;`, `name value;`: replaces any earlier value.
        case assign
        /// `name += value;` (and every command-line word): appends.
        case append
        /// `name;`: a boolean set by name alone (or `noname;`).
        case bare
    }

    var name: String
    /// Where statements for the same parameter meet (ParameterNames.key), computed once.
    var key: String
    var isVariable: Bool
    var operation: Operation
    var values: [RawValue]
    var location: SourceLocation

    init(name: String, isVariable: Bool, operation: Operation, values: [RawValue], location: SourceLocation) {
        self.name = name
        self.key = ParameterNames.key(name)
        self.isVariable = isVariable
        self.operation = operation
        self.values = values
        self.location = location
    }
}

/// A `name { ... }` block, the hidden global pseudo-jail `*`, or a wildcard block.
struct JailBlock: Sendable {
    var label: String
    var location: SourceLocation
    var isWildcard: Bool
    var statements: [Statement]
}

/// The most files open at once through `.include` (config.c MAX_INCLUDE_DEPTH).
let maxIncludeDepth = 32

/// Deeper than any real hierarchy: a full jail name must fit MAXHOSTNAMELEN (256) anyway.
let maxNestingDepth = 64

struct ConfParser {
    private let fileSystem: any ConfFileSystem
    private(set) var blocks: [JailBlock] = []
    /// The jail blocks open around the current position. jailparse.y keeps this in a static
    /// variable, so an included file's statements belong to the block the `.include` is in.
    private var open: [Int] = []
    /// jailparse.y (2025) puts every statement outside braces into one global pseudo-jail named
    /// `*`, created where the first such statement appears.
    private var globalBlock: Int?
    private var includeStack: [String] = []
    private var firstDefinition: [String: SourceLocation] = [:]

    init(fileSystem: any ConfFileSystem) {
        self.fileSystem = fileSystem
    }

    mutating func parseFile(_ path: String, text: String) throws(ConfError) {
        includeStack.append(PathRules.normalize(path))
        defer { includeStack.removeLast() }
        var lexer = Lexer(text, file: path)
        let depth = open.count
        while true {
            let token = try lexer.next()
            switch token.kind {
            case .end:
                if open.count > depth {
                    throw ConfError(.syntax, "unexpected end of file: missing \"}\"", at: token.location)
                }
                return
            case .semicolon:
                continue
            case .closeBrace:
                if open.count == depth {
                    throw ConfError(.syntax, "unexpected \"}\"", at: token.location)
                }
                open.removeLast()
            case .word:
                guard let word = token.word else { continue }
                let following = try lexer.next()
                if following.kind == .openBrace {
                    try openJail(word)
                } else {
                    try statement(named: word, then: following, lexer: &lexer, file: path)
                }
            default:
                throw ConfError(.syntax, "unexpected \(token.display)", at: token.location)
            }
        }
    }

    private mutating func openJail(_ word: Word) throws(ConfError) {
        guard let bytes = word.literalText else {
            throw ConfError(.syntax, "variables not permitted in a jail name", at: word.location)
        }
        let label = try decodeText(bytes, at: word.location)
        if label.isEmpty {
            throw ConfError(.syntax, "empty jail name", at: word.location)
        }
        // Names grow with each level, so unbounded nesting would cost quadratic memory.
        if open.count >= maxNestingDepth {
            throw ConfError(.syntax, "jail definitions nested too deeply", at: word.location)
        }
        // "A nested jail definition becomes a hierarchically-named sub-jail" (jailparse.y).
        let fullName = open.last.map { blocks[$0].label + "." + label } ?? label
        let isWildcard = Wildcards.isWildcard(fullName)
        if !isWildcard {
            if let first = firstDefinition[fullName] {
                throw ConfError(
                    .duplicateJail, "jail \(quoted(fullName)) is already defined at \(first)", at: word.location)
            }
            firstDefinition[fullName] = word.location
        }
        blocks.append(JailBlock(label: fullName, location: word.location, isWildcard: isWildcard, statements: []))
        open.append(blocks.count - 1)
    }

    private mutating func statement(
        named word: Word, then following: Token, lexer: inout Lexer, file: String
    ) throws(ConfError) {
        // jailparse.y's `name` is one STR or VAR token.
        guard word.tokenCount == 1 else {
            throw ConfError(.syntax, "a parameter name must be a single word", at: word.location)
        }
        let isVariable = word.startsWithVariable && word.variables.count == 1 && word.literal.isEmpty
        let name: String
        if isVariable, let variable = word.variables.first {
            name = variable.name
        } else if let bytes = word.literalText {
            name = try decodeText(bytes, at: word.location)
        } else {
            throw ConfError(.syntax, "variables not permitted in a parameter name", at: word.location)
        }
        if name.isEmpty && !isVariable {
            throw ConfError(.syntax, "empty parameter name", at: word.location)
        }

        let operation: Statement.Operation
        var values: [Word] = []
        var nameValueForm = false
        switch following.kind {
        case .semicolon:
            operation = .bare
        case .equals, .plusEquals:
            operation = following.kind == .equals ? .assign : .append
            values = try valueList(after: following, lexer: &lexer)
        case .word:
            // `name value;`: how `.include "file";` is written, and valid for any parameter.
            operation = .assign
            nameValueForm = true
            values = try valueList(startingWith: following, lexer: &lexer)
        default:
            throw ConfError(
                .syntax, "expected \"=\", \"+=\", a value or \";\" after \(quoted(name)), found \(following.display)",
                at: following.location)
        }

        if name == ".include" && !isVariable {
            guard nameValueForm else {
                throw ConfError(.syntax, "use .include \"file\";", at: word.location)
            }
            for value in values {
                guard let bytes = value.literalText else {
                    // FreeBSD's exact message (jailparse.y special_param).
                    throw ConfError(.include, "variables not permitted in '.include' filename", at: value.location)
                }
                try include(try decodeText(bytes, at: value.location), at: value.location, from: file)
            }
            return
        }

        let statement = Statement(
            name: name, isVariable: isVariable, operation: operation, values: values.map(RawValue.init),
            location: word.location)
        if let current = open.last {
            blocks[current].statements.append(statement)
            return
        }
        if globalBlock == nil {
            blocks.append(JailBlock(label: "*", location: word.location, isWildcard: true, statements: []))
            globalBlock = blocks.count - 1
        }
        if let globalBlock {
            blocks[globalBlock].statements.append(statement)
        }
    }

    private mutating func valueList(after token: Token, lexer: inout Lexer) throws(ConfError) -> [Word] {
        let first = try lexer.next()
        guard first.kind == .word else {
            throw ConfError(
                .syntax, "expected a value after \(token.display), found \(first.display)", at: first.location)
        }
        return try valueList(startingWith: first, lexer: &lexer)
    }

    /// The values up to and including the statement's `;`. A missing `;` is an error, as in
    /// FreeBSD (jailparse.y requires `param ';'`).
    private mutating func valueList(startingWith first: Token, lexer: inout Lexer) throws(ConfError) -> [Word] {
        var values: [Word] = []
        var token = first
        while true {
            guard let word = token.word, token.kind == .word else {
                throw ConfError(.syntax, "expected a value, found \(token.display)", at: token.location)
            }
            values.append(word)
            let separator = try lexer.next()
            switch separator.kind {
            case .semicolon:
                return values
            case .comma:
                token = try lexer.next()
            default:
                throw ConfError(
                    .syntax, "expected \";\" or \",\" after a value, found \(separator.display)",
                    at: separator.location)
            }
        }
    }

    private mutating func include(_ name: String, at location: SourceLocation, from file: String) throws(ConfError) {
        let path = PathRules.resolveInclude(name, from: file)
        if PathRules.hasGlobMagic(path) {
            // glob(3) returns matches sorted; sort here too so the order never depends on the
            // injected file system.
            for match in fileSystem.glob(path).sorted() {
                try includeFile(match, at: location)
            }
        } else {
            try includeFile(path, at: location)
        }
    }

    private mutating func includeFile(_ path: String, at location: SourceLocation) throws(ConfError) {
        let normalized = PathRules.normalize(path)
        if let start = includeStack.firstIndex(of: normalized) {
            let cycle = (includeStack[start...] + [normalized]).map(printable).joined(separator: " -> ")
            throw ConfError(.include, "include cycle: \(cycle)", at: location)
        }
        if includeStack.count >= maxIncludeDepth {
            throw ConfError(.include, "maximum include depth exceeded", at: location)
        }
        guard let text = fileSystem.read(path) else {
            throw ConfError(.include, "\(printable(path)): cannot read included file", at: location)
        }
        try parseFile(path, text: text)
    }
}

/// Jail-name wildcards (config.c wild_jail_name, wild_jail_match).
enum Wildcards {
    /// A name is a wildcard when one of its dotted components is `*`.
    static func isWildcard(_ name: String) -> Bool {
        name.split(separator: ".", omittingEmptySubsequences: false).contains("*")
    }

    /// A non-final `*` component matches exactly one component; a final `*` matches one or
    /// more, so `foo.*` matches `foo.bar` and `foo.bar.baz` but not `foo`.
    static func matches(_ jail: String, pattern: String) -> Bool {
        if pattern == "*" {
            return true
        }
        let jailParts = jail.split(separator: ".", omittingEmptySubsequences: false)
        let patternParts = pattern.split(separator: ".", omittingEmptySubsequences: false)
        let shared = min(jailParts.count, patternParts.count) - 1
        if shared > 0 {
            for i in 0..<shared where jailParts[i] != patternParts[i] && patternParts[i] != "*" {
                return false
            }
        }
        let prefix = max(shared, 0)
        let jailRest = jailParts[prefix...].joined(separator: ".")
        let patternRest = patternParts[prefix...].joined(separator: ".")
        return jailRest == patternRest || patternRest == "*"
    }
}
