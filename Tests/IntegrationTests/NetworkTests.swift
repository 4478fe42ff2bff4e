import Glibc
import Testing

/// A process left running while the test goes on (a listener); its output is read at the end.
final class Background {
    let pid: pid_t
    private let out: Int32

    init(_ argv: [String], environment: [String]? = nil) {
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        var p: pid_t = 0
        let cargs = argv.map { strdup($0) } + [nil]
        let env = (environment ?? currentEnvironment()).map { strdup($0) } + [nil]
        posix_spawn(&p, argv[0], &actions, nil, cargs, env)
        posix_spawn_file_actions_destroy(&actions)
        close(fds[1])
        pid = p
        out = fds[0]
    }

    /// Waits for a line starting with `prefix` (up to 5 s); the output so far.
    @discardableResult
    func waitFor(_ prefix: String) -> String {
        var text = ""
        let deadline = time(nil) + 5
        while time(nil) < deadline {
            var pfd = pollfd(fd: out, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 200) == 1 else { continue }
            var buf = [UInt8](repeating: 0, count: 512)
            let n = read(out, &buf, 1)
            if n <= 0 { break }
            text += String(decoding: buf[0..<n], as: UTF8.self)
            if text.split(separator: "\n").contains(where: { $0.hasPrefix(prefix) }) && text.hasSuffix("\n") { break }
        }
        return text
    }

    /// Its remaining output once it exits (killed after 5 s).
    func finish() -> String {
        var text = ""
        var buf = [UInt8](repeating: 0, count: 4096)
        let deadline = time(nil) + 5
        while true {
            var pfd = pollfd(fd: out, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 200) == 1 {
                let n = read(out, &buf, buf.count)
                if n <= 0 { break }
                text += String(decoding: buf[0..<n], as: UTF8.self)
            } else if time(nil) >= deadline {
                // A jailed listener may outlive its jexec and hold the pipe: stop waiting.
                kill(pid, SIGKILL)
                if time(nil) >= deadline + 2 { break }
            }
        }
        close(out)
        var st: Int32 = 0
        waitpid(pid, &st, 0)
        return text
    }
}

/// Issue 5: jails on the host's network stack held to their addresses, and vnet jails —
/// proven from inside real jails. Addresses: loopback (127.0.1.x, the jails' own) and
/// TEST-NET on veth and bridge devices the tests make.
extension Privileged {
@Suite struct NetworkTests {
    let tree = TestTree.path
    var probe: String { tree + "/bin/probe" }

    func jexec(_ args: String...) -> Run { run([Host.jailLink("jexec")] + args) }
    func jailWords(_ words: [String], environment: [String]? = nil) -> Run { run([Host.jailBinary] + words, environment: environment) }

    func withJails(_ jails: [(String, [String])], _ body: () throws -> Void) rethrows {
        for (name, params) in jails {
            let made = jailWords(["-c", "name=\(name)", "path=\(tree)", "persist"] + params)
            #expect(made.status == 0, "\(made)")
        }
        defer { for (name, _) in jails { _ = jailWords(["-r", name]) } }
        try body()
    }

