import JailSys

/// A jail's network parameters, typed: FreeBSD's ip4/ip6 families and addresses, the
/// `interface` aliases, vnet and its interfaces, and our vnet.bridge shortcut.
public struct NetworkSpec: Sendable, Equatable {
    /// One `ip4.addr`/`ip6.addr` item: `[interface|]address[/prefix]`.
    public struct Item: Sendable, Equatable {
        public var interface: String?
        public var address: IPAddress
        /// Given with the address (CIDR length, or an IPv4 dotted netmask turned into one).
        public var prefix: Int?

        /// As written: `[interface|]address[/prefix]`.
        var recorded: String {
            (interface.map { $0 + "|" } ?? "") + "\(address)" + (prefix.map { "/\($0)" } ?? "")
        }
    }

    /// vnet.bridge: a veth pair whose host end joins `bridge`; the jail's end is its eth0
    /// with `address/prefix` and, if given, a default route through `gateway`.
    public struct BridgeItem: Sendable, Equatable {
        public var bridge: String
        public var address: IPAddress
        public var prefix: Int
        public var gateway: IPAddress?
    }

    public var ip4: [Item] = []
    public var ip6: [Item] = []
    /// The host interface that gets the addresses without one of their own.
    public var interface: String?
    public var sourceSelection4 = true
    public var sourceSelection6 = true
    public var vnet = false
    public var vnetInterfaces: [String] = []
    public var bridge: [BridgeItem] = []
    /// ip_hostname (jail -h): host.hostname's addresses join the lists at creation.
    public var resolveHostname = false

    public init() {}

    /// Addresses to add to host interfaces: (interface, item), for items that name one.
    var aliases: [(interface: String, item: Item)] {
        (ip4 + ip6).compactMap { item in (item.interface ?? interface).map { ($0, item) } }
    }
}

extension NetworkSpec {
    init(_ p: some JailParameterSource) throws(SpecError) {
        self.init()
        ip4 = try Self.items(p.strings("ip4.addr"), name: "ip4.addr", ipv6: false)
        ip6 = try Self.items(p.strings("ip6.addr"), name: "ip6.addr", ipv6: true)
        interface = p.string("interface").flatMap { $0.isEmpty ? nil : $0 }
        if let name = interface { try Self.checkInterfaceName("interface", name) }
        sourceSelection4 = p.bool("ip4.saddrsel") ?? true
        sourceSelection6 = p.bool("ip6.saddrsel") ?? true
        resolveHostname = p.bool("ip_hostname") ?? false
        vnet = p.bool("vnet") == true || p.string("vnet") == "new"
        vnetInterfaces = p.strings("vnet.interface").filter { !$0.isEmpty }
        for name in vnetInterfaces { try Self.checkInterfaceName("vnet.interface", name) }
        bridge = try p.strings("vnet.bridge").filter { !$0.isEmpty }.map { (text) throws(SpecError) in try Self.bridgeItem(text) }

        if !vnet {
            if !vnetInterfaces.isEmpty { throw SpecError("vnet.interface: needs vnet") }
            if !bridge.isEmpty { throw SpecError("vnet.bridge: needs vnet") }
        } else if !ip4.isEmpty || !ip6.isEmpty {
            throw SpecError("ip4.addr, ip6.addr: not with vnet (a vnet jail sets its own addresses: vnet.bridge, or exec.start)")
        }
        if Set(bridge.map(\.bridge)).count > 1 { throw SpecError("vnet.bridge: one bridge per jail") }
        for item in ip4 + ip6 where item.prefix != nil && item.interface == nil && interface == nil {
            throw SpecError("\(item.address.isIPv6 ? "ip6" : "ip4").addr \(item.address)/\(item.prefix!): a netmask needs an interface (interface=, or if|address/mask)")
        }
    }

    static func items(_ values: [String], name: String, ipv6: Bool) throws(SpecError) -> [Item] {
        var out: [Item] = []
        for text in values where !text.isEmpty {
            var rest = Substring(text)
            var interface: String?
            if let bar = rest.firstIndex(of: "|") {
                interface = String(rest[..<bar])
                try checkInterfaceName(name, interface!)
                rest = rest[rest.index(after: bar)...]
            }
            if rest.contains(" ") {
                throw SpecError("\(name) \(text): ifconfig options are not supported (give interface|address/prefix)")
            }
            var prefix: Int?
            if let slash = rest.firstIndex(of: "/") {
                let mask = String(rest[rest.index(after: slash)...])
                rest = rest[..<slash]
                prefix = Self.prefix(mask, ipv6: ipv6)
                if prefix == nil { throw SpecError("\(name) \(text): invalid netmask \"\(mask)\"") }
            }
            guard let address = IPAddress(String(rest)), address.isIPv6 == ipv6 else {
                throw SpecError("\(name): not an \(ipv6 ? "IPv6" : "IPv4") address: \"\(text)\"")
            }
            if out.contains(where: { $0.address == address }) { throw SpecError("\(name): \(address) given twice") }
            out.append(Item(interface: interface, address: address, prefix: prefix))
        }
        return out
    }

    /// A CIDR length, or for IPv4 a contiguous dotted netmask.
    static func prefix(_ text: String, ipv6: Bool) -> Int? {
        if let n = Int(text), n >= 0, n <= (ipv6 ? 128 : 32) { return n }
        guard !ipv6, let mask = IPAddress(text), !mask.isIPv6 else { return nil }
        let value = mask.bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let ones = value.leadingZeroBitCount == 0 ? (~value).leadingZeroBitCount : 0
        guard value == (ones == 0 ? 0 : ~UInt32(0) << (32 - ones)) else { return nil }
        return ones
    }

    /// `bridge|address/prefix [gateway]`.
    static func bridgeItem(_ text: String) throws(SpecError) -> BridgeItem {
        let usage = "vnet.bridge \(text): give bridge|address/prefix [gateway]"
        let words = text.split(separator: " ")
        guard words.count == 1 || words.count == 2, let bar = words[0].firstIndex(of: "|"),
              let slash = words[0].firstIndex(of: "/") else { throw SpecError(usage) }
        let bridge = String(words[0][..<bar])
        try checkInterfaceName("vnet.bridge", bridge)
        guard let address = IPAddress(String(words[0][words[0].index(after: bar)..<slash])),
              let prefix = Self.prefix(String(words[0][words[0].index(after: slash)...]), ipv6: false)
                ?? Int(words[0][words[0].index(after: slash)...]),
              prefix <= address.bitCount else { throw SpecError(usage) }
        var gateway: IPAddress?
        if words.count == 2 {
            guard let g = IPAddress(String(words[1])), g.isIPv6 == address.isIPv6 else { throw SpecError(usage) }
            gateway = g
        }
        return BridgeItem(bridge: bridge, address: address, prefix: prefix, gateway: gateway)
    }

    /// Linux's rule for interface names (dev_valid_name): 1 to 15 bytes, no '/', ':' or
    /// white space, not "." or "..".
    static func checkInterfaceName(_ param: String, _ name: String) throws(SpecError) {
        let bytes = Array(name.utf8)
        let valid = !bytes.isEmpty && bytes.count <= 15 && name != "." && name != ".."
            && !bytes.contains { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 <= 0x20 || $0 == 0x7f }
        if !valid { throw SpecError("\(param): invalid interface name \"\(name)\"") }
    }
}
