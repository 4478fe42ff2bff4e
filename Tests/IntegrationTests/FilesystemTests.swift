import Glibc
import Testing

/// Issue 7: mount lines, live mounts, devfs rulesets and the device filter, thin jails,
/// what a jail sees of mounts — proven from inside real jails.
extension Privileged {
@Suite struct FilesystemTests {
    let tree = TestTree.path
    static let scratch = "/var/tmp/jail-test-fs"

    func jexec(_ args: String...) -> Run { run([Host.jailLink("jexec")] + args) }
    func jailWords(_ words: [String], environment: [String]? = nil) -> Run { run([Host.jailBinary] + words, environment: environment) }

    /// A scratch directory with `shared/file`, a copy-free base and room for thin jails.
    func scratch() -> String {
        let dir = Self.scratch
        _ = run(["/bin/rm", "-rf", dir])
        mkdir(dir, 0o755)
        mkdir(dir + "/shared", 0o755)
        Host.write(dir + "/shared/file", "shared\n")
        return dir
    }

    /// Host mount points that mention `text`.
    func hostMounts(_ text: String) -> [String] {
        ((try? Host.read("/proc/self/mountinfo")) ?? "").split(separator: "\n").filter { $0.contains(text) }.map(String.init)
    }

    func withJail(_ name: String, _ params: [String], _ body: () throws -> Void) rethrows {
        let made = jailWords(["-c", "name=\(name)", "path=\(tree)", "persist"] + params)
        #expect(made.status == 0, "\(made)")
        defer { _ = jailWords(["-r", name]) }
        try body()
    }

    @Test func aSharedTreeIsReadOnlyInEveryJailAndNeverInTheHostsMountTable() {
        let dir = scratch()
        mkdir(tree + "/mnt", 0o755)
        defer { rmdir(tree + "/mnt") }
        let line = "mount=\(dir)/shared \(tree)/mnt nullfs ro 0 0"
        withJail("fs-a", [line]) {
            withJail("fs-b", [line]) {
                #expect(jexec("fs-a", "/bin/cat", "/mnt/file").stdout == "shared\n")
                #expect(jexec("fs-b", "/bin/cat", "/mnt/file").stdout == "shared\n")
                let write = jexec("fs-a", "/bin/probe", "write", "/mnt/file")
                #expect(write.stdout.contains("EROFS"), "\(write)")
                // Made inside each jail's own mount namespace: the host's table never grows.
                #expect(hostMounts(dir + "/shared").isEmpty)
                // What the host adds under the shared tree later appears inside (slave).
                Host.write(dir + "/shared/later", "later\n")
                #expect(jexec("fs-b", "/bin/cat", "/mnt/later").stdout == "later\n")
            }
        }
        #expect(hostMounts(dir).isEmpty)
    }

    @Test func liveMountsComeAndGoWhileAProcessRuns() {
        let dir = scratch()
        mkdir(tree + "/data", 0o755)
        defer { rmdir(tree + "/data") }
        withJail("fs-live", []) {
            let sleeper = spawnJexec("fs-live", "/bin/probe", "sleep", "30")
            defer { kill(sleeper, SIGKILL); waitpid(sleeper, nil, 0) }
            let m = jailWords(["mount", "fs-live", dir + "/shared", "/data", "ro"])
            #expect(m.status == 0, "\(m)")
            #expect(jexec("fs-live", "/bin/cat", "/data/file").stdout == "shared\n")
            #expect(jexec("fs-live", "/bin/probe", "write", "/data/file").stdout.contains("EROFS"))
            #expect(hostMounts(dir + "/shared").isEmpty)
            let u = jailWords(["umount", "fs-live", "/data"])
            #expect(u.status == 0, "\(u)")
            #expect(jexec("fs-live", "/bin/cat", "/data/file").status != 0)
            // The process inside kept running through both.
            #expect(kill(sleeper, 0) == 0)
            // Only what jail mount put there can be taken out.
            let other = jailWords(["umount", "fs-live", "/dev"])
            #expect(other.status == 1 && other.stderr == "jail: umount: /dev: not mounted by jail mount in fs-live\n", "\(other)")
        }
    }

    @Test func aPlantedSymlinkNeverRedirectsAMount() {
        let dir = scratch()
        symlink("/etc", tree + "/evil")
        defer { unlink(tree + "/evil") }
        let before = leftovers()
        // At creation: the target is reached from the jail's root without any symlink.
        let r = jailWords(["-c", "name=fs-evil", "path=\(tree)", "persist", "mount=\(dir)/shared \(tree)/evil nullfs ro 0 0"])
        #expect(r.status == 1 && r.stderr.contains("mount on `/evil`: too many levels of symbolic links"), "\(r)")
        #expect(leftovers() == before)
        // Into a running jail, the same.
        withJail("fs-evil2", []) {
            let m = jailWords(["mount", "fs-evil2", dir + "/shared", "/evil/x"])
            #expect(m.status == 1 && m.stderr.contains("too many levels of symbolic links"), "\(m)")
            let m2 = jailWords(["mount", "fs-evil2", dir + "/shared", "/evil"])
            #expect(m2.status == 1, "\(m2)")
        }
        // The host's /etc was never covered.
        #expect(access("/etc/passwd", F_OK) == 0 && hostMounts(" /etc ").isEmpty)
    }

