/// Parameter names as written: the `no` prefix, the equivalence of `persist` and `nopersist`,
/// and suggestions for misspellings.
enum ParameterNames {
    /// The row a written name refers to; `negated` when a boolean is written with `no` before
    /// its last dotted component (`allow.nomount`, `mount.nodevfs`, `nopersist`). Only booleans
    /// have `no` forms (libjail jailparam_type tries the `no` counterpart only for type `B`).
    static func lookup(_ written: String) -> (info: ParameterInfo, negated: Bool)? {
        if let info = ParameterTable.info(written) {
            return (info, false)
        }
        if let plain = withoutNo(written), let info = ParameterTable.info(plain), info.type == .bool {
            return (info, true)
        }
        return nil
    }

    /// `allow.nomount` → `allow.mount`, `nopersist` → `persist`; nil when the last component
    /// does not start with `no` (or is just `no`).
    static func withoutNo(_ name: String) -> String? {
        let utf8 = Array(name.utf8)
        var start = 0
        if let dot = utf8.lastIndex(of: UInt8(ascii: ".")) {
            start = dot + 1
        }
        guard utf8.count - start > 2, utf8[start] == UInt8(ascii: "n"), utf8[start + 1] == UInt8(ascii: "o") else {
            return nil
        }
        return String(decoding: utf8[..<start] + utf8[(start + 2)...], as: UTF8.self)
    }

    /// `allow.mount` → `allow.nomount`.
    static func withNo(_ name: String) -> String {
        guard let dot = name.lastIndex(of: ".") else {
            return "no" + name
        }
        return String(name[...dot]) + "no" + String(name[name.index(after: dot)...])
    }

    /// The key under which a jail's statements for the same parameter meet: config.c add_param
    /// finds an earlier statement with equalopts, which treats `opt` and `noopt` (on any dotted
    /// component) as one parameter whatever its type. The last statement's spelling wins.
    static func key(_ name: String) -> String {
        if ParameterTable.info(name) != nil {
            return name
        }
        return withoutNo(name) ?? name
    }

    /// The parameters jail(8) itself knows (config.c intparams): a `$variable` may not share a
    /// name with one of them ("variable "$path" cannot have the same name as a parameter").
    static let jailInternal: Set<String> = [
        "allow.dying", "command", "depend", "exec.clean", "exec.consolelog", "exec.fib", "exec.jail_user",
        "exec.poststart", "exec.poststop", "exec.prepare", "exec.prestart", "exec.prestop", "exec.release",
        "exec.created", "exec.start", "exec.stop", "exec.system_jail_user", "exec.system_user",
        "exec.timeout", "interface", "ip_hostname", "mount", "mount.devfs", "mount.fdescfs", "mount.procfs",
        "mount.fstab", "stop.timeout", "vnet.interface", "zfs.dataset", "ip4.addr", "ip6.addr",
        "allow.chflags", "allow.mount", "allow.raw_sockets", "allow.set_hostname", "allow.socket_af",
        "allow.sysvipc", "devfs_ruleset", "host.hostname", "jid", "name", "path", "persist", "securelevel",
        "vnet",
    ]

    /// The closest known spelling, if one is close enough to be a likely typo.
    static func suggestion(for name: String) -> String? {
        let typed = Array(name.utf8)
        // Long garbage is not a typo; this also bounds the work per error.
        guard !typed.isEmpty, typed.count <= 64 else { return nil }
        let limit = max(1, min(3, typed.count / 4))
        var best: (name: String, distance: Int)?
        func consider(_ candidate: String) {
            let distance = editDistance(typed, Array(candidate.utf8), limit: limit)
            if distance <= limit && (best.map { distance < $0.distance } ?? true) {
                best = (candidate, distance)
            }
        }
        for info in ParameterTable.all where !info.readOnly {
            consider(info.name)
            if info.type == .bool {
                consider(withNo(info.name))
            }
        }
        return best?.name
    }

    /// Optimal-string-alignment distance (a transposition costs one), giving up early once
    /// every entry of a row exceeds `limit`.
    static func editDistance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int {
        if abs(a.count - b.count) > limit {
            return limit + 1
        }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            current[0] = i
            var rowMinimum = current[0]
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    value = min(value, previous2[j - 2] + 1)
                }
                current[j] = value
                rowMinimum = min(rowMinimum, value)
            }
            if rowMinimum > limit {
                return limit + 1
            }
            previous2 = previous
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
