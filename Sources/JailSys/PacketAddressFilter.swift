/// allow.raw_sockets on the host's stack: a raw socket writes its own IP header and sees
/// every packet of its protocol, and Linux runs no socket-address hook on its sends. So
/// the jail's packets are checked on the wire's terms instead — cgroup skb programs on the
/// jail's cgroup v2: a packet leaving a jail socket must carry one of the jail's addresses
/// as source (no spoofing), a packet reaching one must be addressed to one of them (no
/// reading the host's traffic), as FreeBSD's rip_output and rip_input check. They run on
/// every packet of the jail's sockets, so only jails with allow.raw_sockets get them.
public enum PacketAddressFilter {
    // linux/bpf.h: BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS and _EGRESS.
    static let progType: UInt32 = 8
    enum Direction: UInt32 { case ingress = 0, egress = 1 }

    public static func attach(ipv4: AddressFilter.Policy, ipv6: AddressFilter.Policy, to cgroup: Int32) throws(SystemError) {
        for direction in [Direction.egress, .ingress] {
            let code = program(direction, ipv4: ipv4, ipv6: ipv6)
            let prog = try BPFProgram.load(code, type: progType, attachType: direction.rawValue, what: "the packet filter")
            try BPFProgram.attach(prog, to: cgroup, type: direction.rawValue, flags: 0, what: "the packet filter")
        }
    }

    /// Verdicts: 1 passes, 0 drops (the sender gets EPERM).
    static func program(_ direction: Direction, ipv4: AddressFilter.Policy, ipv6: AddressFilter.Policy) -> [UInt64] {
        var a = BPFAssembler()
        let drop = a.newLabel(), v4 = a.newLabel(), v6 = a.newLabel(), known = a.newLabel()
        a.movReg(6, 1)
        a.mov(8, 0)   // r8: the sending socket is raw or ICMP (no address hook saw its send)
        if direction == .egress {
            // A mark set for one packet (an SO_MARK control message, which CAP_NET_RAW allows
            // and seccomp cannot see) would pick the host's routes or firewall rules.
            a.load(.double, 1, 6, skOffset)
            a.jump(.equal, 1, 0, known)
            a.call(95)    // bpf_sk_fullsock
            a.jump(.equal, 0, 0, known)
            a.load(.word, 2, 0, 16)            // bpf_sock.mark
            a.load(.word, 3, 6, markOffset)
            a.jumpReg(.notEqual, 2, 3, drop)
            let raw = a.newLabel()
            a.load(.word, 2, 0, 8)             // bpf_sock.type
            a.jump32(.equal, 2, 3 /* SOCK_RAW */, raw)
            a.load(.word, 2, 0, 12)            // bpf_sock.protocol
            a.jump32(.equal, 2, 1 /* ICMP */, raw)
            a.jump32(.equal, 2, 58 /* ICMPV6 */, raw)
            a.goto(known)
            a.place(raw)
            a.mov(8, 1)
        }
        a.place(known)
        // The family from the packet's protocol (not from the header a raw socket wrote).
        a.load(.word, 2, 6, protocolOffset)
        a.jump32(.equal, 2, 0x0008 /* htons(ETH_P_IP) */, v4)
        a.jump32(.equal, 2, 0xdd86 /* htons(ETH_P_IPV6) */, v6)
        a.goto(drop)
        // Source on the way out, destination on the way in.
        a.place(v4)
        check(&a, ipv4, offset: direction == .egress ? 12 : 16, width: 1, drop: drop,
              loopbackTo: direction == .egress ? 16 : nil)
        a.place(v6)
        check(&a, ipv6, offset: direction == .egress ? 8 : 24, width: 4, drop: drop,
              loopbackTo: direction == .egress ? 24 : nil)
        a.place(drop)
        a.exit(with: 0)
        return a.assemble()
    }

    // struct __sk_buff (linux/bpf.h).
    static let markOffset: Int16 = 8, protocolOffset: Int16 = 16, skOffset: Int16 = 168

    /// bpf_skb_load_bytes of `count` bytes at `offset` to fp-16: it reads paged data too,
    /// where a direct read would have to give up on a header split across fragments.
    private static func loadBytes(_ a: inout BPFAssembler, offset: Int32, count: Int32, failure: BPFAssembler.Label) {
        a.movReg(1, 6)
        a.mov(2, offset)
        a.movReg(3, 10)
        a.alu(.add, 3, -16)
        a.mov(4, count)
        a.call(26)    // bpf_skb_load_bytes
        a.jump(.notEqual, 0, 0, failure)
    }

    /// The address at `offset` must be one of the jail's. With `loopbackTo`, a raw or ICMP
    /// socket's packet to a loopback address (127/8, ::1) other than the jail's is
    /// dropped: it would reach the host's loopback-only services, which the address
    /// hooks keep TCP and UDP away from.
    private static func check(_ a: inout BPFAssembler, _ policy: AddressFilter.Policy, offset: Int32, width: Int,
                              drop: BPFAssembler.Label, loopbackTo: Int32?) {
        guard case .restricted(let addresses, _) = policy else {
            a.exit(with: policy == .inherit ? 1 : 0)
            return
        }
        let own = addresses.filter { $0.bytes.count == 4 * width }.map { AddressFilter.words($0.bytes) }
        let pass = a.newLabel(), sourceOK = a.newLabel()
        loadBytes(&a, offset: offset, count: Int32(4 * width), failure: drop)
        for i in 0..<width { a.load(.word, UInt8(2 + i), 10, -16 + Int16(4 * i)) }
        for words in own { a.jumpIfWordsEqual(words, from: 2, to: sourceOK) }
        a.goto(drop)
        a.place(sourceOK)
        if let destination = loopbackTo {
            a.jump(.equal, 8, 0, pass)
            loadBytes(&a, offset: destination, count: Int32(4 * width), failure: drop)
            for i in 0..<width { a.load(.word, UInt8(2 + i), 10, -16 + Int16(4 * i)) }
            for words in own { a.jumpIfWordsEqual(words, from: 2, to: pass) }
            if width == 1 {
                a.alu(.and, 2, 0xff)
                a.jump32(.equal, 2, 127, drop)
            } else {
                a.jumpIfWordsEqual([0, 0, 0, 0x0100_0000], from: 2, to: drop)
            }
        }
        a.place(pass)
        a.exit(with: 1)
    }
}
