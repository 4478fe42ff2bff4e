/// The words sh's `eval` makes of a devfs.rules rule line, as rc.subr runs it:
/// `eval /sbin/devfs rule -s $rulenum $rulecmd` with globbing off (`set -f`).
///
/// Blanks and tabs separate words; `'...'` is literal; in `"..."` a backslash escapes
/// `$ \` " \\` and `$name` is expanded; outside quotes a backslash makes the next character
/// literal; a `#` that starts a word starts a comment; `$name` and `${name}` expand through
/// `lookup`, which knows the ruleset names defined so far. Globs stay as written, since
/// rc.subr turns globbing off. What eval would run as more shell (`;`, `|`, `&`, `<`, `>`,
/// parentheses, backquotes, `$(...)`) is refused rather than run: a rules file is not a
/// script.
enum ShellWords {
    static func split(_ line: String, lookup: (String) -> String?) throws(MountError) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var characters = line[...]

        func finishWord() {
            if inWord {
                words.append(word)
            }
            word = ""
            inWord = false
        }

        while let character = characters.popFirst() {
            switch character {
            case " ", "\t":
                finishWord()
            case "#" where !inWord:
                // A comment runs to the end of the line.
                characters = characters.suffix(0)
            case "'":
                inWord = true
                guard let end = characters.firstIndex(of: "'") else {
                    throw MountError(.syntax, "unterminated ' quote; close it on the same line")
                }
                word += characters[..<end]
                characters = characters[characters.index(after: end)...]
            case "\"":
                inWord = true
                word += try doubleQuoted(&characters, lookup: lookup)
            case "\\":
                inWord = true
                // A backslash at the very end stands for itself.
                word.append(characters.popFirst() ?? "\\")
            case "$":
                inWord = true
                word += try expansion(&characters, lookup: lookup)
            case ";", "&", "|", "<", ">", "(", ")":
                throw MountError(
                    .syntax, "shell operator \(quoted(String(character))) cannot stand in a rule; quote it or remove it"
                )
            case "`":
                throw MountError(.syntax, "command substitution cannot stand in a rule; remove the backquote")
            default:
                inWord = true
                word.append(character)
            }
        }
        finishWord()
        return words
    }

    /// The text of a double-quoted string, after its opening quote.
    private static func doubleQuoted(_ characters: inout Substring, lookup: (String) -> String?)
        throws(MountError) -> String
    {
        var text = ""
        while let character = characters.popFirst() {
            switch character {
            case "\"":
                return text
            case "\\":
                if let next = characters.first, "$`\"\\".contains(next) {
                    text.append(next)
                    characters.removeFirst()
                } else {
                    text.append("\\")
                }
            case "$":
                text += try expansion(&characters, lookup: lookup)
            case "`":
                throw MountError(.syntax, "command substitution cannot stand in a rule; remove the backquote")
            default:
                text.append(character)
            }
        }
        throw MountError(.syntax, "unterminated \" quote; close it on the same line")
    }

    /// What a `$` expands to, with the characters after it.
    private static func expansion(_ characters: inout Substring, lookup: (String) -> String?)
        throws(MountError) -> String
    {
        guard let first = characters.first else {
            return "$"
        }
        let name: Substring
        if first == "{" {
            guard let end = characters.firstIndex(of: "}") else {
                throw MountError(.syntax, "unterminated ${ in a rule; close it with }")
            }
            name = characters[characters.index(after: characters.startIndex)..<end]
            guard isName(name) else {
                throw MountError(
                    .syntax, "\(quoted("${" + name + "}")) is not a ruleset name; write ${name} or $name")
            }
            characters = characters[characters.index(after: end)...]
        } else if first == "(" {
            throw MountError(.syntax, "command substitution cannot stand in a rule; remove the $(...)")
        } else if first.isNumber || "?$#@*!-".contains(first) {
            throw MountError(
                .syntax, "shell parameter \(quoted("$" + String(first))) cannot stand in a rule; name a ruleset")
        } else if first == "_" || first.isASCIILetter {
            name = characters.prefix { $0 == "_" || $0.isASCIILetter || ("0"..."9").contains($0) }
            characters = characters.dropFirst(name.count)
        } else {
            // A "$" before anything else is a literal dollar sign, as in sh.
            return "$"
        }
        guard let value = lookup(String(name)) else {
            throw MountError(
                .ruleset, "undefined ruleset name \(quoted("$" + name)); define [\(name)=number] before this line")
        }
        return value
    }
}

/// Whether `text` is an sh variable name, which a ruleset name must be to be used as `$name`.
func isName(_ text: some StringProtocol) -> Bool {
    guard let first = text.first, first == "_" || first.isASCIILetter else {
        return false
    }
    return text.allSatisfy { $0 == "_" || $0.isASCIILetter || ("0"..."9").contains($0) }
}

extension Character {
    fileprivate var isASCIILetter: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self)
    }
}
