/// How a tarball is compressed, told by its first bytes (never by its name).
public enum ArchiveCompression: String, Sendable, Equatable {
    case plain = "tar", gzip, xz, zstd

    /// The compression of an archive starting with `head` (its first 512 bytes or more);
    /// nil when it is neither a compressed stream we know nor a ustar archive.
    public static func detect(_ head: [UInt8]) -> ArchiveCompression? {
        func starts(_ magic: [UInt8]) -> Bool { head.count >= magic.count && Array(head[0..<magic.count]) == magic }
        if starts([0x1f, 0x8b]) { return .gzip }
        if starts([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) { return .xz }
        if starts([0x28, 0xb5, 0x2f, 0xfd]) { return .zstd }
        if head.count >= 262 && Array(head[257..<262]) == Array("ustar".utf8) { return .plain }
        return nil
    }

    /// The program that writes the uncompressed stream of its standard input, and its
    /// arguments; nil for a plain tar.
    public var decompressor: [String]? {
        switch self {
        case .plain: return nil
        case .gzip: return ["gzip", "-dc"]
        case .xz: return ["xz", "-dc"]
        case .zstd: return ["zstd", "-dcq"]
        }
    }

    /// The Debian package that has the decompressor.
    public var package: String {
        switch self {
        case .plain: return "tar"
        case .gzip: return "gzip"
        case .xz: return "xz-utils"
        case .zstd: return "zstd"
        }
    }
}
