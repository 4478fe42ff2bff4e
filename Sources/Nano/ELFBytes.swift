/// Why a file could not be read as ELF. Every offset and count in an ELF file comes from
/// the file itself, so each one is checked before it is used: a truncated or hostile file
/// ends here, never in a crash.
public enum ELFError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not an ELF file at all (no magic number).
    case notELF
    /// An offset, size or count that points outside the file.
    case truncated(String)
    /// A value the format does not allow.
    case malformed(String)

    public var description: String {
        switch self {
        case .notELF: "not an ELF file"
        case .truncated(let what): "truncated ELF file (\(what))"
        case .malformed(let what): "malformed ELF file (\(what))"
        }
    }
}

/// Bounds-checked reads in the file's own byte order and class (32- or 64-bit words).
struct ELFBytes {
    let bytes: [UInt8]
    let bigEndian: Bool
    let is64: Bool

    /// The size of an address-sized field.
    var wordSize: UInt64 { is64 ? 8 : 4 }

    /// `count` bytes at `offset`, or `.truncated(what)` when they are not all in the file.
    func range(_ offset: UInt64, _ count: UInt64, _ what: String) throws(ELFError) -> Range<Int> {
        let (end, overflow) = offset.addingReportingOverflow(count)
        guard !overflow, end <= UInt64(bytes.count) else { throw .truncated(what) }
        return Int(offset)..<Int(end)
    }

    func unsigned(_ offset: UInt64, _ size: UInt64, _ what: String) throws(ELFError) -> UInt64 {
        let r = try range(offset, size, what)
        var value: UInt64 = 0
        if bigEndian {
            for i in r { value = value << 8 | UInt64(bytes[i]) }
        } else {
            for i in r.reversed() { value = value << 8 | UInt64(bytes[i]) }
        }
        return value
    }

    func u8(_ offset: UInt64, _ what: String) throws(ELFError) -> UInt8 {
        UInt8(try unsigned(offset, 1, what))
    }

    func u16(_ offset: UInt64, _ what: String) throws(ELFError) -> UInt16 {
        UInt16(try unsigned(offset, 2, what))
    }

    func u32(_ offset: UInt64, _ what: String) throws(ELFError) -> UInt32 {
        UInt32(try unsigned(offset, 4, what))
    }

    /// An address-sized field: 8 bytes in ELF64, 4 in ELF32.
    func word(_ offset: UInt64, _ what: String) throws(ELFError) -> UInt64 {
        try unsigned(offset, wordSize, what)
    }

    /// The NUL-terminated string at `offset`, which must end before `limit`.
    func string(_ offset: UInt64, limit: UInt64, _ what: String) throws(ELFError) -> String {
        let end = min(limit, UInt64(bytes.count))
        guard offset < end else { throw .truncated(what) }
        var i = Int(offset)
        while i < Int(end), bytes[i] != 0 { i += 1 }
        guard i < Int(end) else { throw .malformed("\(what) without its final NUL") }
        return String(decoding: bytes[Int(offset)..<i], as: UTF8.self)
    }

    /// `base + index * size`, refusing what overflows.
    static func offset(_ base: UInt64, _ index: UInt64, _ size: UInt64, _ what: String) throws(ELFError) -> UInt64 {
        let (product, o1) = index.multipliedReportingOverflow(by: size)
        let (sum, o2) = base.addingReportingOverflow(product)
        guard !o1, !o2 else { throw .truncated(what) }
        return sum
    }
}
