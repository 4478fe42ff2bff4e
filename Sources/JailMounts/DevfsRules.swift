/// The devfs rulesets a jail's /dev is filtered by: FreeBSD's defaults for Linux devices,
/// and those of /etc/devfs.rules (see `parse`).
///
/// devfs semantics (devfs(8), sys/fs/devfs/devfs_rule.c): a new node starts visible; every
/// rule of the mount's ruleset runs on it in order, and each rule whose conditions match
/// applies its actions, so the last matching `hide` or `unhide` decides, and the last
/// matching `mode`, `user` or `group` sets them. A hidden directory hides what is below it:
/// lookups stop at it, which is why the defaults unhide `pts` as well as `pts/*`.
public struct DevfsRules: Sendable, Equatable {
    private var sets: [Int: DevfsRuleset]
    /// Ruleset names to numbers, as devfs.rules headers define them (rc.subr keeps them as
    /// shell variables: the last header with a name wins).
    private var names: [String: Int]

    public init(rulesets: [DevfsRuleset] = []) {
        sets = [:]
        names = [:]
        for ruleset in rulesets {
            sets[ruleset.number] = ruleset
            if let name = ruleset.name {
                names[name] = ruleset.number
            }
        }
    }

    /// Every ruleset, by number.
    public var rulesets: [DevfsRuleset] {
        sets.values.sorted { $0.number < $1.number }
    }

    public func ruleset(_ number: Int) -> DevfsRuleset? {
        sets[number]
    }

    /// The number a devfs.rules header gave this name (`devfsrules_jail` is 4).
    public func ruleset(named name: String) -> Int? {
        names[name]
    }

    /// The ruleset a jail's /dev gets for its `devfs_ruleset` value. jail(8) mounts /dev with
    /// `-oruleset=4` (devfsrules_jail) when devfs_ruleset is not set; the kernel's value for
    /// a jail that did not set it is 0, so 0 stands for "not set" here. FreeBSD would show
    /// every device when devfs_ruleset is explicitly 0; on Linux that would be the host's
    /// whole /dev, so 0 gives ruleset 4 as well.
    public static func effectiveRuleset(_ devfsRuleset: Int) -> Int {
        devfsRuleset == 0 ? 4 : devfsRuleset
    }

    /// The rules of a ruleset with its includes expanded in place, in the order devfs runs
    /// them: an include's own actions first, then the included ruleset's rules. The result
    /// has no includes and no rules without an action. Ruleset 0 is devfs's empty ruleset.
    ///
    /// Includes are expanded to any depth. FreeBSD follows only `vfs.devfs.rule_depth`
    /// levels (1 by default), which is why its ruleset 5 repeats ruleset 4's includes; a
    /// ruleset that includes only $devfsrules_jail would there get fuse and zfs unhidden but
    /// nothing hidden. Expanding fully gives what the ruleset says.
    public func resolve(_ ruleset: Int) throws(MountError) -> [DevfsRule] {
        guard ruleset != 0 else {
            return []
        }
        guard sets[ruleset] != nil else {
            throw undefined(ruleset)
        }
        var rules: [DevfsRule] = []
        try expand(ruleset, through: [], into: &rules)
        return rules
    }

    /// `resolve` for a ruleset named in a devfs.rules header.
    public func resolve(named name: String) throws(MountError) -> [DevfsRule] {
        guard let number = names[name] else {
            throw MountError(
                .ruleset, "no devfs ruleset is named \(quoted(name)); name it in a [\(name)=number] header")
        }
        return try resolve(number)
    }

    /// Which of `devices` (paths below /dev: "null", "pts/0", "dri/card0") a /dev filtered
    /// by `ruleset` shows, in the order given, with the mode and owner the rules set.
    ///
    /// The directories the paths pass through ("pts", "dri") are nodes too: rules match them
    /// by path, and a hidden directory hides everything below it. Device types for `type`
    /// conditions come from `DeviceType.linux`; directories and links have none.
    public func visible(_ devices: [String], ruleset: Int) throws(MountError) -> [VisibleDevice] {
        let rules = try resolve(ruleset)
        var directories = Set<String>()
        for device in devices {
            let parts = device.split(separator: "/", omittingEmptySubsequences: false)
            guard !device.hasPrefix("/"), !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." })
            else {
                throw MountError(
                    .path, "device path \(quoted(device)) is not a path below /dev; give it as \"null\" or \"pts/0\"")
            }
            for end in parts.indices.dropLast() {
                directories.insert(parts[...end].joined(separator: "/"))
            }
        }
        var visible: [VisibleDevice] = []
        var seen = Set<String>()
        for device in devices where seen.insert(device).inserted {
            let parts = device.split(separator: "/")
            let ancestors = parts.indices.dropLast().map { parts[...$0].joined(separator: "/") }
            guard ancestors.allSatisfy({ node($0, type: nil, rules: rules).isVisible }) else {
                continue
            }
            let type = directories.contains(device) ? nil : DeviceType.linux(device)
            let state = node(device, type: type, rules: rules)
            if state.isVisible {
                visible.append(state.device)
            }
        }
        return visible
    }

