/// What went wrong in an archive: a header we cannot read safely, or an entry we refuse.
public struct TarError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// One 512-byte header block of a tar archive (POSIX ustar, or GNU's variant of it), as
/// written: the extended headers that may change its name or size are applied by
/// `TarReader`. Only what the safety checks need is decoded, and everything decoded is
/// checked, because GNU tar extracts the same bytes after us: a field we would read
/// differently from it could hide an entry from the checks.
public struct TarHeader: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case file, hardLink, symbolicLink, characterDevice, blockDevice, directory, fifo
        /// pax extended header for the next entry ('x'), or for all that follow ('g').
        case paxExtended, paxGlobal
        /// GNU: the next entry's long name ('L') or long link target ('K').
        case gnuLongName, gnuLongLink
        /// Anything else: GNU sparse files, volume labels, multi-volume continuations,
        /// dump directories, vendor extensions — refused, since their data or meaning
        /// would have to be understood to check them.
        case unsupported(UInt8)
    }

    /// The name field (with the POSIX prefix field in front of it when the header has one).
    public var name: String
    public var linkName: String
    public var kind: Kind
    public var mode: UInt32
    public var size: Int64
    public var deviceMajor: Int64
    public var deviceMinor: Int64

    public static let blockSize = 512

    /// The header in `block` (512 bytes); nil for a block of zeros (the end marker).
    public static func parse(_ block: ArraySlice<UInt8>) throws(TarError) -> TarHeader? {
        guard block.count == blockSize else { throw TarError("a short header block") }
        let b = Array(block)
        if b.allSatisfy({ $0 == 0 }) { return nil }
        try checkSum(b)
        let magic = Array(b[257..<263])
        let posix = magic == Array("ustar\0".utf8)
        let gnu = magic == Array("ustar ".utf8) && b[263] == UInt8(ascii: " ") && b[264] == 0
        guard posix || gnu else {
            throw TarError("a header that is neither POSIX nor GNU tar (an old or foreign format)")
        }
        var name = text(b[0..<100])
        // The prefix field exists in POSIX headers only: GNU's keeps times there.
        if posix {
            let prefix = text(b[345..<500])
            if !prefix.isEmpty { name = prefix + "/" + name }
        }
        let flag = b[156]
        var kind: Kind
        switch flag {
        case UInt8(ascii: "0"), 0, UInt8(ascii: "7"): kind = .file
        case UInt8(ascii: "1"): kind = .hardLink
        case UInt8(ascii: "2"): kind = .symbolicLink
        case UInt8(ascii: "3"): kind = .characterDevice
        case UInt8(ascii: "4"): kind = .blockDevice
        case UInt8(ascii: "5"): kind = .directory
        case UInt8(ascii: "6"): kind = .fifo
        case UInt8(ascii: "x"): kind = .paxExtended
        case UInt8(ascii: "g"): kind = .paxGlobal
        case UInt8(ascii: "L") where gnu: kind = .gnuLongName
        case UInt8(ascii: "K") where gnu: kind = .gnuLongLink
        default: kind = .unsupported(flag)
        }
        // Pre-POSIX archives mark a directory by a trailing slash on a regular entry, and
        // GNU tar extracts any such entry as one (so it must have no data: TarReader).
        if kind == .file && name.hasSuffix("/") { kind = .directory }
        let mode = try number(b[100..<108], "mode")
        guard mode >= 0 && mode <= 0o7777_7777 else { throw TarError("a header with a bad mode") }
        let size = try number(b[124..<136], "size")
        return TarHeader(
            name: name, linkName: text(b[157..<257]), kind: kind, mode: UInt32(mode & 0o7777), size: size,
            deviceMajor: try number(b[329..<337], "device major"), deviceMinor: try number(b[337..<345], "device minor"))
    }

    /// The unsigned sum of the block with the checksum field as spaces; some old tars
    /// summed signed bytes, which GNU tar accepts too.
    private static func checkSum(_ b: [UInt8]) throws(TarError) {
        let stored = try number(b[148..<156], "checksum")
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for (i, byte) in b.enumerated() {
            let v = (148..<156).contains(i) ? UInt8(ascii: " ") : byte
            unsigned += Int64(v)
            signed += Int64(Int8(bitPattern: v))
        }
        guard stored == unsigned || stored == signed else {
            throw TarError("a header with a bad checksum (a corrupt archive, or not a tar archive)")
        }
    }

    /// A NUL-terminated text field.
    static func text(_ field: ArraySlice<UInt8>) -> String {
        let end = field.firstIndex(of: 0) ?? field.endIndex
        return String(decoding: field[field.startIndex..<end], as: UTF8.self)
    }

    /// A numeric field: octal digits after optional spaces, ended by a space or NUL; or
    /// GNU's base-256 (first byte 0x80, big-endian after it). Negative base-256 values
    /// and anything else are refused rather than guessed at.
    static func number(_ field: ArraySlice<UInt8>, _ what: String) throws(TarError) -> Int64 {
        guard let first = field.first else { return 0 }
        if first & 0x80 != 0 {
            guard first == 0x80 else { throw TarError("a header with a negative \(what)") }
            var value: Int64 = 0
            for byte in field.dropFirst() {
                guard value <= Int64.max >> 8 else { throw TarError("a header with a \(what) out of range") }
                value = value << 8 | Int64(byte)
            }
            return value
        }
        var i = field.startIndex
        while i < field.endIndex && field[i] == UInt8(ascii: " ") { i += 1 }
        var value: Int64 = 0
        while i < field.endIndex, field[i] >= UInt8(ascii: "0"), field[i] <= UInt8(ascii: "7") {
            guard value <= Int64.max >> 3 else { throw TarError("a header with a \(what) out of range") }
            value = value << 3 | Int64(field[i] - UInt8(ascii: "0"))
            i += 1
        }
        while i < field.endIndex {
            guard field[i] == 0 || field[i] == UInt8(ascii: " ") else {
                throw TarError("a header with a bad \(what) field (a corrupt archive)")
            }
            i += 1
        }
        return value
    }
}
