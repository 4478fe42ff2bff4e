import CJail
import Glibc

/// A jail on the host's network stack, held to its own addresses: cgroup-bpf socket-address
/// programs on the jail's cgroup v2, run by the kernel when a socket of the jail binds,
/// connects or sends to an address (the connection path, never the data path). FreeBSD's
/// rules (prison_local_ip4, prison_remote_ip4): binding one of the jail's addresses is
/// allowed, the wildcard and loopback are rewritten to the primary address, anything else
/// fails with EADDRNOTAVAIL; loopback destinations become the primary address (the jail's
/// "localhost" is itself, never the host's); outgoing traffic takes a jail address as source.
/// IPv4-mapped IPv6 addresses reach the IPv6 hooks and follow the IPv4 rules.
public enum AddressFilter {
    /// One family's rule (FreeBSD's ip4/ip6 jailsys values).
    public enum Policy: Sendable, Equatable {
        case disable
        case inherit
        /// The jail's addresses, primary first; with `sourceSelection` off the primary is
        /// always the source (ip4.saddrsel), otherwise the one whose subnet holds the
        /// destination, if any.
        case restricted([Address], sourceSelection: Bool)
    }

    public struct Address: Sendable, Equatable {
        /// Network byte order: 4 or 16 bytes.
        public var bytes: [UInt8]
        /// Its subnet's length, for source selection (the full length: no subnet).
        public var prefix: Int
        public init(bytes: [UInt8], prefix: Int) {
            self.bytes = bytes
            self.prefix = prefix
        }
    }

    enum Hook: CaseIterable { case bind, connect, sendmsg, recvmsg }

    // linux/bpf.h
    static let progType: UInt32 = 18  // BPF_PROG_TYPE_CGROUP_SOCK_ADDR
    static func attachType(_ hook: Hook, ipv6: Bool) -> UInt32 {
        switch hook {
        case .bind: return ipv6 ? 9 : 8
        case .connect: return ipv6 ? 11 : 10
        case .sendmsg: return ipv6 ? 15 : 14
        case .recvmsg: return ipv6 ? 20 : 19
        }
    }

    /// The programs for a jail with these rules, each with its attach type. `memory` is the
    /// map in which rewritten loopback destinations are remembered per socket, so that a
    /// reply reads as coming from the address the program used (resolvers check that).
    static func programs(ipv4: Policy, ipv6: Policy, memory: Int32?) -> [(attachType: UInt32, code: [UInt64])] {
        var out: [(UInt32, [UInt64])] = []
        // IPv4 sockets exist when IPv4 is allowed; IPv6 ones send to mapped addresses
        // through the IPv4 hooks too.
        let v4Hooks = ipv4 != .inherit && (ipv4 != .disable || ipv6 != .disable)
        let v6Hooks = ipv6 != .disable && (ipv6 != .inherit || ipv4 != .inherit)
        for hook in Hook.allCases {
            let remembers = memory != nil
            if hook == .recvmsg && !remembers { continue }
            if v4Hooks && !(hook == .recvmsg && !ipv4.isRestricted) {
                var g = Generator(hook: hook, memory: memory)
                g.body(ipv4, offset: 4, width: 1, mapped: false)
                out.append((attachType(hook, ipv6: false), g.a.assemble()))
            }
            if v6Hooks && !(hook == .recvmsg && !ipv4.isRestricted && !ipv6.isRestricted) {
                var g = Generator(hook: hook, memory: memory)
                g.v6(ipv6, mappedPolicy: ipv4)
                out.append((attachType(hook, ipv6: true), g.a.assemble()))
            }
        }
        return out
    }

    /// Loads the programs for these rules and attaches them to the cgroup v2 directory
    /// `cgroup`, replacing any this jail had (jail -m): each attach type holds one program,
    /// swapped atomically. Nothing is attached when both families are inherited.
    public static func attach(ipv4: Policy, ipv6: Policy, to cgroup: Int32) throws(SystemError) {
        let remember = ipv4.isRestricted || ipv6.isRestricted
        var memoryFD: OwnedFD?
        if remember {
            // LRU: a socket that closes leaves its entry to be recycled, never a leak.
            let fd = try syscall("create the loopback map") { cj_bpf_map_create(9 /* LRU_HASH */, 8, 16, 256) }
            memoryFD = OwnedFD(fd)
        }
        for (type, code) in programs(ipv4: ipv4, ipv6: ipv6, memory: memoryFD?.rawValue) {
            let prog = try BPFProgram.load(code, type: progType, attachType: type, what: "the address filter")
            try BPFProgram.attach(prog, to: cgroup, type: type, flags: 0, what: "the address filter")
        }
    }
}

