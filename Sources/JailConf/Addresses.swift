/// Syntax checks for addresses, interface names and hostnames. Purely textual: nothing here
/// looks at the host's interfaces or resolves names.

/// One `ip4.addr` / `ip6.addr` item in jail(8)'s extended form
/// `interface|address/prefix ifconfig-words`, where all but the address are optional
/// (config.c check_intparams splits at `|`, then `/`, then the first space).
public struct IPAddressSpec: Sendable, Equatable {
    /// The host interface to add the address to, if given before a `|`.
    public var interface: String?
    public var address: String
    /// A CIDR length or (IPv4) a dotted-quad netmask, if given after a `/`.
    public var prefix: String?
    /// Further ifconfig(8) words after the address, if any.
    public var options: [String]

    /// Nil when the text is not a valid item of that family.
    public init?(_ text: String, ipv6: Bool) {
        // Work on bytes: every delimiter is ASCII, and Character-wise slicing is far slower.
        var rest = Array(text.utf8)[...]
        interface = nil
        if let bar = rest.firstIndex(of: UInt8(ascii: "|")) {
            let name = String(decoding: rest[..<bar], as: UTF8.self)
            guard Addresses.isInterfaceName(name) else { return nil }
            interface = name
            rest = rest[(bar + 1)...]
        }
        options = []
        if let space = rest.firstIndex(of: UInt8(ascii: " ")) {
            options = rest[(space + 1)...].split(separator: UInt8(ascii: " ")).map {
                String(decoding: $0, as: UTF8.self)
            }
            rest = rest[..<space]
        }
        prefix = nil
        if let slash = rest.firstIndex(of: UInt8(ascii: "/")) {
            let mask = String(decoding: rest[(slash + 1)...], as: UTF8.self)
            rest = rest[..<slash]
            let valid =
                ipv6
                ? Addresses.decimal(mask, max: 128) != nil
                : (Addresses.decimal(mask, max: 32) != nil || Addresses.isIPv4(mask))
            guard valid else { return nil }
            prefix = mask
        }
        address = String(decoding: rest, as: UTF8.self)
        guard ipv6 ? Addresses.isIPv6(address) : Addresses.isIPv4(address) else { return nil }
    }
}

enum Addresses {
    /// inet_pton(AF_INET) syntax: four decimal octets, no leading zeros.
    static func isIPv4(_ text: String) -> Bool {
        isIPv4(Array(text.utf8)[...])
    }

    static func isIPv4(_ bytes: ArraySlice<UInt8>) -> Bool {
        var octets = 0
        var value = 0
        var digits = 0
        var leadingZero = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digits > 0 else { return false }
                octets += 1
                value = 0
                digits = 0
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return false }
            if digits == 0 {
                leadingZero = byte == UInt8(ascii: "0")
            } else if leadingZero {
                return false
            }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
            guard value <= 255, digits <= 3 else { return false }
        }
        return digits > 0 && octets == 3
    }

    /// inet_pton(AF_INET6) syntax: up to eight groups of one to four hex digits, at most one
    /// `::`, and optionally an IPv4 address in the last 32 bits.
    static func isIPv6(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8.count <= 45 else { return false }
        var halves: [[UInt8]] = []
        var compressed = false
        if let range = firstDoubleColon(utf8) {
            compressed = true
            halves = [Array(utf8[..<range]), Array(utf8[(range + 2)...])]
            if firstDoubleColon(halves[1]) != nil {
                return false
            }
        } else {
            halves = [utf8]
        }
        var groups = 0
        for (number, half) in halves.enumerated() {
            if half.isEmpty {
                continue
            }
            let parts = half.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            for (index, part) in parts.enumerated() {
                let isLast = number == halves.count - 1 && index == parts.count - 1
                if isLast && part.contains(UInt8(ascii: ".")) {
                    guard isIPv4(part) else { return false }
                    groups += 2
                    continue
                }
                guard (1...4).contains(part.count), part.allSatisfy({ isHexDigit($0) }) else { return false }
                groups += 1
            }
        }
        return compressed ? groups <= 7 : groups == 8
    }

    private static func firstDoubleColon(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for index in 0..<(bytes.count - 1)
        where bytes[index] == UInt8(ascii: ":") && bytes[index + 1] == UInt8(ascii: ":") {
            return index
        }
        return nil
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }

    /// A plain decimal number from 0 to `max`, without sign or leading zeros.
    static func decimal(_ text: String, max: Int) -> Int? {
        let utf8 = Array(text.utf8)
        guard !utf8.isEmpty, utf8.count <= 10, utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else {
            return nil
        }
        if utf8.count > 1 && utf8[0] == UInt8(ascii: "0") {
            return nil
        }
        guard let value = Int(text), value <= max else { return nil }
        return value
    }

    /// A Linux interface name (dev_valid_name): 1 to 15 bytes, not `.` or `..`, and no `/`,
    /// `:` or whitespace.
    static func isInterfaceName(_ name: String) -> Bool {
        let utf8 = Array(name.utf8)
        guard (1...15).contains(utf8.count), name != ".", name != ".." else { return false }
        return !utf8.contains {
            $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 <= 0x20 || $0 == 0x7F
        }
    }

    /// What sethostname(2) on Linux accepts (at most 64 bytes), restricted to the characters
    /// of host names so that a typo cannot put spaces or control characters in the jail's
    /// prompt and logs.
    static func isHostname(_ name: String) -> Bool {
        let utf8 = Array(name.utf8)
        guard utf8.count <= 64 else { return false }
        return utf8.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z"))
                || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-")
                || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_")
        }
    }
}
