import Glibc
import JailMounts
import JailSys
import SystemPackage

/// The devices of a jail: the nodes its /dev gets and the device filter of its cgroup,
/// both from one list, so that what `ls /dev` shows is exactly what may be opened.
struct DevicePlan: Sendable, Equatable {
    struct Node: Sendable, Equatable {
        var path: String            // below /dev
        var block: Bool
        var major: UInt32
        var minor: UInt32
        var mode: UInt32            // permission bits
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    var nodes: [Node]
    /// The jail's own devpts on /dev/pts with /dev/ptmx (FreeBSD's pts entries).
    var devpts: Bool

    /// What the filter allows: the nodes, and the jail's ptys (devpts numbers them with
    /// the majors 136-143; ptmx is 5:2).
    var filterRules: [DeviceFilter.Rule] {
        var rules = nodes.map { DeviceFilter.Rule($0.block ? .block : .character, $0.major, $0.minor) }
        if devpts {
            rules.append(DeviceFilter.Rule(.character, 5, 2))
            rules += (136...143).map { DeviceFilter.Rule(.character, UInt32($0), nil) }
        }
        return rules
    }

    /// No devfs: nothing may be opened.
    static let none = DevicePlan(nodes: [], devpts: false)

    /// The jail's devices under devfs ruleset `ruleset` of `rules`: the host's devices the
    /// ruleset leaves visible, with the mode and owner a rule gives (else the host node's).
    /// A ruleset that hides everything and then unhides names (the defaults) only looks
    /// those names up; one with patterns reads the kernel's whole device list.
    static func build(_ rules: DevfsRules, ruleset: Int) throws(JailError) -> DevicePlan {
        let resolved: [DevfsRule]
        do { resolved = try rules.resolve(ruleset) } catch { throw JailError(jail: nil, "devfs_ruleset: \(error.message)") }
        let candidates: [HostDevices.Device]
        if let names = literalNames(resolved) {
            candidates = names.compactMap(HostDevices.lookup)
        } else {
            candidates = HostDevices.all().filter { !specials.contains($0.name) && !$0.name.hasPrefix("pts/") }
        }
        let visible: [VisibleDevice]
        do { visible = try rules.visible(candidates.map(\.name) + specials, ruleset: ruleset) } catch {
            throw JailError(jail: nil, "devfs_ruleset: \(error.message)")
        }
        var nodes: [Node] = []
        for v in visible {
            guard let d = candidates.first(where: { $0.name == v.path }) else { continue }
            var node = Node(path: d.name, block: d.block, major: d.major, minor: d.minor, mode: v.mode ?? d.mode, uid: d.uid, gid: d.gid)
            if let user = v.user {
                guard let uid = Self.id(user, passwd: true) else { throw JailError(jail: nil, "devfs_ruleset: unknown user \(user)") }
                node.uid = uid
            }
            if let group = v.group {
                guard let gid = Self.id(group, passwd: false) else { throw JailError(jail: nil, "devfs_ruleset: unknown group \(group)") }
                node.gid = gid
            }
            nodes.append(node)
        }
        let shown = Set(visible.map(\.path))
        return DevicePlan(nodes: nodes, devpts: shown.contains("pts") || shown.contains("ptmx"))
    }

    /// Names that are not host devices: our devpts and the fdescfs links.
    static let specials = ["pts", "ptmx", "fd", "stdin", "stdout", "stderr"]

    /// The device names to look up when the ruleset hides everything and then unhides
    /// names only (the default rulesets: a few lstat calls); nil when it needs the kernel's
    /// whole list (a pattern, a type condition, or no hide-all first: about a hundred
    /// files read, a millisecond).
    static func literalNames(_ resolved: [DevfsRule]) -> [String]? {
        guard let first = resolved.first, first.action == .hide, first.pattern == nil, first.types.isEmpty else { return nil }
        var names: Set<String> = []
        for r in resolved.dropFirst() where r.action == .unhide {
            guard let p = r.pattern, r.types.isEmpty else { return nil }
            // pts/* and fd/* are our devpts and fdescfs links, not host devices.
            if specials.contains(p) || p.hasPrefix("pts/") || p.hasPrefix("fd/") { continue }
            if p.contains(where: { "*?[".contains($0) }) { return nil }
            names.insert(p)
        }
        return names.sorted()
    }

    /// A user or group of the host (names as FreeBSD's devfs resolves them), or a number.
    static func id(_ name: String, passwd: Bool) -> UInt32? {
        if let n = UInt32(name) { return n }
        if passwd { return unsafe getpwnam(name).map { unsafe $0.pointee.pw_uid } }
        return unsafe getgrnam(name).map { unsafe $0.pointee.gr_gid }
    }
}