extension AddressFilter {
    /// Network-order bytes as the 32-bit words a BPF load of them gives.
    static func words(_ bytes: [UInt8]) -> [UInt32] {
        stride(from: 0, to: bytes.count, by: 4).map { (i: Int) -> UInt32 in
            var w: UInt32 = 0
            for k in 0..<4 { w |= UInt32(bytes[i + k]) << UInt32(8 * k) }
            return w
        }
    }
}

extension AddressFilter.Policy {
    var isRestricted: Bool { if case .restricted = self { return true } else { return false } }
}

/// Emits one program. Register use: r6 the context, r7-r8 scratch kept across calls.
/// Addresses are compared as the 32-bit words a load of network-order bytes gives.
private struct Generator {
    var a = BPFAssembler()
    let hook: AddressFilter.Hook
    let memory: Int32?

    // struct bpf_sock_addr (linux/bpf.h): user_ip4 4, user_ip6 8, type 32, msg_src_ip4 40,
    // msg_src_ip6 44.
    static let sourceOffset4: Int16 = 40, sourceOffset6: Int16 = 44, typeOffset: Int16 = 32
    static let mappedMark: UInt32 = 0xffff_0000   // ::ffff:0:0/96, third word
    static let loopback6: UInt32 = 0x0100_0000    // ::1, fourth word

    init(hook: AddressFilter.Hook, memory: Int32?) {
        self.hook = hook
        self.memory = memory
        a.movReg(6, 1)
    }

    /// An IPv6 program: IPv4-mapped addresses take the IPv4 policy.
    mutating func v6(_ policy: AddressFilter.Policy, mappedPolicy: AddressFilter.Policy) {
        let mapped = a.newLabel(), native = a.newLabel()
        a.load(.word, 2, 6, 8)
        a.load(.word, 3, 6, 12)
        a.load(.word, 4, 6, 16)
        a.jump32(.notEqual, 2, 0, native)
        a.jump32(.notEqual, 3, 0, native)
        a.jump32(.equal, 4, Self.mappedMark, mapped)
        a.place(native)
        body(policy, offset: 8, width: 4, mapped: false)
        a.place(mapped)
        body(mappedPolicy, offset: 20, width: 1, mapped: true)
    }

    mutating func body(_ policy: AddressFilter.Policy, offset: Int16, width: Int, mapped: Bool) {
        switch policy {
        case .inherit:
            a.exit(with: 1)
        case .disable:
            if hook == .recvmsg { a.exit(with: 1) } else { deny() }
        case .restricted(let addresses, let selection):
            let own = addresses.map { AddressFilter.words($0.bytes) }.filter { $0.count == width }
            // No address of this family: nothing to bind or reach (a reply has nothing to undo).
            guard let primary = own.first else { return hook == .recvmsg ? a.exit(with: 1) : deny() }
            let candidates = selection ? addresses.filter { $0.bytes.count == width * 4 && $0.prefix < width * 32 } : []
            restricted(own: own, primary: primary, candidates: candidates, offset: offset, width: width, mapped: mapped)
        }
    }

