/// A resolved parameter value. Scalars (strings, integers, jailsys words) are one-element lists.
public enum ParamValue: Equatable, Sendable {
    case bool(Bool)
    case list([String])
}

/// How a parameter's text is read and checked.
public enum ParamType: Sendable, Equatable {
    /// `name;`, `noname;`, `name = true|false|<integer>`.
    case bool
    /// A decimal integer; the last value counts.
    case int
    /// A string; the last value counts (jail.c import_params keeps the last of several).
    case string
    /// A list; on the command line `name=a,b` gives two items (jail.c listparams).
    case list
    /// A list of command lines or fstab lines, which may contain commas: the command line never
    /// splits them (jail.c passes such words whole).
    case commandList
    /// `disable | new | inherit` (libjail jailsys_values), restricted to `allowed`; `name;` means
    /// `new`.
    case jailsys(allowed: [String])
    /// IPv4 addresses, each optionally `interface|address/mask extra ifconfig words`.
    case ip4List
    /// IPv6 addresses, each optionally `interface|address/prefix extra ifconfig words`.
    case ip6List

    var isList: Bool {
        switch self {
        case .list, .commandList, .ip4List, .ip6List: return true
        default: return false
        }
    }

    /// How the type reads in documentation.
    public var description: String {
        switch self {
        case .bool: return "bool"
        case .int: return "int"
        case .string: return "string"
        case .list: return "list"
        case .commandList: return "command list"
        case .jailsys(let allowed): return "jailsys (" + allowed.joined(separator: "|") + ")"
        case .ip4List: return "IPv4 list"
        case .ip6List: return "IPv6 list"
        }
    }
}

/// Which values of a refused parameter are refused: the ones that would grant what Linux (or
/// this engine, so far) cannot give or enforce. `allow.nomount` is always accepted.
public enum RefusalCondition: Sendable, Equatable {
    case always
    case whenTrue
    /// Refused unless the integer lies in the range.
    case unlessIn(ClosedRange<Int>)
}

/// What happens to a FreeBSD parameter on Linux. Nothing is ever dropped silently.
public enum LinuxSupport: Sendable, Equatable {
    /// The engine implements it.
    case supported
    /// Accepted with a one-line warning: a convenience whose absence weakens nothing.
    case warn(String)
    /// Refused (for the values `when` selects), because ignoring it would weaken the jail or
    /// we cannot do it.
    case refused(String, when: RefusalCondition = .always)
}

/// One row of the parameter table, which drives validation, `jail -e` and `jls -v`.
public struct ParameterInfo: Sendable {
    public enum Kind: Sendable, Equatable {
        /// A jail parameter proper (FreeBSD passes it to jail_set(2); `jls` shows it).
        case kernel
        /// A pseudo-parameter used only by jail(8) itself (exec.*, mount.*, depend, ...).
        case pseudo
    }

    public var name: String
    public var type: ParamType
    public var kind: Kind
    /// The value the engine applies when the parameter is not set; nil when there is no fixed
    /// default (it is computed or inherited; see `defaultText`).
    public var defaultValue: ParamValue?
    /// The default in words, for documentation.
    public var defaultText: String
    /// FreeBSD's default, set only where ours differs.
    public var freeBSDDefault: String?
    /// Whether `jail -m` may change it on a running jail without a restart.
    public var runtimeChangeable: Bool
    /// Read-only parameters can be shown but never set.
    public var readOnly: Bool
    public var support: LinuxSupport
    /// Valid integers (before any Linux refusal), for `.int` parameters.
    public var validRange: ClosedRange<Int>?
    /// One line on what it does.
    public var summary: String
}
