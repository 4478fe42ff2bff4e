import CJail
import Glibc
import SystemPackage

/// A NETLINK_ROUTE socket. Every change is acknowledged (NLM_F_ACK) and a kernel error
/// becomes a `SystemError` that says what was attempted, e.g.
/// "add address 192.0.2.1/24 to veth0: file exists".
///
/// Requests are synchronous: each is sent and its replies read up to its own ack, so one
/// socket serves one thread at a time (it is deliberately not Sendable).
public struct Rtnetlink: ~Copyable {
    let socket: OwnedFD
    private let counter = Counter()

    private final class Counter {
        var last: UInt32 = 0
    }

    /// A socket in the calling thread's network namespace.
    public init() throws(SystemError) {
        let fd = try syscall("open a netlink socket") {
            Glibc.socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_ROUTE)
        }
        try self.init(OwnedFD(fd))
    }

    /// A socket in the network namespace `fd` (of /proc/PID/ns/net, or from
    /// `NetworkNamespace`). A socket belongs to the namespace it was made in, so a thread
    /// of its own enters that namespace to make it and ends; ours never moves.
    public init(namespace fd: Int32) throws(SystemError) {
        let result = cj_netns_socket(fd)
        guard result >= 0 else {
            throw SystemError("open a netlink socket in another network namespace", Errno(rawValue: -result))
        }
        try self.init(OwnedFD(result))
    }

    private init(_ socket: consuming OwnedFD) throws(SystemError) {
        // The kernel's own explanation of an error (NETLINK_EXT_ACK) is worth having: an
        // errno alone such as EINVAL rarely says which part of a request was wrong.
        // Old kernels lack the option; that only costs the explanation.
        var on: Int32 = 1
        _ = unsafe setsockopt(socket.rawValue, SOL_NETLINK, NETLINK_EXT_ACK, &on, socklen_t(MemoryLayout<Int32>.size))
        self.socket = socket
    }

    /// Sends a request and hands each reply message to `each` until the kernel's ack (or, for a
    /// dump, NLMSG_DONE). A kernel error is thrown as `describe()` and its errno; the
    /// description is built only then, so it may itself ask the kernel for names.
    func perform(
        _ request: NetlinkRequest, _ describe: () -> String,
        each: (NetlinkMessage) -> Void = { _ in }
    ) throws(SystemError) {
        counter.last &+= 1
        let sequence = counter.last
        let bytes = request.finished(sequence: sequence)
        let fd = socket.rawValue
        // A failure of the socket itself is reported as the operation it stopped.
        do throws(SystemError) {
            let sent = try syscall("send") {
                unsafe bytes.withUnsafeBytes { unsafe send(fd, $0.baseAddress, $0.count, 0) }
            }
            guard sent == bytes.count else { throw SystemError("send", .messageTooLong) }
        } catch { throw SystemError(describe(), error.errno) }
        while true {
            let messages: [NetlinkMessage]
            do { messages = try receive() } catch { throw SystemError(describe(), error.errno) }
            for message in messages where message.sequence == sequence {
                switch Int32(message.type) {
                case NLMSG_ERROR:
                    guard message.payload.count >= 4 else { throw SystemError(describe(), .badMessage) }
                    let error = load(message.payload, message.payload.startIndex, as: Int32.self)
                    if error == 0 { return }
                    throw SystemError(Self.explained(describe(), message), Errno(rawValue: -error))
                case NLMSG_DONE:
                    // A dump that failed midway says so here.
                    if message.payload.count >= 4 {
                        let error = load(message.payload, message.payload.startIndex, as: Int32.self)
                        if error < 0 { throw SystemError(describe(), Errno(rawValue: -error)) }
                    }
                    return
                case NLMSG_NOOP, NLMSG_OVERRUN:
                    continue
                default:
                    each(message)
                }
            }
        }
    }

    /// A dump: every message of the reply. One interrupted by a concurrent change
    /// (NLM_F_DUMP_INTR: the kernel cannot promise it is consistent) is asked again.
    func dump(_ request: NetlinkRequest, _ describe: () -> String) throws(SystemError) -> [NetlinkMessage] {
        var attempts = 0
        while true {
            var messages: [NetlinkMessage] = []
            var interrupted = false
            try perform(request, describe) { message in
                if message.flags & Int32(NLM_F_DUMP_INTR) != 0 { interrupted = true }
                messages.append(message)
            }
            attempts += 1
            if !interrupted || attempts == 3 { return messages }
        }
    }

    /// One datagram's messages. Its size is asked first (MSG_PEEK|MSG_TRUNC) so that no
    /// reply is ever cut short, however large a dump's part or a link's description.
    /// Messages not from the kernel (port 0) are dropped.
    private func receive() throws(SystemError) -> [NetlinkMessage] {
        let fd = socket.rawValue
        let size = try syscall("receive") { recv(fd, nil, 0, Int32(MSG_PEEK | MSG_TRUNC)) }
        var buffer = [UInt8](repeating: 0, count: max(size, 16))
        var source = sockaddr_nl()
        var length = socklen_t(MemoryLayout<sockaddr_nl>.size)
        let received = try syscall("receive") {
            unsafe buffer.withUnsafeMutableBytes { out in
                unsafe withUnsafeMutablePointer(to: &source) { address in
                    unsafe address.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                        unsafe recvfrom(fd, out.baseAddress, out.count, 0, address, &length)
                    }
                }
            }
        }
        guard source.nl_pid == 0 else { return [] }
        return NetlinkMessage.split(buffer[0..<min(received, buffer.count)])
    }

    /// The operation, with the kernel's explanation of its error when it gave one
    /// (NLMSGERR_ATTR_MSG after the echoed request).
    static func explained(_ operation: String, _ error: NetlinkMessage) -> String {
        guard error.flags & Int32(NLM_F_ACK_TLVS) != 0, error.payload.count >= 20 else { return operation }
        // The echoed request is its header alone when capped, else the whole message.
        let echoed = error.flags & Int32(NLM_F_CAPPED) != 0
            ? 16 : Int(load(error.payload, error.payload.startIndex + 4, as: UInt32.self))
        guard let text = error.attributes(after: 4 + ((echoed + 3) & ~3)).string(Int(NLMSGERR_ATTR_MSG.rawValue)),
              !text.isEmpty
        else { return operation }
        return "\(operation) (\(text.prefix(1).lowercased() + text.dropFirst()))"
    }
}
