import Glibc
import Testing

/// Issue 8: a whole Debian as a jail — its own systemd up to multi-user, sshd at the jail's
/// address, a password set from the host, dpkg inside, stop and restart — driven by
/// `jail create/start/stop/restart/passwd/destroy`. Slow (a Debian tree, bootstrapped once
/// and cached): JAIL_SKIP_SLOW=1 skips it.
extension Privileged {
@Suite(.enabled(if: DebianTree.enabled, "JAIL_SKIP_SLOW=1"))
struct FullJailTests {
    let etc = "/var/tmp/jail-test-etc"
    let address = "127.0.1.110"
    var environment: [String] { currentEnvironment() + ["JAIL_CONF_DIR=\(etc)"] }
    func jailRun(_ words: String..., input: String = "") -> Run {
        run([Host.jailBinary] + words, input: input, environment: environment)
    }
    func jexec(_ args: String..., input: String = "") -> Run {
        run([Host.jailLink("jexec")] + args, input: input, environment: environment)
    }

    /// Seconds until the jail's sshd greets at its address (nil: not within `limit`).
    func sshBanner(within limit: Double) -> Double? {
        var start = timespec(), now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        repeat {
            let r = run([TestTree.path + "/bin/probe", "connect", address, "22"])
            if r["read"]?.hasPrefix("SSH-2.0") == true {
                clock_gettime(CLOCK_MONOTONIC, &now)
                return Double(now.tv_sec - start.tv_sec) + Double(now.tv_nsec - start.tv_nsec) / 1e9
            }
            usleep(100_000)
            clock_gettime(CLOCK_MONOTONIC, &now)
        } while Double(now.tv_sec - start.tv_sec) < limit
        return nil
    }

