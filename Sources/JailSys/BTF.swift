import Glibc
import SystemPackage

/// The kernel's description of its own types (BTF, linux/btf.h), read just far enough to
/// build a BPF LSM program without a compiler: the id of a function to attach to, and
/// where members lie in the kernel's structures. The layout of `struct file` and friends
/// changes between kernel builds, so it is looked up here, never compiled in.
///
/// Layout: a header, then a type section (types numbered from 1 in order, each a 12-byte
/// `struct btf_type` followed by data whose size depends on its kind) and a string
/// section of NUL-terminated names. The kernel's file has some 130 000 types; one pass
/// records where each starts, in one array, so a type is found by id without searching.
public struct BTF: Sendable {
    public static let kernelPath: FilePath = "/sys/kernel/btf/vmlinux"

    private let bytes: [UInt8]
    private let strings: Range<Int>
    /// Byte position of type `id` in `bytes` (index 0, void, unused).
    private let positions: [Int32]

    /// Kinds (BTF_KIND_*) this reader needs by name.
    private enum Kind {
        static let structure: UInt32 = 4, union: UInt32 = 5
        static let typedef: UInt32 = 8, volatile: UInt32 = 9, const: UInt32 = 10, restrict: UInt32 = 11
        static let function: UInt32 = 12, typeTag: UInt32 = 18
    }

    /// The running kernel's BTF. Mapped rather than read where the kernel allows it
    /// (Linux 6.16 and later): sysfs hands it out a page per read(2), 1 350 calls.
    public static func kernel() throws(SystemError) -> BTF {
        let fd = try OwnedFD.open(kernelPath, O_RDONLY)
        var st = stat()
        _ = try syscall("stat", path: kernelPath) { unsafe fstat(fd.rawValue, &st) }
        let size = Int(st.st_size)
        if size > 0, let map = unsafe mmap(nil, size, PROT_READ, MAP_PRIVATE, fd.rawValue, 0), unsafe map != MAP_FAILED {
            defer { unsafe _ = munmap(map, size) }
            let copy = unsafe [UInt8](UnsafeRawBufferPointer(start: map, count: size))
            return try BTF(copy)
        }
        var data = try fd.readAll(limit: 64 << 20)
        if data.count >= 64 << 20 { data = [] }  // cut short: refused below as malformed
        return try BTF(data)
    }

    /// Checks the header and indexes the types; a file that does not parse is refused
    /// whole rather than half-used.
    public init(_ bytes: [UInt8]) throws(SystemError) {
        let malformed = SystemError("read the kernel's type information", .invalidArgument, path: Self.kernelPath)
        guard bytes.count >= 24, Self.u16(bytes, 0) == 0xeb9f else { throw malformed }
        let headerLength = Int(Self.u32(bytes, 4))
        let typeStart = headerLength + Int(Self.u32(bytes, 8)), typeLength = Int(Self.u32(bytes, 12))
        let stringStart = headerLength + Int(Self.u32(bytes, 16)), stringLength = Int(Self.u32(bytes, 20))
        guard headerLength >= 24, typeStart + typeLength <= bytes.count, stringStart + stringLength <= bytes.count
        else { throw malformed }
        var positions: [Int32] = [0]
        positions.reserveCapacity(typeLength / 16)
        var at = typeStart
        let end = typeStart + typeLength
        while at < end {
            guard at + 12 <= end else { throw malformed }
            positions.append(Int32(at))
            let info = Self.u32(bytes, at + 4)
            let count = Int(info & 0xffff)
            // Bytes after the common 12 (linux/btf.h, one case per BTF_KIND_*).
            let extra: Int
            switch (info >> 24) & 0x1f {
            case 2, 7, 8, 9, 10, 11, 12, 16, 18: extra = 0  // ptr fwd typedef volatile const restrict func float type_tag
            case 1, 14, 17: extra = 4                        // int var decl_tag
            case 3: extra = 12                               // array
            case 4, 5, 15, 19: extra = 12 * count            // struct union datasec enum64
            case 6, 13: extra = 8 * count                    // enum func_proto
            default: throw malformed
            }
            at += 12 + extra
        }
        guard at == end else { throw malformed }
        self.bytes = bytes
        self.strings = stringStart..<(stringStart + stringLength)
        self.positions = positions
    }

