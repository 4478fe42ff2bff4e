extension DevfsRules {
    /// /etc/devfs.rules text (devfs.rules(5)) merged over `base`, as rc.subr's
    /// devfs_rulesets_from_file reads it:
    ///
    /// - each line is read by sh's `read` (no `-r`): blanks at both ends go, a backslash makes
    ///   the next character plain and one at the end of a line joins the next line;
    /// - lines that are empty or start with `#` are skipped;
    /// - `[name=number]` starts ruleset `number` afresh (`devfs rule -s N delset`), so a
    ///   ruleset of the base with that number is replaced, and binds `$name` to the number;
    ///   text after the `]` is ignored;
    /// - any other line is `add` and a rule for devfs(8), split into words as sh's `eval`
    ///   splits it, `$name` expanded to the number of a ruleset named earlier here or in
    ///   `base`: `add [number] [path pattern] [type t] hide|unhide|mode m|user u|group g|include n`.
    ///
    /// Stricter than FreeBSD, which runs the lines through eval: names must be sh names, an
    /// undefined `$name` is an error rather than empty, `mode` takes octal modes only (not
    /// setmode(3)'s symbolic ones, which depend on the umask), an include may not carry a
    /// condition, an include that closes a cycle is an error, and commands other than `add`
    /// (del, delset, apply...) are refused. The first error is thrown as `path:line: `.
    public static func parse(_ text: String, path: String, over base: DevfsRules = .defaults)
        throws(MountError) -> DevfsRules
    {
        var reader = DevfsRulesReader(rules: base)
        for line in readLines(text) {
            do {
                try reader.read(line.text)
            } catch {
                throw error.at(file: path, line: line.number)
            }
        }
        return reader.rules
    }
}

/// A line as sh's `read` gives it, with the number of its first line in the file.
private struct ReadLine {
    var number: Int
    var text: String
}

/// The lines of `text` as `while read line` reads them.
private func readLines(_ text: String) -> [ReadLine] {
    var lines: [ReadLine] = []
    var pending = ""
    var start = 1
    // Swift reads "\r\n" as one Character, so files with Windows line ends count right.
    let physical = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    for (index, line) in physical.enumerated() {
        if pending.isEmpty {
            start = index + 1
        }
        let trailingBackslashes = line.reversed().prefix { $0 == "\\" }.count
        if trailingBackslashes % 2 == 1 && index + 1 < physical.count {
            // An escaped newline: read joins the next line to this one.
            pending += line.dropLast()
            continue
        }
        lines.append(ReadLine(number: start, text: unescapedAndTrimmed(pending + line)))
        pending = ""
    }
    return lines
}

/// What `read` stores: backslashes removed (each keeps the character after it), blanks and
/// tabs trimmed from both ends unless escaped.
private func unescapedAndTrimmed(_ line: String) -> String {
    var characters: [(character: Character, escaped: Bool)] = []
    var iterator = line.makeIterator()
    while let character = iterator.next() {
        if character == "\\" {
            if let next = iterator.next() {
                characters.append((next, true))
            }
        } else {
            characters.append((character, false))
        }
    }
    let isBlank = { (item: (character: Character, escaped: Bool)) in
        !item.escaped && (item.character == " " || item.character == "\t")
    }
    let trimmed = characters.drop(while: isBlank).reversed().drop(while: isBlank).reversed()
    return String(trimmed.map(\.character))
}

/// The state of reading one file: the rulesets so far and the one being filled.
private struct DevfsRulesReader {
    var rules: DevfsRules
    var current: Int?

    mutating func read(_ line: String) throws(MountError) {
        if line.isEmpty || line.hasPrefix("#") {
            return
        }
        if line.hasPrefix("["), line.dropFirst().contains("]") {
            let (name, number) = try header(line)
            rules.define(number, name: name)
            current = number
            return
        }
        let words = try ShellWords.split(line) { name in rules.ruleset(named: name).map(String.init) }
        guard let command = words.first else {
            return
        }
        guard let ruleset = current else {
            throw MountError(.syntax, "rule outside a ruleset; start one with a [name=number] line")
        }
        guard command == "add" else {
            throw MountError(.syntax, "unknown command \(quoted(command)); devfs.rules holds only \"add\" rules")
        }
        let (rule, number) = try parseRule(words.dropFirst())
        if let include = rule.include {
            try check(include: include, of: rule, in: ruleset)
        }
        try rules.add(rule, number: number, to: ruleset)
    }

