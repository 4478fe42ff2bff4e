import Glibc
import Testing

/// Nothing is ever stranded: a `jail` SIGKILLed at any step of creation or removal leaves
/// only what `jail -r` / `jail -C` clean; cycles leave no trace; jexec never exposes a
/// host-privileged process to the jail.
extension Privileged {
@Suite struct RobustnessTests {
    let tree = TestTree.path
    static let creationSteps = ["registered", "prepared", "cgroup", "spawned", "recorded", "createdHooks", "started"]
    static let removalSteps = ["claimed", "prestopped", "terminated", "poststopped"]

    func killedAt(_ step: String, _ words: [String]) -> Run {
        run([Host.jailBinary] + words, environment: currentEnvironment() + ["JAIL_TEST_KILL_AT=\(step)"])
    }

    /// Jails, cgroups (v1 too), mounts, processes and rctl rules in force.
    func state() -> [String] {
        leftovers() + mountLines() + processesUnder(Host.cgroupRoot)
            + ((try? Host.read("/run/jail/rctl.rules")) ?? "").split(separator: "\n").map(String.init)
    }

    @Test(arguments: creationSteps)
    func killedDuringCreation(step: String) {
        let before = state()
        let name = "kc-\(step)"
        let r = killedAt(step, ["-c", "name=\(name)", "path=\(tree)", "exec.prepare=true", "exec.created=true",
                                "exec.start=/bin/probe daemon 60", "exec.poststart=true",
                                "rctl=maxproc:deny=100,memoryuse:deny=256M"])
        #expect(r.status == 128 + 9, "jail was not killed at \(step): \(r)")
        // Whatever that left is either a jail that jail -r removes, or an ended one for -C.
        _ = jail("-q", "-r", name)
        _ = jail("-C")
        #expect(state() == before, "after a kill at \(step)")
    }

    @Test(arguments: removalSteps)
    func killedDuringRemoval(step: String) {
        let before = state()
        let name = "kr-\(step)"
        _ = jail("-c", "name=\(name)", "path=\(tree)", "persist", "exec.prestop=true", "exec.poststop=true", "stop.timeout=1",
                 "rctl=maxproc:deny=100")
        _ = run([Host.jailLink("jexec"), name, "/bin/probe", "daemon", "60"])
        let r = killedAt(step, ["-r", name])
        #expect(r.status == 128 + 9, "jail -r was not killed at \(step): \(r)")
        let again = jail("-q", "-r", name)
        _ = jail("-C")
        #expect(state() == before, "after a kill at \(step): \(again)")
    }

    @Test func twoHundredCyclesLeaveNothing() {
        let before = state()
        let fdsBefore = openDescriptors()
        let memoryBefore = memoryCgroups()
        for i in 0..<200 {
            let c = jail("-c", "name=cycle", "path=\(tree)", "persist")
            let r = jail("-r", "cycle")
            if c.status != 0 || r.status != 0 {
                Issue.record("cycle \(i): \(c) \(r)")
                break
            }
        }
        #expect(state() == before)
        #expect(openDescriptors() == fdsBefore)
        // No memory cgroup is left, dying or not (/proc/cgroups counts them); dying ones of
        // earlier tests may be freed meanwhile, so there may be fewer, never more.
        #expect(memoryCgroups() != nil && memoryCgroups()! <= memoryBefore!)
    }

    /// A prober inside scans /proc while the host runs a thousand jexecs: no exe, cwd or
    /// root link of any process it can open may lead outside the jail.
    @Test func jexecNeverExposesTheHost() {
        _ = jail("-c", "name=racy", "path=\(tree)", "persist")
        defer { _ = jail("-r", "racy") }
        let jexec = Host.jailLink("jexec")
        var prober: pid_t = 0
        let out = "/tmp/jail-test-race-\(getpid())"
        defer { unlink(out) }
        let words: [String] = [jexec, "racy", "/bin/probe", "race", "8"]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let env: [UnsafeMutablePointer<CChar>?] = (currentEnvironment() + ["JAIL_CGROUP_PARENT=jail-test"]).map { strdup($0) } + [nil]
        posix_spawn(&prober, jexec, &actions, nil, argv, env)
        posix_spawn_file_actions_destroy(&actions)
        var failures = 0
        for _ in 0..<1000 where run([jexec, "racy", "/bin/true"]).status != 0 { failures += 1 }
        var st: Int32 = 0
        waitpid(prober, &st, 0)
        let report = (try? Host.read(out)) ?? ""
        #expect(failures == 0)
        #expect(report.contains("race_escapes=0"), "\(report)")
        #expect(!report.contains("escape="), "\(report)")
        #expect(report.contains("race_checked="), "the prober did not run: \(report)")
    }
}
}

