import JailMounts
/// Where a jail's parameters come from: a resolved jail.conf entry or command-line words.
/// `JailConf.JailParams` conforms; tests may use a dictionary.
public protocol JailParameterSource {
    func string(_ name: String) -> String?
    func strings(_ name: String) -> [String]
    func bool(_ name: String) -> Bool?
    func int(_ name: String) -> Int?
}

/// FreeBSD's three-valued jail system setting.
public enum JailSys: String, Sendable, Equatable {
    case disable, new, inherit
}

/// A jail's settings, typed, with this implementation's defaults applied. Built once from
/// the parameters; the mechanism layers read only this.
public struct JailSpec: Sendable, Equatable {
    public var name: String?
    public var jid: Int?
    public var path = "/"
    public var hostname: String?
    public var domainname: String?
    /// inherit: no UTS namespace (the host's names); new: the jail's own.
    public var host: JailSys = .new
    public var persist = false

    /// SysV IPC per kind. Linux has one IPC namespace for all three: "new" and "inherit"
    /// cannot be mixed, "disable" is done per kind by the seccomp filter.
    /// Resource limits, rctl(8) rules with the subject implied ("memoryuse:deny=512M").
    public var rctl: [String] = []
    public var sysvmsg: JailSys = .new
    public var sysvsem: JailSys = .new
    public var sysvshm: JailSys = .new

    /// Network families: without ip4/ip6 parameters a jail has none (FreeBSD's default).
    public var ip4: JailSys = .disable
    public var ip6: JailSys = .disable
    /// Addresses, interfaces, vnet.
    public var network = NetworkSpec()

    public var allow = Permissions()

    public var mountDevfs = true
    public var mountProcfs = true
    public var mountFdescfs = true
    /// The devfs ruleset of its /dev (0: ruleset 4, devfsrules_jail).
    public var devfsRuleset = 0
    /// `mount` lines, parsed; `mount.fstab` files, read at creation.
    public var mounts: [MountEntry] = []
    public var fstabFiles: [String] = []
    /// thin.base: a read-only base under the jail's own writable `path` (overlayfs).
    public var thinBase: String?
    /// init: the tree's own init as PID 1 (a full system boots); nil: ours.
    public var initPath: String?
    /// stop.signal: what asks that init to halt.
    public var stopSignal: Int32 = 0

    /// The command to run inside (`command=`), nil when none.
    public var command: [String]?
    public var execClean = false
    public var jailUser: String?
    /// Look `jailUser` up in the host's passwd (jail -u) rather than the jail's (-U).
    public var systemJailUser = false

    /// jail(8)'s exec.* commands and their settings.
    public var hooks = Hooks()

    public init() {}

    /// Commands run around creation and removal, in FreeBSD's order (jail(8)). Host-side
    /// lists run with /bin/sh -c on the host; `start` and `stop` run inside the jail.
    public struct Hooks: Sendable, Equatable {
        public var prepare: [String] = []
        public var prestart: [String] = []
        public var created: [String] = []
        public var start: [String] = []
        public var poststart: [String] = []
        public var prestop: [String] = []
        public var stop: [String] = []
        public var poststop: [String] = []
        public var release: [String] = []
        /// Seconds a command may run before the operation fails (exec.timeout); nil: no limit.
        public var timeout: Int?
        /// Seconds between SIGTERM and SIGKILL on removal (stop.timeout, default 10).
        public var stopTimeout = 10
        /// File that receives the commands' output (exec.consolelog).
        public var consoleLog: String?
        /// User for host-side commands (exec.system_user).
        public var systemUser: String?
        public init() {}

        /// Whether something runs after the jail exists, so it must persist meanwhile.
        var runAfterCreation: Bool { !created.isEmpty || !start.isEmpty || !poststart.isEmpty }
    }

    /// FreeBSD's allow.* permissions that this implementation can grant.
    public struct Permissions: Sendable, Equatable {
        public var rawSockets = false
        public var chflags = false
        public var socketAF = false
        public var mlock = false
        public var reservedPorts = true
        public var readMsgbuf = false
        public var unprivilegedProcDebug = true
        public var suser = true
        public var adjtime = false
        public var settime = false
        public init() {}
    }
}

