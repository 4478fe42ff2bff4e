import CJail
import Glibc
import SystemPackage

/// What the kernel says about one network interface (RTM_NEWLINK).
public struct NetworkLink: Sendable, Equatable {
    public var index: Int32
    public var name: String
    /// IFLA_INFO_KIND: "veth", "bridge"; nil for a device without one (lo, a physical NIC).
    public var kind: String?
    /// The bridge it belongs to (IFLA_MASTER); nil for none.
    public var master: Int32?
    /// IFF_* flags.
    public var flags: UInt32

    public var isUp: Bool { flags & UInt32(IFF_UP) != 0 }

    /// A link from a reply message: struct ifinfomsg (16 bytes), then attributes.
    init?(_ message: NetlinkMessage) {
        guard message.type == Int(RTM_NEWLINK), message.payload.count >= 16 else { return nil }
        let start = message.payload.startIndex
        let attributes = message.attributes(after: 16)
        guard let name = attributes.string(Int(IFLA_IFNAME)) else { return nil }
        self.index = load(message.payload, start + 4, as: Int32.self)
        self.flags = load(message.payload, start + 8, as: UInt32.self)
        self.name = name
        self.kind = attributes.nested(Int(IFLA_LINKINFO))?.string(Int(IFLA_INFO_KIND))
        self.master = attributes.uint32(Int(IFLA_MASTER)).flatMap { $0 == 0 ? nil : Int32(bitPattern: $0) }
    }
}

extension Rtnetlink {
    /// The interface called `name` in this socket's namespace; nil when there is none.
    public func link(named name: String) throws(SystemError) -> NetworkLink? {
        try Self.checkName(name)
        var request = Self.getLink()
        request.attribute(Int(IFLA_IFNAME), string: name)
        return try fetchLink(request, "look up interface \(name)")
    }

    /// The interface with this index; nil when there is none.
    public func link(_ index: Int32) throws(SystemError) -> NetworkLink? {
        guard index > 0 else { return nil }
        return try fetchLink(Self.getLink(index: index), "look up interface \(index)")
    }

    public func linkIndex(_ name: String) throws(SystemError) -> Int32? { try link(named: name)?.index }
    public func linkName(_ index: Int32) throws(SystemError) -> String? { try link(index)?.name }
    /// "veth", "bridge"; nil for an interface without a kind, or no interface.
    public func linkKind(_ index: Int32) throws(SystemError) -> String? { try link(index)?.kind }
    /// The index of the bridge the interface belongs to; nil for none.
    public func linkMaster(_ index: Int32) throws(SystemError) -> Int32? { try link(index)?.master }

    /// A veth pair `a` ↔ `b`, both down, in this namespace.
    public func createVethPair(_ a: String, _ b: String) throws(SystemError) {
        try Self.checkName(a)
        try Self.checkName(b)
        var request = Self.newLink(create: true)
        request.attribute(Int(IFLA_IFNAME), string: a)
        request.nested(Int(IFLA_LINKINFO)) { info in
            info.attribute(Int(IFLA_INFO_KIND), string: "veth")
            info.nested(Int(IFLA_INFO_DATA)) { data in
                // The peer is described as a link of its own: its ifinfomsg, then its name.
                data.nested(Int(VETH_INFO_PEER)) { peer in
                    peer.link()
                    peer.attribute(Int(IFLA_IFNAME), string: b)
                }
            }
        }
        try perform(request, { "create veth pair \(a) and \(b)" })
    }

    public func createBridge(_ name: String) throws(SystemError) {
        try Self.checkName(name)
        var request = Self.newLink(create: true)
        request.attribute(Int(IFLA_IFNAME), string: name)
        request.nested(Int(IFLA_LINKINFO)) { $0.attribute(Int(IFLA_INFO_KIND), string: "bridge") }
        try perform(request, { "create bridge \(name)" })
    }

    /// Deletes the interface (both ends, for a veth).
    public func deleteLink(_ index: Int32) throws(SystemError) {
        var request = NetlinkRequest(type: Int(RTM_DELLINK), flags: NLM_F_ACK)
        request.link(index: index)
        try perform(request, { "delete \(label(index))" })
    }

