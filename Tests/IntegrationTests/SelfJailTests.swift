import Glibc
import Testing

/// Issue 9: daemons that jail themselves, through the Swift library (Jail.enter,
/// Jail.attach) and through libjail from C, proven from the host and from the process.
extension Privileged {
@Suite struct SelfJailTests {
    let tree = TestTree.path
    var bin: String { String(Host.jailBinary.dropLast("jail".count)) }
    var environment: [String] { currentEnvironment() + ["JAIL_CGROUP_PARENT=jail-test", "JAIL_BIN=\(Host.jailBinary)"] }
    func jls(_ args: String...) -> Run { run([Host.jailLink("jls")] + args) }
    func probe(_ args: [String], extraFD: String? = nil) -> Run {
        run([bin + "selfjail-probe"] + args, environment: environment, extraFD: extraFD)
    }

    /// What a process of the host sees of another: the inode of its root, its mount namespace.
    func rootInode(_ pid: pid_t) -> UInt {
        var st = stat()
        return stat("/proc/\(pid)/root/.", &st) == 0 ? UInt(st.st_ino) : 0
    }

    @Test func theProcessIsJailedAndKeepsWorking() {
        let before = jls("-N").stdout
        let r = probe(["enter", "0", "name=sj-enter", "path=\(tree)", "ip4.addr=127.0.1.80"])
        #expect(r["enter"] == "ok", "\(r)")
        #expect(r["host_root"] == "no" && r["host_file"] == "ENOENT")
        #expect(r["bind_any"] == "ok 127.0.1.80" && r["bind_foreign"] == "EADDRNOTAVAIL")
        #expect(r["sethostname"] == "EPERM" && r["mount"] == "EPERM")
        #expect(r["child_pid"] == "2", "its children are born in the jail's PID namespace")
        for attempt in ["kill_host", "ptrace_host", "renice_host", "renice_user", "prlimit_host"] {
            #expect(r[attempt] == "EPERM", "\(attempt): \(r)")
        }
        #expect(r["renice_self"] == "ok")
        #expect(r["drop"] == "ok" && r["regain"] == "EPERM")
        // The jail ended with its only process (its init notices within milliseconds).
        #expect(eventually { jls("-N").stdout == before })
    }

    @Test func whatCannotEnterInPlaceIsRefusedAndLeftAlone() {
        let before = jls("-N").stdout
        let threads = probe(["threads", "0", "name=sj-threads", "path=\(tree)", "ip4.addr=127.0.1.80"])
        #expect(threads["enter"]?.contains("2 threads") == true, "\(threads)")
        #expect(threads["host_root"] == "yes")
        let directory = probe(["enter", "0", "name=sj-dir", "path=\(tree)"], extraFD: "/tmp")
        #expect(directory["enter"]?.contains("descriptor 5 is a directory") == true, "\(directory)")
        #expect(directory["host_root"] == "yes")
        let kernel = probe(["kernelfd", "0", "name=sj-ns", "path=\(tree)"])
        #expect(kernel["enter"]?.contains("namespace file systems: close it first") == true, "\(kernel)")
        #expect(kernel["host_root"] == "yes")
        let bad = probe(["enter", "0", "name=sj-bad", "path=\(tree)", "ip4.addr=300.1.1.1"])
        #expect(bad["enter"]?.contains("not an IPv4 address") == true, "\(bad)")
        #expect(bad["host_root"] == "yes")
        #expect(jls("-N").stdout == before)
        #expect(!Host.exists(Host.cgroupRoot + "/sj-bad"))
    }

    @Test func aProcessJoinsARunningJail() {
        #expect(jail("-c", "name=sj-attach", "path=\(tree)", "persist").status == 0)
        defer { _ = jail("-r", "sj-attach") }
        let r = probe(["attach", "0", "sj-attach"])
        #expect(r["enter"] == "ok" && r["host_root"] == "no", "\(r)")
        #expect(r["bind_any"] == "EAFNOSUPPORT", "no network without ip4.addr: \(r)")
        let missing = probe(["attach", "0", "sj-nosuch"])
        #expect(missing["enter"] == "\"sj-nosuch\" not found" && missing["host_root"] == "yes", "\(missing)")
    }

