import CJail
import Glibc
@testable import JailSys
import SystemPackage
import Testing

/// rtnetlink against the kernel itself. Every privileged test works only inside network
/// namespaces it creates (closing the descriptor destroys the namespace and every link
/// in it), and uses only documentation addresses (RFC 5737, RFC 3849): the host's own
/// network, shared with other jobs, is never touched.
@Suite struct NetlinkTests {
    /// Root, and a kernel that lets us make a network namespace.
    static let privileged: Bool = getuid() == 0 && (try? NetworkNamespace.create()) != nil

    // MARK: without privilege

    @Test func addressesParseAndPrintLikeTheLibrary() throws {
        let v4 = try #require(IPAddress("192.0.2.1"))
        #expect(v4.bytes == [192, 0, 2, 1] && !v4.isIPv6 && v4.family == AF_INET && v4.description == "192.0.2.1")
        let v6 = try #require(IPAddress("2001:db8::1"))
        #expect(v6.bytes.count == 16 && v6.isIPv6 && v6.family == AF_INET6 && v6.description == "2001:db8::1")
        let mapped = try #require(IPAddress("::ffff:1.2.3.4"))
        #expect(mapped.isIPv6 && mapped.bytes.suffix(6) == [0xff, 0xff, 1, 2, 3, 4] && mapped.description == "::ffff:1.2.3.4")
        for bad in ["", "192.0.2", "192.0.2.256", "2001:db8::1::2", "fe80::1%eth0", " 192.0.2.1", "192.0.2.1/24"] {
            #expect(IPAddress(bad) == nil, "\(bad)")
        }
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
        #expect(IPAddress(bytes: [198, 51, 100, 7])?.description == "198.51.100.7")
        #expect(InterfaceAddress(index: 2, address: v4, prefix: 24).description == "192.0.2.1/24")
    }

    /// The bytes `ip address add 192.0.2.1/24 dev <7>` sends (on a little-endian host).
    @Test func anAddressRequestIsLaidOutAsTheKernelReadsIt() throws {
        let request = try Rtnetlink.addressRequest(
            Int(RTM_NEWADDR), NLM_F_CREATE | NLM_F_EXCL, #require(IPAddress("192.0.2.1")), 24, 7, "add")
        let bytes = request.finished(sequence: 1)
        #expect(bytes == [
            40, 0, 0, 0, 20, 0, 0x05, 0x06, 1, 0, 0, 0, 0, 0, 0, 0,   // nlmsghdr
            2, 24, 0, 0, 7, 0, 0, 0,                                  // ifaddrmsg
            8, 0, 2, 0, 192, 0, 2, 1,                                 // IFA_LOCAL
            8, 0, 1, 0, 192, 0, 2, 1,                                 // IFA_ADDRESS
        ])
        let v6 = try Rtnetlink.addressRequest(
            Int(RTM_NEWADDR), 0, #require(IPAddress("2001:db8::1")), 64, 7, "add").finished(sequence: 2)
        #expect(v6.count == 16 + 8 + 20)
        #expect(v6[18] == UInt8(IFA_F_NODAD))   // usable at once, no duplicate detection
        #expect(throws: SystemError.self) {
            try Rtnetlink.addressRequest(Int(RTM_NEWADDR), 0, #require(IPAddress("192.0.2.1")), 33, 7, "add")
        }
    }

