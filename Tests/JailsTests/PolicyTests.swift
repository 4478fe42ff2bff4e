import Glibc
@testable import JailCLI
@testable import JailSys
@testable import Jails
import Testing

/// A dictionary standing in for jail.conf / command-line parameters.
struct Params: JailParameterSource {
    var values: [String: String] = [:]
    init(_ v: [String: String]) { values = v }
    func string(_ n: String) -> String? { values[n] }
    func strings(_ n: String) -> [String] { values[n].map { [$0] } ?? [] }
    func bool(_ n: String) -> Bool? { values[n].map { $0 == "true" } }
    func int(_ n: String) -> Int? { values[n].flatMap { Int($0) } }
}

@Suite struct SeccompComplementTests {
    /// Every 32-bit value is matched by exactly one pattern when it is outside the set, by
    /// none when inside: checked on the neighbourhood of each value and on random ones.
    @Test(arguments: [[0x5412, 0x541C], [1, 2, 10], [0], [0xffff_ffff, 0, 8]] as [[UInt32]])
    func patternsCoverExactlyTheComplement(values: [UInt32]) {
        let patterns = Seccomp.complement(of: values)
        var probes: [UInt32] = values.flatMap { [$0 &- 1, $0, $0 &+ 1, $0 ^ 0x8000_0000] }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 { probes.append(UInt32.random(in: .min ... .max, using: &rng)) }
        for v in probes {
            let hits = patterns.filter { v & $0.0 == $0.1 }.count
            #expect(hits == (values.contains(v) ? 0 : 1), "value \(v)")
        }
    }

    @Test func compiledFilterIsCachedAndReused() throws {
        let dir = "/tmp/jail-seccomp-test-\(getpid())"
        defer { _ = system("rm -rf \(dir)") }
        let rules = Restrictions(JailSpec()).seccomp
        let first = try Seccomp.program(for: rules, cacheDirectory: .init(dir))
        let second = try Seccomp.program(for: rules, cacheDirectory: .init(dir))
        #expect(first.bytes == second.bytes)
        #expect(first.instructionCount > 10)
        var st = stat()
        #expect(stat(dir, &st) == 0 && st.st_mode & 0o077 == 0, "the cache must be private to root")
    }
}

@Suite struct RestrictionTests {
    @Test func defaultsDenyWhatFreeBSDDenies() {
        let r = Restrictions(JailSpec())
        #expect(!r.capabilities.contains(.sysAdmin))
        #expect(!r.capabilities.contains(.mknod))
        #expect(!r.capabilities.contains(.netRaw))
        #expect(r.capabilities.contains(.netBindService), "allow.reserved_ports is on by default")
        #expect(r.seccomp.contains(.deny("mount", errno: EPERM)))
        #expect(r.seccomp.contains(.deny("mlock", errno: EPERM)))
    }

    @Test func allowSuserOffLeavesRootPowerless() throws {
        let spec = try JailSpec(Params(["allow.suser": "false", "persist": "true"]))
        #expect(Restrictions(spec).capabilities.mask == 0)
    }

    @Test func eachAllowRelaxesItsOwnRule() throws {
        let spec = try JailSpec(Params(["allow.mlock": "true", "allow.chflags": "true", "persist": "true"]))
        let r = Restrictions(spec)
        #expect(r.capabilities.contains(.ipcLock) && r.capabilities.contains(.linuxImmutable))
        #expect(!r.seccomp.contains(.deny("mlock", errno: EPERM)))
        #expect(r.seccomp.contains(.deny("mount", errno: EPERM)))
    }
}

extension RestrictionTests {
    /// allow.raw_sockets on the host's stack: CAP_NET_RAW and every protocol, but SO_MARK
    /// (which CAP_NET_RAW also opens) stays refused; packet sockets too.
    @Test func rawSocketsOnTheSharedStack() throws {
        let spec = try JailSpec(Params(["allow.raw_sockets": "true", "ip4.addr": "192.0.2.1", "persist": "true"]))
        let r = Restrictions(spec)
        #expect(r.capabilities.contains(.netRaw) && !r.capabilities.contains(.netAdmin))
        let refusesMark = r.seccomp.contains(.denyValues("setsockopt", arg: 2, values: [36], errno: EPERM, when: .init(arg: 1, value: 1)))
        #expect(refusesMark)
        let closed = try JailSpec(Params(["ip4.addr": "192.0.2.1", "persist": "true"]))
        #expect(!Restrictions(closed).capabilities.contains(.netRaw))
        #expect(!Restrictions(closed).seccomp.contains { if case .denyValues("setsockopt", _, _, _, _, _) = $0 { true } else { false } })
    }
}

