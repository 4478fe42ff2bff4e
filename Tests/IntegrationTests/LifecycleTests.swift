import Glibc
import Testing

/// Issue 3 so far: persistent jails, jls, jexec, jail -r, names and jids.
extension Privileged {
@Suite struct LifecycleTests {
    let tree = TestTree.path

    func jls(_ args: String...) -> Run { run([Host.jailLink("jls")] + args) }
    func jexec(_ args: String..., input: String = "", environment: [String]? = nil) -> Run {
        run([Host.jailLink("jexec")] + args, input: input, environment: environment)
    }

    @Test func persistentJailIsListedAndRemovedByNameAndByJid() throws {
        let made = jail("-c", "name=lc-www", "path=\(tree)", "host.hostname=www.test", "persist")
        #expect(made.status == 0 && made.stdout == "lc-www: created\n", "\(made)")
        let jid = try #require(jidOf("lc-www"))
        let list = jls()
        #expect(list.stdout.hasPrefix("   JID  IP Address      Hostname                      Path\n"))
        let row = list.stdout.split(separator: "\n").first { $0.contains("www.test") }.map(String.init) ?? ""
        #expect(row == String(repeating: " ", count: 6 - jid.count) + jid + "  " + String(repeating: " ", count: 16)
                + "www.test" + String(repeating: " ", count: 22) + tree, "\(list)")
        #expect(jls("-j", "lc-www", "jid", "name", "host.hostname").stdout == "\(jid) lc-www www.test\n")
        #expect(jls("-j", jid, "name").stdout == "lc-www\n")
        #expect(jls("-n", "-j", "lc-www").stdout.contains(" name=lc-www "))
        #expect(jls("--libxo", "json", "-j", "lc-www").stdout.contains("{\"jid\":\(jid),"))
        let again = jail("-c", "name=lc-www", "path=\(tree)", "persist")
        #expect(again.status == 1 && again.stderr == "jail: \"lc-www\" already exists\n", "\(again)")
        let gone = jail("-r", jid)
        // jail(8) names the jail as the command line did (jail.c jail_note on j->name).
        #expect(gone.status == 0 && gone.stdout == "\(jid): removed\n", "\(gone)")
        #expect(!jls().stdout.contains("www.test"))
        let missing = jail("-r", "lc-www")
        #expect(missing.status == 1 && missing.stderr == "jail: \"lc-www\" not found\n")
    }

    @Test func jidsAreNotHandedStraightBack() throws {
        _ = jail("-c", "name=lc-first", "path=\(tree)", "persist")
        let first = try #require(jidOf("lc-first"))
        _ = jail("-r", "lc-first")
        _ = jail("-c", "name=lc-second", "path=\(tree)", "persist")
        let second = try #require(jidOf("lc-second"))
        #expect(first != second)
        _ = jail("-r", "lc-second")
        let explicit = jail("-c", "jid=4242", "path=\(tree)", "persist")
        #expect(explicit.status == 0, "\(explicit)")
        // Without a name, the name is the jid.
        #expect(jls("-j", "4242", "name").stdout == "4242\n")
        #expect(jail("-r", "4242").stdout == "4242: removed\n")
    }

    @Test func jexecJoinsTheJailAndItsRestrictions() {
        _ = jail("-c", "name=lc-ex", "path=\(tree)", "host.hostname=ex.test", "persist")
        defer { _ = jail("-r", "lc-ex") }
        let info = jexec("lc-ex", "/bin/probe", "info")
        #expect(info.status == 0, "\(info)")
        #expect(info["hostname"] == "ex.test")
        #expect(info["cwd"] == "/")
        #expect(info["fds"] == "")
        #expect(info["Seccomp"] == "2")
        // Its parent is outside the jail: invisible, hence 0.
        #expect(info["ppid"] == "0")
        let own = jail("-c", "path=\(tree)", "command=/bin/probe", "info")
        #expect(info["CapBnd"] == own["CapBnd"])
        let tries = jexec("lc-ex", "/bin/probe", "forbidden")
        for op in ["mount", "unshare_ns", "setns", "mknod_dev", "socket_inet", "bpf", "open_init_exe", "ptrace_init"] {
            #expect(tries[op] != "ok" && tries[op] != nil, "\(op) from jexec: \(tries[op] ?? "nothing")")
        }
        let pids = jexec("lc-ex", "/bin/probe", "pids")
        #expect((pids["list /proc"] ?? "").split(separator: ",").contains("1"), "the jail's init is pid 1: \(pids)")
    }