    @Test func bindsAreHeldToTheJailsAddresses() {
        withJails([("nt-bind", ["ip4.addr=127.0.1.1"]), ("nt-bind6", ["ip4.addr=127.0.1.3", "ip6.addr=::1"])]) {
            // The wildcard and loopback become the jail's address; any other address fails.
            #expect(jexec("nt-bind", "/bin/probe", "bind", "0.0.0.0", "28080", "tcp")["bind"] == "ok 127.0.1.1 28080")
            #expect(jexec("nt-bind", "/bin/probe", "bind", "127.0.0.1", "0", "udp")["bind"]?.hasPrefix("ok 127.0.1.1 ") == true)
            #expect(jexec("nt-bind", "/bin/probe", "bind", "198.51.100.1", "28080", "tcp")["bind"] == "EADDRNOTAVAIL")
            #expect(jexec("nt-bind", "/bin/probe", "bind", "127.0.1.2", "28080", "tcp")["bind"] == "ok 127.0.1.1 28080")
            #expect(jexec("nt-bind", "/bin/probe", "bind", "127.0.0.53", "53", "udp")["bind"] == "ok 127.0.1.1 53")
            // IPv4-mapped IPv6 takes the IPv4 rules; :: becomes the IPv6 primary.
            #expect(jexec("nt-bind6", "/bin/probe", "bind", "::ffff:127.0.0.1", "28080", "tcp")["bind"] == "ok ::ffff:127.0.1.3 28080")
            #expect(jexec("nt-bind6", "/bin/probe", "bind", "::ffff:198.51.100.1", "28080", "tcp")["bind"] == "EADDRNOTAVAIL")
            #expect(jexec("nt-bind6", "/bin/probe", "bind", "::", "28080", "tcp")["bind"] == "ok ::1 28080")
            // IPv6 where the jail has none: not even a socket.
            #expect(jexec("nt-bind", "/bin/probe", "bind", "::", "28080", "tcp")["bind"] == "EAFNOSUPPORT")
        }
    }

    @Test func twoJailsServeOnePortAndConnectFromTheirOwnAddress() {
        withJails([("nt-a", ["ip4.addr=127.0.1.1"]), ("nt-b", ["ip4.addr=127.0.1.2"])]) {
            let a = Background([Host.jailLink("jexec"), "nt-a", "/bin/probe", "listen", "0.0.0.0", "28080", "2"])
            let b = Background([Host.jailLink("jexec"), "nt-b", "/bin/probe", "listen", "0.0.0.0", "28080", "1"])
            #expect(a.waitFor("listen=").contains("listen=ok 127.0.1.1 28080"))
            #expect(b.waitFor("listen=").contains("listen=ok 127.0.1.2 28080"))
            // From the host, each at its own address.
            #expect(run([probe, "connect", "127.0.1.2", "28080"])["read"] == "hello")
            // From inside: the jail's localhost is itself, and its source address is its own.
            let inside = jexec("nt-a", "/bin/probe", "connect", "127.0.0.1", "28080")
            #expect(inside["connect"]?.hasPrefix("ok 127.0.1.1 ") == true, "\(inside)")
            #expect(inside["read"] == "hello")
            // TCP Fast Open goes through the same hook.
            let fast = jexec("nt-a", "/bin/probe", "connect", "127.0.1.1", "28080", "fastopen")
            #expect(fast["connect"]?.hasPrefix("ok 127.0.1.1 ") == true, "\(fast)")
            let served = a.finish() + b.finish()
            #expect(!served.contains("accept=ok 127.0.0.1 28080"))
            #expect(served.split(separator: "\n").filter { $0.hasPrefix("accept=ok 127.0.1.1 ") }.count == 2, "\(served)")
        }
    }

    @Test func theHostsLoopbackServicesAreOutOfReach() {
        let host = Background([probe, "listen", "127.0.0.1", "18081", "1"])
        #expect(host.waitFor("listen=").contains("listen=ok"))
        withJails([("nt-lo", ["ip4.addr=127.0.1.1"])]) {
            #expect(jexec("nt-lo", "/bin/probe", "connect", "127.0.0.1", "18081")["connect"] == "E111" /* ECONNREFUSED */)
        }
        _ = run([probe, "connect", "127.0.0.1", "18081"])
        _ = host.finish()
    }

    @Test func aUDPReplyReadsAsComingFromTheLoopbackAddressUsed() {
        withJails([("nt-udp", ["ip4.addr=127.0.1.1"])]) {
            let echo = Background([Host.jailLink("jexec"), "nt-udp", "/bin/probe", "udpecho", "0.0.0.0", "5353"])
            #expect(echo.waitFor("udpecho=").contains("udpecho=ok 127.0.1.1 5353"))
            let asked = jexec("nt-udp", "/bin/probe", "udp", "127.0.0.53", "5353")
            #expect(asked["udp"] == "ok reply-from 127.0.0.53 5353", "\(asked)")
            #expect(echo.finish().contains("from=127.0.1.1 "))
        }
    }