func mountLines() -> [String] {
    ((try? Host.read("/proc/self/mountinfo")) ?? "").split(separator: "\n")
        .filter { $0.contains("jail") }.map(String.init).sorted()
}

func processesUnder(_ cgroup: String) -> [String] {
    var out: [String] = []
    guard let d = opendir(cgroup) else { return out }
    defer { closedir(d) }
    while let e = readdir(d) {
        let name = withUnsafeBytes(of: e.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        guard Int(name) != nil else { continue }
        for sub in ["", "/jail"] {
            let procs = (try? Host.read(cgroup + "/" + name + sub + "/cgroup.procs")) ?? ""
            out += procs.split(separator: "\n").map { "pid \($0) in \(name)\(sub)" }
        }
    }
    return out
}

func memoryCgroups() -> Int? {
    let text = (try? Host.read("/proc/cgroups")) ?? ""
    return text.split(separator: "\n").first { $0.hasPrefix("memory\t") }
        .flatMap { Int($0.split(separator: "\t")[2]) }
}

func openDescriptors() -> Int {
    guard let d = opendir("/proc/self/fd") else { return -1 }
    defer { closedir(d) }
    var n = 0
    while readdir(d) != nil { n += 1 }
    return n
}

extension Privileged {
/// What a second jail on the same tree, or jailed root itself, might try against the
/// host's commands (from an independent review of the child path).
@Suite struct HostileTreeTests {
    let tree = TestTree.path

    /// A tree whose /sys is a link to /proc/sys: following it would unmount or cover the
    /// read-only /proc/sys. The mount point is never followed: the jail is refused.
    @Test func aSymlinkedMountPointIsRefused() {
        let evil = "/var/tmp/jail-test-evil-tree"
        _ = run(["/bin/rm", "-rf", evil])
        for d in ["", "/bin", "/dev", "/proc", "/etc"] { mkdir(evil + d, 0o755) }
        _ = run(["/bin/cp", tree + "/bin/probe", evil + "/bin/probe"])
        symlink("/proc/sys", evil + "/sys")
        defer { _ = run(["/bin/rm", "-rf", evil]) }
        let before = leftovers()
        let r = jail("-c", "path=\(evil)", "command=/bin/probe", "forbidden")
        #expect(r.status == 1 && r.stderr.contains("`/sys`: too many levels of symbolic links"), "\(r)")
        #expect(leftovers() == before)
    }

    /// Another party swaps the tree's /proc with a decoy directory while jails start: every
    /// step after the mount works beneath proc's own root, so /proc/sys is read-only in
    /// every jail that starts, under whatever name.
    @Test func swappingProcWhileJailsStartNeverLeavesSysctlsWritable() {
        let racy = "/var/tmp/jail-test-racy-tree"
        _ = run(["/bin/rm", "-rf", racy])
        _ = run(["/bin/cp", "-a", tree, racy])
        defer { _ = run(["/bin/rm", "-rf", racy]) }
        for d in ["/fake", "/fake/sys", "/fake/sys/kernel"] { mkdir(racy + d, 0o755) }
        Host.write(racy + "/fake/sys/kernel/hostname", "decoy")
        var swapper: pid_t = 0
        let words: [String] = [tree + "/bin/probe", "swap", racy + "/proc", racy + "/fake", "20"]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        posix_spawn(&swapper, tree + "/bin/probe", nil, nil, argv, nil)
        defer { kill(swapper, SIGKILL); var st: Int32 = 0; waitpid(swapper, &st, 0) }
        var started = 0
        for _ in 0..<60 {
            let r = jail("-c", "path=\(racy)", "command=/bin/probe", "sysctl_writable", "/proc", "/fake")
            guard r.status == 0 else { continue }
            started += 1
            #expect(!r.stdout.contains("WRITABLE"), "a sysctl was writable: \(r)")
        }
        #expect(started > 0, "no jail started at all")
    }

    /// Whoever can rename in the directory that holds the tree swaps the tree with a link to
    /// / while jails start: the root is looked up once, without links, and checked against
    /// what `jail` opened, so no jail ever gets the host's tree.
    @Test func swappingTheTreeForALinkToSlashNeverGivesTheHost() {
        let parent = "/var/tmp/jail-test-swap-parent"
        _ = run(["/bin/rm", "-rf", parent])
        mkdir(parent, 0o755)
        _ = run(["/bin/cp", "-a", tree, parent + "/tree"])
        symlink("/", parent + "/link")
        defer { _ = run(["/bin/rm", "-rf", parent]) }
        // The plain cases: a link to / is refused, and path=/ without procfs has no /proc.
        let link = jail("-c", "path=\(parent)/link", "command=/bin/true")
        // No symlink is followed on the way to a jail's root: a link could be swapped.
        #expect(link.status == 1 && link.stderr.contains("a symbolic link in the path"), "\(link)")
        let noproc = jail("-c", "mount.noprocfs", "command=\(tree)/bin/probe", "ls", "/proc")
        #expect(noproc["list /proc"] == "", "the host's /proc stayed: \(noproc)")
        var swapper: pid_t = 0
        let words: [String] = [tree + "/bin/probe", "swap", parent + "/tree", parent + "/link", "20"]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        posix_spawn(&swapper, tree + "/bin/probe", nil, nil, argv, nil)
        defer { kill(swapper, SIGKILL); var st: Int32 = 0; waitpid(swapper, &st, 0) }
        for _ in 0..<60 {
            let r = jail("-c", "path=\(parent)/tree", "command=/bin/probe", "ls", "/")
            #expect(!(r["list /"] ?? "").split(separator: ",").contains("usr"), "the host's tree: \(r)")
        }
    }

    /// kill(0) inside reaches the jail's process group only, never the caller's job.
    @Test func killZeroStaysInsideTheJail() {
        let r = run(["/bin/sh", "-c", """
            sleep 5 >/dev/null 2>&1 & S=$!
            \(Host.jailBinary) -c path=\(tree) command=/bin/sh -c 'kill -TERM 0'
            kill -0 $S && echo host-job-survived; kill $S
            """])
        #expect(r.stdout.contains("host-job-survived"), "\(r)")
    }

    /// persist is the host's to change: a signal queued from inside with a forged
    /// sender of 0 does not end a persistent jail.
    @Test func jailedRootCannotDropPersist() {
        _ = jail("-c", "name=ht-persist", "path=\(tree)", "persist")
        defer { _ = jail("-r", "ht-persist") }
        let q = run([Host.jailLink("jexec"), "ht-persist", "/bin/probe", "sigqueue_init", "10"])
        #expect(q["sigqueue_init"] == "ok", "\(q)")
        usleep(200_000)
        #expect(run([Host.jailLink("jls"), "-j", "ht-persist", "name"]).stdout == "ht-persist\n")
    }

    /// A jail that swaps its /etc/passwd for a FIFO must not hang the host's jexec.
    @Test func aFIFOPasswdDoesNotHangTheHost() {
        let fifoTree = "/var/tmp/jail-test-fifo-tree"
        _ = run(["/bin/rm", "-rf", fifoTree])
        _ = run(["/bin/cp", "-a", tree, fifoTree])
        defer { _ = run(["/bin/rm", "-rf", fifoTree]) }
        unlink(fifoTree + "/etc/passwd")
        mkfifo(fifoTree + "/etc/passwd", 0o644)
        _ = jail("-c", "name=ht-fifo", "path=\(fifoTree)", "persist")
        defer { _ = jail("-r", "ht-fifo") }
        let r = run(["/usr/bin/timeout", "10", Host.jailLink("jexec"), "-U", "root", "ht-fifo", "/bin/true"])
        #expect(r.status == 1, "jexec must fail at once, not hang: \(r)")
    }
}
}
