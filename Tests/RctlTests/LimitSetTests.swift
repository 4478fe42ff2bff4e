import Testing

@testable import Rctl

/// `LimitSet.build`: one jail's rules by mechanism, the lowest amount winning (KR
/// rctl_get_limit takes the minimum of the deny rules).
@Suite struct LimitSetTests {
    func limits(_ rules: String...) throws -> LimitSet {
        try LimitSet.build(rules.map { try Rule.parse($0) })
    }

    @Test func noRulesNoLimits() throws {
        let none = try LimitSet.build([])
        #expect(none.isEmpty)
        #expect(none == LimitSet())
        #expect(none.usesCgroupControllers.isEmpty)
    }

    @Test func lowestAmountWins() throws {
        let set = try limits(
            "jail:www:memoryuse:deny=2g", "jail:www:memoryuse:deny=1g", "jail:www:memoryuse:deny=3g",
            "jail:www:swapuse:deny=512m")
        #expect(set.memory == 1 << 30)
        #expect(set.swap == 512 << 20)
        // maxproc and nthr both feed pids.max, whichever is lower and in either order.
        #expect(try limits("jail:www:maxproc:deny=100", "jail:www:nthr:deny=50").pids == 50)
        #expect(try limits("jail:www:nthr:deny=500", "jail:www:maxproc:deny=100").pids == 100)
        // A rlimit per jail and per process both become the rlimit.
        let files = try limits("jail:www:openfiles:deny=1024", "jail:www:openfiles:deny=512/process")
        #expect(files.rlimits == [.nofile: 512])
        #expect(try limits("jail:www:readbps:throttle=2m", "jail:www:readbps:throttle=1m").io == [.readBytes: 1 << 20])
        #expect(try limits("jail:www:pcpu:deny=150", "jail:www:pcpu:deny=250").cpuPercent == 150)
        #expect(try limits("jail:www:memoryuse:deny=0", "jail:www:memoryuse:deny=1g").memory == 0)
    }

    @Test func everyMechanismHasItsPlace() throws {
        let set = try limits(
            "jail:www:memoryuse:deny=1g", "jail:www:swapuse:deny=2g", "jail:www:maxproc:deny=64",
            "jail:www:pcpu:deny=200", "jail:www:writebps:throttle=10m", "jail:www:readiops:throttle=100",
            "jail:www:datasize:deny=1g", "jail:www:stacksize:deny=8m", "jail:www:coredumpsize:deny=0",
            "jail:www:memorylocked:deny=64k", "jail:www:vmemoryuse:deny=4g", "jail:www:pseudoterminals:deny=16",
            "jail:www:nmsgq:deny=8", "jail:www:msgqsize:deny=16k", "jail:www:nsem:deny=32", "jail:www:nsemop:deny=4",
            "jail:www:nshm:deny=10", "jail:www:shmsize:deny=64m")
        var expected = LimitSet()
        expected.memory = 1 << 30
        expected.swap = 2 << 30
        expected.pids = 64
        expected.cpuPercent = 200
        expected.io = [.writeBytes: 10 << 20, .readOperations: 100]
        expected.rlimits = [.data: 1 << 30, .stack: 8 << 20, .core: 0, .memlock: 64 << 10, .addressSpace: 4 << 30]
        expected.devptsMax = 16
        expected.ipc = [
            .messageQueues: 8, .messageQueueBytes: 16 << 10, .semaphores: 32, .semaphoreOperations: 4,
            .sharedMemorySegments: 10, .sharedMemoryBytes: 64 << 20,
        ]
        #expect(set == expected)
        #expect(set.usesCgroupControllers == [.memory, .pids, .cpu, .io])
    }

    @Test func controllers() throws {
        // swap is memory.swap.max, a file of the memory controller.
        #expect(try limits("jail:www:swapuse:deny=1g").usesCgroupControllers == [.memory])
        #expect(try limits("jail:www:nthr:deny=10").usesCgroupControllers == [.pids])
        #expect(try limits("jail:www:pcpu:deny=50").usesCgroupControllers == [.cpu])
        #expect(try limits("jail:www:readbps:throttle=1m").usesCgroupControllers == [.io])
        // rlimits, devpts and IPC limits need no controller, but are limits.
        let noCgroup = try limits(
            "jail:www:openfiles:deny=64", "jail:www:pseudoterminals:deny=4", "jail:www:nshm:deny=1")
        #expect(noCgroup.usesCgroupControllers.isEmpty)
        #expect(!noCgroup.isEmpty)
    }

    @Test func refusals() {
        #expect(
            failure { _ = try limits("jail:www:memoryuse:deny=1g", "jail:www:memoryuse:log=1g") }?.description
                == "log needs a daemon watching usage, which Linux jails do not have; use deny")
        #expect(
            failure { _ = try limits("jail:www:memoryuse:deny=1g", "jail:db:memoryuse:deny=1g") }?.description
                == #"rules for jails "www" and "db" cannot make one jail's limits"#)
        #expect(failure { _ = try limits("user:joe:maxproc:deny=1") }?.kind == .unsupportedOnLinux)
    }
}