    /// The id of the function (BTF_KIND_FUNC) called `name`: what a BPF LSM program
    /// names as its `attach_btf_id` (`bpf_lsm_<hook>`).
    public func function(_ name: String) -> UInt32? {
        let wanted = Array(name.utf8)
        for id in 1..<positions.count where kind(id) == Kind.function && nameIs(id, wanted) {
            return UInt32(id)
        }
        return nil
    }

    /// The byte offset of `path` ("f_path.dentry") in the structure `structure`: each
    /// component a member of the one before, found through typedefs, qualifiers and
    /// anonymous structures and unions. nil when absent or a bit-field.
    public func offset(of path: String, in structure: String) -> Int? {
        let wanted = Array(structure.utf8)
        guard var id = (1..<positions.count).first(where: {
            kind($0) == Kind.structure && vlen($0) > 0 && nameIs($0, wanted)
        }) else { return nil }
        var total = 0
        for component in path.split(separator: ".") {
            guard let (offset, type) = member(Array(component.utf8), of: id) else { return nil }
            total += offset
            id = resolved(type)
        }
        return total
    }

    // MARK: The parts of a type

    private func position(_ id: Int) -> Int { Int(positions[id]) }
    private func info(_ id: Int) -> UInt32 { Self.u32(bytes, position(id) + 4) }
    private func kind(_ id: Int) -> UInt32 { (info(id) >> 24) & 0x1f }
    private func vlen(_ id: Int) -> Int { Int(info(id) & 0xffff) }
    /// `type` of pointers, typedefs and qualifiers (the `size` of others).
    private func referenced(_ id: Int) -> Int { Int(Self.u32(bytes, position(id) + 8)) }

    /// Through typedefs and qualifiers to the type they stand for.
    private func resolved(_ id: Int) -> Int {
        var id = id, hops = 0
        // Bounded: a malformed file could make a cycle.
        while id > 0, id < positions.count, hops < 32 {
            switch kind(id) {
            case Kind.typedef, Kind.volatile, Kind.const, Kind.restrict, Kind.typeTag: id = referenced(id)
            default: return id
            }
            hops += 1
        }
        return id
    }

    /// Member `name` of the structure or union `id`: its byte offset and type. Looks
    /// inside anonymous members, whose own members belong to the enclosing one in C.
    private func member(_ name: [UInt8], of id: Int, depth: Int = 0) -> (Int, Int)? {
        guard id > 0, id < positions.count, depth < 8,
              kind(id) == Kind.structure || kind(id) == Kind.union else { return nil }
        let bitfields = info(id) & 0x8000_0000 != 0
        for i in 0..<vlen(id) {
            let m = position(id) + 12 + 12 * i
            let nameOffset = Int(Self.u32(bytes, m)), type = Int(Self.u32(bytes, m + 4))
            var bits = Int(Self.u32(bytes, m + 8))
            // With kind_flag, the top byte is a bit-field's width and the rest its offset.
            if bitfields {
                if bits >> 24 != 0 { continue }
                bits &= 0xff_ffff
            }
            guard bits % 8 == 0 else { continue }
            if nameOffset == 0 {
                if let (inner, innerType) = member(name, of: resolved(type), depth: depth + 1) {
                    return (bits / 8 + inner, innerType)
                }
            } else if stringIs(nameOffset, name) {
                return (bits / 8, type)
            }
        }
        return nil
    }

    private func nameIs(_ id: Int, _ wanted: [UInt8]) -> Bool {
        stringIs(Int(Self.u32(bytes, position(id))), wanted)
    }

    /// Whether the string at `offset` is exactly `wanted`, compared in place.
    private func stringIs(_ offset: Int, _ wanted: [UInt8]) -> Bool {
        let start = strings.lowerBound + offset
        guard offset > 0, start + wanted.count < strings.upperBound else { return false }
        for (i, byte) in wanted.enumerated() where bytes[start + i] != byte { return false }
        return bytes[start + wanted.count] == 0
    }

    // BTF is in the byte order of the kernel that made it: ours (little-endian hosts).
    private static func u16(_ b: [UInt8], _ at: Int) -> UInt16 { UInt16(b[at]) | UInt16(b[at + 1]) << 8 }
    private static func u32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }
}
