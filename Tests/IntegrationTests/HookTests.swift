import Glibc
import Testing

/// FreeBSD's usr.sbin/jail/tests/jail_basic_test.sh, in our words: hooks with the JID,
/// JNAME and JPATH environment, a jid and a name both set in a file, a jid-named jail
/// whose ${name} is the jid, exec.poststop seeing $JID; plus -m, -cm, -rc and -C.
extension Privileged {
@Suite struct HookTests {
    let tree = TestTree.path

    func conf(_ text: String) -> String {
        let path = "/tmp/jail-test-conf-\(getpid())-\(UInt32.random(in: 0 ... .max)).conf"
        Host.write(path, text)
        return path
    }

    func jls(_ args: String...) -> Run { run([Host.jailLink("jls")] + args) }

    @Test func hooksSeeTheJailInTheirEnvironment() throws {
        let file = conf("""
            exec.prestart = "echo START";
            exec.poststart = "env";
            exec.prestop = "echo STOP";
            persist;
            basejail {
            }
            path = "\(tree)";
            """)
        let created = jail("-f", file, "-qc", "basejail")
        #expect(created.status == 0, "\(created)")
        let lines = created.stdout.split(separator: "\n")
        #expect(lines.contains("START"))
        #expect(lines.contains { $0.hasPrefix("JID=") && Int($0.dropFirst(4)) != nil })
        #expect(lines.contains("JNAME=basejail"))
        #expect(lines.contains("JPATH=\(tree)"))
        let byName = jail("-f", file, "-qr", "basejail")
        #expect(byName.status == 0 && byName.stdout == "STOP\n", "\(byName)")
        _ = jail("-f", file, "-qc", "basejail")
        let jid = try #require(jidOf("basejail"))
        let byJid = jail("-f", file, "-qr", jid)
        #expect(byJid.status == 0 && byJid.stdout == "STOP\n", "\(byJid)")
    }

    @Test func aJidAndANameBothSetInAFile() {
        let file = conf("5309 { name = basejail; persist; path = \"\(tree)\"; }")
        let c = jail("-f", file, "-c", "5309")
        #expect(c.stdout == "5309: created\n", "\(c)")
        #expect(jls("-j", "5309", "name").stdout == "basejail\n")
        #expect(jail("-f", file, "-r", "5309").stdout == "5309: removed\n")

        let named = conf("5309 { host.hostname = \"${name}\"; persist; path = \"\(tree)\"; }")
        #expect(jail("-f", named, "-c", "5309").stdout == "5309: created\n")
        #expect(jls("-j", "5309", "host.hostname").stdout == "5309\n", "${name} of a jid-named jail is the jid")
        #expect(jail("-f", named, "-r", "5309").stdout == "5309: removed\n")

        let byName = conf("basejail { jid = 5309; persist; path = \"\(tree)\"; }")
        #expect(jail("-f", byName, "-c", "basejail").stdout == "basejail: created\n")
        #expect(jls("-j", "basejail", "jid").stdout == "5309\n")
        #expect(jail("-f", byName, "-r", "basejail").stdout == "basejail: removed\n")
    }

    @Test func poststopSeesTheJid() throws {
        let file = conf("basejail { path = \"\(tree)\"; exec.poststop = 'echo JID=$JID'; persist; }")
        _ = jail("-f", file, "-c", "basejail")
        let jid = try #require(jidOf("basejail"))
        let r = jail("-f", file, "-r", "basejail")
        #expect(r.stdout.contains("JID=\(jid)"), "\(r)")
        let plain = jail("-c", "path=\(tree)", "exec.poststart=true", "command=/bin/true")
        #expect(plain.status == 0, "\(plain)")
    }

