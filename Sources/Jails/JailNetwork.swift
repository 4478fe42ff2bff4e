import Glibc
import JailSys
import SystemPackage

/// A jail's network on the host's side: checked and resolved before anything exists, then
/// put in place step by step (each step recorded before it is taken, undone on failure),
/// and taken back when the jail goes.
struct JailNetwork {
    var spec: NetworkSpec
    let ip4: JailSys
    let ip6: JailSys
    /// allow.raw_sockets: on the host's stack, the jail's packets are checked too.
    let checksPackets: Bool
    /// Host interface aliases to add: "interface address/prefix", as recorded.
    private(set) var aliases: [String] = []

    /// Resolves host.hostname for ip_hostname, checks interfaces and addresses against the
    /// host and the other jails. Changes nothing.
    init(_ jail: JailSpec, others: [JailRecord]) throws(JailError) {
        spec = jail.network
        ip4 = jail.ip4
        ip6 = jail.ip6
        checksPackets = jail.allow.rawSockets && !jail.network.vnet
        let label = jail.name
        func fail(_ message: String) -> JailError { JailError(jail: label, message) }
        if spec.resolveHostname {
            guard let host = jail.hostname else { throw fail("ip_hostname: needs host.hostname") }
            for address in Self.resolve(host) {
                if address.isIPv6, ip6 == .new, !spec.ip6.contains(where: { $0.address == address }) {
                    spec.ip6.append(.init(interface: nil, address: address, prefix: nil))
                } else if !address.isIPv6, ip4 == .new, !spec.ip4.contains(where: { $0.address == address }) {
                    spec.ip4.append(.init(interface: nil, address: address, prefix: nil))
                }
            }
        }
        // FreeBSD's rule (kern_jail.c): jails may share an address only when each has just
        // that one.
        for (mine, family) in [(spec.ip4, "ip4.addr"), (spec.ip6, "ip6.addr")] where !mine.isEmpty {
            for other in others {
                let theirs = Self.recordedAddresses(other, family)
                for item in mine where theirs.contains(item.address) && (mine.count > 1 || theirs.count > 1) {
                    throw fail("\(family) \(item.address): already used by jail \(other.name) (two jails share an address only when each has no other)")
                }
            }
        }
        for name in spec.vnetInterfaces {
            if let other = others.first(where: { Self.recorded($0, "vnet.interface").contains(name) }) {
                throw fail("vnet.interface \(name): already in jail \(other.name)")
            }
        }
        let needsLinks = !spec.aliases.isEmpty || !spec.bridge.isEmpty
            || Self.selectsSource(spec)
        guard needsLinks else { return }
        do {
            let nl = try Rtnetlink()
            let hostAddresses = try nl.addresses()
            for (interface, item) in spec.aliases {
                guard try nl.linkIndex(interface) != nil else { throw fail("interface \(interface): no such interface") }
                if hostAddresses.contains(where: { $0.address == item.address }) { continue }  // shared, as on FreeBSD
                aliases.append("\(interface) \(item.address)/\(item.prefix ?? item.address.bitCount)")
            }
            // vnet.interface is looked up when it moves: exec.prestart may make it (epair).
            for item in spec.bridge {
                guard let index = try nl.linkIndex(item.bridge) else { throw fail("vnet.bridge \(item.bridge): no such interface") }
                guard try nl.linkKind(index) == "bridge" else { throw fail("vnet.bridge \(item.bridge): not a bridge") }
            }
            // Source selection needs each address's subnet: given, else the host's.
            for keyPath in [\NetworkSpec.ip4, \NetworkSpec.ip6] {
                for i in spec[keyPath: keyPath].indices where spec[keyPath: keyPath][i].prefix == nil {
                    let a = spec[keyPath: keyPath][i].address
                    spec[keyPath: keyPath][i].prefix = hostAddresses.first { $0.address == a }?.prefix
                }
            }
        } catch let error as JailError { throw error } catch { throw fail("\(error)") }
    }

    /// The jail's words as its record keeps them: with ip_hostname, the addresses it found
    /// (jls shows them, and other jails are checked against them).
    func recordedWords(_ words: [String]) -> [String] {
        guard spec.resolveHostname else { return words }
        let lists = ["ip4.addr", "ip6.addr", "ip_hostname"]
        var out = words.filter { word in !lists.contains { word == $0 || word.hasPrefix($0 + "=") || word.hasPrefix($0 + "+=") } }
        for (name, items) in [("ip4.addr", spec.ip4), ("ip6.addr", spec.ip6)] where !items.isEmpty {
            // A prefix found on the host (for source selection) is not the user's to record.
            let aliased = spec.interface != nil
            out.append(name + "=" + items.map { aliased || $0.interface != nil ? $0.recorded : "\($0.address)" }.joined(separator: ","))
        }
        return out
    }