    private mutating func restricted(own: [[UInt32]], primary: [UInt32], candidates: [AddressFilter.Address],
                                     offset: Int16, width: Int, mapped: Bool) {
        let isOwn = a.newLabel(), isLocal = a.newLabel(), other = a.newLabel()
        loadAddress(offset, width)
        for address in own { jumpIfEqual(address, isOwn) }
        jumpIfLocal(width, isLocal)
        a.goto(other)
        switch hook {
        case .bind:
            a.place(isOwn)
            a.exit(with: 1)
            a.place(isLocal)
            write(primary, at: offset)
            a.exit(with: 1)
            a.place(other)
            deny()
        case .connect, .sendmsg:
            let source = a.newLabel(), rewrite = a.newLabel()
            a.place(isLocal)
            // Only UDP replies are restored (recvmsg): a TCP connect has nothing to remember.
            if hook == .connect {
                a.load(.word, 2, 6, Self.typeOffset)
                a.jump32(.equal, 2, 1 /* SOCK_STREAM */, rewrite)
            }
            remember(offset: offset, width: width)
            a.place(rewrite)
            write(primary, at: offset)
            a.goto(source)
            a.place(isOwn)
            if hook == .sendmsg { forget() }
            a.place(other)
            a.place(source)
            if hook == .connect {
                bindSource(primary: primary, candidates: candidates, offset: offset, width: width, mapped: mapped)
            } else if !mapped {
                sendSource(own: own, primary: primary, candidates: candidates, offset: offset, width: width)
            }
            a.exit(with: 1)
        case .recvmsg:
            a.place(isOwn)
            restore(offset: offset, width: width)
            a.place(isLocal)
            a.place(other)
            a.exit(with: 1)
        }
    }

    /// r2... = the address in the context (r2 alone for IPv4, r2-r5 for IPv6).
    private mutating func loadAddress(_ offset: Int16, _ width: Int) {
        for i in 0..<width { a.load(.word, UInt8(2 + i), 6, offset + Int16(4 * i)) }
    }

    private mutating func jumpIfEqual(_ address: [UInt32], _ target: BPFAssembler.Label) {
        a.jumpIfWordsEqual(address, from: 2, to: target)
    }

    /// The wildcard and loopback (all of 127.0.0.0/8, ::1). Clobbers r2 for IPv4.
    private mutating func jumpIfLocal(_ width: Int, _ target: BPFAssembler.Label) {
        if width == 1 {
            a.jump32(.equal, 2, 0, target)
            a.alu(.and, 2, 0xff)
            a.jump32(.equal, 2, 127, target)
            return
        }
        let not = a.newLabel()
        a.jump32(.notEqual, 2, 0, not)
        a.jump32(.notEqual, 3, 0, not)
        a.jump32(.notEqual, 4, 0, not)
        a.jump32(.equal, 5, 0, target)
        a.jump32(.equal, 5, Self.loopback6, target)
        a.place(not)
    }

    private mutating func write(_ words: [UInt32], at offset: Int16) {
        for (i, word) in words.enumerated() {
            a.mov(2, Int32(bitPattern: word))
            a.store(.word, 6, offset + Int16(4 * i), 2)
        }
    }

    private mutating func deny() {
        a.mov(1, -EADDRNOTAVAIL)
        a.call(187)   // bpf_set_retval
        a.exit(with: 0)
    }

    /// r2 = &key (the socket's cookie) at fp-8.
    private mutating func cookieKey() {
        a.movReg(1, 6)
        a.call(46)    // bpf_get_socket_cookie
        a.store(.double, 10, -8, 0)
        a.movReg(2, 10)
        a.alu(.add, 2, -8)
    }

    /// The destination as the program found it, kept for this socket (IPv4 as mapped).
    private mutating func remember(offset: Int16, width: Int) {
        guard let memory else { return }
        if width == 1 {
            a.storeImm(.double, 10, -24, 0)
            a.storeImm(.word, 10, -16, Int32(bitPattern: Self.mappedMark))
            a.load(.word, 2, 6, offset)
            a.store(.word, 10, -12, 2)
        } else {
            for i in 0..<4 {
                a.load(.word, 2, 6, offset + Int16(4 * i))
                a.store(.word, 10, -24 + Int16(4 * i), 2)
            }
        }
        cookieKey()
        a.loadMap(1, fd: memory)
        a.movReg(3, 10)
        a.alu(.add, 3, -24)
        a.mov(4, 0)
        a.call(2)     // bpf_map_update_elem
    }

    private mutating func forget() {
        guard let memory else { return }
        cookieKey()
        a.loadMap(1, fd: memory)
        a.call(3)     // bpf_map_delete_elem
    }

