import CJail
import Glibc

// The bytes of rtnetlink messages, kept apart from the socket so that they can be checked
// against recorded kernel output. Every integer is in host byte order, as the kernel writes
// them; only addresses are in network order.

/// One request under construction: the netlink header, the family's fixed header, then
/// attributes, each padded to 4 bytes (NLMSG_ALIGN, RTA_ALIGN).
struct NetlinkRequest {
    private(set) var bytes: [UInt8] = []

    init(type: Int, flags: Int32) {
        bytes.reserveCapacity(128)
        append(UInt32(0))                       // nlmsg_len, set by `finished`
        append(UInt16(type))
        append(UInt16(flags | NLM_F_REQUEST))
        append(UInt32(0))                       // nlmsg_seq, set by `finished`
        append(UInt32(0))                       // nlmsg_pid: the kernel fills ours in
    }

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        var v = value.littleEndian
        for _ in 0..<MemoryLayout<T>.size {
            bytes.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    mutating func align() {
        while bytes.count % 4 != 0 { bytes.append(0) }
    }

    /// struct ifinfomsg.
    mutating func link(index: Int32 = 0, flags: UInt32 = 0, change: UInt32 = 0) {
        append(UInt8(AF_UNSPEC)); append(UInt8(0)); append(UInt16(0))
        append(index); append(flags); append(change)
    }

    /// struct ifaddrmsg.
    mutating func address(family: Int32, prefix: Int, flags: UInt8 = 0, index: Int32) {
        append(UInt8(family)); append(UInt8(prefix)); append(flags)
        append(UInt8(RT_SCOPE_UNIVERSE.rawValue)); append(UInt32(bitPattern: index))
    }

    /// struct rtmsg.
    mutating func route(family: Int32, table: UInt8 = 0, protocol: UInt8 = 0, type: UInt8 = 0) {
        append(UInt8(family)); append(UInt8(0)); append(UInt8(0)); append(UInt8(0))   // dst_len, src_len, tos
        append(table); append(`protocol`); append(UInt8(RT_SCOPE_UNIVERSE.rawValue)); append(type)
        append(UInt32(0))
    }

    mutating func attribute(_ type: Int, _ payload: some Collection<UInt8>) {
        append(UInt16(4 + payload.count))
        append(UInt16(type))
        bytes.append(contentsOf: payload)
        align()
    }

    mutating func attribute(_ type: Int, string: String) {
        attribute(type, Array(string.utf8) + [0])
    }

    mutating func attribute(_ type: Int, _ value: UInt32) {
        append(UInt16(8))
        append(UInt16(type))
        append(value)
    }

    /// An attribute holding others (NLA_F_NESTED set, as the kernel's strict parsing wants).
    mutating func nested(_ type: Int, _ body: (inout NetlinkRequest) -> Void) {
        let start = bytes.count
        append(UInt16(0))
        append(UInt16(type) | UInt16(NLA_F_NESTED))
        body(&self)
        align()
        set(UInt16(bytes.count - start), at: start)
    }

    /// The message as sent: its length and sequence number filled in.
    func finished(sequence: UInt32) -> [UInt8] {
        var r = self
        r.set(UInt32(bytes.count), at: 0)
        r.set(sequence, at: 8)
        return r.bytes
    }

    private mutating func set<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        var v = value.littleEndian
        for i in 0..<MemoryLayout<T>.size {
            bytes[offset + i] = UInt8(truncatingIfNeeded: v)
            v >>= 8
        }
    }
}

/// One message of a reply; `payload` is what follows the 16-byte header.
struct NetlinkMessage {
    var type: Int
    var flags: Int32
    var sequence: UInt32
    var payload: ArraySlice<UInt8>

    /// Splits a datagram into its messages; a truncated or malformed tail ends the list.
    static func split(_ datagram: ArraySlice<UInt8>) -> [NetlinkMessage] {
        var out: [NetlinkMessage] = []
        var offset = datagram.startIndex
        while datagram.endIndex - offset >= 16 {
            let length = Int(load(datagram, offset, as: UInt32.self))
            guard length >= 16, length <= datagram.endIndex - offset else { break }
            out.append(NetlinkMessage(
                type: Int(load(datagram, offset + 4, as: UInt16.self)),
                flags: Int32(load(datagram, offset + 6, as: UInt16.self)),
                sequence: load(datagram, offset + 8, as: UInt32.self),
                payload: datagram[(offset + 16)..<(offset + length)]))
            offset += (length + 3) & ~3
        }
        return out
    }

    /// The attributes after the family's fixed header of `size` bytes.
    func attributes(after size: Int) -> NetlinkAttributes {
        guard payload.count >= size else { return NetlinkAttributes(bytes: []) }
        return NetlinkAttributes(bytes: payload.dropFirst(size))
    }
}

/// A run of attributes, looked up by type (the last of a type wins, as in the kernel).
struct NetlinkAttributes {
    var bytes: ArraySlice<UInt8>

    subscript(_ type: Int) -> ArraySlice<UInt8>? {
        var found: ArraySlice<UInt8>?
        var offset = bytes.startIndex
        while bytes.endIndex - offset >= 4 {
            let length = Int(load(bytes, offset, as: UInt16.self))
            guard length >= 4, length <= bytes.endIndex - offset else { break }
            let kind = Int(load(bytes, offset + 2, as: UInt16.self) & ~UInt16(NLA_F_NESTED | NLA_F_NET_BYTEORDER))
            if kind == type { found = bytes[(offset + 4)..<(offset + length)] }
            offset += (length + 3) & ~3
        }
        return found
    }

    func nested(_ type: Int) -> NetlinkAttributes? { self[type].map { NetlinkAttributes(bytes: $0) } }

    func string(_ type: Int) -> String? {
        guard let value = self[type] else { return nil }
        return String(decoding: value.prefix { $0 != 0 }, as: UTF8.self)
    }

    func uint32(_ type: Int) -> UInt32? {
        guard let value = self[type], value.count >= 4 else { return nil }
        return load(value, value.startIndex, as: UInt32.self)
    }
}

/// A host-order integer at `offset` (an index of `bytes`); the caller checks the bounds.
func load<T: FixedWidthInteger>(_ bytes: ArraySlice<UInt8>, _ offset: Int, as: T.Type) -> T {
    var v: T = 0
    for i in 0..<MemoryLayout<T>.size {
        v |= T(truncatingIfNeeded: bytes[offset + i]) << (8 * i)
    }
    return T(littleEndian: v)
}