    @Test func snoopingAndReconfiguringTheHostsNetworkAreRefused() {
        withJails([("nt-deny", ["ip4.addr=127.0.1.1"])]) {
            let r = jexec("nt-deny", "/bin/probe", "sockets")
            #expect(r["raw"] == "EPROTONOSUPPORT" || r["raw"] == "EPERM", "\(r)")
            #expect(r["icmp"] == "EPROTONOSUPPORT")
            #expect(r["packet"] == "EAFNOSUPPORT")
            #expect(r["sock_diag"] == "EPROTONOSUPPORT")
            #expect(r["sctp"] == "EPROTONOSUPPORT")
            #expect(r["inet"] == "ok")
            #expect(jexec("nt-deny", "/bin/probe", "netlink_addr")["netlink_addr"] != "ok")
            let ip = jexec("nt-deny", "/bin/ip", "addr", "add", "192.0.2.99/32", "dev", "lo")
            #expect(ip.status != 0)
        }
    }

    /// allow.raw_sockets on the host's stack: raw sockets work, but what they send carries
    /// the jail's address and what they see is addressed to it (FreeBSD's rip_output and
    /// rip_input checks); packet sockets and SO_MARK stay closed.
    @Test func rawSocketsCannotSpoofOrSniff() {
        withJails([("nt-raw", ["ip4.addr=127.0.1.1", "allow.raw_sockets"])]) {
            let r = jexec("nt-raw", "/bin/probe", "sockets")
            // ICMP datagram sockets are not ours to refuse: net.ipv4.ping_group_range decides.
            #expect(r["raw"] == "ok" && r["icmp"] != "EPROTONOSUPPORT", "\(r)")
            #expect(r["packet"] == "EAFNOSUPPORT")
            #expect(r["sockpacket"] == "EAFNOSUPPORT", "AF_INET/SOCK_PACKET is a packet socket: \(r)")
            #expect(r["sock_diag"] == "EPROTONOSUPPORT")
            #expect(jexec("nt-raw", "/bin/probe", "rawsend", "127.0.1.1", "127.0.1.1")["rawsend"] == "ok")
            #expect(jexec("nt-raw", "/bin/probe", "rawsend", "127.0.1.9", "127.0.1.1")["rawsend"] == "EPERM")
            #expect(jexec("nt-raw", "/bin/probe", "rawsend", "127.0.0.1", "127.0.0.1")["rawsend"] == "EPERM")
            // From its own address to the host's loopback: what the address hooks keep TCP
            // and UDP from, a raw socket may not do either.
            #expect(jexec("nt-raw", "/bin/probe", "rawsend", "127.0.1.1", "127.0.0.1")["rawsend"] == "EPERM")
            #expect(jexec("nt-raw", "/bin/probe", "markmsg", "127.0.1.1", "9")["markmsg"] == "EPERM")
            #expect(jexec("nt-raw", "/bin/probe", "udp", "127.0.1.1", "9")["udp"] != nil)
            let marks = jexec("nt-raw", "/bin/probe", "mark")
            #expect(marks["mark"] == "EPERM" && marks["reuseaddr"] == "ok" && marks["nodelay"] == "ok", "\(marks)")
            // The host pings itself and the jail: the jail's raw socket sees only the latter.
            let sniffer = Background([Host.jailLink("jexec"), "nt-raw", "/bin/probe", "rawrecv", "1500"])
            #expect(sniffer.waitFor("rawrecv=").contains("rawrecv=ready"))
            #expect(run([probe, "rawsend", "127.0.0.1", "127.0.0.1"])["rawsend"] == "ok")
            #expect(run([probe, "rawsend", "127.0.0.1", "127.0.1.1"])["rawsend"] == "ok")
            let seen = sniffer.finish().split(separator: "\n").filter { $0.hasPrefix("seen=") }
            #expect(seen == ["seen=127.0.1.1"], "\(seen)")
        }
    }

