import CJail
import Glibc

extension Rtnetlink {
    /// Every address in this namespace, or those of one family (AF_INET, AF_INET6).
    public func addresses(family: Int32? = nil) throws(SystemError) -> [InterfaceAddress] {
        var request = NetlinkRequest(type: Int(RTM_GETADDR), flags: NLM_F_DUMP)
        // The kernel dumps only the family asked for; AF_UNSPEC asks for all.
        request.address(family: family ?? AF_UNSPEC, prefix: 0, index: 0)
        var out: [InterfaceAddress] = []
        for message in try dump(request, { "list addresses" }) {
            // struct ifaddrmsg: family, prefix length, flags, scope, index.
            guard message.type == Int(RTM_NEWADDR), message.payload.count >= 8 else { continue }
            let start = message.payload.startIndex
            let found = Int32(message.payload[start])
            guard family == nil || family == found else { continue }
            // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer's on a
            // point-to-point link, and the only one for IPv6.
            let attributes = message.attributes(after: 8)
            guard let bytes = attributes[Int(IFA_LOCAL)] ?? attributes[Int(IFA_ADDRESS)],
                  let address = IPAddress(bytes: Array(bytes))
            else { continue }
            out.append(InterfaceAddress(
                index: load(message.payload, start + 4, as: Int32.self), address: address,
                prefix: Int(message.payload[start + 1])))
        }
        return out
    }

    /// Adds `address/prefix` to the interface; one already there is an error (EEXIST).
    /// An IPv6 address skips duplicate address detection (IFA_F_NODAD), so it is usable at
    /// once rather than "tentative" for a second or more; the jail's network is ours to
    /// plan, duplicates are not expected on it.
    public func addAddress(_ address: IPAddress, prefix: Int, index: Int32) throws(SystemError) {
        let request = try Self.addressRequest(
            Int(RTM_NEWADDR), NLM_F_CREATE | NLM_F_EXCL, address, prefix, index, "add address \(address)/\(prefix)")
        try perform(request, { "add address \(address)/\(prefix) to \(label(index))" })
    }

    public func deleteAddress(_ address: IPAddress, prefix: Int, index: Int32) throws(SystemError) {
        let request = try Self.addressRequest(
            Int(RTM_DELADDR), 0, address, prefix, index, "delete address \(address)/\(prefix)")
        try perform(request, { "delete address \(address)/\(prefix) from \(label(index))" })
    }

    static func addressRequest(
        _ type: Int, _ flags: Int32, _ address: IPAddress, _ prefix: Int, _ index: Int32, _ operation: String
    ) throws(SystemError) -> NetlinkRequest {
        guard (0...address.bitCount).contains(prefix) else { throw SystemError(operation, .invalidArgument) }
        var request = NetlinkRequest(type: type, flags: NLM_F_ACK | flags)
        request.address(
            family: address.family, prefix: prefix,
            flags: address.isIPv6 ? UInt8(IFA_F_NODAD) : 0, index: index)
        // For IPv4 IFA_LOCAL is the address itself and IFA_ADDRESS the same (no peer).
        if !address.isIPv6 { request.attribute(Int(IFA_LOCAL), address.bytes) }
        request.attribute(Int(IFA_ADDRESS), address.bytes)
        return request
    }
}
