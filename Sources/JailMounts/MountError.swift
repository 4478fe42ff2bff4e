/// Why a mount line, a target path or a devfs ruleset was refused, printed as one lowercase
/// line in FreeBSD's style that says what failed and what to do:
/// `file system type "zfs" cannot be mounted by a Linux jail; ...`.
///
/// Errors found while reading a file carry its path and line, printed first:
/// `/etc/devfs.rules:12: undefined ruleset name "$devfsrules_foo"; ...`. The CLI adds its own
/// `jail: name: ` prefix.
public struct MountError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, so that callers can tell FreeBSD's refusals from ours.
    public enum Kind: Sendable, Equatable {
        /// A line, field, option or rule is malformed: FreeBSD refuses it too.
        case syntax
        /// FreeBSD takes it, but a jail on Linux cannot do it (a zfs line, the union option).
        case unsupported
        /// A path is relative, holds "..", or lies outside the jail.
        case path
        /// A devfs ruleset is undefined, included in a cycle, or numbered out of range.
        case ruleset
    }

    public var kind: Kind
    public var message: String
    /// The file the text came from, with `line`: mount.fstab files and /etc/devfs.rules.
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
            return "\(oneLine(file)):\(line): \(message)"
        }
        return "\(oneLine(file)): \(message)"
    }

    /// The same error located in a file.
    func at(file: String, line: Int) -> MountError {
        MountError(kind, message, file: file, line: line)
    }
}

/// `text` in double quotes with quotes, backslashes and control characters escaped, so that
/// a message quoting user input stays on one line.
func quoted(_ text: some StringProtocol) -> String {
    "\"" + escaped(text) + "\""
}

/// A path as is unless it holds characters that would break the one-line message.
private func oneLine(_ text: String) -> String {
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
                let digits = String(scalar.value, radix: 8)
                result += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
    }
    return result
}
