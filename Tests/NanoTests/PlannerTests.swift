@testable import Nano
import Testing

/// --with, the run-time libraries of glibc, and what the plan refuses.
@Suite struct PlannerTests {
    let lib = "/usr/lib/x86_64-linux-gnu"

    func plan(_ host: FakeFiles, with: [String] = [], nss: Bool = false, gconv: Bool = false, libgcc: Bool = false,
              tree: FileIdentity? = nil) throws -> TreePlan {
        var request = NanoRequest(program: "/usr/sbin/prog")
        (request.with, request.nss, request.gconv, request.libgcc, request.tree) = (with, nss, gconv, libgcc, tree)
        return try Planner.plan(request, files: host)
    }

    func host(imports: [String] = []) -> FakeFiles {
        var host = FakeFiles.debian()
        host.elf("/usr/sbin/prog", FakeFiles.program(imports: imports))
        return host
    }

    @Test func withCopiesFilesAndTreesAsTheyAre() throws {
        var host = host()
        host.text("/etc/prog/prog.conf", "x")
        host.file("/etc/prog/secret", [1], mode: 0o600)
        host.link("/etc/prog/sites-enabled/default", "../sites-available/default")
        host.text("/etc/prog/sites-available/default", "y")
        host.link("/etc/prog/outside", "/usr/share/elsewhere")
        host.special("/etc/prog/control.sock", .socket)
        host.link("/etc/prog.conf", "prog/prog.conf")
        let p = try plan(host, with: ["/etc/prog", "/etc/prog.conf"])
        let reason = "--with /etc/prog"
        #expect(p.entries.filter { $0.reason == reason }.map(\.path) == [
            "/etc/prog", "/etc/prog/outside", "/etc/prog/prog.conf", "/etc/prog/secret", "/etc/prog/sites-available",
            "/etc/prog/sites-available/default", "/etc/prog/sites-enabled", "/etc/prog/sites-enabled/default",
        ])
        #expect(p.entry("/etc/prog/secret")?.mode == 0o600)
        #expect(p.entry("/etc/prog/outside")?.kind == .symlink(target: "/usr/share/elsewhere"))
        #expect(p.entry("/usr/share/elsewhere") == nil)
        #expect(p.entry("/etc/prog.conf")?.kind == .symlink(target: "prog/prog.conf"))
        #expect(p.notes == ["`/etc/prog/control.sock`: a socket, left out"])
        // A link to what the tree lacks is noted, if its target exists on the host.
        host.text("/usr/share/elsewhere", "z")
        #expect(try plan(host, with: ["/etc/prog"]).notes.last == "`/etc/prog/outside` -> /usr/share/elsewhere: not in the tree")
    }

    @Test func withRefusesDevicesAndTheTreeItself() throws {
        var host = host()
        host.special("/srv/data/null", .device)
        #expect(throws: NanoError("`/srv/data/null`: a device node, refused")) { try plan(host, with: ["/srv"]) }
        host.nodes["/srv/data/null"] = nil
        host.directory("/srv/jails/t")
        let tree = try #require(host.status("/srv/jails/t")?.identity)
        let p = try plan(host, with: ["/srv"], tree: tree)
        #expect(p.entry("/srv/jails/t") == nil && p.entry("/srv/jails") != nil)
        #expect(p.notes == ["`/srv/jails/t`: the tree itself, left out"])
        #expect(throws: NanoError("`/srv/jails/t`: in the tree itself")) { try plan(host, with: ["/srv/jails/t"], tree: tree) }
        // A path into the tree, however spelled, is the jail's to point anywhere.
        host.link("/srv/jails/t/etc/x", "/etc/shadow")
        host.link("/srv/shortcut", "jails/t")
        #expect(throws: NanoError("`/srv/shortcut/etc/x`: in the tree itself")) {
            try plan(host, with: ["/srv/shortcut/etc/x"], tree: tree)
        }
        host.elf("/srv/jails/t/bin/prog", FakeFiles.program())
        var request = NanoRequest(program: "/srv/jails/t/bin/prog")
        request.tree = tree
        #expect(throws: NanoError("`/srv/jails/t/bin/prog`: in the tree itself")) { try Planner.plan(request, files: host) }
        #expect(throws: NanoError("`/srv/none`: no such file or directory")) { try plan(host, with: ["/srv/none"]) }
    }

    @Test func librariesOfModulesAmongTheWithFilesComeToo() throws {
        var host = host()
        host.elf("/usr/lib/prog/modules/mod_ssl.so", ELFBuilder(needed: ["libssl.so.3"]))
        host.elf("\(lib)/libssl.so.3", ELFBuilder(needed: ["libc.so.6"]))
        var arm = ELFBuilder(needed: ["libarm.so"])
        arm.machine = 183
        host.elf("/usr/lib/prog/modules/mod_arm.so", arm)
        let p = try plan(host, with: ["/usr/lib/prog/modules"])
        #expect(p.entry("\(lib)/libssl.so.3")?.reason == "needed by /usr/lib/prog/modules/mod_ssl.so")
        #expect(p.notes == ["`/usr/lib/prog/modules/mod_arm.so`: for another machine: its libraries are not looked for"])
    }

    @Test func nsswitchConfBringsTheModulesOfServicesLibcLacks() throws {
        var host = host()
        host.text("/etc/nsswitch.conf", "passwd: files systemd\nhosts: files mdns4_minimal [NOTFOUND=return] dns\n")
        host.elf("\(lib)/libnss_systemd.so.2", ELFBuilder(needed: ["libcap.so.2"]))
        host.elf("\(lib)/libcap.so.2", ELFBuilder())
        host.elf("\(lib)/libnss_files.so.2", ELFBuilder())
        let p = try plan(host, with: ["/etc/nsswitch.conf"])
        #expect(p.entry("\(lib)/libnss_systemd.so.2")?.reason == "NSS module of \"systemd\" in /etc/nsswitch.conf")
        #expect(p.entry("\(lib)/libcap.so.2") != nil)
        // files and dns are built into libc: their stub modules stay out.
        #expect(p.entry("\(lib)/libnss_files.so.2") == nil)
        #expect(p.notes == ["libnss_mdns4_minimal.so.2 (\"mdns4_minimal\" in /etc/nsswitch.conf): not on this host, left out"])
        // Without nsswitch.conf, nothing unless asked; asked, it says what is missing.
        #expect(try plan(host).entry("\(lib)/libnss_systemd.so.2") == nil)
        #expect(throws: NanoError("--nss: no /etc/nsswitch.conf among the --with files (add --with /etc/nsswitch.conf)")) {
            try plan(host, nss: true)
        }
        #expect(try plan(host, with: ["/etc"], nss: true).entry("\(lib)/libnss_systemd.so.2") != nil)
    }

    @Test func pthreadCancelBringsLibgcc() throws {
        var host = host(imports: ["pthread_cancel"])
        host.elf("\(lib)/libgcc_s.so.1", ELFBuilder(needed: ["libc.so.6"], soname: "libgcc_s.so.1"))
        #expect(try plan(host).entry("\(lib)/libgcc_s.so.1")?.reason
            == "unwinds threads: /usr/sbin/prog imports pthread_cancel or pthread_exit")
        #expect(try self.host().files(plan: plan(self.host())).contains("\(lib)/libgcc_s.so.1") == false)
        var asked = self.host()
        asked.elf("\(lib)/libgcc_s.so.1", ELFBuilder(soname: "libgcc_s.so.1"))
        #expect(try plan(asked, libgcc: true).entry("\(lib)/libgcc_s.so.1")?.reason == "unwinds threads (--libgcc)")
        host.nodes["\(lib)/libgcc_s.so.1"] = nil
        #expect(try plan(host).notes == ["libgcc_s.so.1 is not on this host: pthread_cancel and pthread_exit will abort the program"])
        #expect(throws: NanoError("--libgcc: libgcc_s.so.1 not found")) { try plan(self.host(), libgcc: true) }
    }

    @Test func iconvBringsGlibcsGconvDirectoryFromTheStringInLibc() throws {
        var host = host(imports: ["iconv_open"])
        host.text("\(lib)/gconv/gconv-modules", "module EUC-JP// INTERNAL EUC-JP 1\n")
        host.elf("\(lib)/gconv/EUC-JP.so", ELFBuilder(needed: ["libJIS.so", "libc.so.6"], runpath: "$ORIGIN"))
        host.elf("\(lib)/gconv/libJIS.so", ELFBuilder())
        let p = try plan(host)
        let reason = "gconv modules: /usr/sbin/prog imports iconv_open"
        #expect(p.entry("\(lib)/gconv")?.reason == reason)
        #expect(p.entry("\(lib)/gconv/gconv-modules")?.reason == reason)
        #expect(p.entry("\(lib)/gconv/libJIS.so") != nil)
        #expect(try plan(self.host()).entry("\(lib)/gconv") == nil)
        var asked = self.host()
        asked.text("\(lib)/gconv/gconv-modules", "")
        #expect(try plan(asked, gconv: true).entry("\(lib)/gconv")?.reason == "gconv modules (--gconv)")
    }

    @Test func aGconvDirectoryOutsideLibcsStringIsFoundBesideLibc() throws {
        var host = host()
        var libc = ELFBuilder(soname: "libc.so.6", exports: ["_nss_files_getpwnam_r"])
        libc.needed = ["ld-linux-x86-64.so.2"]
        host.elf("\(lib)/libc.so.6", libc)
        host.text("\(lib)/gconv/gconv-modules", "")
        #expect(try plan(host, gconv: true).entry("\(lib)/gconv") != nil)
        host.nodes["\(lib)/gconv/gconv-modules"] = nil
        host.nodes["\(lib)/gconv"] = nil
        #expect(throws: NanoError("--gconv: glibc's gconv directory not found")) { try plan(host, gconv: true) }
    }

    /// The same host twice gives the same plan.
    @Test func planningIsRepeatable() throws {
        var host = host(imports: ["pthread_exit", "iconv_open"])
        host.elf("\(lib)/libgcc_s.so.1", ELFBuilder(soname: "libgcc_s.so.1"))
        host.text("\(lib)/gconv/gconv-modules", "")
        host.text("/etc/nsswitch.conf", "passwd: files\n")
        let a = try plan(host, with: ["/etc"]), b = try plan(host, with: ["/etc"])
        #expect(a.entries == b.entries && a.notes == b.notes)
    }
}

extension FakeFiles {
    func files(plan: TreePlan) -> [String] { plan.files }
}