    /// The attacks of the independent review, each a test.
    @Test func theJailCannotTurnALiveUnmountAgainstItsOwnMounts() {
        let dir = scratch()
        mkdir(tree + "/mnt", 0o755)
        mkdir(tree + "/mnt/sys", 0o755)
        defer { _ = run(["/bin/rm", "-rf", tree + "/mnt", tree + "/mnt2"]) }
        withJail("fs-swap", []) {
            #expect(jailWords(["mount", "fs-swap", dir + "/shared", "/mnt/sys"]).status == 0)
            // Jailed root renames the directory and plants /mnt -> /proc: "/mnt/sys" now
            // names its read-only /proc/sys.
            let swap = jexec("fs-swap", "/bin/sh", "-c", "mv /mnt /mnt2 && ln -s /proc /mnt")
            #expect(swap.status == 0, "\(swap)")
            let u = jailWords(["umount", "fs-swap", "/mnt/sys"])
            #expect(u.status == 1, "\(u)")
            #expect(jexec("fs-swap", "/bin/probe", "write", "/proc/sys/kernel/hostname").stdout.contains("EROFS"))
            #expect(jexec("fs-swap", "/bin/cat", "/mnt2/sys/file").stdout == "shared\n")
        }
    }

    @Test func sourcesAndPathsWithASymlinkAreRefused() {
        let dir = scratch()
        symlink("/", dir + "/export")
        mkdir(tree + "/data", 0o755)
        defer { rmdir(tree + "/data") }
        withJail("fs-src", []) {
            let m = jailWords(["mount", "fs-src", dir + "/export", "/data"])
            #expect(m.status == 1 && m.stderr.contains("a symbolic link in the path"), "\(m)")
            let state = jailWords(["mount", "fs-src", "/run", "/data"])
            #expect(state.status == 1 && state.stderr.contains("/run/jail"), "\(state)")
            for spelling in ["/run/jail/../jail", "/var/cache/jail/../jail", "/tmp/.."] {
                let m = jailWords(["mount", "fs-src", spelling, "/data"])
                #expect(m.status == 1 && m.stderr.contains("the jails' state"), "\(spelling): \(m)")
            }
        }
        let line = jailWords(["-c", "name=fs-src2", "path=\(tree)", "persist", "mount=\(dir)/export \(tree)/data nullfs ro 0 0"])
        #expect(line.status == 1 && line.stderr.contains("a symbolic link in the path"), "\(line)")
        symlink(tree, dir + "/treelink")
        let path = jailWords(["-c", "name=fs-src3", "path=\(dir)/treelink", "persist"])
        #expect(path.status == 1 && path.stderr.contains("a symbolic link in the path"), "\(path)")
        // A thin jail's work directory planted as a link: refused, the target untouched.
        mkdir(dir + "/thin", 0o755)
        mkdir(dir + "/victim", 0o755)
        Host.write(dir + "/victim/keep", "keep\n")
        symlink(dir + "/victim", dir + "/.thin.work")
        let thin = jailWords(["-c", "name=fs-src4", "path=\(dir)/thin", "thin.base=\(tree)", "persist"])
        #expect(thin.status == 1 && thin.stderr.contains(".thin.work"), "\(thin)")
        #expect((try? Host.read(dir + "/victim/keep")) == "keep\n")
    }

    @Test func aCommandWithoutATerminalHasASessionOfItsOwn() {
        // So /dev/tty inside can never open the caller's terminal.
        let r = jailWords(["-c", "path=\(tree)", "command=/bin/sh", "-c", "cut -d' ' -f6 /proc/self/stat; echo $$"])
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 2 && lines[0] == lines[1], "session id is the command's own pid: \(r)")
    }

