/// One resolved jail: variables substituted, every parameter checked against the table.
///
/// It holds only what was set; the engine applies defaults from `ParameterTable` (or asks
/// `valueOrDefault`). Names are the table's: `allow.nomount;` is stored as `allow.mount`
/// = false, and every accessor also accepts the `no` spelling.
public struct JailParams: Sendable {
    /// The jail's name: the `name` parameter, else (a jid-named jail, or command-line words
    /// with only `jid=`) the jid's text; empty when neither was given, in which case the
    /// system names the jail after the jid it assigns (jail(8): "a default is assumed that is
    /// the same as the jid").
    public var name: String
    public var jid: Int?
    /// In the order FreeBSD would apply them (config.c: the implied name or jid first, then
    /// statements in file order, a parameter keeping the place of its first mention), each
    /// name once. Command lists keep empty strings as written (`exec.start = '';`); jail(8)
    /// skips an empty command (command.c next_command), and so should the engine.
    public var entries: [(name: String, value: ParamValue)]
    /// One-line warnings for accepted parameters that have no effect on Linux.
    public var warnings: [String]
    /// True when the jail was not named on the command line but selected by `*`, a wildcard,
    /// "all jails", or a dependency: jail(8) then tolerates it already existing on create, or
    /// not running on remove (jail.c, JF_WILD and JF_DEPEND).
    public var implicitlySelected: Bool
    /// The jail's name in the configuration file, as jail(8) uses it in messages and as
    /// `-c`/`-r` arguments match it (`5309` for `5309 { name = basejail; }`); nil for a jail
    /// given by command-line words.
    public var configName: String?
    /// Where the jail is defined; nil for a jail given by command-line words.
    public var definedAt: SourceLocation?

    public init(
        name: String, jid: Int?, entries: [(name: String, value: ParamValue)], warnings: [String] = [],
        implicitlySelected: Bool = false, configName: String? = nil, definedAt: SourceLocation? = nil
    ) {
        self.name = name
        self.jid = jid
        self.entries = entries
        self.warnings = warnings
        self.implicitlySelected = implicitlySelected
        self.configName = configName
        self.definedAt = definedAt
    }

    private func stored(_ name: String) -> ParamValue? {
        entries.first { $0.name == name }?.value
    }

    private static let sysvParameters = ["sysvmsg", "sysvsem", "sysvshm"]

    /// The value as set, accepting the `no` spelling of a boolean (`mount.nodevfs`).
    /// `allow.sysvipc` and `sysvmsg`/`sysvsem`/`sysvshm` answer for each other: jail(8) says
    /// allow.sysvipc "is equivalent to setting sysvmsg, sysvsem, and sysvshm all to inherit".
    public func value(_ name: String) -> ParamValue? {
        if let value = stored(name) {
            return value
        }
        if let plain = ParameterNames.withoutNo(name), case .bool(let set)? = value(plain) {
            return .bool(!set)
        }
        if name == "allow.sysvipc" {
            let sysv = Self.sysvParameters.compactMap { stored($0) }
            if sysv.isEmpty {
                return nil
            }
            return .bool(sysv.count == 3 && sysv.allSatisfy { $0 == .list(["inherit"]) })
        }
        if Self.sysvParameters.contains(name), case .bool(true)? = stored("allow.sysvipc") {
            return .list(["inherit"])
        }
        return nil
    }

    /// The value as set, else the table's default (nil when the default is not fixed, such
    /// as `host.hostname`, the host's own).
    public func valueOrDefault(_ name: String) -> ParamValue? {
        if let value = value(name) {
            return value
        }
        if let info = ParameterTable.info(name) {
            return info.defaultValue
        }
        if let plain = ParameterNames.withoutNo(name),
            case .bool(let fallback)? = ParameterTable.info(plain)?.defaultValue
        {
            return .bool(!fallback)
        }
        return nil
    }

    /// A single value (the last or only element); booleans read `true` or `false`.
    public func string(_ name: String) -> String? {
        switch value(name) {
        case .bool(let set)?: return set ? "true" : "false"
        case .list(let items)?: return items.last
        case nil: return nil
        }
    }

    /// A list; [] when unset.
    public func strings(_ name: String) -> [String] {
        switch value(name) {
        case .bool(let set)?: return [set ? "true" : "false"]
        case .list(let items)?: return items
        case nil: return []
        }
    }

    /// A boolean; nil when unset (or not a boolean).
    public func bool(_ name: String) -> Bool? {
        if case .bool(let set)? = value(name) {
            return set
        }
        return nil
    }

    public func int(_ name: String) -> Int? {
        string(name).flatMap { Int($0) }
    }

    /// `ip4.addr` or `ip6.addr` items split into interface, address, prefix and options.
    public func addresses(_ name: String) -> [IPAddressSpec] {
        let ipv6 = name.hasPrefix("ip6")
        return strings(name).compactMap { IPAddressSpec($0, ipv6: ipv6) }
    }
}
