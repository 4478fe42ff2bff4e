import Glibc
@testable import Nano
import Testing

@Suite struct ELFFileTests {
    @Test func readsARealDynamicExecutable() throws {
        let bytes = try #require(hostFile("/bin/ls"))
        let elf = try ELFFile(bytes)
        #expect(elf.isDynamic)
        #expect(elf.interpreter?.hasPrefix("/") == true)
        #expect(elf.needed.contains("libc.so.6"))
        #expect(elf.imports.contains("opendir") || elf.imports.contains("readdir"))
        #expect(elf.soname == nil)
    }

    @Test func readsLibcAndSeesTheBuiltInNSSServices() throws {
        let paths: [String] = ["/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6", "/lib64/libc.so.6"]
        let elf = try ELFFile(try #require(paths.lazy.compactMap(hostFile).first))
        #expect(elf.soname == "libc.so.6")
        #expect(elf.exports.contains("malloc"))
        #expect(elf.exports.contains("pthread_cancel"))
        // glibc 2.34 and later: files and dns are in libc, systemd never is.
        #expect(NSSwitch.isBuiltIn("files", libc: elf))
        #expect(NSSwitch.isBuiltIn("dns", libc: elf))
        #expect(!NSSwitch.isBuiltIn("systemd", libc: elf))
    }

    @Test(arguments: ["/usr/bin/ssh", "/usr/sbin/lighttpd", "/usr/bin/perl", "/usr/bin/git"])
    func readsOtherHostPrograms(path: String) throws {
        guard let bytes = hostFile(path) else { return }
        let elf = try ELFFile(bytes)
        #expect(!elf.needed.isEmpty)
        #expect(!elf.imports.isEmpty)
    }

    @Test func aStaticExecutableHasNoInterpreterNorLibraries() throws {
        guard let bytes = ["/bin/busybox", "/usr/bin/busybox"].lazy.compactMap(hostFile).first,
              !bytes.isEmpty else { return }
        let elf = try ELFFile(bytes)
        #expect(elf.interpreter == nil)
        #expect(elf.needed.isEmpty)
    }

    @Test func aGconvModuleFindsItsHelperThroughOrigin() throws {
        guard let bytes = hostFile("/usr/lib/x86_64-linux-gnu/gconv/EUC-JP.so") else { return }
        let elf = try ELFFile(bytes)
        #expect(elf.needed.contains("libJIS.so"))
        #expect(elf.runpath == "$ORIGIN")
    }

    @Test(arguments: [(true, false), (false, false), (true, true), (false, true)])
    func readsEveryClassAndByteOrder(is64: Bool, bigEndian: Bool) throws {
        for count in [ELFBuilder.SymbolCount.sections, .sysvHash, .gnuHash] {
            var b = ELFBuilder(needed: ["libx.so.1", "liby.so.2"], soname: "libz.so.3", rpath: "/r", runpath: nil,
                               interpreter: "/lib/ld.so.1", imports: ["open", "close"], exports: ["z_init"])
            (b.is64, b.bigEndian, b.machine, b.count) = (is64, bigEndian, 21, count)
            b.nodeflib = true
            let elf = try ELFFile(b.bytes)
            #expect(elf.is64 == is64 && elf.bigEndian == bigEndian && elf.machine == 21)
            #expect(elf.interpreter == "/lib/ld.so.1")
            #expect(elf.needed == ["libx.so.1", "liby.so.2"])
            #expect(elf.soname == "libz.so.3")
            #expect(elf.rpath == "/r" && elf.runpath == nil)
            #expect(elf.noDefaultLibraries)
            #expect(elf.imports == ["open", "close"], "\(count)")
            #expect(elf.exports == ["z_init"], "\(count)")
        }
    }

    @Test func runpathHidesRpath() throws {
        let elf = try ELFFile(ELFBuilder(rpath: "/old", runpath: "/new").bytes)
        #expect(elf.rpath == nil)
        #expect(elf.runpath == "/new")
    }

    @Test func compatibilityIsClassByteOrderAndMachine() throws {
        let base = try ELFFile(ELFBuilder().bytes)
        var other = ELFBuilder()
        other.is64 = false
        #expect(!base.isCompatible(with: try ELFFile(other.bytes)))
        other = ELFBuilder()
        other.machine = 183
        #expect(!base.isCompatible(with: try ELFFile(other.bytes)))
        #expect(base.isCompatible(with: try ELFFile(ELFBuilder(needed: ["x"]).bytes)))
    }

    @Test func refusesWhatIsNotELF() {
        #expect(throws: ELFError.notELF) { try ELFFile([]) }
        #expect(throws: ELFError.notELF) { try ELFFile(Array("#!/bin/sh\necho hello\n".utf8)) }
        #expect(throws: ELFError.notELF) { try ELFFile([0x7f, 0x45, 0x4c]) }
        // A relocatable object is ELF but nothing the loader maps.
        var object = ELFBuilder()
        object.type = 1
        #expect(throws: ELFError.self) { try ELFFile(object.bytes) }
    }

    /// Every prefix of a real program and of made ones either parses or throws: no
    /// offset from the file is trusted.
    @Test func truncatedFilesThrowAndNeverCrash() throws {
        var samples = [ELFBuilder(needed: ["a"], soname: "b", interpreter: "/i", imports: ["x"]).bytes]
        var gnu = ELFBuilder(needed: ["a"], imports: ["x", "y"])
        gnu.count = .gnuHash
        samples.append(gnu.bytes)
        if let ls = hostFile("/bin/ls") { samples.append(ls) }
        for bytes in samples {
            var failures = 0
            for length in Set((0..<min(bytes.count, 1024)).map { $0 } + stride(from: 0, to: bytes.count, by: 97).map { $0 }) {
                if (try? ELFFile(Array(bytes[0..<length]))) == nil { failures += 1 }
            }
            #expect(failures > 0)
        }
    }

    /// Random bytes written over a real program's headers and dynamic section: parse or
    /// throw, never trap (an overflowing offset, a count of billions, a missing NUL).
    @Test func corruptedFilesThrowAndNeverCrash() throws {
        let original = hostFile("/bin/ls") ?? ELFBuilder(needed: ["a"], interpreter: "/i", imports: ["x"]).bytes
        var rng = SystemRandomNumberGenerator()
        let hot = min(original.count, 4096)
        for _ in 0..<3000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                let at = Int.random(in: 0..<hot, using: &rng)
                bytes[at] = [0, 0xff, 0x7f, 0x80, UInt8.random(in: 0...255, using: &rng)].randomElement(using: &rng) ?? 0
            }
            _ = try? ELFFile(bytes)
        }
        // Fields set to their worst: huge counts and offsets.
        var made = ELFBuilder(needed: ["a"], imports: ["x"]).bytes
        for (at, size) in [(32, 8), (40, 8), (54, 2), (56, 2), (58, 2), (60, 2)] {
            var bytes = made
            for i in at..<at + size { bytes[i] = 0xff }
            _ = try? ELFFile(bytes)
        }
        made[4] = 3
        #expect(throws: ELFError.self) { try ELFFile(made) }
    }
}
