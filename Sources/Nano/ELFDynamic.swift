/// The dynamic section: the loader's instructions, as (tag, value) pairs ending at DT_NULL.
extension ELFFile {
    static let dtNull: UInt64 = 0, dtNeeded: UInt64 = 1, dtHash: UInt64 = 4, dtStrtab: UInt64 = 5,
        dtSymtab: UInt64 = 6, dtStrsz: UInt64 = 10, dtSoname: UInt64 = 14, dtRpath: UInt64 = 15,
        dtRunpath: UInt64 = 29, dtGnuHash: UInt64 = 0x6fff_fef5, dtFlags1: UInt64 = 0x6fff_fffb
    static let nodeflib: UInt64 = 0x800

    mutating func readDynamic(_ file: ELFBytes, _ dynamic: Segment, loads: [Segment]) throws(ELFError) {
        let entrySize = 2 * file.wordSize
        _ = try file.range(dynamic.offset, dynamic.fileSize, "PT_DYNAMIC")
        var entries: [(tag: UInt64, value: UInt64)] = []
        var at = dynamic.offset
        while at &+ entrySize <= dynamic.offset &+ dynamic.fileSize {
            let tag = try file.word(at, "d_tag")
            if tag == Self.dtNull { break }
            entries.append((tag, try file.word(at &+ file.wordSize, "d_val")))
            at += entrySize
        }
        func value(_ tag: UInt64) -> UInt64? { entries.first { $0.tag == tag }?.value }

        let stringTable: (offset: UInt64, size: UInt64)?
        if let address = value(Self.dtStrtab), let size = value(Self.dtStrsz) {
            guard let offset = Segment.fileOffset(of: address, size: size, in: loads) else {
                throw .truncated("DT_STRTAB outside the loaded segments")
            }
            stringTable = (offset, size)
        } else {
            stringTable = nil
        }
        func string(_ index: UInt64, _ what: String) throws(ELFError) -> String {
            guard let table = stringTable else { throw .malformed("\(what) without DT_STRTAB") }
            guard index < table.size else { throw .truncated(what) }
            return try file.string(table.offset &+ index, limit: table.offset &+ table.size, what)
        }
        for entry in entries where entry.tag == Self.dtNeeded {
            needed.append(try string(entry.value, "DT_NEEDED"))
        }
        soname = try value(Self.dtSoname).map { (v) throws(ELFError) in try string(v, "DT_SONAME") }
        runpath = try value(Self.dtRunpath).map { (v) throws(ELFError) in try string(v, "DT_RUNPATH") }
        // ld.so forgets DT_RPATH when DT_RUNPATH is present (get-dynamic-info.h).
        if runpath == nil {
            rpath = try value(Self.dtRpath).map { (v) throws(ELFError) in try string(v, "DT_RPATH") }
        }
        noDefaultLibraries = (value(Self.dtFlags1) ?? 0) & Self.nodeflib != 0
        if let table = stringTable, let symtab = value(Self.dtSymtab) {
            try readSymbols(file, symtab: symtab, hash: value(Self.dtHash), gnuHash: value(Self.dtGnuHash),
                            strings: table, loads: loads)
        }
    }
}