    public func setUp(_ index: Int32, _ up: Bool) throws(SystemError) {
        // ifi_change names the one flag changed; the others are left as they are.
        let flag = UInt32(IFF_UP)
        let request = Self.newLink(create: false, index: index, flags: up ? flag : 0, change: flag)
        try perform(request, { "bring \(label(index)) \(up ? "up" : "down")" })
    }

    /// Puts the interface in bridge `master`; 0 releases it from its bridge.
    public func setMaster(_ index: Int32, master: Int32) throws(SystemError) {
        var request = Self.newLink(create: false, index: index)
        request.attribute(Int(IFLA_MASTER), UInt32(bitPattern: master))
        try perform(request, {
            master == 0 ? "release \(label(index)) from its bridge" : "add \(label(index)) to bridge \(label(master))"
        })
    }

    public func rename(_ index: Int32, to name: String) throws(SystemError) {
        try Self.checkName(name)
        var request = Self.newLink(create: false, index: index)
        request.attribute(Int(IFLA_IFNAME), string: name)
        try perform(request, { "rename \(label(index)) to \(name)" })
    }

    /// Moves the interface into the network namespace `namespaceFD`, renamed there to
    /// `newName` in the same step (so it never appears there under a name that may clash).
    public func moveToNamespace(_ index: Int32, namespaceFD: Int32, newName: String? = nil) throws(SystemError) {
        if let newName { try Self.checkName(newName) }
        var request = Self.newLink(create: false, index: index)
        request.attribute(Int(IFLA_NET_NS_FD), UInt32(bitPattern: namespaceFD))
        if let newName { request.attribute(Int(IFLA_IFNAME), string: newName) }
        try perform(request, {
            "move \(label(index)) to another network namespace" + (newName.map { " as \($0)" } ?? "")
        })
    }

    /// A name as the kernel's dev_valid_name accepts it, checked before anything is sent:
    /// 1 to 15 bytes, not "." or "..", no '/', ':' or white space (the kernel's isspace,
    /// which counts 0xa0 too). '%' is refused as well: the kernel would take the name as a
    /// pattern ("veth%d") and pick a name we were not told.
    public static func checkName(_ name: String) throws(SystemError) {
        let bytes = Array(name.utf8)
        let bad: Set<UInt8> = [0, 0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0xa0, UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "%")]
        guard (1...15).contains(bytes.count), name != ".", name != "..", !bytes.contains(where: bad.contains) else {
            let shown = name.unicodeScalars.map { $0.escaped(asASCII: false) }.joined()
            throw SystemError("invalid interface name `\(shown)`", .invalidArgument)
        }
    }

    /// The interface's name for a message, or its number when it has none (any more).
    func label(_ index: Int32) -> String {
        if let link = try? link(index) { return link.name }
        return "interface \(index)"
    }

    private func fetchLink(_ request: NetlinkRequest, _ operation: String) throws(SystemError) -> NetworkLink? {
        var found: NetworkLink?
        do {
            try perform(request, { operation }) { message in
                if let link = NetworkLink(message) { found = link }
            }
        } catch let error where error.errno == Errno(rawValue: ENODEV) {
            return nil
        }
        return found
    }

    private static func getLink(index: Int32 = 0) -> NetlinkRequest {
        var request = NetlinkRequest(type: Int(RTM_GETLINK), flags: NLM_F_ACK)
        request.link(index: index)
        // Counters are most of a link's reply and none of our business.
        request.attribute(Int(IFLA_EXT_MASK), UInt32(RTEXT_FILTER_SKIP_STATS))
        return request
    }

    private static func newLink(create: Bool, index: Int32 = 0, flags: UInt32 = 0, change: UInt32 = 0) -> NetlinkRequest {
        var request = NetlinkRequest(
            type: Int(RTM_NEWLINK), flags: NLM_F_ACK | (create ? NLM_F_CREATE | NLM_F_EXCL : 0))
        request.link(index: index, flags: flags, change: change)
        return request
    }
}