    @Test func aDebianJailBootsServesSSHAndIsFixedFromTheHost() throws {
        let base = try DebianTree.make()
        _ = run(["/bin/rm", "-rf", etc, "/var/tmp/jail-test-fj"])
        mkdir(etc, 0o755)
        // A thin jail on the cached tree: its own layer holds what it changes.
        let made = jailRun("create", "fj", "--from", base, "--thin", "path=/var/tmp/jail-test-fj", "ip4.addr=\(address)")
        try #require(made.status == 0, "\(made)")
        #expect(try Host.read(etc + "/jail.conf.d/fj.conf").contains("init = \"/sbin/init\";"))
        defer {
            _ = jailRun("stop", "fj")
            _ = jailRun("destroy", "fj")
        }
        let started = jailRun("start", "fj")
        try #require(started.status == 0, "\(started)")
        let booted = sshBanner(within: 30)
        #expect(booted != nil, "sshd did not answer at \(address):22")
        #expect(jailRun("start", "fj").stderr.contains("already running"))

        // Its own systemd, its own process list.
        let state = jexec("fj", "/usr/bin/timeout", "60", "/bin/systemctl", "is-system-running", "--wait").stdout
        #expect(state == "running\n", "systemd: \(state); failed units: \(jexec("fj", "/bin/systemctl", "--failed", "--no-pager").stdout)")
        let ps = jexec("fj", "/bin/ps", "-e", "-o", "pid=,comm=").stdout
        #expect(ps.contains(" 1 systemd") || ps.contains("1 systemd"), "\(ps)")
        #expect(!ps.contains("xctest") && !ps.contains("swift-test"))
        // The host sees its services too, in the cgroups systemd made for them.
        #expect(jailRun("ps", "fj").stdout.contains("sshd"))

        // Its cgroup tree is its own: a process that keeps host pids in view may not enter in place.
        let inPlace = run([String(Host.jailBinary.dropLast("jail".count)) + "selfjail-probe", "attach", "0", "fj"], environment: environment)
        #expect(inPlace["enter"]?.contains("boots its own init") == true && inPlace["host_root"] == "yes", "\(inPlace)")

        // The console: a root login inside, on a terminal (script(1) gives us one).
        let console = run(["/usr/bin/timeout", "30", "/usr/bin/script", "-qfc", "\(Host.jailBinary) console fj", "/dev/null"],
                          input: "echo CONSOLE-$(id -un)-$(hostname)\nexit\n", environment: environment)
        #expect(console.stdout.contains("CONSOLE-root-fj"), "\(console)")

        // A user and a password set from the host; a login over ssh with it.
        #expect(jexec("fj", "/usr/sbin/useradd", "-m", "-s", "/bin/bash", "alice").status == 0)
        let pw = jailRun("passwd", "fj", "alice", input: "s3cret-Pw\n")
        #expect(pw.status == 0, "\(pw)")
        let nobody = jailRun("passwd", "fj", "nosuchuser", input: "x\n")
        #expect(nobody.status == 1 && nobody.stderr.contains("no user \"nosuchuser\" in jail fj"), "\(nobody)")
        let login = run(["/usr/bin/timeout", "60", "/usr/bin/sshpass", "-p", "s3cret-Pw", "/usr/bin/ssh", "-o", "ConnectTimeout=10",
                         "-o", "StrictHostKeyChecking=no",
                         "-o", "UserKnownHostsFile=/dev/null", "-o", "PubkeyAuthentication=no", "-o", "LogLevel=ERROR",
                         "alice@\(address)", "id -un; hostname; cat /proc/self/loginuid"])
        #expect(login.stdout.split(separator: "\n").prefix(2) == ["alice", "fj"], "\(login)")

        // dpkg inside, from a package the host built and lent read-only.
        let debs = "/var/tmp/jail-test-debs"
        _ = run(["/bin/rm", "-rf", debs])
        for d in ["", "/pkg", "/pkg/DEBIAN", "/pkg/usr", "/pkg/usr/share", "/pkg/usr/share/jail-test"] { mkdir(debs + d, 0o755) }
        Host.write(debs + "/pkg/DEBIAN/control", "Package: jail-test-hello\nVersion: 1.0\nArchitecture: all\nMaintainer: Jails <jails@example.org>\nDescription: a test package\n")
        Host.write(debs + "/pkg/usr/share/jail-test/hello", "hello from a package\n")
        #expect(run(["/usr/bin/dpkg-deb", "--build", debs + "/pkg", debs + "/hello.deb"]).status == 0)
        #expect(jailRun("mount", "fj", debs, "/mnt", "ro").status == 0)
        let installed = jexec("fj", "/usr/bin/dpkg", "-i", "/mnt/hello.deb")
        #expect(installed.status == 0, "\(installed)")
        #expect(jexec("fj", "/bin/cat", "/usr/share/jail-test/hello").stdout == "hello from a package\n")
        #expect(jailRun("umount", "fj", "/mnt").status == 0)

        // Jailed root plants a symlink where the password file was: the host's file of
        // that name is never written (the password tool runs inside, on the jail's tree).
        let canary = "/var/tmp/jail-test-canary"
        Host.write(canary, "host file\n")
        #expect(jexec("fj", "/bin/sh", "-c", "cp /etc/shadow /root/shadow.saved && ln -sf \(canary) /etc/shadow").status == 0)
        _ = jailRun("passwd", "fj", "alice", input: "other\n")
        #expect(try Host.read(canary) == "host file\n")
        _ = jexec("fj", "/bin/sh", "-c", "rm /etc/shadow && cp /root/shadow.saved /etc/shadow")

        // Stopped by its own init's halt, within stop.timeout; restarted.
        var t0 = timespec(), t1 = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t0)
        let stopped = jailRun("stop", "fj")
        clock_gettime(CLOCK_MONOTONIC, &t1)
        #expect(stopped.status == 0, "\(stopped)")
        #expect(t1.tv_sec - t0.tv_sec < 10, "the halt took the whole stop.timeout")
        #expect(!run([Host.jailLink("jls"), "-N"]).stdout.contains(" fj "))
        #expect(jailRun("restart", "fj").status == 0)
        #expect(sshBanner(within: 30) != nil)
        #expect(jexec("fj", "/bin/cat", "/usr/share/jail-test/hello").stdout == "hello from a package\n")
        #expect(jailRun("stop", "fj").status == 0)
        #expect(jailRun("destroy", "fj").status == 0)
        #expect(!Host.exists("/var/tmp/jail-test-fj") && !Host.exists(etc + "/jail.conf.d/fj.conf"))
    }

