@testable import Nano
import Testing

/// The loader's search rules (glibc 2.36 elf/dl-load.c), each on a made host.
@Suite struct LoaderTests {
    let lib = "/usr/lib/x86_64-linux-gnu"

    func plan(_ host: FakeFiles, _ program: String = "/usr/sbin/prog", with: [String] = []) throws -> TreePlan {
        var request = NanoRequest(program: program)
        request.with = with
        return try Planner.plan(request, files: host)
    }

    @Test func aDynamicProgramBringsItsLibrariesTheLoaderAndTheSymlinksOnTheirWay() throws {
        var host = FakeFiles.debian()
        host.elf("/usr/sbin/prog", FakeFiles.program(needed: ["libz.so.1", "libc.so.6"]))
        host.link("\(lib)/libz.so.1", "libz.so.1.2.13")
        host.elf("\(lib)/libz.so.1.2.13", ELFBuilder(needed: ["libc.so.6"], soname: "libz.so.1"))
        let p = try plan(host)
        #expect(p.lines == [
            "/dev", "/proc", "/tmp", "/run", "/usr/sbin/prog",
            "/lib64 -> usr/lib64", "/usr/lib64/ld-linux-x86-64.so.2 -> /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
            "/lib -> usr/lib", "\(lib)/ld-linux-x86-64.so.2",
            "\(lib)/libz.so.1 -> libz.so.1.2.13", "\(lib)/libz.so.1.2.13", "\(lib)/libc.so.6",
        ])
        #expect(p.entry("\(lib)/libz.so.1.2.13")?.reason == "needed by /usr/sbin/prog")
        #expect(p.entry("\(lib)/ld-linux-x86-64.so.2")?.reason == "the interpreter of /usr/sbin/prog")
        #expect(p.entry("/tmp")?.mode == 0o1777)
        #expect(p.entry("/usr/sbin/prog")?.mode == 0o755)
        // Found in the first ld.so.conf directory that is also a default one: no cache needed.
        #expect(p.entry("/etc/ld.so.cache") == nil)
        #expect(p.notes.isEmpty)
    }

    @Test func aStaticProgramIsCopiedAlone() throws {
        var host = FakeFiles.debian()
        var program = ELFBuilder()
        (program.type, program.dynamic) = (2, false)
        host.elf("/bin/static", program)
        #expect(try plan(host, "/bin/static").lines == ["/dev", "/proc", "/tmp", "/run", "/bin/static"])
    }

    @Test func aMissingLibraryIsNamedWithWhoNeedsIt() throws {
        var host = FakeFiles.debian()
        host.elf("/usr/sbin/prog", FakeFiles.program(needed: ["libc.so.6", "libfoo.so.1"]))
        host.elf("\(lib)/libfoo.so.1", ELFBuilder(needed: ["libbar.so.2"]))
        #expect(throws: NanoError("libbar.so.2, needed by `/lib/x86_64-linux-gnu/libfoo.so.1`: not found")) {
            try plan(host)
        }
    }

    @Test func badProgramsAreRefused() throws {
        var host = FakeFiles.debian()
        host.text("/usr/bin/script", "#!/bin/sh\n")
        #expect(throws: NanoError("`/usr/bin/script`: not an ELF file")) { try plan(host, "/usr/bin/script") }
        #expect(throws: NanoError("`/usr/bin/none`: no such file or directory")) { try plan(host, "/usr/bin/none") }
        #expect(throws: NanoError("`/usr/bin`: not a regular file")) { try plan(host, "/usr/bin") }
        host.file("/usr/bin/cut", Array(try #require(hostFile("/bin/ls") ?? Optional(ELFBuilder().bytes)).prefix(100)))
        #expect(throws: NanoError.self) { try plan(host, "/usr/bin/cut") }
        host.elf("/usr/bin/lost", ELFBuilder(needed: ["libc.so.6"], interpreter: "/lib/ld-missing.so"))
        #expect(throws: NanoError("`/lib/ld-missing.so` (`/usr/lib/ld-missing.so`): no such file or directory (the interpreter of `/usr/bin/lost`)")) {
            try plan(host, "/usr/bin/lost")
        }
    }

    @Test func rpathIsInheritedDownTheChainOfLoaders() throws {
        var host = FakeFiles.debian()
        host.elf("/usr/sbin/prog", FakeFiles.program(needed: ["libx.so", "libc.so.6"], rpath: "/opt/a"))
        host.elf("/opt/a/libx.so", ELFBuilder(needed: ["liby.so"]))
        host.elf("/opt/a/liby.so", ELFBuilder())
        host.elf("\(lib)/liby.so", ELFBuilder())
        let p = try plan(host)
        #expect(p.files.contains("/opt/a/liby.so"))
        #expect(!p.files.contains("\(lib)/liby.so"))
        #expect(p.entry("/opt/a/liby.so")?.reason == "needed by /opt/a/libx.so")
    }

    @Test func runpathAppliesOnlyToTheObjectsOwnDependencies() throws {
        var host = FakeFiles.debian()
        host.elf("/usr/sbin/prog", FakeFiles.program(needed: ["libx.so", "libc.so.6"], runpath: "/opt/b"))
        host.elf("/opt/b/libx.so", ELFBuilder(needed: ["liby.so"]))
        host.elf("/opt/b/liby.so", ELFBuilder())
        #expect(throws: NanoError("liby.so, needed by `/opt/b/libx.so`: not found")) { try plan(host) }
        host.elf("\(lib)/liby.so", ELFBuilder())
        let p = try plan(host)
        #expect(p.files.contains("\(lib)/liby.so") && !p.files.contains("/opt/b/liby.so"))
    }

    @Test func rpathComesBeforeTheDefaultsAndIsIgnoredWithRunpath() throws {
        var host = FakeFiles.debian()
        host.elf("\(lib)/libx.so", ELFBuilder())
        host.elf("/opt/r/libx.so", ELFBuilder())
        host.elf("/opt/u/libx.so", ELFBuilder())
        host.elf("/usr/sbin/prog", FakeFiles.program(needed: ["libx.so", "libc.so.6"], rpath: "/opt/r"))
        #expect(try plan(host).files.contains("/opt/r/libx.so"))
        host.elf("/usr/sbin/prog", FakeFiles.program(needed: ["libx.so", "libc.so.6"], rpath: "/opt/r", runpath: "/opt/u"))
        #expect(try plan(host).files.contains("/opt/u/libx.so"))
        // A library with DT_RUNPATH does not look at its loader's DT_RPATH either.
        host.elf("/usr/sbin/prog", FakeFiles.program(needed: ["libw.so", "libc.so.6"], rpath: "/opt/r"))
        host.elf("/opt/r/libw.so", ELFBuilder(needed: ["libx.so"], runpath: "/opt/none"))
        let p = try plan(host)
        #expect(p.files.contains("\(lib)/libx.so") && !p.files.contains("/opt/r/libx.so"))
    }

    @Test func originIsTheObjectsDirectoryAndTheProgramsRealOne() throws {
        var host = FakeFiles.debian()
        host.elf("/app/bin/prog", FakeFiles.program(needed: ["libapp.so", "libc.so.6"], runpath: "$ORIGIN/../lib"))
        host.link("/usr/bin/prog", "/app/bin/prog")
        host.elf("/app/lib/libapp.so", ELFBuilder(needed: ["libhelper.so"], runpath: "${ORIGIN}/helpers"))
        host.elf("/app/lib/helpers/libhelper.so", ELFBuilder())
        let p = try plan(host, "/usr/bin/prog")
        #expect(p.lines.contains("/usr/bin/prog -> /app/bin/prog"))
        #expect(p.files.contains("/app/bin/prog"))
        #expect(p.files.contains("/app/lib/libapp.so"))
        #expect(p.files.contains("/app/lib/helpers/libhelper.so"))
    }

    @Test func noDefaultLibrariesSkipsTheDefaultsAndTheCache() throws {
        var host = FakeFiles.debian()
        var program = FakeFiles.program(needed: ["libc.so.6"])
        program.nodeflib = true
        host.elf("/usr/sbin/prog", program)
        #expect(throws: NanoError("libc.so.6, needed by `/usr/sbin/prog`: not found")) { try plan(host) }
    }

    @Test func everyHwcapsVariantComesWithThePlainLibrary() throws {
        var host = FakeFiles.debian()
        host.elf("/usr/sbin/prog", FakeFiles.program(needed: ["libfast.so.1", "libc.so.6"]))
        host.elf("\(lib)/glibc-hwcaps/x86-64-v3/libfast.so.1", ELFBuilder(needed: ["libv3dep.so"]))
        host.elf("\(lib)/glibc-hwcaps/x86-64-v2/libfast.so.1", ELFBuilder())
        host.elf("\(lib)/libfast.so.1", ELFBuilder())
        host.elf("\(lib)/libv3dep.so", ELFBuilder())
        let p = try plan(host)
        for path in ["glibc-hwcaps/x86-64-v3/libfast.so.1", "glibc-hwcaps/x86-64-v2/libfast.so.1", "libfast.so.1", "libv3dep.so"] {
            #expect(p.files.contains("\(lib)/\(path)"), "\(path)")
        }
        // A variant alone does not end the search: a CPU without that level goes on.
        host.nodes["\(lib)/libfast.so.1"] = nil
        host.elf("/usr/lib/libfast.so.1", ELFBuilder())
        #expect(try plan(host).files.contains("/usr/lib/libfast.so.1"))
    }

    @Test func aLibraryOfAnotherClassIsSkippedAndOneThatIsNotELFIsAnError() throws {
        var host = FakeFiles.debian()
        host.elf("/usr/sbin/prog", FakeFiles.program(needed: ["libx.so", "libc.so.6"]))
        var old = ELFBuilder()
        old.is64 = false
        host.elf("/usr/local/lib/libx.so", old)
        host.elf("\(lib)/libx.so", ELFBuilder())
        #expect(try plan(host).files.contains("\(lib)/libx.so"))
        host.text("/usr/local/lib/libx.so", "INPUT(-lx)\n")
        #expect(throws: NanoError("`/usr/local/lib/libx.so`, needed by `/usr/sbin/prog`: not an ELF file")) { try plan(host) }
    }

    @Test func aLibraryFoundOnlyThroughLdSoConfBringsTheCache() throws {
        var host = FakeFiles.debian()
        host.elf("/usr/sbin/prog", FakeFiles.program(needed: ["liblocal.so.1", "libc.so.6"]))
        host.elf("/usr/local/lib/liblocal.so.1", ELFBuilder())
        let p = try plan(host)
        #expect(p.files.contains("/usr/local/lib/liblocal.so.1"))
        #expect(p.entry("/etc/ld.so.cache")?.reason
            == "the loader's cache: /usr/local/lib/liblocal.so.1 is in an /etc/ld.so.conf directory")
    }

    @Test func theLoaderIsNeverLookedUpByName() throws {
        var host = FakeFiles.debian()
        host.nodes["/etc/ld.so.conf"] = nil
        // libc needs ld-linux-x86-64.so.2, which is in no search directory of this host
        // but is the program's interpreter.
        host.nodes["/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"] = nil
        host.elf("/usr/lib64/ld-real.so", ELFBuilder(soname: "ld-linux-x86-64.so.2"))
        host.elf("/usr/sbin/prog", ELFBuilder(needed: ["libc.so.6"], interpreter: "/usr/lib64/ld-real.so"))
        #expect(try plan(host).files == ["/usr/sbin/prog", "/usr/lib64/ld-real.so", "\(lib)/libc.so.6"])
    }
}
