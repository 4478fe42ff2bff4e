@testable import Jails
import Testing

/// Tar archives built byte by byte, so that each header is exactly what the test says.
enum TarBytes {
    /// One header block. `gnu`: GNU's magic (no prefix field); `prefix`: POSIX's.
    static func header(
        _ name: String, type: Character = "0", size: Int = 0, link: String = "", mode: Int = 0o644,
        prefix: String = "", gnu: Bool = false, major: Int = 0, minor: Int = 0, sizeField: [UInt8]? = nil
    ) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 512)
        func put(_ bytes: [UInt8], at offset: Int) { for (i, v) in bytes.enumerated() { b[offset + i] = v } }
        func octal(_ v: Int, width: Int) -> [UInt8] {
            let digits = String(v, radix: 8)
            return Array((String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits).utf8) + [0]
        }
        put(Array(name.utf8.prefix(100)), at: 0)
        put(octal(mode, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(sizeField ?? octal(size, width: 12), at: 124)
        put(octal(0, width: 12), at: 136)
        b[156] = type.asciiValue ?? 0
        put(Array(link.utf8.prefix(100)), at: 157)
        put(gnu ? Array("ustar  \0".utf8) : Array("ustar\u{0}00".utf8), at: 257)
        put(octal(major, width: 8), at: 329)
        put(octal(minor, width: 8), at: 337)
        if !gnu { put(Array(prefix.utf8.prefix(155)), at: 345) }
        put(Array("        ".utf8), at: 148)
        let sum = b.reduce(0) { $0 + Int($1) }
        put(octal(sum, width: 7) + [UInt8(ascii: " ")], at: 148)
        return b
    }

    static func data(_ bytes: [UInt8]) -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: (512 - bytes.count % 512) % 512)
    }

    static func file(_ name: String, _ contents: String) -> [UInt8] {
        header(name, size: contents.utf8.count) + data(Array(contents.utf8))
    }

    /// A pax extended header ('x' or 'g') with these records.
    static func pax(_ records: [(String, String)], type: Character = "x") -> [UInt8] {
        var body: [UInt8] = []
        for (k, v) in records {
            let rest = " \(k)=\(v)\n".utf8.count
            var length = rest + 1
            while String(length).count + rest != length { length += 1 }
            body += Array("\(length) \(k)=\(v)\n".utf8)
        }
        return header("PaxHeader", type: type, size: body.count) + data(body)
    }

    static func longName(_ name: String, type: Character = "L") -> [UInt8] {
        let body = Array(name.utf8) + [0]
        return header("././@LongLink", type: type, size: body.count, gnu: true) + data(body)
    }

    static let end = [UInt8](repeating: 0, count: 1024)

    /// Every entry of `archive`, fed in pieces of `chunk` bytes, checked by ArchiveChecks.
    static func entries(_ archive: [UInt8], chunk: Int = 1 << 20, check: Bool = true) throws(TarError) -> [TarEntry] {
        var reader = TarReader()
        var checks = ArchiveChecks()
        var out: [TarEntry] = []
        var i = 0
        while i < archive.count {
            let piece = archive[i..<min(i + chunk, archive.count)]
            try reader.feed(piece) { (e: TarEntry) throws(TarError) in
                if check { try checks.check(e) }
                out.append(e)
            }
            i += chunk
        }
        try reader.finish()
        return out
    }

    static func refusal(_ archive: [UInt8]) -> String? {
        do {
            _ = try entries(archive)
            return nil
        } catch { return error.message }
    }
}

@Suite struct TarHeaderTests {
    @Test func zeroBlockIsTheEnd() throws {
        #expect(try TarHeader.parse([UInt8](repeating: 0, count: 512)[...]) == nil)
    }

    @Test func fieldsOfAPosixHeader() throws {
        let h = try #require(try TarHeader.parse(TarBytes.header("name", type: "0", size: 1234, mode: 0o4755, prefix: "a/b")[...]))
        #expect(h.name == "a/b/name")
        #expect(h.size == 1234)
        #expect(h.mode == 0o4755)
        #expect(h.kind == .file)
    }

    @Test func gnuHeadersHaveNoPrefix() throws {
        var block = TarBytes.header("name", gnu: true)
        // Bytes where POSIX keeps its prefix: GNU keeps times there.
        block[345] = UInt8(ascii: "1")
        let fixed = Self.resum(block)
        #expect(try TarHeader.parse(fixed[...])?.name == "name")
    }

    @Test func checksumIsChecked() {
        var block = TarBytes.header("name")
        block[0] = UInt8(ascii: "m")
        #expect(throws: TarError.self) { try TarHeader.parse(block[...]) }
    }

