import Testing

@testable import Rctl

/// Resources, their units and Linux mechanisms.
@Suite struct MechanismTests {
    @Test func freeBSDOrder() {
        // RACCT_CPU 0 … RACCT_WRITEIOPS 24 in sys/sys/racct.h; KR resourcenames in the same order.
        #expect(
            Resource.allCases.map(\.rawValue) == [
                "cputime", "datasize", "stacksize", "coredumpsize", "memoryuse", "memorylocked", "maxproc",
                "openfiles", "vmemoryuse", "pseudoterminals", "swapuse", "nthr", "msgqqueued", "msgqsize", "nmsgq",
                "nsem", "nsemop", "nshm", "shmsize", "wallclock", "pcpu", "readbps", "writebps", "readiops",
                "writeiops",
            ])
        #expect(Resource.named("MemoryUse") == .memoryuse)
        #expect(Resource.named("memory") == nil)
    }

    @Test func units() {
        // RCTL8 RESOURCES.
        let expected: [Resource: ResourceUnit] = [
            .cputime: .seconds, .datasize: .bytes, .stacksize: .bytes, .coredumpsize: .bytes, .memoryuse: .bytes,
            .memorylocked: .bytes, .maxproc: .count, .openfiles: .count, .vmemoryuse: .bytes,
            .pseudoterminals: .count, .swapuse: .bytes, .nthr: .count, .msgqqueued: .count, .msgqsize: .bytes,
            .nmsgq: .count, .nsem: .count, .nsemop: .count, .nshm: .count, .shmsize: .bytes, .wallclock: .seconds,
            .pcpu: .percent, .readbps: .bytesPerSecond, .writebps: .bytesPerSecond,
            .readiops: .operationsPerSecond, .writeiops: .operationsPerSecond,
        ]
        for resource in Resource.allCases {
            #expect(resource.unit == expected[resource], "\(resource)")
            #expect(!resource.summary.isEmpty)
        }
    }

    @Test func mechanisms() {
        let expected: [Resource: LinuxMechanism] = [
            .cputime: .accounting, .datasize: .rlimit(.data), .stacksize: .rlimit(.stack),
            .coredumpsize: .rlimit(.core), .memoryuse: .memory, .memorylocked: .rlimit(.memlock), .maxproc: .pids,
            .openfiles: .rlimit(.nofile), .vmemoryuse: .rlimit(.addressSpace), .pseudoterminals: .devpts,
            .swapuse: .swap, .nthr: .pids, .msgqqueued: .refused(nearest: "msgqsize"),
            .msgqsize: .ipc(.messageQueueBytes), .nmsgq: .ipc(.messageQueues), .nsem: .ipc(.semaphores),
            .nsemop: .ipc(.semaphoreOperations), .nshm: .ipc(.sharedMemorySegments),
            .shmsize: .ipc(.sharedMemoryBytes), .wallclock: .accounting, .pcpu: .cpu, .readbps: .io(.readBytes),
            .writebps: .io(.writeBytes), .readiops: .io(.readOperations), .writeiops: .io(.writeOperations),
        ]
        for resource in Resource.allCases {
            #expect(resource.mechanism == expected[resource], "\(resource)")
        }
    }

    @Test func rlimitNumbersAreLinuxs() {
        // include/uapi/asm-generic/resource.h.
        let numbers = Dictionary(uniqueKeysWithValues: RLimit.allCases.map { ($0.name, $0.resourceNumber) })
        #expect(
            numbers == [
                "RLIMIT_DATA": 2, "RLIMIT_STACK": 3, "RLIMIT_CORE": 4, "RLIMIT_NOFILE": 7, "RLIMIT_MEMLOCK": 8,
                "RLIMIT_AS": 9,
            ])
    }

    @Test func ipcSysctls() {
        #expect(IPCLimit.messageQueues.sysctl == "kernel.msgmni")
        #expect(IPCLimit.messageQueueBytes.sysctl == "kernel.msgmnb")
        #expect(IPCLimit.sharedMemorySegments.sysctl == "kernel.shmmni")
        #expect(IPCLimit.sharedMemoryBytes.sysctl == "kernel.shmall")
        // kernel.sem is "SEMMSL SEMMNS SEMOPM SEMMNI".
        #expect(IPCLimit.semaphores.sysctl == "kernel.sem")
        #expect(IPCLimit.semaphores.sysctlField == 2)
        #expect(IPCLimit.semaphoreOperations.sysctlField == 3)
        #expect(IPCLimit.messageQueues.sysctlField == nil)
        #expect(IOLimit.allCases.map(\.ioMaxKey) == ["rbps", "wbps", "riops", "wiops"])
    }
}