    @Test func nestedAttributesArePaddedAndReadBack() throws {
        var request = NetlinkRequest(type: Int(RTM_NEWLINK), flags: NLM_F_ACK)
        request.link()
        request.attribute(Int(IFLA_IFNAME), string: "ab")     // 4 + 3 bytes, padded to 8
        request.nested(Int(IFLA_LINKINFO)) { $0.attribute(Int(IFLA_INFO_KIND), string: "veth") }
        let bytes = request.finished(sequence: 9)
        #expect(bytes.count == 16 + 16 + 8 + 4 + 12)
        #expect(bytes.count % 4 == 0 && Int(bytes[0]) == bytes.count)
        let messages = NetlinkMessage.split(bytes[...] + [0, 0, 0])   // a short tail is ignored
        #expect(messages.count == 1 && messages[0].sequence == 9 && messages[0].type == Int(RTM_NEWLINK))
        let attributes = messages[0].attributes(after: 16)
        #expect(attributes.string(Int(IFLA_IFNAME)) == "ab")
        #expect(attributes.nested(Int(IFLA_LINKINFO))?.string(Int(IFLA_INFO_KIND)) == "veth")
        #expect(attributes[Int(IFLA_MASTER)] == nil)
    }

    @Test func badInterfaceNamesAreRefusedBeforeAnythingIsSent() {
        for good in ["a", "veth0", "eth0.100", "abcdefghijklmno"] {
            #expect(throws: Never.self) { try Rtnetlink.checkName(good) }
        }
        for bad in ["", ".", "..", "abcdefghijklmnop", "a/b", "a b", "a\tb", "a\n", "a:1", "veth%d", "a\u{0}b", "à"] {
            let error = #expect(throws: SystemError.self, "\(bad.debugDescription)") { try Rtnetlink.checkName(bad) }
            #expect(error?.errno == .invalidArgument)
            #expect(error?.operation.hasPrefix("invalid interface name") == true)
        }
    }

    // MARK: against the kernel, in namespaces of our own

    @Test(.enabled(if: privileged, "needs root and network namespaces"))
    func aNewNamespaceLeavesTheCallersAlone() throws {
        let before = try NetworkNamespace.current()
        let fresh = try NetworkNamespace.create()
        let after = try NetworkNamespace.current()
        #expect(try inode(before) == inode(after))
        #expect(try inode(fresh) != inode(after))
        // Only lo, down, lives in it.
        let nl = try Rtnetlink(namespace: fresh.rawValue)
        let lo = try #require(try nl.link(named: "lo"))
        #expect(lo.kind == nil && !lo.isUp)
        #expect(try nl.addresses().isEmpty)
    }

    @Test(.enabled(if: privileged, "needs root and network namespaces"))
    func aVethEndMovesToAnotherNamespaceUnderItsNewName() throws {
        let nsA = try NetworkNamespace.create(), nsB = try NetworkNamespace.create()
        let a = try Rtnetlink(namespace: nsA.rawValue), b = try Rtnetlink(namespace: nsB.rawValue)
        try a.createVethPair("vtest0", "vtest1")
        let end0 = try #require(try a.linkIndex("vtest0"))
        let end1 = try #require(try a.linkIndex("vtest1"))
        #expect(end0 != end1)
        #expect(try a.linkKind(end0) == "veth" && a.linkKind(end1) == "veth")
        #expect(try a.linkName(end1) == "vtest1")
        let again = #expect(throws: SystemError.self) { try a.createVethPair("vtest0", "vtest2") }
        #expect(again?.errno == .fileExists)
        #expect(again?.operation.hasPrefix("create veth pair vtest0 and vtest2") == true)

        try a.moveToNamespace(end1, namespaceFD: nsB.rawValue, newName: "eth0")
        #expect(try a.linkIndex("vtest1") == nil)
        #expect(try a.linkIndex("eth0") == nil)
        let moved = try #require(try b.link(named: "eth0"))
        #expect(moved.kind == "veth")

        // Deleting one end deletes the pair, across namespaces.
        try a.deleteLink(end0)
        #expect(try a.linkIndex("vtest0") == nil)
        #expect(try b.linkIndex("eth0") == nil)
    }

