/// The dynamic symbol table, read for the names an object imports and defines (what
/// tells that it will dlopen libgcc_s, say). The table's length is not in the dynamic
/// section: it comes from the section headers when present, else from the hash tables.
extension ELFFile {
    static let shtDynsym: UInt32 = 11

    mutating func readSymbols(_ file: ELFBytes, symtab address: UInt64, hash: UInt64?, gnuHash: UInt64?,
                              strings: (offset: UInt64, size: UInt64), loads: [Segment]) throws(ELFError) {
        let entrySize: UInt64 = file.is64 ? 24 : 16
        guard let offset = Segment.fileOffset(of: address, size: entrySize, in: loads) else {
            throw .truncated("DT_SYMTAB outside the loaded segments")
        }
        let count: UInt64
        if let n = try Self.dynsymCountFromSections(file, entrySize: entrySize) {
            count = n
        } else if let hash, let at = Segment.fileOffset(of: hash, size: 8, in: loads) {
            count = UInt64(try file.u32(at &+ 4, "DT_HASH nchain"))
        } else if let gnuHash, let at = Segment.fileOffset(of: gnuHash, size: 16, in: loads) {
            count = try Self.gnuHashCount(file, at)
        } else {
            return
        }
        // The whole table must be in the file, which also bounds the loop.
        _ = try file.range(offset, try ELFBytes.offset(0, count, entrySize, "dynamic symbols"), "dynamic symbols")
        let (infoAt, shndxAt): (UInt64, UInt64) = file.is64 ? (4, 6) : (12, 14)
        for i in UInt64(1)..<max(count, 1) {
            let at = offset + i * entrySize
            let nameIndex = UInt64(try file.u32(at, "st_name"))
            let binding = try file.u8(at + infoAt, "st_info") >> 4
            guard nameIndex != 0, nameIndex < strings.size, binding != 0 /* STB_LOCAL */ else { continue }
            let name = try file.string(strings.offset + nameIndex, limit: strings.offset + strings.size, "symbol name")
            if try file.u16(at + shndxAt, "st_shndx") == 0 /* SHN_UNDEF */ {
                imports.insert(name)
            } else {
                exports.insert(name)
            }
        }
    }

    /// The number of entries of the SHT_DYNSYM section, if the file has section headers.
    static func dynsymCountFromSections(_ file: ELFBytes, entrySize: UInt64) throws(ELFError) -> UInt64? {
        let is64 = file.is64
        let shoff = try file.word(is64 ? 40 : 32, "e_shoff")
        let shentsize = UInt64(try file.u16(is64 ? 58 : 46, "e_shentsize"))
        let shnum = UInt64(try file.u16(is64 ? 60 : 48, "e_shnum"))
        guard shoff != 0, shnum != 0, shentsize >= (is64 ? 64 : 40) else { return nil }
        // Stripped or damaged section headers are not needed to load the file: ignore them.
        guard (try? file.range(shoff, try ELFBytes.offset(0, shnum, shentsize, "section headers"), "")) != nil else {
            return nil
        }
        for i in 0..<shnum {
            let at = shoff + i * shentsize
            guard try file.u32(at + 4, "sh_type") == shtDynsym else { continue }
            let size = try file.word(at + (is64 ? 32 : 20), "sh_size")
            return size / entrySize
        }
        return nil
    }

    /// DT_GNU_HASH does not store the symbol count: it is one past the last symbol of the
    /// longest chain, whose last entry has its low bit set.
    static func gnuHashCount(_ file: ELFBytes, _ at: UInt64) throws(ELFError) -> UInt64 {
        let buckets = UInt64(try file.u32(at, "DT_GNU_HASH nbuckets"))
        let symoffset = UInt64(try file.u32(at + 4, "DT_GNU_HASH symoffset"))
        let bloomWords = UInt64(try file.u32(at + 8, "DT_GNU_HASH bloom size"))
        let bucketsAt = try ELFBytes.offset(at + 16, bloomWords, file.wordSize, "DT_GNU_HASH bloom")
        _ = try file.range(bucketsAt, try ELFBytes.offset(0, buckets, 4, "DT_GNU_HASH buckets"), "DT_GNU_HASH buckets")
        var last: UInt64 = 0
        for i in 0..<buckets { last = max(last, UInt64(try file.u32(bucketsAt + 4 * i, "DT_GNU_HASH bucket"))) }
        guard last >= symoffset else { return symoffset }
        let chainsAt = bucketsAt + 4 * buckets
        while true {
            let entry = try file.u32(try ELFBytes.offset(chainsAt, last - symoffset, 4, "DT_GNU_HASH chain"),
                                     "DT_GNU_HASH chain")
            if entry & 1 != 0 { return last + 1 }
            last += 1
        }
    }
}