    // MARK: Building, for the devfs.rules reader

    /// Starts a ruleset afresh, as a devfs.rules header does (`devfs rule -s N delset`).
    mutating func define(_ number: Int, name: String) {
        sets[number] = DevfsRuleset(number: number, name: name)
        names[name] = number
    }

    /// Adds a rule to a defined ruleset, numbered as devfs numbers it: `explicit`, which must
    /// be free, or 100 past the last rule.
    mutating func add(_ rule: DevfsRule, number explicit: Int?, to ruleset: Int) throws(MountError) {
        guard var set = sets[ruleset] else {
            throw undefined(ruleset)
        }
        var rule = rule
        if let explicit {
            guard !set.rules.contains(where: { $0.number == explicit }) else {
                throw MountError(
                    .syntax, "rule \(explicit) is already in ruleset \(ruleset); use another number or leave it out")
            }
            rule.number = explicit
        } else {
            rule.number = (set.rules.last?.number ?? 0) + 100
            guard rule.number <= 65535 else {
                throw MountError(
                    .syntax, "no rule number is left after \(rule.number - 100) in ruleset \(ruleset); number the rules"
                )
            }
        }
        let position = set.rules.firstIndex { $0.number > rule.number } ?? set.rules.endIndex
        set.rules.insert(rule, at: position)
        sets[ruleset] = set
    }

    /// The rulesets from `start` that include `target`, directly or not, as a chain that
    /// ends with `target`; nil when `start` does not reach it.
    func includeChain(from start: Int, to target: Int) -> [Int]? {
        var visited = Set<Int>()
        func walk(_ number: Int) -> [Int]? {
            if number == target {
                return [number]
            }
            guard visited.insert(number).inserted, let set = sets[number] else {
                return nil
            }
            for include in set.rules.compactMap(\.include) {
                if let chain = walk(include) {
                    return [number] + chain
                }
            }
            return nil
        }
        return walk(start)
    }

    /// The defined ruleset numbers, for messages.
    var definedList: String {
        let numbers = sets.keys.sorted().map(String.init)
        return numbers.isEmpty ? "none is defined" : "defined: " + numbers.joined(separator: ", ")
    }

    // MARK: Evaluation

    private func expand(_ number: Int, through chain: [Int], into rules: inout [DevfsRule])
        throws(MountError)
    {
        if chain.contains(number) {
            let cycle = (chain.drop { $0 != number } + [number]).map(String.init).joined(separator: " -> ")
            throw MountError(.ruleset, "devfs ruleset \(number) includes itself: \(cycle); remove one of the includes")
        }
        guard let set = sets[number] else {
            let from = chain.last.map { "devfs ruleset \($0) includes ruleset \(number), which" } ?? "ruleset \(number)"
            throw MountError(.ruleset, "\(from) is not defined; define it in /etc/devfs.rules (\(definedList))")
        }
        for rule in set.rules {
            var own = rule
            own.include = nil
            if own.action != nil || own.mode != nil || own.user != nil || own.group != nil {
                rules.append(own)
            }
            guard let include = rule.include, include != 0 else {
                continue
            }
            guard rule.pattern == nil && rule.types.isEmpty else {
                // Flattening would need both rules' conditions on every included rule.
                throw MountError(
                    .unsupported,
                    "rule \(rule.number) of devfs ruleset \(number) includes ruleset \(include) under a condition; put the condition on the included rules"
                )
            }
            try expand(include, through: chain + [number], into: &rules)
        }
    }

    private func undefined(_ number: Int) -> MountError {
        MountError(.ruleset, "devfs ruleset \(number) is not defined; define it in /etc/devfs.rules (\(definedList))")
    }

    /// What the rules make of one node.
    private func node(_ path: String, type: DeviceType?, rules: [DevfsRule]) -> NodeState {
        var state = NodeState(device: VisibleDevice(path: path))
        for rule in rules where rule.matches(path, type: type) {
            switch rule.action {
            case .hide: state.isVisible = false
            case .unhide: state.isVisible = true
            case nil: break
            }
            state.device.mode = rule.mode ?? state.device.mode
            state.device.user = rule.user ?? state.device.user
            state.device.group = rule.group ?? state.device.group
        }
        return state
    }
}

private struct NodeState {
    var device: VisibleDevice
    var isVisible = true
}