    @Test(.enabled(if: privileged, "needs root and network namespaces"))
    func addressesAreAddedListedAndDeleted() throws {
        let ns = try NetworkNamespace.create()
        let nl = try Rtnetlink(namespace: ns.rawValue)
        try nl.createVethPair("vtest0", "vtest1")
        let index = try #require(try nl.linkIndex("vtest0"))
        try nl.setUp(index, true)
        let v4 = try #require(IPAddress("192.0.2.1")), v6 = try #require(IPAddress("2001:db8::1"))
        try nl.addAddress(v4, prefix: 24, index: index)
        try nl.addAddress(v6, prefix: 64, index: index)

        #expect(try nl.addresses(family: AF_INET) == [InterfaceAddress(index: index, address: v4, prefix: 24)])
        let six = try nl.addresses(family: AF_INET6).filter { $0.index == index }
        #expect(six.contains(InterfaceAddress(index: index, address: v6, prefix: 64)))
        #expect(try nl.addresses().filter { $0.index == index }.count == 1 + six.count)

        let duplicate = #expect(throws: SystemError.self) { try nl.addAddress(v4, prefix: 24, index: index) }
        #expect(duplicate?.errno == .fileExists)
        #expect(duplicate?.operation.hasPrefix("add address 192.0.2.1/24 to vtest0") == true)
        #expect(throws: SystemError.self) { try nl.addAddress(v6, prefix: 64, index: index) }

        try nl.deleteAddress(v4, prefix: 24, index: index)
        try nl.deleteAddress(v6, prefix: 64, index: index)
        #expect(try nl.addresses(family: AF_INET).isEmpty)
        #expect(!(try nl.addresses(family: AF_INET6).contains { $0.address == v6 }))
        let gone = #expect(throws: SystemError.self) { try nl.deleteAddress(v4, prefix: 24, index: index) }
        #expect(gone?.errno == Errno(rawValue: EADDRNOTAVAIL))
    }

    /// Some 500 addresses (about 45 KiB of replies) cannot come in one datagram: the
    /// dump is read in parts up to NLMSG_DONE.
    @Test(.enabled(if: privileged, "needs root and network namespaces"))
    func aLongDumpIsReadToTheEnd() throws {
        let ns = try NetworkNamespace.create()
        let nl = try Rtnetlink(namespace: ns.rawValue)
        try nl.createVethPair("vtest0", "vtest1")
        let index = try #require(try nl.linkIndex("vtest0"))
        var added: Set<String> = []
        for network: [UInt8] in [[198, 51, 100], [203, 0, 113]] {
            for host in UInt8(1)...254 {
                let address = try #require(IPAddress(bytes: network + [host]))
                try nl.addAddress(address, prefix: 32, index: index)
                added.insert(address.description)
            }
        }
        let listed = try nl.addresses(family: AF_INET)
        #expect(listed.count == added.count)
        #expect(Set(listed.map(\.address.description)) == added)
        #expect(listed.allSatisfy { $0.index == index && $0.prefix == 32 })
    }

    @Test(.enabled(if: privileged, "needs root and network namespaces"))
    func aVethEndJoinsABridgeAndLeavesIt() throws {
        let ns = try NetworkNamespace.create()
        let nl = try Rtnetlink(namespace: ns.rawValue)
        try nl.createBridge("btest0")
        try nl.createVethPair("vtest0", "vtest1")
        let bridge = try #require(try nl.linkIndex("btest0"))
        let port = try #require(try nl.linkIndex("vtest0"))
        #expect(try nl.linkKind(bridge) == "bridge")
        #expect(try nl.linkMaster(port) == nil)
        try nl.setMaster(port, master: bridge)
        #expect(try nl.linkMaster(port) == bridge)
        try nl.setMaster(port, master: 0)
        #expect(try nl.linkMaster(port) == nil)
        try nl.rename(port, to: "vtest9")
        #expect(try nl.linkName(port) == "vtest9")
    }

    @Test(.enabled(if: privileged, "needs root and network namespaces"))
    func upAndDownAreTheKernelsFlags() throws {
        let ns = try NetworkNamespace.create()
        let nl = try Rtnetlink(namespace: ns.rawValue)
        try nl.createVethPair("vtest0", "vtest1")
        let index = try #require(try nl.linkIndex("vtest0"))
        #expect(try nl.link(index)?.isUp == false)
        try nl.setUp(index, true)
        #expect(try nl.link(index)?.isUp == true)
        // Only IFF_UP changed: the peer stays down.
        #expect(try nl.link(named: "vtest1")?.isUp == false)
        try nl.setUp(index, false)
        #expect(try nl.link(index)?.isUp == false)
    }

