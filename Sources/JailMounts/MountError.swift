import Messages

/// Why a mount line, a target path or a devfs ruleset was refused, printed as one lowercase
/// line in FreeBSD's style that says what failed and what to do:
/// `file system type "zfs" cannot be mounted by a Linux jail; ...`.
///
/// Errors found while reading a file carry its path and line, printed first:
/// `/etc/devfs.rules:12: undefined ruleset name "$devfsrules_foo"; ...`. The CLI adds its own
/// `jail: name: ` prefix.
public typealias MountError = LocatedError<MountErrorKind>

/// What went wrong, so that callers can tell FreeBSD's refusals from ours.
public enum MountErrorKind: Sendable, Equatable {
    /// A line, field, option or rule is malformed: FreeBSD refuses it too.
    case syntax
    /// FreeBSD takes it, but a jail on Linux cannot do it (a zfs line, the union option).
    case unsupported
    /// A path is relative, holds "..", or lies outside the jail.
    case path
    /// A devfs ruleset is undefined, included in a cycle, or numbered out of range.
    case ruleset
}

/// `text` in double quotes, escaped to stay on one line.
func quoted(_ text: some StringProtocol) -> String { Messages.quoted(text) }