    @Test func devIsExactlyTheRulesetAndTheFilterStopsOtherNodes() throws {
        let dir = scratch()
        Host.write(dir + "/devfs.rules", """
            [devfsrules_test=10]
            add include $devfsrules_hide_all
            add include $devfsrules_unhide_basic
            add path 'kmsg' unhide mode 0640
            """)
        let env = currentEnvironment() + ["JAIL_CGROUP_PARENT=jail-test", "JAIL_DEVFS_RULES=\(dir)/devfs.rules"]
        let made = jailWords(["-c", "name=fs-dev", "path=\(tree)", "persist", "devfs_ruleset=10", "mount.fdescfs=false"], environment: env)
        #expect(made.status == 0, "\(made)")
        defer { _ = jailWords(["-r", "fs-dev"]) }
        let list = jexec("fs-dev", "/bin/probe", "ls", "/dev")
        let dev = Set((list["list /dev"] ?? "").split(separator: ",").map(String.init))
        #expect(dev == ["null", "zero", "full", "random", "urandom", "kmsg", "shm"], "\(list)")
        #expect(jexec("fs-dev", "/bin/sh", "-c", "stat -c %a /dev/kmsg").stdout == "640\n")
        // A node the ruleset hides, put there by the host: present, and still not openable.
        let record = try Host.read("/run/jail/" + (jidOf("fs-dev") ?? ""))
        let initPID = try #require(record.split(separator: "\n").first { $0.hasPrefix("init=") }?.dropFirst(5).split(separator: " ").first)
        #expect(mknod("/proc/\(initPID)/root/dev/mem", S_IFCHR | 0o666, makedev(1, 1)) == 0)
        let mem = jexec("fs-dev", "/bin/probe", "read", "/dev/mem")
        #expect(mem.stdout.contains("EPERM"), "\(mem)")
        #expect(jexec("fs-dev", "/bin/probe", "read", "/dev/null").stdout.contains("ok"))
        // An undefined ruleset is an error before anything exists.
        let before = leftovers()
        let bad = jailWords(["-c", "name=fs-dev2", "path=\(tree)", "persist", "devfs_ruleset=77"], environment: env)
        #expect(bad.status == 1 && bad.stderr.hasPrefix("jail: fs-dev2: devfs_ruleset: "), "\(bad)")
        #expect(leftovers() == before)
    }

    @Test func thinJailsShareABaseAndKeepTheirOwnChanges() {
        let dir = scratch()
        let base = dir + "/base-1"
        _ = run(["/bin/cp", "-a", tree, base])
        for n in ["t1", "t2"] { mkdir(dir + "/" + n, 0o755) }
        withThin("fs-t1", dir + "/t1", base) {
            withThin("fs-t2", dir + "/t2", base) {
                #expect(run([Host.jailLink("jls"), "-v", "-j", "fs-t1"]).stdout.hasSuffix("        thin.base \(base)\n"))
                #expect(jexec("fs-t1", "/bin/sh", "-c", "echo one > /etc/motd").status == 0)
                #expect(jexec("fs-t1", "/bin/cat", "/etc/motd").stdout == "one\n")
                #expect(jexec("fs-t2", "/bin/cat", "/etc/motd").status != 0)
                // The jail's changes are in its path; the base is untouched.
                #expect((try? Host.read(dir + "/t1/etc/motd")) == "one\n")
                #expect(access(base + "/etc/motd", F_OK) != 0)
            }
        }
        // A new version of the base, then a restart: the jail sees it, with its changes.
        let base2 = dir + "/base-2"
        _ = run(["/bin/cp", "-a", base, base2])
        Host.write(base2 + "/etc/version", "2\n")
        withThin("fs-t1", dir + "/t1", base2) {
            #expect(jexec("fs-t1", "/bin/cat", "/etc/version").stdout == "2\n")
            #expect(jexec("fs-t1", "/bin/cat", "/etc/motd").stdout == "one\n")
        }
        #expect(hostMounts(dir).isEmpty)
    }

    func withThin(_ name: String, _ path: String, _ base: String, _ body: () -> Void) {
        let made = jailWords(["-c", "name=\(name)", "path=\(path)", "thin.base=\(base)", "persist"])
        #expect(made.status == 0, "\(made)")
        defer { _ = jailWords(["-r", name]) }
        body()
    }

    @Test func theHandbooksNullfsThinJailWorks() {
        // HB "Creating Thin Jails Using NullFS": the base read-only on the jail's path, a
        // writable skeleton below it.
        let dir = scratch()
        let base = dir + "/template", skeleton = dir + "/skeleton", path = dir + "/thinjail"
        _ = run(["/bin/cp", "-a", tree, base])
        mkdir(base + "/skeleton", 0o755)
        mkdir(skeleton, 0o755)
        mkdir(path, 0o755)
        Host.write(dir + "/fstab", "\(base) \(path) nullfs ro 0 0\n\(skeleton) \(path)/skeleton nullfs rw 0 0\n")
        let made = jailWords(["-c", "name=fs-hb", "path=\(path)", "persist", "mount.fstab=\(dir)/fstab"])
        #expect(made.status == 0, "\(made)")
        defer { _ = jailWords(["-r", "fs-hb"]) }
        #expect(jexec("fs-hb", "/bin/probe", "write", "/etc/passwd").stdout.contains("EROFS"))
        #expect(jexec("fs-hb", "/bin/sh", "-c", "echo kept > /skeleton/note").status == 0)
        #expect((try? Host.read(skeleton + "/note")) == "kept\n")
    }