    static func selectsSource(_ spec: NetworkSpec) -> Bool {
        (spec.sourceSelection4 && spec.ip4.count > 1) || (spec.sourceSelection6 && spec.ip6.count > 1)
    }

    /// getaddrinfo(3) of the name, on the host (jail(8) -h does the same).
    static func resolve(_ host: String) -> [IPAddress] {
        var hints = unsafe addrinfo()
        unsafe hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>? = nil
        guard unsafe getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { unsafe freeaddrinfo(list) }
        var out: [IPAddress] = []
        var p = unsafe list
        while let ai = unsafe p {
            if let sa = unsafe ai.pointee.ai_addr {
                var bytes: [UInt8] = []
                if unsafe ai.pointee.ai_family == AF_INET {
                    unsafe sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                        var addr = unsafe sin.pointee.sin_addr
                        bytes = unsafe withUnsafeBytes(of: &addr) { unsafe Array($0) }
                    }
                } else if unsafe ai.pointee.ai_family == AF_INET6 {
                    unsafe sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                        var addr = unsafe sin6.pointee.sin6_addr
                        bytes = unsafe withUnsafeBytes(of: &addr) { unsafe Array($0) }
                    }
                }
                if let a = IPAddress(bytes: bytes), !out.contains(a) { out.append(a) }
            }
            unsafe p = unsafe ai.pointee.ai_next
        }
        return out
    }

    /// Values of a list parameter as a record keeps it (`name=a,b`).
    static func recorded(_ record: JailRecord, _ name: String) -> [String] {
        record.parameters.filter { $0.hasPrefix(name + "=") }
            .flatMap { $0.dropFirst(name.count + 1).split(separator: ",").map(String.init) }
    }

    static func recordedAddresses(_ record: JailRecord, _ name: String) -> [IPAddress] {
        recorded(record, name).compactMap { item in
            let noInterface = item.split(separator: "|").last.map(String.init) ?? item
            return IPAddress(String(noInterface.split(separator: "/").first ?? ""))
        }
    }

    /// The filters' view of a family.
    static func policy(_ sys: JailSys, _ items: [NetworkSpec.Item], selection: Bool) -> AddressFilter.Policy {
        switch sys {
        case .disable: return .disable
        case .inherit: return .inherit
        case .new:
            return .restricted(items.map { .init(bytes: $0.address.bytes, prefix: $0.prefix ?? $0.address.bitCount) },
                               sourceSelection: selection)
        }
    }

    /// The socket-address programs and the socket-table guard, on the jail's cgroup before
    /// its first process exists. A vnet jail's own stack needs neither.
    func attachFilters(cgroup: Int32, state: FilePath) throws(SystemError) {
        guard !spec.vnet else { return }
        try attachAddressFilter(cgroup: cgroup)
        Self.guardSocketTables(cgroup: cgroup, state: state)
    }

    /// Also jail -m: the same hooks as before (the families' kinds cannot change), each
    /// program swapped for its successor in one step, so no socket call sees neither.
    func attachAddressFilter(cgroup: Int32) throws(SystemError) {
        let ipv4 = Self.policy(ip4, spec.ip4, selection: spec.sourceSelection4)
        let ipv6 = Self.policy(ip6, spec.ip6, selection: spec.sourceSelection6)
        try AddressFilter.attach(ipv4: ipv4, ipv6: ipv6, to: cgroup)
        if checksPackets { try PacketAddressFilter.attach(ipv4: ipv4, ipv6: ipv6, to: cgroup) }
    }

    /// /proc/PID/net/{tcp,udp,unix,...} show the reader's network namespace: the host's.
    /// Closed by a BPF LSM program where the kernel runs them; a kernel that refuses them
    /// (some vendor kernels do, even with "bpf" among the active LSMs) is remembered until
    /// reboot (our state lives on /run) and the jail goes without: docs/network.md.
    static func guardSocketTables(cgroup: Int32, state: FilePath) {
        let refused = state.appending("procnet-refused")
        if unsafe access(refused.string, F_OK) == 0 { return }
        do { try ProcNetGuard.attach(to: cgroup, cache: DeviceFilter.prepareCache(state.appending("bpf"))) } catch {
            let fd = unsafe open(refused.string, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
            if fd >= 0 {
                let line = "\(error)\n"
                _ = unsafe line.withCString { unsafe write(fd, $0, strlen($0)) }
                close(fd)
            }
        }
    }

    /// Adds the recorded aliases; those added are undone by `undo`.
    func addAliases(_ undo: inout UndoStack) throws(SystemError) {
        guard !aliases.isEmpty else { return }
        let nl = try Rtnetlink()
        for alias in aliases {
            guard let (index, address, prefix) = try Self.parseAlias(alias, nl) else { continue }
            try nl.addAddress(address, prefix: prefix, index: index)
            undo.push { if let nl = try? Rtnetlink() { try? nl.deleteAddress(address, prefix: prefix, index: index) } }
        }
    }

    static func parseAlias(_ alias: String, _ nl: borrowing Rtnetlink) throws(SystemError) -> (Int32, IPAddress, Int)? {
        let parts = alias.split(separator: " ")
        guard parts.count == 2, let slash = parts[1].firstIndex(of: "/"),
              let address = IPAddress(String(parts[1][..<slash])), let prefix = Int(parts[1][parts[1].index(after: slash)...]),
              let index = try nl.linkIndex(String(parts[0])) else { return nil }
        return (index, address, prefix)
    }

    /// vnet: loopback up, vnet.interface moved in, the vnet.bridge veth made and set up.
    /// Runs once the jail's init exists, before anything runs inside.
    func populate(initPID: Int32, jid: Int, undo: inout UndoStack) throws(SystemError) {
        guard spec.vnet else { return }
        let jailNS = try OwnedFD.open(FilePath("/proc/\(initPID)/ns/net"), O_RDONLY)
        let inside = try Rtnetlink(namespace: jailNS.rawValue)
        try inside.setUp(1, true)   // lo is always index 1 in a new namespace
        let host = try Rtnetlink()
        for name in spec.vnetInterfaces {
            guard let index = try host.linkIndex(name) else { throw SystemError("vnet.interface \(name)", Errno(rawValue: ENODEV)) }
            try host.moveToNamespace(index, namespaceFD: jailNS.rawValue)
        }
        if let first = spec.bridge.first {
            let (hostEnd, jailEnd) = Self.vethNames(jid)
            try host.createVethPair(hostEnd, jailEnd)
            undo.push { if let nl = try? Rtnetlink(), let i = try? nl.linkIndex(hostEnd) { try? nl.deleteLink(i) } }
            guard let h = try host.linkIndex(hostEnd), let j = try host.linkIndex(jailEnd),
                  let bridge = try host.linkIndex(first.bridge) else { throw SystemError("vnet.bridge", Errno(rawValue: ENODEV)) }
            try host.setMaster(h, master: bridge)
            try host.setUp(h, true)
            try host.moveToNamespace(j, namespaceFD: jailNS.rawValue, newName: "eth0")
            guard let eth0 = try inside.linkIndex("eth0") else { throw SystemError("vnet.bridge eth0", Errno(rawValue: ENODEV)) }
            for item in spec.bridge { try inside.addAddress(item.address, prefix: item.prefix, index: eth0) }
            try inside.setUp(eth0, true)
            for item in spec.bridge { if let gateway = item.gateway { try inside.addDefaultRoute(via: gateway) } }
        }
    }

    /// The host end and the jail's end (before it becomes eth0) of a vnet.bridge veth.
    static func vethNames(_ jid: Int) -> (String, String) { ("vj\(jid)", "vj\(jid)p") }

    /// vnet.interface back to the host, while the jail's namespace still exists (a veth
    /// left in a dying namespace is destroyed with it). Interfaces the jail renamed or
    /// destroyed are not found: physical ones return by themselves when the namespace goes.
    static func returnInterfaces(_ record: JailRecord) {
        let names = recorded(record, "vnet.interface")
        guard !names.isEmpty, record.initPID > 0, ProcessIdentity.isAlive(record.initPID, start: record.initStart),
              let jailNS = try? OwnedFD.open(FilePath("/proc/\(record.initPID)/ns/net"), O_RDONLY),
              let hostNS = try? OwnedFD.open(FilePath("/proc/self/ns/net"), O_RDONLY),
              let inside = try? Rtnetlink(namespace: jailNS.rawValue) else { return }
        for name in names {
            if let index = try? inside.linkIndex(name) { try? inside.moveToNamespace(index, namespaceFD: hostNS.rawValue) }
        }
    }

    /// What the jail added on the host: its aliases, its vnet.bridge veth.
    static func release(_ record: JailRecord) {
        guard !record.aliases.isEmpty || recorded(record, "vnet.bridge").count > 0, let nl = try? Rtnetlink() else { return }
        removeAliases(record.aliases, nl)
        if !recorded(record, "vnet.bridge").isEmpty, let index = try? nl.linkIndex(vethNames(record.jid).0),
           (try? nl.linkKind(index)) == "veth" {
            try? nl.deleteLink(index)
        }
    }

    static func removeAliases(_ aliases: [String], _ nl: borrowing Rtnetlink) {
        for alias in aliases {
            if let (index, address, prefix) = try? parseAlias(alias, nl) { try? nl.deleteAddress(address, prefix: prefix, index: index) }
        }
    }
}