    @Test(.enabled(if: privileged, "needs root and network namespaces"))
    func aDefaultRouteGoesThroughAConnectedGateway() throws {
        let ns = try NetworkNamespace.create()
        let nl = try Rtnetlink(namespace: ns.rawValue)
        try nl.createVethPair("vtest0", "vtest1")
        let index = try #require(try nl.linkIndex("vtest0"))
        let peer = try #require(try nl.linkIndex("vtest1"))
        try nl.setUp(index, true)
        try nl.setUp(peer, true)
        try nl.addAddress(#require(IPAddress("203.0.113.2")), prefix: 24, index: index)
        try nl.addAddress(#require(IPAddress("2001:db8:1::2")), prefix: 64, index: index)

        // Unreachable before the address's network covers it.
        let far = try #require(IPAddress("198.51.100.1"))
        #expect(throws: SystemError.self) { try nl.addDefaultRoute(via: far) }

        for gateway in [try #require(IPAddress("203.0.113.1")), try #require(IPAddress("2001:db8:1::1"))] {
            try nl.addDefaultRoute(via: gateway)
            let defaults = try nl.routes(family: gateway.family).filter { $0.destination == nil && $0.prefix == 0 }
            #expect(defaults == [Route(destination: nil, prefix: 0, gateway: gateway, index: index)])
            let twice = #expect(throws: SystemError.self) { try nl.addDefaultRoute(via: gateway) }
            #expect(twice?.errno == .fileExists)
            #expect(twice?.operation.hasPrefix("add default route via \(gateway)") == true)
        }
        // The connected network's route is listed too.
        #expect(try nl.routes(family: AF_INET).contains {
            $0.destination == IPAddress("203.0.113.0") && $0.prefix == 24 && $0.gateway == nil && $0.index == index
        })
    }

    @Test(.enabled(if: privileged, "needs root and network namespaces"))
    func missingThingsAreNilAndBadOnesErrors() throws {
        let ns = try NetworkNamespace.create()
        let nl = try Rtnetlink(namespace: ns.rawValue)
        #expect(try nl.linkIndex("nosuch0") == nil)
        #expect(try nl.linkName(4242) == nil)
        #expect(try nl.linkKind(4242) == nil)
        #expect(try nl.link(0) == nil)
        #expect(throws: SystemError.self) { try nl.linkIndex("no such") }

        let missing = #expect(throws: SystemError.self) { try nl.deleteLink(4242) }
        #expect(missing?.errno == Errno(rawValue: ENODEV))
        #expect(missing?.operation.hasPrefix("delete interface 4242") == true)

        // Not a descriptor; a descriptor of something else than a network namespace.
        let closed = #expect(throws: SystemError.self) { _ = try Rtnetlink(namespace: -1) }
        #expect(closed?.errno == .badFileDescriptor)
        let file = try OwnedFD.open("/proc/self/status", O_RDONLY)
        #expect(throws: SystemError.self) { _ = try Rtnetlink(namespace: file.rawValue) }

        try nl.createVethPair("vtest0", "vtest1")
        let index = try #require(try nl.linkIndex("vtest0"))
        #expect(throws: SystemError.self) { try nl.moveToNamespace(index, namespaceFD: file.rawValue) }
        #expect(throws: SystemError.self) { try nl.moveToNamespace(index, namespaceFD: 0, newName: "a/b") }
        #expect(try nl.linkIndex("vtest0") == index)
    }

    private func inode(_ fd: borrowing OwnedFD) throws -> ino_t {
        var st = stat()
        try #require(fstat(fd.rawValue, &st) == 0)
        return st.st_ino
    }
}