    @Test func theHostsAbstractUnixSocketsAreOutOfReach() {
        let name = "jail-test-\(getpid())"
        let host = Background([probe, "abstractlisten", name])
        #expect(host.waitFor("abstractlisten=").contains("abstractlisten=ok"))
        withJails([("nt-abs", ["ip4.addr=127.0.1.1"])]) {
            #expect(jexec("nt-abs", "/bin/probe", "abstract", name)["abstract"] == "EPERM")
        }
        #expect(run([probe, "abstract", name])["abstract"] == "ok")
        #expect(host.finish().contains("abstractaccept=ok"))
    }

    @Test func theHostsSocketTablesAreClosed() throws {
        withJails([("nt-proc", ["ip4.addr=127.0.1.1"])]) {
            let refused = Host.exists("/run/jail/procnet-refused")
            let r = jexec("nt-proc", "/bin/probe", "read", "/proc/net/tcp")
            if refused {
                // This kernel refuses BPF LSM programs (docs/network.md): known, recorded.
                withKnownIssue("the kernel refuses BPF LSM programs: /proc/net stays the host's") {
                    #expect(r["/proc/net/tcp"] == "EACCES")
                }
            } else {
                #expect(r["/proc/net/tcp"] == "EACCES", "\(r)")
                #expect(jexec("nt-proc", "/bin/probe", "read", "/proc/net/dev")["/proc/net/dev"] == "ok")
            }
        }
    }

    @Test func aliasesAreAddedToTheInterfaceAndRemovedWithTheJail() {
        _ = run(["/sbin/ip", "link", "add", "jtv0a", "type", "veth", "peer", "name", "jtv0b"])
        defer { _ = run(["/sbin/ip", "link", "del", "jtv0a"]) }
        func shown() -> String { run(["/sbin/ip", "-br", "addr", "show", "dev", "jtv0a"]).stdout }
        withJails([("nt-alias", ["ip4.addr=jtv0a|198.51.100.7/24"])]) {
            #expect(shown().contains("198.51.100.7/24"))
        }
        #expect(!shown().contains("198.51.100.7"))
        // An address already there is shared, and stays after the jail.
        _ = run(["/sbin/ip", "addr", "add", "198.51.100.8/24", "dev", "jtv0a"])
        withJails([("nt-alias2", ["interface=jtv0a", "ip4.addr=198.51.100.8"])]) {}
        #expect(shown().contains("198.51.100.8/24"))
    }

