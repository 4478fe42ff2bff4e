import Glibc
import JailSys

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

    /// FreeBSD's devfsrules_jail on Linux, less what the host may lack.
    static let standard = DevicePlan(nodes: [
        Node(path: "null", block: false, major: 1, minor: 3, mode: 0o666),
        Node(path: "zero", block: false, major: 1, minor: 5, mode: 0o666),
        Node(path: "full", block: false, major: 1, minor: 7, mode: 0o666),
        Node(path: "random", block: false, major: 1, minor: 8, mode: 0o666),
        Node(path: "urandom", block: false, major: 1, minor: 9, mode: 0o666),
        Node(path: "tty", block: false, major: 5, minor: 0, mode: 0o666),
    ], devpts: true)
}