/// A parameter that cannot be honoured, said in FreeBSD's words.
public struct SpecError: Error, Sendable, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension JailSpec {
    /// Reads and checks the parameters. Unknown names and type errors are JailConf's
    /// business; this checks what only the engine knows (Linux's limits).
    public init(_ p: some JailParameterSource, command: [String]? = nil) throws(SpecError) {
        self.init()
        name = p.string("name")
        jid = p.int("jid")
        if let v = p.string("path"), !v.isEmpty { path = v }
        hostname = p.string("host.hostname")
        domainname = p.string("host.domainname")
        if let v = p.string("host") { host = try Self.jailsys("host", v) }
        if host == .disable { throw SpecError("host: \"disable\" is not a valid value (new or inherit)") }
        persist = p.bool("persist") ?? false
        rctl = p.strings("rctl")

        let sysvipc = p.bool("allow.sysvipc") ?? false
        for (kind, keyPath) in [("sysvmsg", \JailSpec.sysvmsg), ("sysvsem", \.sysvsem), ("sysvshm", \.sysvshm)] {
            if let v = p.string(kind) { self[keyPath: keyPath] = try Self.jailsys(kind, v) } else if sysvipc {
                self[keyPath: keyPath] = .inherit
            }
        }
        let shared = Set([sysvmsg, sysvsem, sysvshm].filter { $0 != .disable })
        if shared.count > 1 {
            throw SpecError("sysvmsg, sysvsem and sysvshm cannot mix \"new\" and \"inherit\" on Linux: one IPC namespace holds all three")
        }

        network = try NetworkSpec(p)
        if let v = p.string("ip4") { ip4 = try Self.jailsys("ip4", v) } else if !network.ip4.isEmpty { ip4 = .new }
        if let v = p.string("ip6") { ip6 = try Self.jailsys("ip6", v) } else if !network.ip6.isEmpty { ip6 = .new }
        if !network.ip4.isEmpty && ip4 != .new { throw SpecError("ip4.addr: only with ip4=new (the default when addresses are given)") }
        if !network.ip6.isEmpty && ip6 != .new { throw SpecError("ip6.addr: only with ip6=new (the default when addresses are given)") }
        if network.vnet {
            // Its own stack: every family, within it.
            ip4 = .inherit
            ip6 = .inherit
        } else if ip4 == .new && ip6 == .inherit {
            // Linux's dual-stack sockets: one bound to :: also takes IPv4 on every host address.
            throw SpecError("ip6=inherit with ip4=new: an IPv6 socket bound to :: would take IPv4 on every host address; give ip6.addr or ip6=disable")
        }
        if network.interface != nil && network.ip4.isEmpty && network.ip6.isEmpty {
            throw SpecError("interface: needs ip4.addr or ip6.addr")
        }

        allow.rawSockets = p.bool("allow.raw_sockets") ?? false
        allow.chflags = p.bool("allow.chflags") ?? false
        allow.socketAF = p.bool("allow.socket_af") ?? false
        allow.mlock = p.bool("allow.mlock") ?? false
        allow.reservedPorts = p.bool("allow.reserved_ports") ?? true
        allow.readMsgbuf = p.bool("allow.read_msgbuf") ?? false
        allow.unprivilegedProcDebug = p.bool("allow.unprivileged_proc_debug") ?? true
        allow.suser = p.bool("allow.suser") ?? true
        allow.settime = p.bool("allow.settime") ?? false
        allow.adjtime = (p.bool("allow.adjtime") ?? false) || allow.settime
        if p.bool("allow.set_hostname") == true {
            throw SpecError("allow.set_hostname: not supported on Linux without a user namespace (it needs CAP_SYS_ADMIN); set host.hostname from the host instead")
        }

        mountDevfs = p.bool("mount.devfs") ?? true
        mountProcfs = p.bool("mount.procfs") ?? true
        mountFdescfs = p.bool("mount.fdescfs") ?? true
        devfsRuleset = p.int("devfs_ruleset") ?? 0
        for line in p.strings("mount") where !line.allSatisfy(\.isWhitespace) {
            // jail(8) skips an empty mount value.
            do { mounts.append(try Fstab.parseLine(line)) } catch { throw SpecError("mount: \(error.message)") }
        }
        fstabFiles = p.strings("mount.fstab").filter { !$0.isEmpty }
        thinBase = p.string("thin.base").flatMap { $0.isEmpty ? nil : $0 }
        if let base = thinBase, !base.hasPrefix("/") { throw SpecError("thin.base \(base): not an absolute pathname") }

        self.command = command
        execClean = p.bool("exec.clean") ?? false
        // jail(8) skips empty commands (`exec.start = "";` clears a wildcard's value).
        func commands(_ name: String) -> [String] { p.strings(name).filter { !$0.isEmpty } }
        hooks.prepare = commands("exec.prepare")
        hooks.prestart = commands("exec.prestart")
        hooks.created = commands("exec.created")
        hooks.start = commands("exec.start")
        hooks.poststart = commands("exec.poststart")
        hooks.prestop = commands("exec.prestop")
        hooks.stop = commands("exec.stop")
        hooks.poststop = commands("exec.poststop")
        hooks.release = commands("exec.release")
        hooks.timeout = p.int("exec.timeout")
        hooks.stopTimeout = p.int("stop.timeout") ?? 10
        hooks.consoleLog = p.string("exec.consolelog")
        hooks.systemUser = p.string("exec.system_user")
        jailUser = p.string("exec.jail_user")
        systemJailUser = p.bool("exec.system_jail_user") ?? false

        initPath = p.string("init").flatMap { $0.isEmpty ? nil : $0 }
        if let path = initPath {
            if !path.hasPrefix("/") { throw SpecError("init \(path): not an absolute pathname") }
            if command != nil || !hooks.start.isEmpty {
                throw SpecError("init: the tree's init runs the jail's services; give no command or exec.start")
            }
        }
        if let name = p.string("stop.signal"), !name.isEmpty {
            guard let number = Self.signalNumber(name) else { throw SpecError("stop.signal \(name): not a signal name") }
            stopSignal = number
        }

        if let h = hostname { try Self.checkHostname("host.hostname", h) }
        if let d = domainname, d.utf8.count > 64 {
            throw SpecError("host.domainname: longer than 64 characters")
        }
    }

