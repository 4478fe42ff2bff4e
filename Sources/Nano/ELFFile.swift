/// What the dynamic loader reads of an executable or shared object: its class and machine
/// (a library of another one is skipped, as ld.so skips it), its interpreter (PT_INTERP),
/// its dynamic section (DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH, DF_1_NODEFLIB) and the
/// names of the dynamic symbols it imports and defines.
public struct ELFFile: Sendable, Equatable {
    public var is64: Bool
    public var bigEndian: Bool
    /// e_machine (EM_X86_64 = 62, EM_AARCH64 = 183, ...).
    public var machine: UInt16
    /// e_type: ET_EXEC (2) or ET_DYN (3, shared objects and position-independent executables).
    public var type: UInt16
    public var interpreter: String?
    /// Whether it has a dynamic section at all (a static executable has none).
    public var isDynamic = false
    public var needed: [String] = []
    public var soname: String?
    /// DT_RPATH; ld.so ignores it when the object also has DT_RUNPATH, and so is it dropped here.
    public var rpath: String?
    public var runpath: String?
    /// DF_1_NODEFLIB: the object's dependencies are not looked for in the default directories.
    public var noDefaultLibraries = false
    /// Undefined dynamic symbols: what it expects another object to define.
    public var imports: Set<String> = []
    /// Defined dynamic symbols.
    public var exports: Set<String> = []

    static let executable: UInt16 = 2, sharedObject: UInt16 = 3
    static let ptLoad: UInt32 = 1, ptDynamic: UInt32 = 2, ptInterp: UInt32 = 3

    /// Parses `bytes`, the whole file.
    public init(_ bytes: [UInt8]) throws(ELFError) {
        guard bytes.count >= 16, bytes[0] == 0x7f, bytes[1] == 0x45, bytes[2] == 0x4c, bytes[3] == 0x46 else {
            throw .notELF
        }
        guard bytes[4] == 1 || bytes[4] == 2 else { throw .malformed("class \(bytes[4])") }
        guard bytes[5] == 1 || bytes[5] == 2 else { throw .malformed("byte order \(bytes[5])") }
        is64 = bytes[4] == 2
        bigEndian = bytes[5] == 2
        let file = ELFBytes(bytes: bytes, bigEndian: bigEndian, is64: is64)
        type = try file.u16(16, "e_type")
        machine = try file.u16(18, "e_machine")
        guard type == Self.executable || type == Self.sharedObject else {
            throw .malformed("e_type \(type): not an executable or a shared object")
        }
        let segments = try Segment.all(file)
        if let interp = segments.first(where: { $0.type == Self.ptInterp }) {
            interpreter = try file.string(interp.offset, limit: interp.offset &+ interp.fileSize, "PT_INTERP")
        }
        if let dynamic = segments.first(where: { $0.type == Self.ptDynamic }) {
            isDynamic = true
            try readDynamic(file, dynamic, loads: segments.filter { $0.type == Self.ptLoad })
        }
    }

    /// Whether ld.so would load `other` into this object's process: same class, byte order
    /// and machine.
    public func isCompatible(with other: ELFFile) -> Bool {
        is64 == other.is64 && bigEndian == other.bigEndian && machine == other.machine
    }

    /// Whether `bytes` start with the ELF magic number (worth parsing).
    public static func hasMagic(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.starts(with: [0x7f, 0x45, 0x4c, 0x46])
    }
}

/// A program header: where a segment is in the file and in memory.
struct Segment {
    var type: UInt32
    var offset: UInt64
    var address: UInt64
    var fileSize: UInt64

    static func all(_ file: ELFBytes) throws(ELFError) -> [Segment] {
        let is64 = file.is64
        let phoff = try file.word(is64 ? 32 : 28, "e_phoff")
        let entrySize = UInt64(try file.u16(is64 ? 54 : 42, "e_phentsize"))
        var count = UInt64(try file.u16(is64 ? 56 : 44, "e_phnum"))
        if count == 0xffff {
            // PN_XNUM: the real count is in the first section header's sh_info.
            let shoff = try file.word(is64 ? 40 : 32, "e_shoff")
            count = UInt64(try file.u32(shoff &+ (is64 ? 44 : 28), "sh_info of section 0"))
        }
        guard count == 0 || entrySize >= (is64 ? 56 : 32) else { throw .malformed("e_phentsize \(entrySize)") }
        // Each header must lie in the file, which bounds the loop by the file's size.
        _ = try file.range(phoff, try ELFBytes.offset(0, count, entrySize, "program headers"), "program headers")
        var out: [Segment] = []
        for i in 0..<count {
            let at = try ELFBytes.offset(phoff, i, entrySize, "program header")
            out.append(Segment(
                type: try file.u32(at, "p_type"),
                offset: try file.word(at &+ (is64 ? 8 : 4), "p_offset"),
                address: try file.word(at &+ (is64 ? 16 : 8), "p_vaddr"),
                fileSize: try file.word(at &+ (is64 ? 32 : 16), "p_filesz")))
        }
        return out
    }

    /// The file offset of a run of `size` bytes at `address`, through the loadable segment
    /// that holds it (dynamic entries hold addresses, not offsets).
    static func fileOffset(of address: UInt64, size: UInt64, in loads: [Segment]) -> UInt64? {
        for s in loads where address >= s.address {
            let delta = address - s.address
            guard delta <= s.fileSize, size <= s.fileSize - delta else { continue }
            return s.offset &+ delta
        }
        return nil
    }
}
