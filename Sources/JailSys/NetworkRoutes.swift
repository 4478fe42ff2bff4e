import CJail
import Glibc

/// A route of the main table, as the kernel lists it.
public struct Route: Sendable, Equatable {
    /// nil for a default route.
    public var destination: IPAddress?
    public var prefix: Int
    public var gateway: IPAddress?
    /// The outgoing interface (RTA_OIF).
    public var index: Int32?

    public init(destination: IPAddress?, prefix: Int, gateway: IPAddress?, index: Int32?) {
        self.destination = destination
        self.prefix = prefix
        self.gateway = gateway
        self.index = index
    }
}

extension Rtnetlink {
    /// A default route of the main table through `gateway`, which a directly connected
    /// network must reach (an address on an interface that is up). One already there is
    /// an error (EEXIST).
    public func addDefaultRoute(via gateway: IPAddress) throws(SystemError) {
        var request = NetlinkRequest(type: Int(RTM_NEWROUTE), flags: NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL)
        request.route(
            family: gateway.family, table: UInt8(RT_TABLE_MAIN.rawValue),
            protocol: UInt8(RTPROT_BOOT), type: UInt8(RTN_UNICAST))
        request.attribute(Int(RTA_GATEWAY.rawValue), gateway.bytes)
        try perform(request, { "add default route via \(gateway)" })
    }

    /// The unicast routes of the main table for one family.
    public func routes(family: Int32) throws(SystemError) -> [Route] {
        var request = NetlinkRequest(type: Int(RTM_GETROUTE), flags: NLM_F_DUMP)
        request.route(family: family)
        var out: [Route] = []
        for message in try dump(request, { "list routes" }) {
            // struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags.
            guard message.type == Int(RTM_NEWROUTE), message.payload.count >= 12 else { continue }
            let start = message.payload.startIndex
            let attributes = message.attributes(after: 12)
            let table = attributes.uint32(Int(RTA_TABLE.rawValue)) ?? UInt32(message.payload[start + 4])
            guard Int32(message.payload[start]) == family, table == UInt32(RT_TABLE_MAIN.rawValue),
                  message.payload[start + 7] == UInt8(RTN_UNICAST)
            else { continue }
            out.append(Route(
                destination: attributes[Int(RTA_DST.rawValue)].flatMap { IPAddress(bytes: Array($0)) },
                prefix: Int(message.payload[start + 1]),
                gateway: attributes[Int(RTA_GATEWAY.rawValue)].flatMap { IPAddress(bytes: Array($0)) },
                index: attributes.uint32(Int(RTA_OIF.rawValue)).map { Int32(bitPattern: $0) }))
        }
        return out
    }
}
