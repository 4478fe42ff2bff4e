import Glibc
@testable import JailSys
@testable import Jails
import JailMounts
import Rctl
import SystemPackage
import Testing

/// The cgroup v2 paths of the limits cannot run for real on the hybrid hosts this is
/// built on (no controllers in v2): they are written against a directory laid out like
/// cgroupfs, and the files checked. The v1 paths run for real in IntegrationTests.
@Suite struct CgroupLimitTests {
    /// A fake v2 tree: base/ delegating `controllers`, base/7/ the jail's cgroup.
    func layout(_ controllers: String) throws -> (base: FilePath, jail: FilePath) {
        var template = Array("/tmp/jail-cgtest-XXXXXX".utf8CString)
        let dir = try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }.map { String(cString: $0) })
        let base = FilePath(dir), jail = base.appending("7")
        mkdir(jail.string, 0o755)
        try writeFile(base.appending("cgroup.controllers"), controllers + "\n", creating: true)
        try writeFile(base.appending("cgroup.subtree_control"), "", creating: true)
        for file in ["memory.max", "memory.swap.max", "pids.max", "cpu.max", "io.max"] {
            try writeFile(jail.appending(file), "max\n", creating: true)
        }
        return (base, jail)
    }

    /// cgroupfs replaces a file's value on each write; plain files keep a longer tail, so
    /// every file is emptied before the code under test writes.
    func reset(_ base: FilePath, _ jail: FilePath) throws {
        try writeFile(base.appending("cgroup.subtree_control"), "", creating: true)
        for file in ["memory.max", "memory.swap.max", "pids.max", "cpu.max", "io.max"] {
            try writeFile(jail.appending(file), "", creating: true)
        }
    }

    func writeFile(_ path: FilePath, _ text: String, creating: Bool) throws {
        let fd = open(path.string, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        try #require(fd >= 0)
        _ = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }

    func contents(_ path: FilePath) -> String { (try? readFile(path)) ?? "<missing>" }

    func limits() -> LimitSet {
        var l = LimitSet()
        l.memory = 512 << 20
        l.swap = 64 << 20
        l.pids = 200
        l.cpuPercent = 50
        l.io[.readBytes] = 10 << 20
        l.io[.writeOperations] = 100
        return l
    }

    @Test func v2LimitsAreWrittenWhereTheKernelReadsThem() throws {
        let (base, jail) = try layout("cpu io memory pids")
        defer { removeTree(base) }
        try reset(base, jail)
        for c in Controller.allCases {
            try writeFile(base.appending("cgroup.subtree_control"), "", creating: true)
            try LimitCgroups.apply(limits(), [Placement(controller: c, directory: jail, v1: false)], devices: ["8:0", "254:0"])
            // Each controller is handed down by the jails' parent (files here keep the last write).
            #expect(contents(base.appending("cgroup.subtree_control")) == "+\(c.rawValue)")
        }
        #expect(contents(jail.appending("memory.max")) == "536870912")
        #expect(contents(jail.appending("memory.swap.max")) == "67108864")
        #expect(contents(jail.appending("pids.max")) == "200")
        #expect(contents(jail.appending("cpu.max")) == "50000 100000")
        // io.max takes one line per device; a plain file keeps the last.
        #expect(contents(jail.appending("io.max")) == "254:0 rbps=10485760 wbps=max riops=max wiops=100")
    }

    @Test func liftingALimitWritesTheUnlimitedValue() throws {
        let (base, jail) = try layout("cpu io memory pids")
        defer { removeTree(base) }
        try reset(base, jail)
        for c in Controller.allCases {
            try LimitCgroups.apply(LimitSet(), [Placement(controller: c, directory: jail, v1: false)], devices: ["8:0"])
        }
        #expect(contents(jail.appending("memory.max")) == "max")
        #expect(contents(jail.appending("memory.swap.max")) == "max")
        #expect(contents(jail.appending("pids.max")) == "max")
        #expect(contents(jail.appending("cpu.max")) == "max 100000")
        #expect(contents(jail.appending("io.max")) == "8:0 rbps=max wbps=max riops=max wiops=max")
    }

    @Test func aControllerTheParentDoesNotDelegateIsAClearError() throws {
        let (base, jail) = try layout("cpu pids")
        defer { removeTree(base) }
        #expect(throws: SystemError.self) {
            try LimitCgroups.apply(limits(), [Placement(controller: .memory, directory: jail, v1: false)], devices: [])
        }
        do {
            try LimitCgroups.apply(limits(), [Placement(controller: .memory, directory: jail, v1: false)], devices: [])
        } catch {
            #expect(error.description.contains("memory controller: not delegated"), "\(error)")
        }
        #expect(contents(jail.appending("memory.max")) == "max\n")
    }

    @Test func v1SettingsKeepMemswAboveTheMemoryLimit() {
        let files = CgroupSettings.files(limits(), .memory, v1: true, devices: [])
        #expect(files.map(\.file) == ["memory.memsw.limit_in_bytes", "memory.limit_in_bytes", "memory.memsw.limit_in_bytes"])
        #expect(files.map(\.value) == ["-1", "536870912", "603979776"])
        let cpu = CgroupSettings.files(limits(), .cpu, v1: true, devices: [])
        #expect(cpu.map(\.value) == ["100000", "50000"])
        let io = CgroupSettings.files(limits(), .io, v1: true, devices: ["8:0"])
        #expect(io.map { "\($0.file) \($0.value)" } == [
            "blkio.throttle.read_bps_device 8:0 10485760", "blkio.throttle.write_bps_device 8:0 0",
            "blkio.throttle.read_iops_device 8:0 0", "blkio.throttle.write_iops_device 8:0 100",
        ])
    }

    @Test func placementsPreferV2AndFallBackToV1() throws {
        let h = CgroupHierarchies(unified: "/cg/unified", unifiedControllers: ["cpu"],
                                  v1: ["memory": "/cg/memory", "pids": "/cg/pids", "blkio": "/cg/blkio"],
                                  own: ["": "/", "memory": "/session/x", "pids": "/", "blkio": "/"])
        let relative = LimitCgroups(hierarchies: h, parent: "jail-test")
        let p = try relative.placements(limits(), jid: 7, unified: "/cg/unified/jail-test/7")
        #expect(p == [
            Placement(controller: .memory, directory: "/cg/memory/session/x/jail-test/7", v1: true),
            Placement(controller: .pids, directory: "/cg/pids/jail-test/7", v1: true),
            Placement(controller: .cpu, directory: "/cg/unified/jail-test/7", v1: false),
            Placement(controller: .io, directory: "/cg/blkio/jail-test/7", v1: true),
        ])
        let absolute = LimitCgroups(hierarchies: h, parent: "/jail")
        #expect(try absolute.placements(limits(), jid: 7, unified: "/x").first?.directory == "/cg/memory/jail/7")
        let bare = LimitCgroups(hierarchies: CgroupHierarchies(unified: "/u", unifiedControllers: [], v1: [:], own: [:]), parent: "/jail")
        #expect(throws: JailError.self) { try bare.placements(limits(), jid: 7, unified: "/u/jail/7") }
    }

    func removeTree(_ dir: FilePath) {
        _ = run(["/bin/rm", "-rf", dir.string])
    }

    func run(_ argv: [String]) -> Int32 {
        var pid: pid_t = 0
        let a = argv.map { strdup($0) } + [nil]
        defer { a.forEach { free($0) } }
        posix_spawn(&pid, a[0]!, nil, nil, a, environ)
        var st: Int32 = 0
        waitpid(pid, &st, 0)
        return st
    }
}

/// The devfs ruleset a jail starts with by default is looked up name by name, not by
/// reading the kernel's whole device list (that costs a millisecond per start).
@Suite struct DevicePlanTests {
    @Test func defaultRulesetsNeedOnlyTheirNames() throws {
        let rules = JailMounts.DevfsRules.defaults
        #expect(DevicePlan.literalNames(try rules.resolve(4)) == ["full", "fuse", "null", "random", "tty", "urandom", "zero"])
        #expect(DevicePlan.literalNames(try rules.resolve(5)) == ["full", "fuse", "net", "net/tun", "null", "random", "tty", "urandom", "zero"].sorted())
        // Ruleset 2 alone hides nothing: every device is visible, so all must be read.
        #expect(DevicePlan.literalNames(try rules.resolve(2)) == nil)
        let custom = try JailMounts.DevfsRules.parse("[gpu=10]\nadd include $devfsrules_jail\nadd path 'dri/*' unhide\n", path: "t")
        #expect(DevicePlan.literalNames(try custom.resolve(10)) == nil)
    }
}
