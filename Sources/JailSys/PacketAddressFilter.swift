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
        let drop = a.newLabel(), v4 = a.newLabel(), v6 = a.newLabel()
        a.movReg(6, 1)
        // The IP version, from the first byte (the context's data starts at the IP header).
        loadBytes(&a, offset: 0, count: 1, failure: drop)
        a.load(.byte, 2, 10, -16)
        a.alu(.rsh, 2, 4)
        a.jump32(.equal, 2, 4, v4)
        a.jump32(.equal, 2, 6, v6)
        a.goto(drop)
        // Source on the way out, destination on the way in.
        a.place(v4)
        check(&a, ipv4, offset: direction == .egress ? 12 : 16, width: 1, drop: drop)
        a.place(v6)
        check(&a, ipv6, offset: direction == .egress ? 8 : 24, width: 4, drop: drop)
        a.place(drop)
        a.exit(with: 0)
        return a.assemble()
    }

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

    private static func check(_ a: inout BPFAssembler, _ policy: AddressFilter.Policy, offset: Int32, width: Int,
                              drop: BPFAssembler.Label) {
        guard case .restricted(let addresses, _) = policy else {
            a.exit(with: policy == .inherit ? 1 : 0)
            return
        }
        let pass = a.newLabel()
        loadBytes(&a, offset: offset, count: Int32(4 * width), failure: drop)
        for i in 0..<width { a.load(.word, UInt8(2 + i), 10, -16 + Int16(4 * i)) }
        for address in addresses where address.bytes.count == 4 * width {
            a.jumpIfWordsEqual(AddressFilter.words(address.bytes), from: 2, to: pass)
        }
        a.goto(drop)
        a.place(pass)
        a.exit(with: 1)
    }
}