    @Test func theWholeStartAndStopOrder() {
        let log = "/tmp/jail-test-order-\(getpid())"
        let file = conf("""
            ordered {
                path = "\(tree)";
                exec.prepare = "echo prepare >> \(log)";
                exec.prestart = "echo prestart >> \(log)";
                exec.created = "echo created >> \(log)";
                exec.start = "/bin/probe daemon 30";
                exec.poststart = "echo poststart >> \(log)";
                exec.prestop = "echo prestop >> \(log)";
                exec.stop = "/bin/echo stop-inside";
                exec.poststop = "echo poststop >> \(log)";
                exec.release = "echo release >> \(log)";
                stop.timeout = 1;
            }
            """)
        defer { unlink(log) }
        let c = jail("-f", file, "-c", "ordered")
        #expect(c.status == 0, "\(c)")
        // exec.start's daemon keeps the jail alive although it does not persist.
        #expect(jls("-j", "ordered", "name").stdout == "ordered\n")
        let r = jail("-f", file, "-r", "ordered")
        #expect(r.stdout == "stop-inside\nordered: removed\n", "\(r)")
        let order = (try? Host.read(log)) ?? ""
        #expect(order == "prepare\nprestart\ncreated\npoststart\nprestop\npoststop\nrelease\n")
    }

    @Test func aFailingHookUndoesTheCreation() {
        let before = leftovers()
        let log = "/tmp/jail-test-undo-\(getpid())"
        defer { unlink(log) }
        let r = jail("-c", "name=hk-fail", "path=\(tree)", "persist", "exec.prepare=echo prepare >> \(log)",
                     "exec.release=echo release >> \(log)", "exec.created=false")
        #expect(r.status == 1)
        #expect(r.stderr.contains("hk-fail: false: failed"), "\(r)")
        #expect((try? Host.read(log)) == "prepare\nrelease\n")
        #expect(leftovers() == before)
        let slow = jail("-c", "name=hk-slow", "path=\(tree)", "persist", "exec.timeout=1", "exec.prestart=sleep 5")
        #expect(slow.status == 1 && slow.stderr.contains("timed out"), "\(slow)")
        #expect(leftovers() == before)
    }

    @Test func modifyChangesWhatLinuxCanAndRefusesTheRest() {
        _ = jail("-c", "name=hk-mod", "path=\(tree)", "host.hostname=one.test", "persist")
        defer { _ = jail("-r", "hk-mod") }
        let m = jail("-m", "name=hk-mod", "host.hostname=two.test")
        #expect(m.status == 0 && m.stdout == "hk-mod: updated\n", "\(m)")
        let inside = run([Host.jailLink("jexec"), "hk-mod", "/bin/probe", "info"])
        #expect(inside["hostname"] == "two.test")
        let refused = jail("-m", "name=hk-mod", "path=/")
        #expect(refused.status == 1 && refused.stderr == "jail: hk-mod: path cannot be changed after creation\n", "\(refused)")
        let restarted = jail("-mr", "name=hk-mod", "allow.mlock")
        #expect(restarted.status == 0, "\(restarted)")
        let mlock = run([Host.jailLink("jexec"), "hk-mod", "/bin/probe", "forbidden"])
        #expect(mlock["mlock"] == "ok")
        #expect(jail("-cm", "name=hk-mod", "host.hostname=three.test").stdout == "hk-mod: updated\n")
        #expect(jail("-cm", "name=hk-new", "path=\(tree)", "persist").stdout == "hk-new: created\n")
        _ = jail("-r", "hk-new")
        // nopersist: a jail with no process left ends.
        _ = jail("-m", "name=hk-mod", "nopersist")
        var waited = 0
        while jls("-j", "hk-mod", "name").status == 0 && waited < 20 { usleep(50_000); waited += 1 }
        #expect(jls("-j", "hk-mod", "name").status == 1)
    }

    @Test func configurationJailsInDependencyOrder() {
        let file = conf("""
            path = "\(tree)";
            persist;
            hk-db { }
            hk-www { depend = hk-db; host.hostname = "$name.test"; }
            """)
        let c = jail("-f", file, "-c", "hk-www")
        #expect(c.stdout == "hk-db: created\nhk-www: created\n", "dependencies first: \(c)")
        #expect(jls("-j", "hk-www", "host.hostname").stdout == "hk-www.test\n")
        // Named in any order (not '*': that would remove every jail on the host).
        let r = jail("-f", file, "-r", "hk-db", "hk-www")
        #expect(r.stdout == "hk-www: removed\nhk-db: removed\n", "dependents first: \(r)")
        let both = jail("-f", file, "-c", "hk-db", "hk-www")
        #expect(both.status == 0 && both.stdout == "hk-db: created\nhk-www: created\n", "\(both)")
        _ = jail("-f", file, "-r", "hk-www", "hk-db")
        let shown = jail("-f", file, "-e", ",")
        #expect(shown.status == 0 && shown.stdout.split(separator: "\n").count == 2, "\(shown)")
        #expect(shown.stdout.contains("name=hk-db"), "\(shown)")
        let bad = conf("hk-bad { alow.raw_sockets; }")
        let e = jail("-f", bad, "-c", "hk-bad")
        #expect(e.status == 1 && e.stderr.contains("line 1") && e.stderr.contains("did you mean allow.raw_sockets"), "\(e)")
    }

