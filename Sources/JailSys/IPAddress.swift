import Glibc

/// An IPv4 or IPv6 address in network byte order.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 (IPv6).
    public private(set) var bytes: [UInt8]

    /// The text forms inet_pton(3) accepts: dotted quad, or IPv6 (an IPv4-mapped
    /// "::ffff:1.2.3.4" stays an IPv6 address, as the kernel would see it).
    public init?(_ text: String) {
        for (family, size) in [(AF_INET, 4), (AF_INET6, 16)] {
            var buffer = [UInt8](repeating: 0, count: size)
            let ok = unsafe buffer.withUnsafeMutableBytes { out in
                unsafe inet_pton(family, text, out.baseAddress) == 1
            }
            if ok {
                bytes = buffer
                return
            }
        }
        return nil
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    public var isIPv6: Bool { bytes.count == 16 }

    /// AF_INET or AF_INET6.
    public var family: Int32 { isIPv6 ? AF_INET6 : AF_INET }

    /// The longest prefix length of this family (32 or 128).
    public var bitCount: Int { bytes.count * 8 }

    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let ok = unsafe bytes.withUnsafeBytes { source in
            unsafe text.withUnsafeMutableBufferPointer { out in
                unsafe inet_ntop(family, source.baseAddress, out.baseAddress, socklen_t(out.count)) != nil
            }
        }
        guard ok else { return "?" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// An address assigned to an interface, as the kernel lists it.
public struct InterfaceAddress: Sendable, Equatable, CustomStringConvertible {
    public var index: Int32
    public var address: IPAddress
    public var prefix: Int

    public init(index: Int32, address: IPAddress, prefix: Int) {
        self.index = index
        self.address = address
        self.prefix = prefix
    }

    /// "192.0.2.1/24".
    public var description: String { "\(address)/\(prefix)" }
}