    /// jail -m changes a running jail's addresses: binds follow at once, an alias moves
    /// with its address, and jls shows what is in force.
    @Test func aRunningJailsAddressesChange() {
        _ = run(["/sbin/ip", "link", "add", "jtv1a", "type", "veth", "peer", "name", "jtv1b"])
        defer { _ = run(["/sbin/ip", "link", "del", "jtv1a"]) }
        func shown() -> String { run(["/sbin/ip", "-br", "addr", "show", "dev", "jtv1a"]).stdout }
        withJails([("nt-mod", ["ip4.addr=127.0.1.1,jtv1a|198.51.100.9/24"])]) {
            #expect(shown().contains("198.51.100.9/24"))
            let m = jailWords(["-m", "name=nt-mod", "ip4.addr=127.0.1.4"])
            #expect(m.status == 0, "\(m)")
            #expect(jexec("nt-mod", "/bin/probe", "bind", "0.0.0.0", "0", "tcp")["bind"]?.hasPrefix("ok 127.0.1.4 ") == true)
            #expect(jexec("nt-mod", "/bin/probe", "bind", "198.51.100.9", "0", "tcp")["bind"] == "EADDRNOTAVAIL")
            #expect(!shown().contains("198.51.100.9"))
            // += adds to the list; the alias comes with its address.
            #expect(jailWords(["-m", "name=nt-mod", "ip4.addr+=jtv1a|198.51.100.10/24"]).status == 0)
            #expect(shown().contains("198.51.100.10/24"))
            #expect(jexec("nt-mod", "/bin/probe", "bind", "198.51.100.10", "0", "udp")["bind"]?.hasPrefix("ok 198.51.100.10 ") == true)
            #expect(run([Host.jailLink("jls"), "-j", "nt-mod", "ip4.addr", "ip6", "ip4"]).stdout
                    == "127.0.1.4,198.51.100.10 disable new\n")
            // Which families exist was fixed by the jail's seccomp filter at creation.
            let r = jailWords(["-m", "name=nt-mod", "ip6.addr=::1"])
            #expect(r.status == 1 && r.stderr.contains("cannot be changed after creation"), "\(r)")
            #expect(jexec("nt-mod", "/bin/probe", "bind", "::", "0", "tcp")["bind"] == "EAFNOSUPPORT")
        }
        #expect(!shown().contains("198.51.100.10"))
        // A vnet jail's addresses are its own business.
        withJails([("nt-modv", ["vnet"])]) {
            let r = jailWords(["-m", "name=nt-modv", "ip4.addr=127.0.1.4"])
            #expect(r.status == 1 && r.stderr.contains("vnet"), "\(r)")
        }
    }

    /// ip_hostname (and jail -h): host.hostname's addresses become the jail's, shown by jls.
    @Test func ipHostnameTakesTheNamesAddresses() {
        // ip6=new too: /etc/hosts may or may not give localhost an IPv6 address.
        withJails([("nt-hn", ["host.hostname=localhost", "ip4=new", "ip6=new", "ip_hostname"])]) {
            #expect(jexec("nt-hn", "/bin/probe", "bind", "0.0.0.0", "0", "tcp")["bind"]?.hasPrefix("ok 127.0.0.1 ") == true)
            #expect(jexec("nt-hn", "/bin/probe", "bind", "127.0.1.1", "0", "tcp")["bind"]?.hasPrefix("ok 127.0.0.1 ") == true)
            #expect(jexec("nt-hn", "/bin/probe", "bind", "198.51.100.1", "0", "tcp")["bind"] == "EADDRNOTAVAIL")
            let list = run([Host.jailLink("jls"), "-j", "nt-hn"]).stdout
            #expect(list.contains("127.0.0.1"), "\(list)")
            #expect(run([Host.jailLink("jls"), "-j", "nt-hn", "ip4.addr"]).stdout == "127.0.0.1\n")
        }
        let r = jailWords(["-c", "-h", "name=nt-hn2", "path=\(tree)", "host.hostname=localhost", "ip4=new", "command=/bin/probe", "bind", "0.0.0.0", "0", "tcp"])
        #expect(r["bind"]?.hasPrefix("ok 127.0.0.1 ") == true, "\(r)")
    }

