import Glibc
import Testing

/// Issue 6: rctl limits, proven from inside real jails on this host's cgroups (memory,
/// pids and cpu on v1 here; the v2 paths are covered by JailsTests against files).
extension Privileged {
@Suite struct LimitTests {
    let tree = TestTree.path

    func rctl(_ args: String...) -> Run { run([Host.jailLink("rctl")] + args) }
    func jexec(_ args: String...) -> Run { run([Host.jailLink("jexec")] + args) }

    /// A persistent jail with `params`, removed at the end of `body`.
    func withJail(_ name: String, _ params: String..., body: (String) throws -> Void) rethrows {
        let made = jailWords(["-c", "name=\(name)", "path=\(tree)", "persist"] + params)
        #expect(made.status == 0, "\(made)")
        defer { _ = jailWords(["-r", name]) }
        try body(name)
    }

    func jailWords(_ words: [String]) -> Run { run([Host.jailBinary] + words) }

    /// The number after `word` on a line "word N ..." or "word=N".
    func number(_ out: String, after word: String) -> Double? {
        for line in out.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "=" })
            if parts.count >= 2, parts[0] == word { return Double(parts[1]) }
        }
        return nil
    }

    @Test func memoryHogDiesOfTheJailsLimitAndNothingElseDoes() throws {
        try withJail("lim-mem", "rctl=memoryuse:deny=48M") { name in
            try withJail("lim-other") { other in
                let bystander = run([Host.jailLink("jexec"), other, "/bin/probe", "alloc", "64"])
                let hog = jexec(name, "/bin/probe", "alloc", "200")
                // SIGKILL from the jail's own OOM killer: the shell reports 128 + 9.
                #expect(hog.status == 137 && !hog.stdout.contains("allocated"), "\(hog)")
                #expect(bystander.status == 0 && bystander.stdout == "allocated 64\n", "\(bystander)")
                let small = jexec(name, "/bin/probe", "alloc", "16")
                #expect(small.stdout == "allocated 16\n", "\(small)")
                let base = try #require(Host.v1Base("memory"))
                let jid = try #require(jidOf(name))
                #expect((try? Host.read("\(base)/\(jid)/memory.limit_in_bytes")) == "50331648\n")
            }
        }
    }

    @Test func forkBombStopsAtMaxprocAndTheJailIsRemovedCleanly() throws {
        let made = jailWords(["-c", "name=lim-fork", "path=\(tree)", "persist", "rctl=maxproc:deny=20"])
        #expect(made.status == 0, "\(made)")
        let jid = try #require(jidOf("lim-fork"))
        let bomb = jexec("lim-fork", "/bin/probe", "forkbomb", "1000")
        // The init and the probe count too: 18 children at most.
        #expect(bomb.stdout == "forked 18 EAGAIN\n", "\(bomb)")
        // Children left to the jail: removal still cleans everything, v1 cgroup included.
        let base = try #require(Host.v1Base("pids"))
        #expect(access("\(base)/\(jid)", F_OK) == 0)
        let gone = jailWords(["-r", "lim-fork"])
        #expect(gone.status == 0, "\(gone)")
        #expect(access("\(base)/\(jid)", F_OK) != 0)
        #expect(access("\(Host.cgroupRoot)/\(jid)", F_OK) != 0)
    }

    @Test func pcpuHoldsABusyLoopNearItsShare() throws {
        try withJail("lim-cpu", "rctl=pcpu:deny=50") { name in
            let spun = jexec(name, "/bin/probe", "spin", "10")
            let cpu = try #require(number(spun.stdout, after: "cpu"), "\(spun)")
            #expect(cpu >= 4.5 && cpu <= 5.5, "CPU seconds in 10 s at pcpu 50: \(cpu)")
        }
    }

    @Test func usageFollowsWhatTheJailDoes() throws {
        try withJail("lim-use") { name in
            let burnt = jexec(name, "/bin/probe", "burn", "3.2")
            #expect(burnt.status == 0, "\(burnt)")
            let held = spawnJexec(name, "/bin/probe", "alloc", "64", "hold")
            defer { kill(held, SIGKILL); waitpid(held, nil, 0) }
            var usage = Run(status: 0, stdout: "", stderr: "")
            for _ in 0..<50 {
                usage = rctl("-u", "jail:\(name)")
                if let m = number(usage.stdout, after: "memoryuse"), m > 64 * 1048576 { break }
                usleep(50_000)
            }
            let text = usage.stdout
            // cputime is whole seconds, as FreeBSD shows it: 3.2 s of CPU reads 3.
            #expect(number(text, after: "cputime") == 3, "\(usage)")
            let memory = try #require(number(text, after: "memoryuse"), "\(usage)")
            #expect(memory >= 64 * 1048576 && memory <= 64 * 1048576 * 1.1, "memoryuse \(memory) for 64 MiB held")
            #expect(number(text, after: "maxproc") == 2, "\(usage)")
            let list = run([Host.jailBinary, "list"])
            #expect(list.stdout.split(separator: "\n").contains { $0.contains(" \(name) ") && $0.contains(" 2 ") }, "\(list)")
        }
    }

    /// v1 blkio on this host, for real: direct reads are throttled. (Buffered writes are
    /// not charged to the jail by v1 blkio: docs/rctl.md says so.)
    @Test func readbpsThrottlesDirectReads() throws {
        let file = tree + "/tmp/blob"
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        try #require(fd >= 0)
        let chunk = [UInt8](repeating: 7, count: 1 << 20)
        for _ in 0..<3 { _ = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }
        fsync(fd)
        close(fd)
        defer { unlink(file) }
        withJail("lim-io", "rctl=readbps:throttle=1M") { name in
            let base = Host.v1Base("blkio")
            let jid = jidOf(name) ?? ""
            let setting = (try? Host.read("\(base ?? "")/\(jid)/blkio.throttle.read_bps_device")) ?? ""
            #expect(setting.contains(" 1048576"), "\(setting)")
            let r = jexec(name, "/bin/probe", "readdirect", "/tmp/blob")
            let parts = r.stdout.split(separator: " ")
            // 3 MiB at 1 MiB/s: about 2 s or more (the first second's budget comes at once).
            #expect(parts.count == 3 && parts[1] == "3145728" && (Double(parts[2].dropLast()) ?? 0) >= 1.5, "\(r)")
        }
    }

    @Test func perProcessLimitsPtysAndSysvQueues() {
        withJail("lim-misc", "rctl=openfiles:deny=64", "rctl+=pseudoterminals:deny=2", "rctl+=nmsgq:deny=3") { name in
            // 3 descriptors are open already.
            #expect(jexec(name, "/bin/probe", "exhaust", "files").stdout == "files 61 EMFILE\n")
            #expect(jexec(name, "/bin/probe", "exhaust", "ptys").stdout == "ptys 2 ENOSPC\n")
            #expect(jexec(name, "/bin/probe", "exhaust", "msgq").stdout == "msgq 3 ENOSPC\n")
            // The queues outlive the probe, in the jail's own IPC namespace.
            #expect(number(rctl("-u", "jail:\(name)").stdout, after: "nmsgq") == 3)
            #expect(jexec(name, "/bin/sh", "-c", "ulimit -n 1000").status != 0, "jailed root raised its limit")
        }
    }

    @Test func rulesChangeARunningJailAndWaitForOnesNotYetCreated() {
        // Rules from an earlier, interrupted run would still be in force.
        _ = rctl("-r", "jail:lim-live")
        _ = rctl("-r", "jail:lim-later")
        withJail("lim-live") { name in
            #expect(jexec(name, "/bin/probe", "forkbomb", "30").stdout == "forked 30 OK\n")
            let sleeper = spawnJexec(name, "/bin/probe", "sleep", "60")
            defer { kill(sleeper, SIGKILL); waitpid(sleeper, nil, 0) }
            usleep(200_000)
            let added = rctl("-a", "jail:\(name):maxproc:deny=10")
            #expect(added.status == 0, "\(added)")
            #expect(rctl("jail:\(name)").stdout == "jail:\(name):maxproc:deny=10\n")
            // The sleeper was moved in: init, sleeper, probe and 7 children.
            #expect(jexec(name, "/bin/probe", "forkbomb", "30").stdout == "forked 7 EAGAIN\n")
            let removed = rctl("-r", "jail:\(name):maxproc")
            #expect(removed.status == 0, "\(removed)")
            #expect(jexec(name, "/bin/probe", "forkbomb", "30").stdout == "forked 30 OK\n")
        }
        #expect(rctl("-a", "jail:lim-later:maxproc:deny=12").status == 0)
        defer { _ = rctl("-r", "jail:lim-later") }
        withJail("lim-later") { name in
            #expect(jexec(name, "/bin/probe", "forkbomb", "30").stdout == "forked 10 EAGAIN\n")
        }
        // rctl -a rules outlive the jail, as on FreeBSD; its rctl parameter's do not.
        #expect(rctl("jail:lim-later").stdout == "jail:lim-later:maxproc:deny=12\n")
        withJail("lim-param", "rctl=maxproc:deny=50") { name in
            #expect(rctl("jail:\(name)").stdout == "jail:\(name):maxproc:deny=50\n")
        }
        #expect(rctl("jail:lim-param").stdout == "")
    }

    @Test func rulesNameJailsByNameAndANewDenyAmountReplacesTheOld() throws {
        _ = rctl("-r", "jail:lim-name")
        defer { _ = rctl("-r", "jail:lim-name") }
        try withJail("lim-name", "rctl=maxproc:deny=12") { name in
            let jid = try #require(jidOf(name))
            // A jid is not a name: FreeBSD's rules name jails, and so the jail keeps its limit.
            #expect(rctl("-a", "jail:\(jid):maxproc:deny=1000").status == 0)
            defer { _ = rctl("-r", "jail:\(jid)") }
            #expect(jexec(name, "/bin/probe", "forkbomb", "30").stdout == "forked 10 EAGAIN\n")
            // Raising a limit: the new amount replaces the old one.
            #expect(rctl("-a", "jail:\(name):maxproc:deny=20").status == 0)
            #expect(rctl("jail:\(name)").stdout == "jail:\(name):maxproc:deny=20\n")
            #expect(jexec(name, "/bin/probe", "forkbomb", "30").stdout == "forked 18 EAGAIN\n")
            #expect(rctl("-u", "jail:\(jid)").status == 1)
        }
    }

    @Test func ipcAndPtyLimitsChangeTogetherInARunningJail() {
        withJail("lim-both") { name in
            let added = rctl("-a", "jail:\(name):nmsgq:deny=2", "jail:\(name):pseudoterminals:deny=1")
            #expect(added.status == 0, "\(added)")
            #expect(jexec(name, "/bin/probe", "exhaust", "msgq").stdout == "msgq 2 ENOSPC\n")
            #expect(jexec(name, "/bin/probe", "exhaust", "ptys").stdout == "ptys 1 ENOSPC\n")
            // The jail's devpts keeps its options: ptys stay usable by its users.
            let opts = jexec(name, "/bin/sh", "-c", "grep ' /dev/pts ' /proc/self/mountinfo")
            #expect(opts.stdout.contains("mode=620") && opts.stdout.contains("ptmxmode=666") && opts.stdout.contains("max=1"), "\(opts)")
            #expect(rctl("-r", "jail:\(name)").status == 0)
            let lifted = jexec(name, "/bin/probe", "exhaust", "ptys")
            #expect((number(lifted.stdout, after: "ptys") ?? 0) > 100, "pty limit lifted: \(lifted)")
        }
    }

    @Test func anRctlKilledWhileTheJailIsFrozenLeavesNothingStuck() throws {
        _ = rctl("-r", "jail:lim-frozen")
        let before = leftovers()
        try withJail("lim-frozen") { name in
            let sleeper = spawnJexec(name, "/bin/probe", "sleep", "60")
            defer { kill(sleeper, SIGKILL); waitpid(sleeper, nil, 0) }
            usleep(300_000)
            // The sleeper is jexec's child (jexec stays its parent).
            let children = (try? Host.read("/proc/\(sleeper)/task/\(sleeper)/children")) ?? ""
            let command = try #require(children.split(separator: " ").first.map(String.init))
            let killed = run([Host.jailLink("rctl"), "-a", "jail:\(name):openfiles:deny=500"],
                             environment: currentEnvironment() + ["JAIL_TEST_KILL_AT=frozen", "JAIL_CGROUP_PARENT=jail-test"])
            #expect(killed.status == 128 + 9, "\(killed)")
            // The next command that finds the jail thaws it.
            let r = jexec(name, "/bin/echo", "alive")
            #expect(r.stdout == "alive\n", "\(r)")
            // Adding the rule again repairs what the killed command left undone.
            #expect(rctl("-a", "jail:\(name):openfiles:deny=500").status == 0)
            let limits = (try? Host.read("/proc/\(command)/limits")) ?? ""
            #expect(limits.split(separator: "\n").contains { $0.hasPrefix("Max open files") && $0.contains(" 500 ") }, "\(limits)")
            let removed = rctl("-r", "jail:\(name)")
            #expect(removed.status == 0, "\(removed)")
        }
        #expect(leftovers() == before)
    }

    /// A jail whose root stops every process it can (the jexec'd command is in its PID
    /// namespace before its exec) neither hangs jexec nor, through it, the registry.
    @Test func aJailStoppingNewCommandsHangsNothing() {
        withJail("lim-stop") { name in
            let stopper = spawnJexec(name, "/bin/sh", "-c", "while :; do kill -STOP -1 2>/dev/null; done")
            defer { kill(stopper, SIGKILL); waitpid(stopper, nil, 0) }
            usleep(300_000)
            for _ in 0..<3 {
                let r = run(["/usr/bin/timeout", "10", Host.jailLink("jexec"), name, "/bin/echo", "x"])
                #expect(r.status != 124, "jexec hung: \(r)")
                #expect(r.status == 0 || r.stderr.contains("stopped inside the jail"), "\(r)")
            }
            let added = run(["/usr/bin/timeout", "10", Host.jailLink("rctl"), "-a", "jail:\(name):maxproc:deny=100"])
            #expect(added.status == 0, "\(added)")
            _ = rctl("-r", "jail:\(name)")
        }
    }

    @Test func rctlConfIsAppliedWhenAJailIsCreated() {
        Host.write(Host.rctlConf, "jail:lim-conf:maxproc:deny=8\n# other jails\njail:lim-none:maxproc:deny=100\n")
        defer { unlink(Host.rctlConf); _ = rctl("-r", "jail:lim-conf") }
        withJail("lim-conf") { name in
            #expect(jexec(name, "/bin/probe", "forkbomb", "30").stdout == "forked 6 EAGAIN\n")
        }
    }

    @Test func badRulesFailWithAMessageAndLeaveNothing() throws {
        let before = leftovers()
        for (rule, message) in [
            ("jail:x:memuse:deny=1M", "memuse"), ("jail:x:memoryuse:deny=12Q", "12Q"),
            ("user:1000:maxproc:deny=10", "user"), ("jail:x:memoryuse:log=1M", "log"),
            ("jail:x:readbps:deny=1M", "deny"), ("jail:x:openfiles:deny=100000000", "nr_open"),
        ] {
            let r = rctl("-a", rule)
            #expect(r.status == 1 && r.stderr.hasPrefix("rctl: ") && r.stderr.contains(message)
                    && r.stderr.split(separator: "\n").count == 1, "\(rule): \(r)")
        }
        let bad = jailWords(["-c", "name=lim-bad", "path=\(tree)", "persist", "rctl=maxproc:deny=10", "rctl+=cputime:sigkill=10"])
        #expect(bad.status == 1 && bad.stderr.hasPrefix("jail: lim-bad: rctl: "), "\(bad)")
        #expect(rctl("jail:lim-bad").stdout == "")
        #expect(leftovers() == before)
        let missing = rctl("-u", "jail:lim-nowhere")
        #expect(missing.status == 1 && missing.stderr.contains("no such jail"), "\(missing)")
    }
}
}

/// jexec in the background; returns its pid.
func spawnJexec(_ args: String...) -> pid_t {
    var pid: pid_t = 0
    let argv = ([Host.jailLink("jexec")] + args).map { strdup($0) } + [nil]
    let env = (currentEnvironment() + ["JAIL_CGROUP_PARENT=jail-test", "JAIL_RCTL_CONF=\(Host.rctlConf)"]).map { strdup($0) } + [nil]
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn(&pid, argv[0]!, &actions, nil, argv, env)
    posix_spawn_file_actions_destroy(&actions)
    argv.forEach { free($0) }
    env.forEach { free($0) }
    return pid
}
