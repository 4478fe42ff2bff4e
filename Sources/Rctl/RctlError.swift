/// Why a rule, filter or amount was refused, printed as one lowercase line in FreeBSD's
/// style that says what failed and what to do:
/// `unknown resource "memuse"; did you mean "memoryuse"?`.
///
/// Rules read from a file carry its path and line: `/etc/rctl.conf:3: ...`. The CLI adds
/// its own `rctl: ` prefix.
public struct RctlError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong, so that callers can tell FreeBSD's refusals from ours.
    public enum Kind: Sendable, Equatable {
        /// A field is missing or malformed (`jail::memoryuse:deny=1g`).
        case malformed
        /// A subject, resource or action rctl(8) does not know.
        case unknownName
        /// An amount that is not a number expand_number(3) takes, or is out of range.
        case invalidAmount
        /// A rule FreeBSD itself refuses to add (`rctl -a` fails with EOPNOTSUPP).
        case refusedByFreeBSD
        /// A rule FreeBSD takes but Linux jails cannot enforce.
        case unsupportedOnLinux
        /// A jail parameter that names another jail, or is not a jail rule.
        case wrongJail
    }

    public var kind: Kind
    public var message: String
    /// The file the rule was read from, with `line`, for rules from `/etc/rctl.conf`.
    public var file: String?
    public var line: Int?

    public init(_ kind: Kind, _ message: String, file: String? = nil, line: Int? = nil) {
        self.kind = kind
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String {
        guard let file else {
            return message
        }
        if let line {
            return "\(quotedIfNeeded(file)):\(line): \(message)"
        }
        return "\(quotedIfNeeded(file)): \(message)"
    }

    /// The same error located in a file.
    func at(file: String, line: Int) -> RctlError {
        RctlError(kind, message, file: file, line: line)
    }
}

/// `text` in double quotes with quotes, backslashes and control characters escaped, so that
/// a message quoting user input stays on one line.
func quoted(_ text: some StringProtocol) -> String {
    "\"" + escaped(text) + "\""
}

/// A path as is unless it holds characters that would break the one-line message.
private func quotedIfNeeded(_ text: String) -> String {
    text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7f } ? text : quoted(text)
}

private func escaped(_ text: some StringProtocol) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        case "\r": result += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7f {
                result += "\\x" + hex(scalar.value)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
    }
    return result
}

private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return digits.count < 2 ? "0" + digits : digits
}