    @Test func foreignHeadersAreRefused() {
        var block = TarBytes.header("name")
        for i in 257..<265 { block[i] = 0 }
        #expect((try? TarHeader.parse(Self.resum(block)[...])) == nil)
        #expect(throws: TarError.self) { try TarHeader.parse(Self.resum(block)[...]) }
    }

    @Test func numbers() throws {
        #expect(try TarHeader.number(Array("0000644\0".utf8)[...], "") == 0o644)
        #expect(try TarHeader.number(Array("   644 \0".utf8)[...], "") == 0o644)
        #expect(try TarHeader.number([0, 0, 0, 0][...], "") == 0)
        #expect(try TarHeader.number([0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0][...], "") == 1 << 32)
        #expect(throws: TarError.self) { try TarHeader.number([0xff, 0xff][...], "size") }
        #expect(throws: TarError.self) { try TarHeader.number(Array("12x4\0".utf8)[...], "size") }
        #expect(throws: TarError.self) { try TarHeader.number(Array("\t12\0".utf8)[...], "size") }
        #expect(throws: TarError.self) { try TarHeader.number(Array("089\0".utf8)[...], "size") }
    }

    @Test func typeFlags() throws {
        let kinds: [(Character, TarHeader.Kind)] = [
            ("0", .file), ("7", .file), ("1", .hardLink), ("2", .symbolicLink), ("3", .characterDevice),
            ("4", .blockDevice), ("5", .directory), ("6", .fifo), ("x", .paxExtended), ("g", .paxGlobal),
            ("S", .unsupported(UInt8(ascii: "S"))), ("V", .unsupported(UInt8(ascii: "V"))),
        ]
        for (flag, kind) in kinds {
            #expect(try TarHeader.parse(TarBytes.header("n", type: flag)[...])?.kind == kind)
        }
        // 'L' means a long name in GNU headers only.
        #expect(try TarHeader.parse(TarBytes.header("n", type: "L", gnu: true)[...])?.kind == .gnuLongName)
        #expect(try TarHeader.parse(TarBytes.header("n", type: "L")[...])?.kind == .unsupported(UInt8(ascii: "L")))
        // Pre-POSIX directories: a regular entry whose name ends in a slash.
        #expect(try TarHeader.parse(TarBytes.header("d/", type: "0")[...])?.kind == .directory)
        #expect(try TarHeader.parse(TarBytes.header("d/", type: "7")[...])?.kind == .directory)
    }

    static func resum(_ block: [UInt8]) -> [UInt8] {
        var b = block
        for i in 148..<156 { b[i] = UInt8(ascii: " ") }
        let sum = b.reduce(0) { $0 + Int($1) }
        let digits = Array(String(sum, radix: 8).utf8)
        let field = [UInt8](repeating: UInt8(ascii: "0"), count: 6 - digits.count) + digits + [0, UInt8(ascii: " ")]
        for (i, v) in field.enumerated() { b[148 + i] = v }
        return b
    }
}

@Suite struct TarReaderTests {
    static let sample = TarBytes.header("./", type: "5", mode: 0o755) + TarBytes.file("./etc/hostname", "jail\n")
        + TarBytes.header("etc/link", type: "2", link: "/etc/hostname")
        + TarBytes.header("etc/hard", type: "1", link: "etc/hostname")
        + TarBytes.file("big", String(repeating: "x", count: 1500)) + TarBytes.end

    @Test(arguments: [1, 7, 511, 512, 513, 4096, 1 << 20])
    func entriesWhateverTheChunks(chunk: Int) throws {
        let entries = try TarBytes.entries(Self.sample, chunk: chunk)
        #expect(entries.map(\.path) == ["./", "./etc/hostname", "etc/link", "etc/hard", "big"])
        #expect(entries.map(\.kind) == [.directory, .file, .symbolicLink, .hardLink, .file])
        #expect(entries[1].size == 5)
        #expect(entries[2].linkTarget == "/etc/hostname")
        #expect(entries[4].size == 1500)
    }

    @Test func stopsAtTheEndMarker() throws {
        var reader = TarReader()
        let trailing = [UInt8](repeating: 7, count: 3000)
        let archive = Self.sample + trailing
        let used = try reader.feed(archive[...]) { _ throws(TarError) in }
        #expect(used == Self.sample.count)
        #expect(reader.isFinished)
        #expect(reader.entries == 5)
    }

    @Test func paxNamesAndSizes() throws {
        let long = String(repeating: "d/", count: 100) + "file"
        let archive = TarBytes.pax([("path", long), ("size", "3"), ("mtime", "1.5")])
            + TarBytes.header("short", size: 0) + TarBytes.data(Array("abc".utf8))
            + TarBytes.pax([("linkpath", long)]) + TarBytes.header("h", type: "1", link: "x") + TarBytes.end
        let entries = try TarBytes.entries(archive)
        #expect(entries.map(\.path) == [long, "h"])
        #expect(entries[0].size == 3)
        #expect(entries[1].linkTarget == long)
    }