    @Test func jexecPassesExitStatusUsersAndEnvironment() {
        _ = jail("-c", "name=lc-st", "path=\(tree)", "persist")
        defer { _ = jail("-r", "lc-st") }
        #expect(jexec("lc-st", "/bin/sh", "-c", "exit 7").status == 7)
        #expect(jexec("lc-st", "/bin/sh", "-c", "kill -TERM $$").status == 128 + 15)
        let user = jexec("-U", "user", "lc-st", "/bin/probe", "info")
        #expect(user["uid"] == "1000" && user["CapEff"] == "0000000000000000", "\(user)")
        let clean = jexec("-l", "-U", "user", "lc-st", "/bin/probe", "info", environment: ["PROBE_ENV=x", "PATH=/bin"])
        #expect(clean["env PROBE_ENV"] == "" && clean["cwd"] == "/home/user" && clean["env HOME"] == "/home/user", "\(clean)")
        let dir = jexec("-d", "/tmp", "-e", "PROBE_ENV=set", "lc-st", "/bin/probe", "info")
        #expect(dir["cwd"] == "/tmp" && dir["env PROBE_ENV"] == "set", "\(dir)")
        // No command: the user's shell from the jail's passwd.
        let shell = jexec("lc-st", input: "echo from-the-shell\n")
        #expect(shell.stdout == "from-the-shell\n", "\(shell)")
        let gone = jexec("lc-nope", "/bin/true")
        #expect(gone.status == 1 && gone.stderr == "jexec: jail \"lc-nope\" not found\n", "\(gone)")
    }

    /// Membership is the cgroup's: a process that entered through jexec (its parent is
    /// outside) keeps a non-persistent jail alive after the jail's own processes are gone.
    @Test func aJexecProcessKeepsANonPersistentJailAlive() throws {
        let made = jail("-c", "name=lc-member", "path=\(tree)", "command=/bin/probe", "daemon", "1")
        #expect(made.status == 0, "\(made)")
        let entered = jexec("lc-member", "/bin/probe", "daemon", "3")
        #expect(entered.status == 0, "\(entered)")
        usleep(2_000_000)
        #expect(jls("-j", "lc-member", "name").stdout == "lc-member\n", "the jail ended while a jexec'd process lived")
        var waited = 0
        while jls("-j", "lc-member", "name").status == 0 && waited < 40 { usleep(100_000); waited += 1 }
        #expect(jls("-j", "lc-member", "name").status == 1, "the jail outlived its last process")
        #expect(jidOf("lc-member") == nil, "jls released the ended jail's record")
    }

    @Test func removingKillsEverythingAtOnce() {
        _ = jail("-c", "name=lc-kill", "path=\(tree)", "persist")
        for _ in 0..<3 { _ = jexec("lc-kill", "/bin/probe", "daemon", "100") }
        let r = jail("-r", "lc-kill")
        #expect(r.status == 0, "\(r)")
        #expect(leftovers().allSatisfy { !$0.hasSuffix("/" + (jidOf("lc-kill") ?? "none")) })
        #expect(jidOf("lc-kill") == nil)
    }
}
}

extension Host {
    /// jls and jexec are the jail binary called by another name.
    static func jailLink(_ name: String) -> String {
        let path = "/tmp/jail-test-bin-\(getpid())/\(name)"
        if !exists(path) {
            mkdir("/tmp/jail-test-bin-\(getpid())", 0o755)
            symlink(jailBinary, path)
        }
        return path
    }
}