    @Test func consoleLogReceivesTheCommandsOutput() {
        let log = "/tmp/jail-test-consolelog-\(getpid())"
        defer { unlink(log) }
        let c = jail("-c", "name=hk-log", "path=\(tree)", "persist", "exec.consolelog=\(log)",
                     "exec.prestart=echo host-side", "exec.start=/bin/echo inside")
        #expect(c.status == 0 && c.stdout == "hk-log: created\n", "\(c)")
        #expect((try? Host.read(log)) == "host-side\ninside\n")
        _ = jail("-r", "hk-log")
    }

    /// On the caller's terminal, a command gets a pty of the jail's own devpts in a
    /// session of its own: the jail never holds the caller's terminal.
    @Test func aTerminalCommandGetsItsOwnPty() {
        _ = jail("-c", "name=hk-pty", "path=\(tree)", "persist")
        defer { _ = jail("-r", "hk-pty") }
        let r = run(["/usr/bin/script", "-qec", "\(Host.jailLink("jexec")) hk-pty /bin/probe info", "/dev/null"])
        #expect(r.stdout.contains("tty=/dev/pts/0"), "\(r)")
        #expect(r.stdout.contains("sid_is_self=1"), "\(r)")
        let direct = run(["/usr/bin/script", "-qec", "\(Host.jailBinary) -c path=\(tree) command=/bin/probe info", "/dev/null"])
        #expect(direct.stdout.contains("tty=/dev/pts/0"), "\(direct)")
        // Jailed root replaces /dev/ptmx with a link to a host device: the host opens no
        // such thing, and the command still gets a pty (the host's) in a session of its own.
        _ = run([Host.jailLink("jexec"), "hk-pty", "/bin/sh", "-c", "rm /dev/ptmx; ln -s /dev/watchdog /dev/ptmx"])
        let tampered = run(["/usr/bin/script", "-qec", "\(Host.jailLink("jexec")) hk-pty /bin/probe info", "/dev/null"])
        #expect(tampered.stdout.contains("sid_is_self=1"), "\(tampered)")
    }

    /// jls -s prints what jail -c takes back (jls(8)).
    @Test func jlsSFeedsBackIntoJailC() {
        _ = jail("-c", "name=hk-s", "path=\(tree)", "host.hostname=s.test", "allow.mlock", "persist")
        let words = jls("-s", "-j", "hk-s").stdout.split(separator: " ").map { String($0).trimmingCharacters() }
        _ = jail("-r", "hk-s")
        let again = run([Host.jailBinary, "-c"] + words.map { $0.replacingQuotes() })
        #expect(again.status == 0 && again.stderr.isEmpty, "\(again)")
        #expect(jls("-j", "hk-s", "host.hostname", "allow.mlock").stdout == "s.test true\n")
        _ = jail("-r", "hk-s")
    }

    @Test func restartRecreatesTheJail() throws {
        _ = jail("-c", "name=hk-rc", "path=\(tree)", "persist")
        let first = try #require(jidOf("hk-rc"))
        let r = jail("-rc", "name=hk-rc", "path=\(tree)", "persist")
        #expect(r.stdout == "hk-rc: removed\nhk-rc: created\n", "\(r)")
        #expect(jidOf("hk-rc") != first)
        _ = jail("-r", "hk-rc")
    }
}
}

extension String {
    func trimmingCharacters() -> String { String(self.filter { $0 != "\n" }) }
    /// A jls -q value as the shell would hand it over: outer quotes removed.
    func replacingQuotes() -> String {
        guard let eq = firstIndex(of: "=") else { return self }
        var value = self[index(after: eq)...]
        if let f = value.first, f == "\"" || f == "'", value.last == f, value.count >= 2 { value = value.dropFirst().dropLast() }
        return String(self[...eq]) + value
    }
}
