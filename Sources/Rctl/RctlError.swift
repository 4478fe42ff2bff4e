import Messages

/// Why a rule, filter or amount was refused, printed as one lowercase line in FreeBSD's
/// style that says what failed and what to do:
/// `unknown resource "memuse"; did you mean "memoryuse"?`.
///
/// Rules read from a file carry its path and line: `/etc/rctl.conf:3: ...`. The CLI adds
/// its own `rctl: ` prefix.
public typealias RctlError = LocatedError<RctlErrorKind>

/// What went wrong, so that callers can tell FreeBSD's refusals from ours.
public enum RctlErrorKind: Sendable, Equatable {
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

/// `text` in double quotes, escaped to stay on one line.
func quoted(_ text: some StringProtocol) -> String { Messages.quoted(text) }