    /// `[name=number]`, read as rc.subr reads it with expr(1): the number is the digits
    /// between the last `=` that has only digits and a `]` after it, the name what comes
    /// before that `=`.
    private func header(_ line: String) throws(MountError) -> (String, Int) {
        let characters = Array(line)
        let isDigit = { (c: Character) in ("0"..."9").contains(c) }
        for equals in characters.indices.reversed() where equals > 0 && characters[equals] == "=" {
            let digits = characters[(equals + 1)...].prefix(while: isDigit)
            let close = equals + 1 + digits.count
            guard close < characters.count, characters[close] == "]" else {
                continue
            }
            let name = String(characters[1..<equals])
            guard !digits.isEmpty else {
                break
            }
            guard isName(name) else {
                throw MountError(
                    .syntax,
                    "\(quoted(name)) is not a usable ruleset name; use letters, digits and _, not starting with a digit"
                )
            }
            guard let number = Int(String(digits)), number <= 65535 else {
                throw MountError(.ruleset, "ruleset number \(String(digits)) is out of range; use 1 to 65535")
            }
            guard number != 0 else {
                throw MountError(
                    .ruleset, "ruleset 0 is devfs's empty ruleset and cannot hold rules; use a number from 1 to 65535")
            }
            return (name, number)
        }
        throw MountError(
            .syntax, "ruleset header \(quoted(line)) has no number; write [name=number] with a number from 1 to 65535")
    }

    /// An include must name a ruleset defined before it, as the kernel refuses one that does
    /// not exist yet, and must not make a cycle.
    private func check(include: Int, of rule: DevfsRule, in ruleset: Int) throws(MountError) {
        guard rules.ruleset(include) != nil else {
            throw MountError(
                .ruleset,
                "include of ruleset \(include), which is not defined; define it above this line (\(rules.definedList))")
        }
        guard rule.pattern == nil && rule.types.isEmpty else {
            throw MountError(
                .unsupported,
                "an include cannot carry a path or type condition here; put the condition on the included rules")
        }
        if let chain = rules.includeChain(from: include, to: ruleset) {
            let cycle = ([ruleset] + chain).map(String.init).joined(separator: " -> ")
            throw MountError(
                .ruleset,
                "including ruleset \(include) in ruleset \(ruleset) makes a cycle: \(cycle); remove one of the includes"
            )
        }
    }
}

/// The rule of `add ...`, as devfs(8)'s rulespec_intok reads it: an optional rule number,
/// conditions (`path`, `type`), then actions; and the rule's number if one was given.
private func parseRule(_ words: ArraySlice<String>) throws(MountError) -> (DevfsRule, Int?) {
    var words = words
    guard !words.isEmpty else {
        throw MountError(.syntax, "\"add\" needs a rule, as in \"add path null unhide\"")
    }
    var rule = DevfsRule()
    var number: Int?
    if let first = words.first, !first.isEmpty, first.allSatisfy({ ("0"..."9").contains($0) }) {
        guard let value = Int(first), value <= 65535 else {
            throw MountError(.syntax, "rule number \(first) is out of range; use 1 to 65535")
        }
        // Rule number 0 asks devfs to number the rule.
        number = value == 0 ? nil : value
        words.removeFirst()
    }
    conditions: while let word = words.first {
        switch word {
        case "path":
            rule.pattern = try argument(of: &words, example: "path 'pts/*'")
        case "type":
            let name = try argument(of: &words, example: "type disk")
            guard let type = DeviceType(rawValue: name) else {
                throw MountError(.syntax, "unknown device type \(quoted(name)); use disk, mem, tape or tty")
            }
            if !rule.types.contains(type) {
                rule.types.append(type)
            }
        default:
            break conditions
        }
    }
    while let word = words.first {
        switch word {
        case "hide":
            words.removeFirst()
            // With both, devfs hides and then unhides: unhide wins whatever the order.
            rule.action = rule.action == .unhide ? .unhide : .hide
        case "unhide":
            words.removeFirst()
            rule.action = .unhide
        case "user":
            rule.user = try argument(of: &words, example: "user root")
        case "group":
            rule.group = try argument(of: &words, example: "group operator")
        case "mode":
            let text = try argument(of: &words, example: "mode 0660")
            guard let mode = octalMode(text) else {
                throw MountError(.syntax, "invalid mode \(quoted(text)); give an octal mode from 0 to 7777, as in 0660")
            }
            rule.mode = mode
        case "include":
            let text = try argument(of: &words, example: "include $devfsrules_hide_all")
            guard !text.isEmpty, text.allSatisfy({ ("0"..."9").contains($0) }), let include = Int(text),
                include <= 65535
            else {
                throw MountError(.syntax, "include \(quoted(text)) is not a ruleset number; give a number or $name")
            }
            rule.include = include
        case "path", "type":
            throw MountError(
                .syntax, "\(quoted(word)) must come before the actions (hide, unhide, mode, user, group, include)")
        default:
            throw MountError(
                .syntax,
                "unknown argument \(quoted(word)); a rule is [number] [path pattern] [type t] then hide, unhide, mode m, user u, group g or include n"
            )
        }
    }
    return (rule, number)
}

/// The word after a keyword, both removed from `words`.
private func argument(of words: inout ArraySlice<String>, example: String) throws(MountError) -> String {
    let keyword = words.removeFirst()
    guard let value = words.first else {
        throw MountError(.syntax, "\(quoted(keyword)) needs an argument, as in \"\(example)\"")
    }
    words.removeFirst()
    return value
}
