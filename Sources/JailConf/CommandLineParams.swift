/// Jails given as `name=value` words on jail(8)'s command line.
public enum CommandLineParams {
    /// `jail -c name=www path=/ persist 'exec.start=echo "a b"'`: the words (with `command=`
    /// and what follows already split off by the CLI) become one validated jail.
    ///
    /// Each word is one statement and goes through the same collection, substitution and
    /// validation as a file's statements. As in FreeBSD's jail.c, a word's value is taken
    /// literally (no quotes, escapes or variables: the shell has already dealt with those),
    /// repeated words append (`name=v1 name=v2` is `name=v1,v2`), and only list parameters
    /// such as `ip4.addr` are split at commas.
    public static func parse(_ words: [String]) throws(ConfError) -> JailParams {
        var statements: [Statement] = []
        for (index, word) in words.enumerated() {
            statements.append(try CommandLineWords.statement(word, number: index + 1, operation: .append))
        }
        // Name the jail in messages as soon as a `name=` word says what it is.
        let label = statements.last(where: { $0.name == "name" && !$0.values.isEmpty })
            .flatMap { $0.values.last?.literal }
            .map { String(decoding: $0, as: UTF8.self) }
        var collector = Collector(jail: label)
        try collector.apply(statements)
        let params = try collector.substitute()
        return try Validator.jailParams(params, jail: label, purpose: .create, fromFile: false)
    }
}

enum CommandLineWords {
    /// One word as a statement: `name=value`, `name+=value`, `name` or `noname`.
    static func statement(_ word: String, number: Int, operation: Statement.Operation) throws(ConfError) -> Statement {
        let location = SourceLocation(commandLineWord: number)
        var name = Substring(word)
        var value: Substring?
        var operation = operation
        if let equals = word.firstIndex(of: "=") {
            name = word[..<equals]
            value = word[word.index(after: equals)...]
            if name.hasSuffix("+") {
                name = name.dropLast()
                operation = .append
            }
        }
        if name.isEmpty {
            throw ConfError(.syntax, "empty parameter name in \(quoted(word))", at: location)
        }
        guard let value else {
            return Statement(name: String(name), isVariable: false, operation: .bare, values: [], location: location)
        }
        let items: [Substring]
        switch ParameterNames.lookup(String(name))?.info.type {
        case .list?, .ip4List?, .ip6List?:
            items = value.split(separator: ",", omittingEmptySubsequences: false)
        default:
            items = [value]
        }
        return Statement(
            name: String(name), isVariable: false, operation: operation,
            values: items.map { RawValue(text: String($0), at: location) }, location: location)
    }

    /// Command-line words that override a file's jail: "a value given on the command line is
    /// never overridden by the file", so the first word for a parameter replaces the file's
    /// value and later words for it append, unless the word says `+=`.
    static func overrides(_ words: [String]) throws(ConfError) -> [Statement] {
        var seen: Set<String> = []
        var statements: [Statement] = []
        for (index, word) in words.enumerated() {
            var statement = try statement(word, number: index + 1, operation: .assign)
            let key = statement.key
            if seen.contains(key) && statement.operation == .assign {
                statement.operation = .append
            }
            seen.insert(key)
            statements.append(statement)
        }
        return statements
    }
}
