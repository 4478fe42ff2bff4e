@testable import Nano
import Testing

@Suite struct ConfigFileTests {
    @Test func ldSoConfIncludesGlobsInOrderAndSkipsHwcapLinesAndComments() {
        var host = FakeFiles()
        host.text("/etc/ld.so.conf", """
            # comment
            /opt/first/   # trailing comment
            include /etc/ld.so.conf.d/*.conf
            hwcap 1 nosegneg
            include relative/*.conf
            /opt/typed=libc6
            /opt/first
            relative-dir-is-ignored

            """)
        host.text("/etc/ld.so.conf.d/b.conf", "/opt/b\n")
        host.text("/etc/ld.so.conf.d/a.conf", "/opt/a\ninclude /etc/ld.so.conf\n")
        host.text("/etc/ld.so.conf.d/.hidden.conf", "/opt/hidden\n")
        host.text("/etc/ld.so.conf.d/c.txt", "/opt/c\n")
        host.text("/etc/relative/x.conf", "/opt/x\n")
        #expect(LdSoConf.directories("/etc/ld.so.conf", files: host) == ["/opt/first", "/opt/a", "/opt/b", "/opt/x", "/opt/typed"])
        #expect(LdSoConf.directories("/etc/missing.conf", files: host).isEmpty)
    }

    @Test func globMatchesEveryComponent() {
        var host = FakeFiles()
        for path in ["/a/x1/f.conf", "/a/x2/f.conf", "/a/y/f.conf", "/a/x3/g.conf"] { host.text(path, "") }
        #expect(host.glob("/a/x?/*.conf") == ["/a/x1/f.conf", "/a/x2/f.conf", "/a/x3/g.conf"])
        #expect(host.glob("/a/[xy]*/f.conf") == ["/a/x1/f.conf", "/a/x2/f.conf", "/a/y/f.conf"])
        #expect(host.glob("/a/none/*").isEmpty)
    }

    @Test func nsswitchServicesSkipActionsAndBadNames() {
        let text = """
            # /etc/nsswitch.conf
            passwd:         files systemd
            group:          files [SUCCESS=merge] systemd
            hosts:          files mdns4_minimal [NOTFOUND=return] dns myhostname
            netgroup:       nis
            weird:          ../../etc/shadow [ NOTFOUND = return ] db
            no colon line
            """
        #expect(NSSwitch.services(text) == ["files", "systemd", "mdns4_minimal", "dns", "myhostname", "nis", "db"])
        #expect(NSSwitch.moduleName("systemd") == "libnss_systemd.so.2")
    }

    @Test func searchListsExpandOriginAndLib() throws {
        let elf = try ELFFile(ELFBuilder().bytes)
        let search = LibrarySearch(for: elf, configured: [])
        #expect(search.expand("$ORIGIN/../lib:${ORIGIN}/x:/abs/:/usr/$LIB/y::rel:$LIB:$PLATFORM/z", origin: "/app/bin")
            == ["/app/bin/../lib", "/app/bin/x", "/abs", "/usr/lib/x86_64-linux-gnu/y"])
        #expect(search.defaults == ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"])
        #expect(search.hwcaps == ["x86-64-v4", "x86-64-v3", "x86-64-v2"])
    }

    @Test func walksMirrorEverySymlinkOnTheWay() throws {
        var host = FakeFiles.debian()
        host.link("/usr/lib/x86_64-linux-gnu/libz.so.1", "libz.so.1.2.13")
        host.file("/usr/lib/x86_64-linux-gnu/libz.so.1.2.13", [1])
        let walk = try host.walk("/lib/x86_64-linux-gnu/libz.so.1")
        #expect(walk.links.map(\.path) == ["/lib", "/usr/lib/x86_64-linux-gnu/libz.so.1"])
        #expect(walk.path == "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13")
        let loader = try host.walk("/lib64/ld-linux-x86-64.so.2")
        #expect(loader.links.map(\.path) == ["/lib64", "/usr/lib64/ld-linux-x86-64.so.2", "/lib"])
        #expect(loader.path == "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")
        #expect(try host.walk("/usr/lib/../lib/./x86_64-linux-gnu/libc.so.6").path == "/usr/lib/x86_64-linux-gnu/libc.so.6")
        host.link("/loop", "/loop")
        #expect(throws: NanoError.self) { try host.walk("/loop/x") }
        #expect(throws: NanoError("`/nowhere/x`: no such file or directory")) { try host.walk("/nowhere/x") }
        #expect(throws: NanoError("`/etc/ld.so.conf/x`: not a directory")) { try host.walk("/etc/ld.so.conf/x") }
    }
}