    /// A reply from the address a loopback destination became reads as that destination.
    private mutating func restore(offset: Int16, width: Int) {
        guard let memory else { return }
        let done = a.newLabel()
        cookieKey()
        a.loadMap(1, fd: memory)
        a.call(1)     // bpf_map_lookup_elem
        a.jump(.equal, 0, 0, done)
        a.load(.word, 2, 0, 8)
        if width == 1 {
            a.jump32(.notEqual, 2, Self.mappedMark, done)
            a.load(.word, 2, 0, 12)
            a.store(.word, 6, offset, 2)
        } else {
            a.jump32(.equal, 2, Self.mappedMark, done)
            for i in 0..<4 {
                a.load(.word, 2, 0, Int16(4 * i))
                a.store(.word, 6, offset + Int16(4 * i), 2)
            }
        }
        a.place(done)
    }

    /// Emits, for each candidate whose subnet holds the destination, a jump to code that
    /// stores it with `store`; otherwise the primary is stored.
    private mutating func selectSource(primary: [UInt32], candidates: [AddressFilter.Address], offset: Int16,
                                       width: Int, store: (inout BPFAssembler, [UInt32]) -> Void) {
        let done = a.newLabel()
        for candidate in candidates {
            let next = a.newLabel()
            let address = AddressFilter.words(candidate.bytes)
            let mask = AddressFilter.words(Self.mask(prefix: candidate.prefix, bytes: candidate.bytes.count))
            for i in 0..<width where mask[i] != 0 {
                a.load(.word, 2, 6, offset + Int16(4 * i))
                a.alu(.xor, 2, Int32(bitPattern: address[i]))
                a.alu(.and, 2, Int32(bitPattern: mask[i]))
                a.jump32(.notEqual, 2, 0, next)
            }
            store(&a, address)
            a.goto(done)
            a.place(next)
        }
        store(&a, primary)
        a.place(done)
    }

    static func mask(prefix: Int, bytes: Int) -> [UInt8] {
        (0..<bytes).map { i in
            let bits = max(0, min(8, prefix - 8 * i))
            return bits == 0 ? 0 : UInt8(truncatingIfNeeded: 0xff << (8 - bits))
        }
    }

    /// bpf_bind() to the chosen jail address, port 0 (the kernel picks it at connect).
    /// A socket already bound (to a jail address: the bind hook saw to it) keeps its own.
    private mutating func bindSource(primary: [UInt32], candidates: [AddressFilter.Address], offset: Int16,
                                     width: Int, mapped: Bool) {
        let length: Int32
        if width == 1 && !mapped {
            a.storeImm(.word, 10, -32, 2)          // sin_family AF_INET, sin_port 0
            a.storeImm(.double, 10, -24, 0)
            selectSource(primary: primary, candidates: candidates, offset: offset, width: 1) { a, w in
                a.storeImm(.word, 10, -28, Int32(bitPattern: w[0]))
            }
            length = 16
        } else {
            a.storeImm(.word, 10, -32, 10)         // sin6_family AF_INET6, sin6_port 0
            a.storeImm(.word, 10, -28, 0)          // flow info
            a.storeImm(.word, 10, -8, 0)           // scope id
            if mapped {
                a.storeImm(.double, 10, -24, 0)
                a.storeImm(.word, 10, -16, Int32(bitPattern: Self.mappedMark))
            }
            selectSource(primary: primary, candidates: candidates, offset: offset, width: width) { a, w in
                let base: Int16 = mapped ? -12 : -24
                for (i, word) in w.enumerated() { a.storeImm(.word, 10, base + Int16(4 * i), Int32(bitPattern: word)) }
            }
            length = 28
        }
        a.movReg(1, 6)
        a.movReg(2, 10)
        a.alu(.add, 2, -32)
        a.mov(3, length)
        a.call(64)    // bpf_bind
    }

    /// The source of an unconnected send: one of the jail's addresses stays, any other
    /// (none, or one given with IP_PKTINFO) is replaced.
    private mutating func sendSource(own: [[UInt32]], primary: [UInt32], candidates: [AddressFilter.Address],
                                     offset: Int16, width: Int) {
        let keep = a.newLabel()
        let sourceOffset = width == 1 ? Self.sourceOffset4 : Self.sourceOffset6
        loadAddress(sourceOffset, width)
        for address in own { jumpIfEqual(address, keep) }
        selectSource(primary: primary, candidates: candidates, offset: offset, width: width) { a, w in
            for (i, word) in w.enumerated() {
                a.mov(2, Int32(bitPattern: word))
                a.store(.word, 6, sourceOffset + Int16(4 * i), 2)
            }
        }
        a.place(keep)
    }
}