    /// The example daemon: reads its configuration, enters a jail bound to its address,
    /// becomes nobody, serves. The host sees it jailed and still serving.
    @Test func theSwiftExampleDaemonServesFromItsJail() throws {
        let conf = "/var/tmp/jail-test-greeter.conf"
        Host.write(conf, "root=\(tree)\naddress=127.0.1.82\nport=28082\ngreeting=hello from a jail\nname=sj-greeter\nuid=65534\n")
        let daemon = Background([bin + "selfjail-example", conf], environment: environment)
        defer { kill(daemon.pid, SIGKILL); _ = daemon.finish() }
        #expect(daemon.waitFor("serving").contains("serving"))
        try expectJailed(daemon.pid, name: "sj-greeter", address: "127.0.1.82", port: "28082", reply: "hello from a jail")
        let status = try Host.read("/proc/\(daemon.pid)/status")
        #expect(status.contains("Uid:\t65534\t65534\t65534\t65534"))
    }

    /// The same from C, with FreeBSD's libjail calls (built without Swift).
    @Test func aCDaemonJailsItselfWithLibjail() throws {
        let built = run(["/bin/bash", TestTree.sourceRoot + "/scripts/build-libjail.sh"])
        try #require(built.status == 0, "\(built)")
        let lib = TestTree.sourceRoot + "/.build/libjail"
        let exe = "/var/tmp/jail-test-cselfjail"
        let cc = run(["/usr/bin/cc", "-o", exe, TestTree.sourceRoot + "/Examples/selfjail.c", "-I", lib + "/include",
                      "-L", lib, "-ljail", "-Wl,-rpath," + lib])
        try #require(cc.status == 0, "\(cc)")
        #expect(!run(["/usr/bin/ldd", exe]).stdout.contains("swift"))
        let daemon = Background([exe, tree, "127.0.1.83", "28083", "hello from C"], environment: environment)
        defer { kill(daemon.pid, SIGKILL); _ = daemon.finish() }
        #expect(daemon.waitFor("serving").contains("serving jid="))
        try expectJailed(daemon.pid, name: "cgreeter", address: "127.0.1.83", port: "28083", reply: "hello from C")
    }

    func expectJailed(_ pid: pid_t, name: String, address: String, port: String, reply: String) throws {
        // Its root is the jail's tree, its mount namespace is not the host's, jls lists it.
        var st = stat()
        stat(tree, &st)
        #expect(rootInode(pid) == UInt(st.st_ino))
        let own = try readLink("/proc/self/ns/mnt"), its = try readLink("/proc/\(pid)/ns/mnt")
        #expect(own != its)
        #expect(jls("-j", name, "ip4.addr").stdout == address + "\n")
        // Still serving, at its own address and only there.
        let r = run([tree + "/bin/probe", "connect", address, port])
        #expect(r["read"] == reply, "\(r)")
        #expect(run([tree + "/bin/probe", "connect", "127.0.0.1", port])["connect"] != "ok")
        // The host's root sees it among the jail's processes.
        let ps = run([Host.jailBinary, "ps", name]).stdout
        let listed = ps.split(separator: "\n").contains { $0.split(separator: " ").first == Substring(String(pid)) }
        #expect(listed, "\(ps)")
    }

    func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<40 {
            if condition() { return true }
            usleep(50_000)
        }
        return false
    }

    func readLink(_ path: String) throws -> String {
        var buf = [CChar](repeating: 0, count: 256)
        let n = readlink(path, &buf, buf.count)
        guard n > 0 else { throw Errno(errno) }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
}