    @Test func gnuLongNames() throws {
        let long = String(repeating: "n", count: 300)
        let archive = TarBytes.longName(long) + TarBytes.file("trunc", "a")
            + TarBytes.longName(long, type: "K") + TarBytes.longName("l2") + TarBytes.header("l", type: "1", link: "t")
            + TarBytes.end
        let entries = try TarBytes.entries(archive)
        #expect(entries.map(\.path) == [long, "l2"])
        #expect(entries[1].linkTarget == long)
    }

    @Test func ambiguousExtendedHeadersAreRefused() {
        // GNU tar keeps the last of two pax headers; a merging checker would see another name.
        #expect(TarBytes.refusal(TarBytes.pax([("path", "a")]) + TarBytes.pax([("comment", "c")])
            + TarBytes.file("b", "") + TarBytes.end) == "two pax headers for one entry")
        #expect(TarBytes.refusal(TarBytes.longName("a") + TarBytes.longName("b") + TarBytes.file("c", "")
            + TarBytes.end) == "two GNU long names for one entry")
        #expect(TarBytes.refusal(TarBytes.longName("a") + TarBytes.pax([("path", "b")]) + TarBytes.file("c", "")
            + TarBytes.end)?.contains("named twice") == true)
        #expect(TarBytes.refusal(TarBytes.pax([("path", "x")], type: "g") + TarBytes.file("c", "") + TarBytes.end)
            == "a global pax header that sets \"path\": not supported")
        #expect(TarBytes.refusal(TarBytes.pax([("GNU.sparse.major", "1")]) + TarBytes.file("c", "") + TarBytes.end)?
            .contains("sparse") == true)
        #expect(TarBytes.refusal(TarBytes.pax([("size", "-1")]) + TarBytes.file("c", "") + TarBytes.end)?
            .contains("bad pax size") == true)
        // An extended header followed by the end: it named nothing.
        #expect(TarBytes.refusal(TarBytes.pax([("path", "x")]) + TarBytes.end)?.contains("without its entry") == true)
    }

    @Test func malformedPaxRecords() {
        for body in ["5 a=b\n", "10 path=x", "x path=y\n", "8 path=y\n", "6 =ab\n"] {
            let bytes = Array(body.utf8)
            let archive = TarBytes.header("P", type: "x", size: bytes.count) + TarBytes.data(bytes)
                + TarBytes.file("c", "") + TarBytes.end
            #expect(TarBytes.refusal(archive) == "a malformed pax header", "\(body)")
        }
    }

    @Test func dataWhereNoneBelongsIsRefused() {
        // tar would not read those 512 bytes as data: a checker that skipped them would
        // never see the header hidden there.
        let hidden = TarBytes.header("/etc/passwd")
        let archive = TarBytes.header("l", type: "2", size: 512, link: "x") + hidden + TarBytes.end
        #expect(TarBytes.refusal(archive) == "entry `l`: a symbolic link with 512 bytes of data")
        let directory = TarBytes.header("d/", size: 512) + hidden + TarBytes.end
        #expect(TarBytes.refusal(directory) == "entry `d/`: a directory with 512 bytes of data")
    }

    @Test func entriesAfterALoneZeroBlockAreRefused() {
        let archive = TarBytes.file("a", "") + [UInt8](repeating: 0, count: 512) + TarBytes.header("/etc/x") + TarBytes.end
        #expect(TarBytes.refusal(archive)?.contains("entries after a zero block") == true)
    }

    @Test func truncatedArchives() {
        let full = TarBytes.file("a", String(repeating: "z", count: 2000)) + TarBytes.end
        for cut in [100, 512, 700, 1500] {
            #expect(TarBytes.refusal(Array(full[0..<cut]))?.contains("truncated") == true, "cut at \(cut)")
        }
        // Stopping between entries without the end marker is accepted, as GNU tar does.
        #expect(TarBytes.refusal(Array(full[0..<(512 + 2048)])) == nil)
    }

    @Test func oversizedExtendedHeadersAreRefused() {
        let archive = TarBytes.header("P", type: "x", size: TarReader.metadataLimit + 1) + TarBytes.end
        #expect(TarBytes.refusal(archive)?.contains("extended header of") == true)
    }

    @Test func sizesOutOfRange() {
        var field: [UInt8] = [0x80] + [UInt8](repeating: 0, count: 11)
        field[4] = 0x7f
        let archive = TarBytes.header("f", sizeField: field) + TarBytes.end
        #expect(TarBytes.refusal(archive)?.contains("out of range") == true)
    }
}

