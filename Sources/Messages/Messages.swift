/// How our messages show text a user gave: one line always, in FreeBSD's style. Shared by
/// the pure modules (jail.conf, rctl rules, fstab lines and devfs rules).
public enum Messages {
    /// `text` in double quotes, with quotes, backslashes and control characters escaped.
    public static func quoted(_ text: some StringProtocol) -> String {
        "\"" + escaped(text) + "\""
    }

    /// `text` as is, unless it holds a control character: then quoted.
    public static func oneLine(_ text: String) -> String {
        hasControl(text) ? quoted(text) : text
    }

    /// "file:line: message" (or "file: message", or the message alone).
    public static func located(_ message: String, file: String?, line: Int?) -> String {
        guard let file else { return message }
        if let line { return "\(oneLine(file)):\(line): \(message)" }
        return "\(oneLine(file)): \(message)"
    }

    /// Control characters as \n, \t, \r or \xNN; with `quotes`, also " and \ escaped.
    public static func escaped(_ text: some StringProtocol, quotes: Bool = true) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"" where quotes: result += "\\\""
            case "\\" where quotes: result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                let digits = Array("0123456789abcdef")
                result += "\\x" + String(digits[Int(scalar.value >> 4)]) + String(digits[Int(scalar.value & 0xf)])
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    public static func hasControl(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f }
    }
}

/// An error of a user's text: what kind, the one-line message, and the file and line it
/// came from when it came from a file ("path:line: message").
public struct LocatedError<Kind: Sendable & Equatable>: Error, Sendable, Equatable, CustomStringConvertible {
    public var kind: Kind
    public var message: String
    public var file: String?
    public var line: Int?

    public init(_ kind: Kind, _ message: String, file: String? = nil, line: Int? = nil) {
        self.kind = kind
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { Messages.located(message, file: file, line: line) }

    /// The same error located in a file.
    public func at(file: String, line: Int) -> LocatedError {
        LocatedError(kind, message, file: file, line: line)
    }
}
