import Glibc
@testable import JailSys
import SystemPackage
import Testing

/// The pieces of the /proc/net guard that need no privilege: the hashes behind a
/// program's tag and the reader of the kernel's BTF.
@Suite struct ProcNetGuardPieceTests {
    func hex(_ bytes: [UInt8]) -> String { bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }

    @Test func shaKnownVectors() {
        // FIPS 180-2 examples: one block, and two (the padding spills over).
        let abc = Array("abc".utf8), long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(hex(SHA.sha1(abc)) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(SHA.sha1(long)) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(hex(SHA.sha256(abc)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA.sha256(long)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(hex(SHA.sha256([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func mapDescriptorsDoNotEnterTheTag() {
        // ld_imm64 r1, map fd 5 / fd 9: the kernel hashes both with the descriptor zeroed.
        func mapLoad(_ fd: Int32) -> [UInt64] {
            [BPFAssembler.insn(0x18, dst: 1, src: 1, imm: fd), BPFAssembler.insn(0, imm: 0), BPFAssembler.insn(0x95)]
        }
        #expect(BPFProgram.tags(mapLoad(5)) == BPFProgram.tags(mapLoad(9)))
        var plain = BPFAssembler()
        plain.load64(1, 5)
        plain.exit()
        var other = BPFAssembler()
        other.load64(1, 9)
        other.exit()
        #expect(BPFProgram.tags(plain.assemble()) != BPFProgram.tags(other.assemble()))
    }

    /// The tag rule against this kernel, with a program type any kernel loads.
    @Test(.enabled(if: getuid() == 0, "needs root")) func tagIsTheKernelsHash() throws {
        let code = DeviceFilter.program([.init(.character, 1, 3), .init(.block, nil, nil)])
        let prog = try BPFProgram.load(code, type: 15 /* BPF_PROG_TYPE_CGROUP_DEVICE */, what: "device filter")
        let identity = try BPFProgram.identity(prog.rawValue, what: "device filter")
        #expect(identity.type == 15)
        #expect(BPFProgram.tags(code).contains(identity.tag))
        #expect(!BPFProgram.tags(Array(code.dropLast())).contains(identity.tag))
    }

    @Test func layoutNamesThePinnedProgram() {
        let l = ProcNetGuard.Layout(hook: 123_456, fileInode: 32, fileDentry: 152, inodeSuper: 40, superMagic: 96,
                                    dentryParent: 24, dentryName: 40)
        #expect(l.name == "procnet-123456-32-152-40-96-24-40")
        #expect(ProcNetGuard.Layout(name: l.name) == l)
        #expect(ProcNetGuard.Layout(name: "procnet-1-2-3") == nil)
        #expect(ProcNetGuard.Layout(name: "dev-1-2-3-4-5-6-7") == nil)
        #expect(ProcNetGuard.Layout(name: "procnet-1-2-3-4-5-6--7") == nil)
    }

    @Test(.enabled(if: access(BTF.kernelPath.string, R_OK) == 0, "no /sys/kernel/btf/vmlinux"))
    func kernelBTF() throws {
        let btf = try BTF.kernel()
        #expect((btf.function("bpf_lsm_file_open") ?? 0) > 0)
        #expect(btf.function("bpf_lsm_no_such_hook") == nil)
        let inode = try #require(btf.offset(of: "f_inode", in: "file"))
        #expect(inode > 0 && inode < 512 && inode % 8 == 0)
        // Through a nested structure, and into the anonymous struct of qstr's union.
        let dentry = try #require(btf.offset(of: "f_path.dentry", in: "file"))
        #expect(dentry == (btf.offset(of: "f_path", in: "file") ?? -1) + (btf.offset(of: "dentry", in: "path") ?? -1))
        let len = try #require(btf.offset(of: "d_name.len", in: "dentry"))
        #expect(len == (btf.offset(of: "d_name", in: "dentry") ?? -1) + 4)
        #expect(btf.offset(of: "f_no_such_member", in: "file") == nil)
        #expect(btf.offset(of: "f_inode", in: "no_such_struct") == nil)
        #expect(throws: SystemError.self) { try BTF(Array(repeating: 0, count: 64)) }
    }
}

/// The program's decisions, run by a small interpreter over fake kernel objects: the
/// logic is checked on any machine, whatever its kernel allows to load.
@Suite struct ProcNetGuardProgramTests {
    static let layout = ProcNetGuard.Layout(hook: 1, fileInode: 32, fileDentry: 72, inodeSuper: 40, superMagic: 96,
                                            dentryParent: 24, dentryName: 40)

    /// The verdict for opening `path` on a file system with `magic`: nil allowed, else the errno.
    func verdict(_ path: String, magic: UInt64 = 0x9fa0) throws -> Int32? {
        var memory = FakeKernel()
        let l = Self.layout
        // The dentries from the root down, each pointing at its parent (the root at itself).
        var parent = memory.allocate(64)
        memory.write(parent + UInt64(l.dentryParent), parent)
        memory.write(parent + UInt64(l.dentryName), memory.string("/"))
        for component in path.split(separator: "/") {
            let d = memory.allocate(64)
            memory.write(d + UInt64(l.dentryParent), parent)
            memory.write(d + UInt64(l.dentryName), memory.string(String(component)))
            parent = d
        }
        let sb = memory.allocate(128), inode = memory.allocate(64), file = memory.allocate(128)
        memory.write(sb + UInt64(l.superMagic), magic)
        memory.write(inode + UInt64(l.inodeSuper), sb)
        memory.write(file + UInt64(l.fileInode), inode)
        memory.write(file + UInt64(l.fileDentry), parent)
        let ctx = memory.allocate(8)
        memory.write(ctx, file)
        let (r0, retval) = try memory.run(ProcNetGuard.program(l), ctx: ctx)
        if r0 == 1 { return nil }
        return retval
    }

    @Test func socketTablesAreRefused() throws {
        for path in ["/proc/1/net/tcp", "/proc/1/net/udp6", "/proc/1/net/unix", "/proc/1/task/1/net/tcp6",
                     "/proc/1/net/packet", "/proc/1/net/raw", "/proc/1/net/netlink", "/proc/1/net/nf_conntrack",
                     "/proc/1/net/ip_tables_names", "/proc/1/net/some_file_a_later_kernel_adds",
                     // Near misses of allowed names, and a long name whose first 15 bytes are one.
                     "/proc/1/net/sockstat7", "/proc/1/net/de", "/proc/1/net/devx", "/proc/1/net/softnet_stat_x",
                     "/proc/1/net/softnet_stat12345678",
                     // Below net, judged by the directory's name.
                     "/proc/1/net/xt_recent/DEFAULT", "/proc/1/net/netfilter/nf_log",
                     "/proc/1/net/rpc/auth.unix.ip/content", "/proc/1/net/xt_recent"] {
            #expect(try verdict(path) == EACCES, "\(path)")
        }
    }

    @Test func harmlessFilesAndSysctlsStayOpen() throws {
        for path in ["/proc/1/net/dev", "/proc/1/net/softnet_stat", "/proc/1/net/sockstat6", "/proc/1/net/if_inet6",
                     "/proc/1/net/wireless", "/proc/1/net", "/proc/1/net/stat", "/proc/1/net/stat/arp_cache",
                     "/proc/1/net/dev_snmp6/eth0", "/proc/sys/net/core/somaxconn", "/proc/sys/net/ipv4",
                     "/proc/sys/net/ipv4/conf/all/forwarding", "/proc/1/status", "/proc/1/netx/tcp", "/proc/1/cgroup"] {
            #expect(try verdict(path) == nil, "\(path)")
        }
        // Not procfs: a directory called net anywhere else is none of our business.
        #expect(try verdict("/srv/net/tcp", magic: 0xef53) == nil)
    }
}

/// Just enough of an eBPF machine for the guard: 64-bit moves, adds, loads and stores,
/// jumps, and the two helpers it calls. Kernel objects live in `heap`, the frame in `stack`.
struct FakeKernel {
    static let heapBase: UInt64 = 0x1000_0000, stackBase: UInt64 = 0x2000_0000
    var heap: [UInt8] = []
    var stack = [UInt8](repeating: 0xaa, count: 512)

    struct Fault: Error, CustomStringConvertible { var description: String }

    mutating func allocate(_ size: Int) -> UInt64 {
        let at = Self.heapBase + UInt64(heap.count)
        heap += [UInt8](repeating: 0, count: size)
        return at
    }

    /// A NUL-terminated string followed by junk, as names sit in kernel memory.
    mutating func string(_ s: String) -> UInt64 {
        let at = allocate(0)
        heap += Array(s.utf8) + [0] + Array("JUNKJUNKJUNKJUNK".utf8)
        return at
    }

    mutating func write(_ address: UInt64, _ value: UInt64) { store(address, 8, value) }

    func byte(_ address: UInt64) -> UInt8? {
        if address >= Self.stackBase, address < Self.stackBase + 512 { return stack[Int(address - Self.stackBase)] }
        if address >= Self.heapBase, address < Self.heapBase + UInt64(heap.count) { return heap[Int(address - Self.heapBase)] }
        return nil
    }

    mutating func store(_ address: UInt64, _ size: Int, _ value: UInt64) {
        for i in 0..<size {
            let b = UInt8(truncatingIfNeeded: value >> UInt64(8 * i)), a = address + UInt64(i)
            if a >= Self.stackBase, a < Self.stackBase + 512 { stack[Int(a - Self.stackBase)] = b } else if a >= Self.heapBase { heap[Int(a - Self.heapBase)] = b }
        }
    }

    func load(_ address: UInt64, _ size: Int) throws -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<size {
            guard let b = byte(address + UInt64(i)) else { throw Fault(description: "load from \(address)") }
            v |= UInt64(b) << UInt64(8 * i)
        }
        return v
    }

    /// Runs `code` with r1 = ctx; returns r0 and the errno bpf_set_retval was given.
    mutating func run(_ code: [UInt64], ctx: UInt64) throws -> (UInt64, Int32?) {
        var r = [UInt64](repeating: 0, count: 11)
        r[1] = ctx
        r[10] = Self.stackBase + 512
        var retval: Int32?
        var pc = 0, steps = 0
        let sizes: [UInt8: Int] = [0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8]
        while pc < code.count {
            steps += 1
            guard steps < 10_000 else { throw Fault(description: "no exit") }
            let insn = code[pc]
            let op = UInt8(insn & 0xff), dst = Int((insn >> 8) & 0xf), src = Int((insn >> 12) & 0xf)
            let off = Int(Int16(bitPattern: UInt16((insn >> 16) & 0xffff)))
            let imm = Int32(bitPattern: UInt32(insn >> 32))
            let simm = UInt64(bitPattern: Int64(imm))
            pc += 1
            switch op {
            case 0xb7: r[dst] = simm
            case 0xbf: r[dst] = r[src]
            case 0x07: r[dst] &+= simm
            case 0x18:
                r[dst] = UInt64(UInt32(bitPattern: imm)) | (code[pc] >> 32) << 32
                pc += 1
            case let o where o & 0x07 == 0x01 && o & 0xe0 == 0x60:   // LDX MEM
                r[dst] = try load(r[src] &+ UInt64(bitPattern: Int64(off)), sizes[o & 0x18] ?? 8)
            case let o where o & 0x07 == 0x02 && o & 0xe0 == 0x60:   // ST MEM imm
                store(r[dst] &+ UInt64(bitPattern: Int64(off)), sizes[o & 0x18] ?? 8, simm)
            case 0x05: pc += off
            case 0x15, 0x55, 0x1d, 0x5d:
                let other = op & 0x08 != 0 ? r[src] : simm
                if (r[dst] == other) == (op & 0xf0 == 0x10) { pc += off }
            case 0x85:
                switch imm {
                case 115:  // bpf_probe_read_kernel_str(dst, size, src)
                    var n = 0
                    while n < Int(r[2]) - 1, let b = byte(r[3] + UInt64(n)), b != 0 {
                        store(r[1] + UInt64(n), 1, UInt64(b))
                        n += 1
                    }
                    store(r[1] + UInt64(n), 1, 0)
                    r[0] = UInt64(n + 1)
                case 187:  // bpf_set_retval(retval)
                    retval = Int32(truncatingIfNeeded: 0 &- r[1])  // -errno given; the errno kept
                    r[0] = 0
                default: throw Fault(description: "helper \(imm)")
                }
                for i in 1...5 { r[i] = 0xdead }
            case 0x95: return (r[0], retval)
            default: throw Fault(description: "opcode \(op) at \(pc - 1)")
            }
        }
        throw Fault(description: "fell off the end")
    }
}

/// The guard on the real kernel: a shell moved into a cgroup under the guard, reading.
@Suite(.serialized, .enabled(if: getuid() == 0 && ProcNetGuard.isAvailable, "needs root and a kernel that loads bpf lsm programs"))
struct ProcNetGuardTests {
    /// What `sh -c script` printed (both streams) and its exit status.
    func shell(_ script: String) -> (status: Int32, output: String) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return (-1, "pipe") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        var pid: pid_t = 0
        let words: [String] = ["/bin/sh", "-c", script]
        let argv = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let rc = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ)
        close(fds[1])
        var output: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fds[0], &buf, buf.count)
            if n <= 0 { break }
            output += buf[0..<n]
        }
        close(fds[0])
        guard rc == 0 else { return (-1, "spawn") }
        var st: Int32 = 0
        waitpid(pid, &st, 0)
        return ((st >> 8) & 0xff, String(decoding: output, as: UTF8.self))
    }

    /// Runs `command` in a shell that first moves itself into `cgroup` (the exec'd
    /// command keeps the shell's pid, so `$$` names it).
    func inside(_ cgroup: FilePath, _ command: String) -> (status: Int32, output: String) {
        shell("echo $$ > '\(cgroup.appending("cgroup.procs"))' && exec \(command)")
    }

    static let closed = ["/proc/net/tcp", "/proc/self/net/udp6", "/proc/$$/net/unix",
                         "/proc/self/task/$$/net/tcp6", "/proc/net/packet"]
    static let open = ["/proc/net/dev", "/proc/sys/net/core/somaxconn", "/proc/net/stat/arp_cache"]
    /// Below a subdirectory of net that is not on the list (where this kernel has it).
    static let closedBelow: [String] = ["/proc/net/netfilter/nf_log"].filter { access($0, R_OK) == 0 }

    func checkGuarded(_ cgroup: FilePath) {
        for file in Self.closed + Self.closedBelow {
            let r = inside(cgroup, "cat \(file)")
            #expect(r.status != 0 && r.output.contains("Permission denied"), "\(file): \(r.output.prefix(200))")
        }
        for file in Self.open {
            let r = inside(cgroup, "cat \(file)")
            #expect(r.status == 0 && !r.output.isEmpty, "\(file): \(r.output.prefix(200))")
        }
        for dir in ["/proc/sys/net/ipv4", "/proc/net"] {
            let r = inside(cgroup, "ls \(dir)")
            #expect(r.status == 0 && r.output.contains(dir == "/proc/net" ? "tcp" : "tcp_rmem"), "ls \(dir): \(r.output.prefix(200))")
        }
    }

    @Test func socketTablesCloseInsideTheCgroupOnly() throws {
        let h = try CgroupHierarchies.discover()
        let parent = try #require(h.base("", parent: "procnet-test-\(getpid())"))
        let fresh = parent.appending("fresh"), cached = parent.appending("cached")
        // A bpf file system of the test's own for the pinned copy, gone with the test.
        var template = Array("/tmp/jail-procnet-XXXXXX".utf8CString)
        let cache = FilePath(try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }.map { String(cString: $0) }))
        defer {
            for dir in [fresh, cached, parent] { rmdir(dir.string) }
            umount2(cache.string, Int32(MNT_DETACH))
            rmdir(cache.string)
        }
        try #require(DeviceFilter.prepareCache(cache) == cache)
        for dir in [parent, fresh, cached] { try #require(mkdir(dir.string, 0o755) == 0) }

        func attach(_ dir: FilePath) throws -> Double {
            let fd = try OwnedFD.open(dir, O_RDONLY | O_DIRECTORY)
            var t0 = timespec(), t1 = timespec()
            clock_gettime(CLOCK_MONOTONIC, &t0)
            try ProcNetGuard.attach(to: fd.rawValue, cache: cache)
            clock_gettime(CLOCK_MONOTONIC, &t1)
            return Double(t1.tv_sec - t0.tv_sec) * 1e3 + Double(t1.tv_nsec - t0.tv_nsec) / 1e6
        }
        // The first attach loads and pins; the second must find the pinned copy.
        let loadTime = try attach(fresh)
        let pinned = try #require(try names(in: cache).first { $0.hasPrefix("procnet-") })
        let cachedTime = try attach(cached)
        #expect(try names(in: cache) == [pinned])
        print("procnet guard: load+attach \(loadTime) ms, cached attach \(cachedTime) ms")

        checkGuarded(fresh)
        checkGuarded(cached)
        // The parent cgroup and everything outside see the files.
        for file in Self.closed {
            let r = shell("exec cat \(file)")
            #expect(r.status == 0, "outside: \(file): \(r.output.prefix(200))")
            let p = inside(parent, "cat \(file)")
            #expect(p.status == 0, "parent: \(file): \(p.output.prefix(200))")
        }
    }

    @Test func pinnedProgramIsTrustedOnlyWithOurTag() throws {
        let layout = try ProcNetGuard.Layout(BTF.kernel())
        let prog = try ProcNetGuard.load(layout)
        let identity = try BPFProgram.identity(prog.rawValue, what: "guard")
        #expect(identity.type == ProcNetGuard.lsmProgramType && identity.attachBTFID == layout.hook)
        #expect(BPFProgram.tags(ProcNetGuard.program(layout)).contains(identity.tag))
        // One offset off: another program, whose tag the real one does not carry.
        var other = layout
        other.dentryName += 8
        #expect(!BPFProgram.tags(ProcNetGuard.program(other)).contains(identity.tag))
    }
}

/// The entries of `dir`, sorted, without Foundation.
private func names(in dir: FilePath) throws -> [String] {
    guard let d = opendir(dir.string) else { throw SystemError("opendir", Errno(rawValue: errno), path: dir) }
    defer { closedir(d) }
    var out: [String] = []
    while let e = readdir(d) {
        let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
            raw.bindMemory(to: CChar.self).baseAddress.map { String(cString: $0) } ?? ""
        }
        if name != "." && name != ".." { out.append(name) }
    }
    return out.sorted()
}