@Suite struct ArchiveCheckTests {
    @Test func normalize() throws {
        #expect(try ArchiveChecks.normalize("./a//b/./") == "a/b")
        #expect(try ArchiveChecks.normalize("./") == ".")
        #expect(try ArchiveChecks.normalize("a..b/..c") == "a..b/..c")
        #expect(throws: TarError("an absolute path")) { try ArchiveChecks.normalize("/etc/passwd") }
        #expect(throws: TarError("a `..` component")) { try ArchiveChecks.normalize("a/../../b") }
        #expect(throws: TarError("a `..` component")) { try ArchiveChecks.normalize("..") }
        #expect(throws: TarError("an empty name")) { try ArchiveChecks.normalize("") }
    }

    @Test func refusedEntries() {
        let cases: [([UInt8], String)] = [
            (TarBytes.file("/etc/passwd", "x"), "entry `/etc/passwd`: an absolute path"),
            (TarBytes.file("../x", "x"), "entry `../x`: a `..` component"),
            (TarBytes.file("a/../../x", "x"), "entry `a/../../x`: a `..` component"),
            (TarBytes.header("dev/null", type: "3", major: 1, minor: 3),
             "entry `dev/null`: a character device (1:3); device nodes come from devfs rulesets"),
            (TarBytes.header("dev/sda", type: "4", major: 8, minor: 0),
             "entry `dev/sda`: a block device (8:0); device nodes come from devfs rulesets"),
            (TarBytes.header("h", type: "1", link: "/etc/shadow"), "entry `h`: a hard link to `/etc/shadow`: an absolute path"),
            (TarBytes.header("h", type: "1", link: "../shadow"), "entry `h`: a hard link to `../shadow`: a `..` component"),
            (TarBytes.header("h", type: "1", link: "etc/shadow"),
             "entry `h`: a hard link to `etc/shadow`, which is not a file earlier in the archive"),
            (TarBytes.header("sparse", type: "S"), "entry `sparse`: an unsupported entry of type 'S'"),
            (TarBytes.file(".jail-bootstrap-incomplete", ""), "entry `.jail-bootstrap-incomplete`: a name reserved for the bootstrap's marker"),
            (TarBytes.pax([("path", "/abs")]) + TarBytes.file("fine", ""), "entry `/abs`: an absolute path"),
            (TarBytes.longName("x/../../y") + TarBytes.file("fine", ""), "entry `x/../../y`: a `..` component"),
        ]
        for (entry, message) in cases {
            #expect(TarBytes.refusal(entry + TarBytes.end) == message)
        }
    }

    @Test func nothingThroughTheArchivesOwnLinks() {
        let link = TarBytes.header("etc", type: "2", link: "/etc")
        #expect(TarBytes.refusal(link + TarBytes.file("etc/passwd", "root::0:0::/:/bin/sh\n") + TarBytes.end)
            == "entry `etc/passwd`: beneath `etc`, a symbolic link of the archive")
        #expect(TarBytes.refusal(link + TarBytes.header("etc", type: "5") + TarBytes.file("./etc//passwd", "") + TarBytes.end)
            == "entry `./etc//passwd`: beneath `etc`, a symbolic link of the archive")
        let relative = TarBytes.header("a/b", type: "2", link: "c")
        #expect(TarBytes.refusal(relative + TarBytes.header("x", type: "1", link: "a/b/f") + TarBytes.end)
            == "entry `x`: a hard link beneath `a/b`, a symbolic link of the archive")
    }

    @Test func acceptedEntries() throws {
        let archive = TarBytes.header("./", type: "5") + TarBytes.header("usr/bin", type: "5")
            + TarBytes.header("bin", type: "2", link: "usr/bin")
            + TarBytes.header("etc/localtime", type: "2", link: "/usr/share/zoneinfo/Etc/UTC")
            + TarBytes.header("etc/up", type: "2", link: "../usr")
            + TarBytes.file("usr/bin/sh", "#!") + TarBytes.header("usr/bin/dash", type: "1", link: "./usr/bin/sh")
            + TarBytes.header("run/initctl", type: "6") + TarBytes.file("a..b", "") + TarBytes.end
        #expect(try TarBytes.entries(archive).count == 9)
    }
}

@Suite struct ArchiveCompressionTests {
    @Test func byMagic() {
        #expect(ArchiveCompression.detect([0x1f, 0x8b, 8, 0]) == .gzip)
        #expect(ArchiveCompression.detect([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0]) == .xz)
        #expect(ArchiveCompression.detect([0x28, 0xb5, 0x2f, 0xfd, 0]) == .zstd)
        #expect(ArchiveCompression.detect(TarBytes.header("a")) == .plain)
        #expect(ArchiveCompression.detect(Array("BZh91AY".utf8)) == nil)
        #expect(ArchiveCompression.detect([]) == nil)
        #expect(ArchiveCompression.detect([UInt8](repeating: 0, count: 512)) == nil)
    }
}