@Suite struct SpecTests {
    @Test func refusesWhatLinuxCannotGrantSafely() {
        #expect(throws: SpecError.self) { try JailSpec(Params(["allow.set_hostname": "true", "persist": "true"])) }
        #expect(throws: SpecError.self) { try JailSpec(Params(["sysvmsg": "new", "sysvshm": "inherit", "persist": "true"])) }
        #expect(throws: SpecError.self) { try JailSpec(Params(["host.hostname": "-bad", "persist": "true"])) }
    }

    @Test func documentedDefaults() throws {
        let s = try JailSpec(Params(["persist": "true"]))
        #expect(s.path == "/")
        #expect(s.sysvmsg == .new && s.sysvsem == .new && s.sysvshm == .new)
        #expect(s.mountDevfs && s.mountProcfs)
        #expect(s.ip4 == .disable && s.ip6 == .disable)
        let inherit = try JailSpec(Params(["allow.sysvipc": "true", "persist": "true"]))
        #expect(inherit.sysvmsg == .inherit)
    }
}

@Suite struct FilesystemPlanTests {
    @Test func pivotComesBeforeAnyMountInsideTheJail() throws {
        let steps = FilesystemPlan.steps(JailSpec(), root: "/srv/mini")
        let pivot = try #require(steps.firstIndex(of: .root(path: "/srv/mini", device: 0, inode: 0)))
        let proc = try #require(steps.firstIndex { if case .fsMount("/proc", "proc", _, _, _, _, _) = $0 { return true } else { return false } })
        // Every detach comes before the first mount of ours.
        let lastDetach = try #require(steps.lastIndex { if case .detach = $0 { return true } else { return false } })
        #expect(lastDetach < proc)
        #expect(pivot < proc)
    }

    @Test func ourStateIsHiddenOnlyWhenTheRootContainsIt() {
        let slash = FilesystemPlan.steps(JailSpec(), root: "/")
        #expect(slash.contains(.mask("/run/jail")))
        let mini = FilesystemPlan.steps(JailSpec(), root: "/srv/mini")
        #expect(!mini.contains(.mask("/run/jail")))
        #expect(FilesystemPlan.pathInside(root: "/run", hostPath: "/run/jail") == "/jail")
        #expect(FilesystemPlan.pathInside(root: "/runx", hostPath: "/run/jail") == nil)
    }

    @Test func noDevfsMeansNoDevMount() throws {
        let spec = try JailSpec(Params(["mount.devfs": "false", "persist": "true"]))
        let steps = FilesystemPlan.steps(spec, root: "/srv/mini")
        #expect(!steps.contains { if case .fsMount("/dev", _, _, _, _, _, _) = $0 { return true } else { return false } })
    }
}

@Suite struct UsersTests {
    let passwd = "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:\nbad line\n"

    @Test func findsByNameAndUID() throws {
        let u = try #require(Users.find("user", passwd: passwd))
        #expect(u.uid == 1000 && u.home == "/home/user" && u.shell == "/bin/sh")
        #expect(Users.find("0", passwd: passwd)?.name == "root")
        #expect(Users.find("ghost", passwd: passwd) == nil)
    }

    @Test func groupsIncludePrimaryAndMemberships() throws {
        let u = try #require(Users.find("user", passwd: passwd))
        #expect(Users.groups(of: u, group: "wheel:x:10:root,user\nstaff:x:50:other\n") == [1000, 10])
    }
}

@Suite struct GetoptTests {
    @Test func freeBSDStyle() throws {
        let g = try Getopt(["-rc", "-fFILE", "-u", "bob", "name=x", "-q"], spec: "cf:qru:", program: "jail")
        #expect(g.has("r") && g.has("c"))
        #expect(g.value("f") == "FILE" && g.value("u") == "bob")
        #expect(g.operands == ["name=x", "-q"], "options end at the first operand")
        #expect(throws: Getopt.Failure.self) { try Getopt(["-z"], spec: "c", program: "jail") }
        #expect(throws: Getopt.Failure.self) { try Getopt(["-f"], spec: "f:", program: "jail") }
    }
}