    /// jail@NAME.service after the units of the jails NAME depends on.
    @Test func theSystemdGeneratorOrdersJailsByDepend() throws {
        let dir = "/var/tmp/jail-test-gen"
        _ = run(["/bin/rm", "-rf", etc, dir])
        mkdir(etc, 0o755)
        mkdir(etc + "/jail.conf.d", 0o755)
        mkdir(dir, 0o755)
        Host.write(etc + "/jail.conf", "db { path = /; persist; }\nweb { path = /; persist; depend = db; }\n")
        Host.write(etc + "/jail.conf.d/app.conf", "app { path = /; persist; depend = web, db; }\n")
        #expect(jailRun("systemd-generator", dir).status == 0)
        #expect(try Host.read(dir + "/jail@web.service.d/50-depend.conf").contains("After=jail@db.service\nRequires=jail@db.service"))
        #expect(try Host.read(dir + "/jail@app.service.d/50-depend.conf").contains("After=jail@web.service jail@db.service"))
        #expect(!Host.exists(dir + "/jail@db.service.d"))
    }
}
}

/// The service verbs on a small tree (fast): what create refuses, start and stop by name
/// through /etc/jail.conf.d, destroy.
extension Privileged {
@Suite struct ServiceCommandTests {
    let etc = "/var/tmp/jail-test-etc-svc"
    var environment: [String] { currentEnvironment() + ["JAIL_CONF_DIR=\(etc)"] }
    func jailRun(_ words: String..., input: String = "") -> Run {
        run([Host.jailBinary] + words, input: input, environment: environment)
    }

    @Test func createStartStopDestroy() throws {
        _ = run(["/bin/rm", "-rf", etc, "/var/tmp/jail-test-svc"])
        mkdir(etc, 0o755)
        let made = jailRun("create", "svc", "--from", TestTree.path, "--thin", "path=/var/tmp/jail-test-svc", "persist")
        try #require(made.status == 0, "\(made)")
        defer { _ = jailRun("stop", "svc"); _ = jailRun("destroy", "svc") }
        let again = jailRun("create", "svc", "--from", TestTree.path)
        #expect(again.status == 1 && again.stderr.contains("svc: already exists"), "\(again)")
        let noTree = jailRun("create", "other", "--from", "/var/tmp/no-such-tree")
        #expect(noTree.status == 1 && noTree.stderr.contains("not a directory"), "\(noTree)")
        #expect(!Host.exists(etc + "/jail.conf.d/other.conf"))

        #expect(jailRun("start", "svc").status == 0)
        #expect(run([Host.jailLink("jls"), "-j", "svc", "path"]).stdout == "/var/tmp/jail-test-svc\n")
        #expect(jailRun("start", "svc").stderr.contains("svc: already running"))
        let busy = jailRun("destroy", "svc")
        #expect(busy.status == 1 && busy.stderr.contains("running; stop it first"), "\(busy)")
        #expect(jailRun("restart", "svc").status == 0)
        #expect(jailRun("stop", "svc").status == 0)
        #expect(run([Host.jailLink("jls"), "-j", "svc"]).status != 0)
        #expect(jailRun("stop", "svc").stderr.contains("svc: not running"))
        #expect(jailRun("destroy", "svc").status == 0)
        #expect(!Host.exists("/var/tmp/jail-test-svc") && !Host.exists(etc + "/jail.conf.d/svc.conf"))
        #expect(Host.exists(TestTree.path + "/bin/probe"), "the base of a thin jail stays")
        // Without a file of ours, destroy touches nothing.
        mkdir(etc + "/jail.conf.d", 0o755)
        Host.write(etc + "/jail.conf.d/hand.conf", "hand { path = \"/var/tmp/jail-test-svc\"; persist; }\n")
        let hand = jailRun("destroy", "hand")
        #expect(hand.status == 1 && hand.stderr.contains("not made by jail create"), "\(hand)")
    }
}
}
