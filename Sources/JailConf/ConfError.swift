#if canImport(Messages)
import Messages
#endif
/// Where a piece of configuration was written.
///
/// File text is located by line and column (both 1-based, columns counted in
/// characters); a command-line word by its 1-based position among the words.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    /// Set for command-line words, which have no line.
    public var word: Int?

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
        self.word = nil
    }

    public init(commandLineWord word: Int) {
        self.file = "command line"
        self.line = 0
        self.column = 0
        self.word = word
    }

    public var description: String {
        if let word {
            return "\(file) word \(word)"
        }
        return "\(file) line \(line) column \(column)"
    }
}

/// A configuration error, printed as one line in FreeBSD's style:
/// `./jails.conf line 12 column 5: www: unknown parameter "alow.raw_sockets" (did you mean allow.raw_sockets?)`.
/// The CLI prefixes `jail: `.
public struct ConfError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, so that callers can react to some errors (for example
    /// `jail -r` falls back to running jails on `.jailNotFound`).
    public enum Kind: Sendable, Equatable {
        case syntax
        case include
        case variable
        case unknownParameter
        case invalidValue
        case refused
        case dependency
        case duplicateJail
        case jailNotFound
        case unreadableFile
    }

    public var kind: Kind
    public var location: SourceLocation?
    public var jail: String?
    public var message: String

    public init(_ kind: Kind, _ message: String, at location: SourceLocation? = nil, jail: String? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
        self.jail = jail
    }

    public var description: String {
        var parts: [String] = []
        if let location {
            parts.append(printable(location.description))
        }
        if let jail {
            parts.append(printable(jail))
        }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}

extension ConfError {
    /// The same error attributed to a jail, unless it already names one.
    func inJail(_ name: String) -> ConfError {
        var copy = self
        if copy.jail == nil {
            copy.jail = name
        }
        return copy
    }
}

/// Quote a user-supplied string for a message the way FreeBSD's jail(8) does, in double quotes,
/// but with control characters escaped so that every message stays on one line.
func quoted(_ text: String) -> String {
    "\"" + printable(text) + "\""
}

/// User-supplied text with control characters escaped, for one-line messages.
func printable(_ text: String) -> String {
    Messages.hasControl(text) ? Messages.escaped(text, quotes: false) : text
}