    /// SIGTERM, TERM, 15, SIGRTMIN+3, RTMIN+3 (Linux's numbers; glibc's SIGRTMIN is 34).
    static func signalNumber(_ text: String) -> Int32? {
        let rtmin: Int32 = 34, rtmax: Int32 = 64
        if let n = Int32(text) { return n > 0 && n <= rtmax ? n : nil }
        let name = text.hasPrefix("SIG") ? text.dropFirst(3) : Substring(text)
        if name.hasPrefix("RTMIN") {
            let rest = name.dropFirst(5)
            guard let offset = rest.isEmpty ? 0 : (rest.hasPrefix("+") ? Int32(rest.dropFirst()) : nil),
                  offset >= 0, rtmin + offset <= rtmax else { return nil }
            return rtmin + offset
        }
        let names: [Substring: Int32] = ["HUP": 1, "INT": 2, "QUIT": 3, "KILL": 9, "USR1": 10, "USR2": 12, "TERM": 15, "PWR": 30]
        return names[name]
    }

    static func jailsys(_ name: String, _ value: String) throws(SpecError) -> JailSys {
        switch value {
        case "disable", "0": return .disable
        case "new", "1": return .new
        case "inherit", "2": return .inherit
        default: throw SpecError("\(name): invalid value \"\(value)\" (disable, new or inherit)")
        }
    }

    /// What sethostname(2) accepts and resolvers expect: 1 to 64 bytes of letters, digits,
    /// '-', '.', '_'; labels not starting or ending with '-'.
    static func checkHostname(_ param: String, _ h: String) throws(SpecError) {
        let bytes = Array(h.utf8)
        guard !bytes.isEmpty, bytes.count <= 64 else {
            throw SpecError("\(param): invalid hostname \"\(h)\": must be 1 to 64 characters")
        }
        for label in h.split(separator: ".", omittingEmptySubsequences: false) {
            let ok = !label.isEmpty && !label.hasPrefix("-") && !label.hasSuffix("-") &&
                label.utf8.allSatisfy { c in
                    (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
                        c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
                }
            if !ok { throw SpecError("\(param): invalid hostname \"\(h)\"") }
        }
    }
}