    @Test func badNetworkParametersFailCleanly() {
        let before = run([Host.jailLink("jls"), "-N"]).stdout
        let cases: [([String], String)] = [
            (["ip4.addr=300.1.1.1"], "not an IPv4 address"),
            (["ip4.addr=192.0.2.1/24"], "a netmask needs an interface"),
            (["ip4.addr=nosuchif0|192.0.2.1/24"], "nosuchif0: no such interface"),
            (["vnet", "vnet.interface=nosuchif0"], "vnet.interface nosuchif0: no such device"),
            (["vnet", "vnet.bridge=nosuchbr0|192.0.2.5/24"], "vnet.bridge nosuchbr0: no such interface"),
            (["ip4.addr=127.0.1.1", "ip6=inherit"], "ip6=inherit with ip4=new"),
        ]
        for (params, message) in cases {
            let r = jailWords(["-c", "name=nt-bad", "path=\(tree)", "persist"] + params)
            #expect(r.status == 1 && r.stderr.contains(message), "\(params): \(r)")
        }
        // Two jails may share an address only when each has no other (FreeBSD's rule).
        withJails([("nt-two", ["ip4.addr=127.0.1.1,127.0.1.5"])]) {
            let r = jailWords(["-c", "name=nt-bad", "path=\(tree)", "persist", "ip4.addr=127.0.1.1"])
            #expect(r.status == 1 && r.stderr.contains("already used by jail nt-two"), "\(r)")
        }
        withJails([("nt-one", ["ip4.addr=127.0.1.6"]), ("nt-one2", ["ip4.addr=127.0.1.6"])]) {}
        #expect(run([Host.jailLink("jls"), "-N"]).stdout == before)
    }

    /// The Handbook's VNET recipe (Tests/Fixtures/handbook-vnet.conf) reaches a test host
    /// in another namespace through a bridge; the test host is a vnet jail made with the
    /// vnet.bridge shortcut. Inside, root configures its own stack and only that.
    @Test func theHandbookVNETRecipeWorksLineForLine() throws {
        _ = run(["/sbin/ip", "link", "add", "jailbr0", "type", "bridge"])
        _ = run(["/sbin/ip", "link", "set", "jailbr0", "up"])
        defer { _ = run(["/sbin/ip", "link", "del", "jailbr0"]) }
        let conf = TestTree.sourceRoot + "/Tests/Fixtures/handbook-vnet.conf"
        let dir = String(Host.jailBinary[..<(Host.jailBinary.lastIndex(of: "/") ?? Host.jailBinary.startIndex)])
        let env = currentEnvironment().filter { !$0.hasPrefix("PATH=") } + ["PATH=\(dir):/usr/sbin:/usr/bin:/sbin:/bin"]
        var veth = "vj?"
        withJails([("nt-testhost", ["vnet", "vnet.bridge=jailbr0|192.0.2.1/24"])]) {
            veth = "vj" + run([Host.jailLink("jls"), "-j", "nt-testhost", "jid"]).stdout.filter(\.isNumber)
            let made = jailWords(["-f", conf, "-c", "vnet154"], environment: env)
            #expect(made.status == 0, "\(made)")
            defer {
                let removed = jailWords(["-f", conf, "-r", "vnet154"], environment: env)
                #expect(removed.status == 0, "\(removed)")
                #expect(run(["/sbin/ip", "link", "show", "epair154a"]).status != 0, "the epair outlived the jail")
            }
            let server = Background([Host.jailLink("jexec"), "nt-testhost", "/bin/probe", "listen", "192.0.2.1", "9090", "1"])
            #expect(server.waitFor("listen=").contains("listen=ok 192.0.2.1 9090"))
            let r = jexec("vnet154", "/bin/probe", "connect", "192.0.2.1", "9090")
            #expect(r["connect"]?.hasPrefix("ok 192.0.2.154 ") == true, "\(r)")
            #expect(r["read"] == "hello")
            #expect(server.finish().contains("accept=ok 192.0.2.154 "))
            // Its own stack is its to change (addresses, links) — the host's is untouched.
            #expect(jexec("vnet154", "/bin/ip", "addr", "add", "203.0.113.9/32", "dev", "lo").status == 0)
            #expect(!run(["/sbin/ip", "-br", "addr"]).stdout.contains("203.0.113.9"))
            #expect(jexec("vnet154", "/bin/ip", "link", "add", "jx0", "type", "bridge").status == 0)
            #expect(run(["/sbin/ip", "link", "show", "jx0"]).status != 0)
        }
        #expect(run(["/sbin/ip", "link", "show", veth]).status != 0, "a vnet.bridge veth outlived its jail")
    }
}
}
