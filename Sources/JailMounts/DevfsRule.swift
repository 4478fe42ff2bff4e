/// One rule of a devfs ruleset, as devfs(8) `rule add` takes it:
/// `[number] [path pattern] [type t ...] action ...`.
///
/// A rule matches a node when every condition it has matches (no condition: every node);
/// then its actions run: `hide` or `unhide`, `mode`, `user` and `group`, and `include`, which
/// runs another ruleset's rules on the node.
public struct DevfsRule: Sendable, Equatable, CustomStringConvertible {
    public enum Action: Sendable, Equatable {
        case hide
        case unhide
    }

    /// The rule's number in its ruleset: rules run in this order. devfs numbers rules given
    /// without one 100 past the last.
    public var number: Int
    /// An fnmatch(3) pattern for the node's path below /dev (FNM_PATHNAME: `*` stops at `/`).
    public var pattern: String?
    /// Matches device nodes of any of these types; empty matches every node.
    public var types: [DeviceType]
    public var action: Action?
    public var mode: UInt32?
    /// A user name or number, resolved by whoever creates the nodes. FreeBSD looks names up
    /// in the host's passwd when the rule is added.
    public var user: String?
    public var group: String?
    /// A ruleset whose rules run on the nodes this rule matches.
    public var include: Int?

    public init(
        number: Int = 0, pattern: String? = nil, types: [DeviceType] = [], action: Action? = nil,
        mode: UInt32? = nil, user: String? = nil, group: String? = nil, include: Int? = nil
    ) {
        self.number = number
        self.pattern = pattern
        self.types = types
        self.action = action
        self.mode = mode
        self.user = user
        self.group = group
        self.include = include
    }

    /// The rule as `devfs rule show` prints it: `100 path pts/* unhide`.
    public var description: String {
        var words = [String(number)]
        for type in types {
            words += ["type", type.rawValue]
        }
        if let pattern {
            words += ["path", pattern]
        }
        switch action {
        case .hide: words.append("hide")
        case .unhide: words.append("unhide")
        case nil: break
        }
        if let user {
            words += ["user", user]
        }
        if let group {
            words += ["group", group]
        }
        if let mode {
            words += ["mode", String(mode, radix: 8)]
        }
        if let include {
            words += ["include", String(include)]
        }
        return words.joined(separator: " ")
    }

    /// Whether the rule's conditions hold for the node at `path` (relative to /dev), whose
    /// device type is `type`: nil for directories, symbolic links and unknown devices, which
    /// no type condition matches, as devfs finds no device switch for them.
    func matches(_ path: String, type: DeviceType?) -> Bool {
        if !types.isEmpty {
            guard let type, types.contains(type) else {
                return false
            }
        }
        if let pattern {
            return Fnmatch.matches(pattern, path)
        }
        return true
    }
}

/// A numbered, possibly named, list of rules.
public struct DevfsRuleset: Sendable, Equatable {
    /// 1 to 65535; 0 is devfs's empty ruleset, which cannot hold rules.
    public var number: Int
    /// The name of the devfs.rules header that defined it (`devfsrules_jail`).
    public var name: String?
    /// The rules, ordered by number.
    public var rules: [DevfsRule]

    public init(number: Int, name: String? = nil, rules: [DevfsRule] = []) {
        self.number = number
        self.name = name
        self.rules = rules
    }
}

/// What devfs reports for a node a ruleset leaves visible.
public struct VisibleDevice: Sendable, Equatable {
    /// The path below /dev, as given.
    public var path: String
    /// The mode, user and group the last rule that set them gave; nil keeps the device's own.
    public var mode: UInt32?
    public var user: String?
    public var group: String?

    public init(path: String, mode: UInt32? = nil, user: String? = nil, group: String? = nil) {
        self.path = path
        self.mode = mode
        self.user = user
        self.group = group
    }
}