    @Test func aJailSeesOnlyItsOwnMounts() {
        // enforce_statfs 1 and 2: mountinfo and statfs show the jail's own mount namespace.
        withJail("fs-statfs", ["enforce_statfs=1"]) {
            let info = jexec("fs-statfs", "/bin/cat", "/proc/self/mountinfo").stdout
            let points = Set(info.split(separator: "\n").map { String($0.split(separator: " ")[4]) })
            #expect(points.isSubset(of: ["/", "/dev", "/dev/pts", "/proc", "/proc/sys", "/proc/sysrq-trigger", "/proc/irq",
                                         "/proc/bus", "/proc/fs", "/proc/acpi", "/proc/scsi", "/proc/asound", "/proc/kcore",
                                         "/proc/keys", "/proc/timer_list", "/proc/sched_debug", "/proc/latency_stats",
                                         "/proc/kpageflags", "/proc/kpagecount", "/proc/kpagecgroup", "/sys",
                                         "/sys/firmware", "/sys/kernel/vmcoreinfo"]),
                    "\(points)")
            #expect(!info.contains("/run/jail") && !info.contains(" /sys/fs/cgroup"))
            #expect(jexec("fs-statfs", "/bin/sh", "-c", "df / >/dev/null").status == 0)
        }
        let zero = jailWords(["-c", "name=fs-statfs0", "path=\(tree)", "persist", "enforce_statfs=0"])
        #expect(zero.status == 1 && zero.stderr.contains("enforce_statfs = 0"), "\(zero)")
    }

    @Test func whatTheHostMountsUnderARunningJailsPathAppearsInside() {
        // FreeBSD has one mount table: a mount made under a jail's path shows inside. Here
        // the jail's namespace is a slave of the host's: the same, one way only — where the
        // host's mount is shared, as systemd makes every mount. This machine's / is private,
        // so the test shares a bind of its own tree first.
        let dir = scratch()
        let path = dir + "/tree"
        _ = run(["/bin/cp", "-a", tree, path])
        mkdir(path + "/later", 0o755)
        #expect(run(["/bin/mount", "--bind", path, path]).status == 0)
        defer { _ = run(["/bin/umount", "-R", path]) }
        #expect(run(["/bin/mount", "--make-shared", path]).status == 0)
        let made = jailWords(["-c", "name=fs-later", "path=\(path)", "persist"])
        #expect(made.status == 0, "\(made)")
        defer { _ = jailWords(["-r", "fs-later"]) }
        let m = run(["/bin/mount", "-t", "tmpfs", "-o", "size=1m", "jail-test-later", path + "/later"])
        #expect(m.status == 0, "\(m)")
        Host.write(path + "/later/seen", "yes\n")
        #expect(jexec("fs-later", "/bin/cat", "/later/seen").stdout == "yes\n")
        // The host's mount is not the jail's to remove: it has no mount privilege.
        #expect(jexec("fs-later", "/bin/probe", "forbidden").stdout.contains("umount=EPERM"))
        // And nothing the jail's own set-up mounted went back to the host's tree.
        #expect(hostMounts(path + "/dev").isEmpty && hostMounts(path + "/proc").isEmpty)
    }

    @Test func badMountLinesFailClearlyAndLeaveNothing() {
        let dir = scratch()
        let before = leftovers()
        for (line, message) in [
            ("\(dir)/missing \(tree)/tmp nullfs ro 0 0", "\(dir)/missing: no such file or directory"),
            ("/dev/sda1 \(tree)/tmp ext4 rw 0 0", "ext4"),
            ("\(dir)/shared /elsewhere nullfs ro 0 0", "/elsewhere"),
            ("\(dir)/shared \(tree)/tmp nullfs bogus 0 0", "bogus"),
            ("\(dir)/shared \(tree)/nowhere nullfs ro 0 0", "mount on `/nowhere`: no such file or directory"),
        ] {
            let r = jailWords(["-c", "name=fs-bad", "path=\(tree)", "persist", "mount=\(line)"])
            #expect(r.status == 1 && r.stderr.hasPrefix("jail: ") && r.stderr.contains(message)
                    && r.stderr.split(separator: "\n").count == 1, "\(line): \(r)")
        }
        #expect(leftovers() == before)
        #expect(hostMounts(dir).isEmpty)
    }
}
}

private func makedev(_ major: UInt32, _ minor: UInt32) -> dev_t {
    dev_t(((UInt64(major) & 0xfff) << 8) | (UInt64(minor) & 0xff) | ((UInt64(minor) & ~0xff) << 12))
}
