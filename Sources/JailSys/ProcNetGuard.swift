import CJail
import Glibc
import SystemPackage

/// Keeps the host's sockets out of sight of a jail that shares the host's network stack.
/// Such a jail's procfs shows the socket tables of the host's network namespace in
/// /proc/net/tcp, udp, unix, packet… (also reached as /proc/<pid>/net and
/// /proc/<pid>/task/<tid>/net: /proc/net is a link to self/net). A BPF LSM program at
/// `file_open`, attached to the jail's cgroup v2 (BPF_LSM_CGROUP: it runs for the
/// cgroup's processes and its descendants' only), refuses to open them with EACCES.
///
/// What stays open under a `net` directory of procfs is an allow-list of per-interface
/// and statistics files; anything else, including whatever a later kernel adds, is
/// closed. A `net` directory whose parent is `sys` is the sysctl tree and stays open,
/// and so does listing /proc/net itself. Subdirectories are judged by their name below
/// `net`: /proc/net/stat/… and dev_snmp6/… stay open, xt_recent/… (peer addresses) and
/// the rest close.
///
/// Deliberately not covered: the same tables over netlink (sock_diag, what ss(8) uses)
/// are a matter for the jail's seccomp filter or a socket hook, not for this one.
public enum ProcNetGuard {
    /// Names that stay readable directly below a procfs `net` directory.
    static let allowed = [
        "dev", "if_inet6", "route", "ipv6_route", "arp", "psched", "protocols", "snmp", "snmp6",
        "netstat", "sockstat", "sockstat6", "dev_mcast", "igmp", "igmp6", "mcfilter", "mcfilter6",
        "ptype", "softnet_stat", "wireless",
        // Directories of counters: per CPU (stat/) and per interface (dev_snmp6/).
        "stat", "dev_snmp6",
    ]

    /// How many directories above the opened file are searched for `net`: enough for
    /// the deepest file procfs has there (/proc/net/rpc/auth.unix.ip/content, three
    /// below). Each level costs a helper call on every procfs open, so no more.
    static let depth = 4

    // linux/bpf.h and linux/magic.h.
    static let lsmProgramType: UInt32 = 29  // BPF_PROG_TYPE_LSM
    static let lsmCgroupAttach: UInt32 = 43  // BPF_LSM_CGROUP
    static let allowMulti: UInt32 = 1 << 1  // BPF_F_ALLOW_MULTI
    static let procSuperMagic: Int32 = 0x9fa0
    static let hookName = "bpf_lsm_file_open"
    static let what = "the /proc/net guard"

    /// Everything in the program that depends on the running kernel: the hook's BTF id
    /// and the byte offsets it reads at. It also names the pinned copy, so that the next
    /// jail rebuilds the program from the name and never reads the BTF again.
    struct Layout: Equatable, Sendable {
        var hook: UInt32
        var fileInode: Int16     // struct file: f_inode
        var fileDentry: Int16    // struct file: f_path.dentry
        var inodeSuper: Int16    // struct inode: i_sb
        var superMagic: Int16    // struct super_block: s_magic
        var dentryParent: Int16  // struct dentry: d_parent
        var dentryName: Int16    // struct dentry: d_name.name

        init(hook: UInt32, fileInode: Int16, fileDentry: Int16, inodeSuper: Int16, superMagic: Int16,
             dentryParent: Int16, dentryName: Int16) {
            self.hook = hook
            self.fileInode = fileInode
            self.fileDentry = fileDentry
            self.inodeSuper = inodeSuper
            self.superMagic = superMagic
            self.dentryParent = dentryParent
            self.dentryName = dentryName
        }

        init(_ btf: BTF) throws(SystemError) {
            guard let hook = btf.function(hookName) else {
                throw SystemError("find `\(hookName)` in the kernel's btf (no bpf lsm)", .notSupported, path: BTF.kernelPath)
            }
            func find(_ path: String, in structure: String) throws(SystemError) -> Int16 {
                guard let offset = btf.offset(of: path, in: structure), let small = Int16(exactly: offset) else {
                    throw SystemError("find `\(structure).\(path)` in the kernel's btf", .noSuchFileOrDirectory,
                                      path: BTF.kernelPath)
                }
                return small
            }
            self.init(hook: hook,
                      fileInode: try find("f_inode", in: "file"), fileDentry: try find("f_path.dentry", in: "file"),
                      inodeSuper: try find("i_sb", in: "inode"), superMagic: try find("s_magic", in: "super_block"),
                      dentryParent: try find("d_parent", in: "dentry"), dentryName: try find("d_name.name", in: "dentry"))
        }

        var numbers: [Int] {
            [Int(hook), Int(fileInode), Int(fileDentry), Int(inodeSuper), Int(superMagic), Int(dentryParent), Int(dentryName)]
        }

        var name: String { "procnet-" + numbers.map(String.init).joined(separator: "-") }

        init?(name: String) {
            let parts = name.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 8, parts[0] == "procnet", let hook = UInt32(parts[1]) else { return nil }
            let offsets = parts.dropFirst(2).compactMap { Int16($0) }.filter { $0 >= 0 }
            guard offsets.count == 6 else { return nil }
            self.init(hook: hook, fileInode: offsets[0], fileDentry: offsets[1], inodeSuper: offsets[2],
                      superMagic: offsets[3], dentryParent: offsets[4], dentryName: offsets[5])
        }
    }

    /// The program. Its context is the hook's arguments as u64s: `file_open(struct file *)`.
    /// Loads through the typed pointers are checked by the verifier against the BTF and
    /// read 0 from a NULL pointer instead of faulting. Returns 1 to allow; 0 after
    /// bpf_set_retval(-EACCES) to refuse with "permission denied" (EPERM otherwise).
    static func program(_ l: Layout) -> [UInt64] {
        var a = BPFAssembler()
        let allow = a.newLabel(), found = a.newLabel()
        a.load(.double, 6, 1, 0)                   // r6 = file
        a.load(.double, 7, 6, l.fileInode)         // r7 = file->f_inode
        a.load(.double, 7, 7, l.inodeSuper)        // ->i_sb
        a.load(.double, 7, 7, l.superMagic)        // ->s_magic
        a.jump(.notEqual, 7, procSuperMagic, allow)
        a.load(.double, 6, 6, l.fileDentry)        // r6 = file->f_path.dentry
        a.load(.double, 7, 6, l.dentryParent)      // r7 = its parent
        // Up the tree looking for `net`; r6 stays the component just below r7.
        for level in 0..<depth {
            shortName(&a, of: 7, l)
            a.load64(2, word("net"))
            a.jumpReg(.equal, 1, 2, found)
            if level + 1 < depth {
                a.movReg(6, 7)
                a.load(.double, 7, 7, l.dentryParent)
            }
        }
        a.goto(allow)

        a.place(found)
        a.load(.double, 8, 7, l.dentryParent)      // /proc/sys/net is sysctl
        shortName(&a, of: 8, l)
        a.load64(2, word("sys"))
        a.jumpReg(.equal, 1, 2, allow)
        // The name below `net`, 15 bytes at most and zero-padded, as two words in r1, r2.
        a.load(.double, 3, 6, l.dentryName)
        a.storeImm(.double, 10, -16, 0)
        a.storeImm(.double, 10, -8, 0)
        a.movReg(1, 10)
        a.alu(.add, 1, -16)
        a.mov(2, 16)
        a.call(115)                                 // bpf_probe_read_kernel_str
        a.load(.double, 1, 10, -16)
        a.load(.double, 2, 10, -8)
        for name in allowed {
            let next = a.newLabel()
            let bytes = Array(name.utf8)
            a.load64(3, word(bytes.prefix(8)))
            a.jumpReg(.notEqual, 1, 3, next)
            let high = word(bytes.dropFirst(8))
            if let imm = Int32(exactly: high) {
                a.jump(.equal, 2, imm, allow)
            } else {
                a.load64(3, high)
                a.jumpReg(.equal, 2, 3, allow)
            }
            a.place(next)
        }
        a.mov(1, -EACCES)
        a.call(187)                                 // bpf_set_retval
        a.exit(with: 0)

        a.place(allow)
        a.exit(with: 1)
        return a.assemble()
    }

    /// r1 = the first 8 bytes of the name of dentry `reg`, NUL included and zero-padded
    /// (a longer name keeps 7 bytes and the NUL, so it equals no short one).
    /// bpf_probe_read_kernel_str stops at the NUL: with the slot zeroed first, what
    /// follows the name in memory never enters the comparison.
    private static func shortName(_ a: inout BPFAssembler, of reg: BPFAssembler.Register, _ l: Layout) {
        a.load(.double, 3, reg, l.dentryName)
        a.storeImm(.double, 10, -8, 0)
        a.movReg(1, 10)
        a.alu(.add, 1, -8)
        a.mov(2, 8)
        a.call(115)                                 // bpf_probe_read_kernel_str
        a.load(.double, 1, 10, -8)
    }

    /// Up to 8 bytes as the little-endian word a load from the stack gives.
    static func word(_ bytes: some Collection<UInt8>) -> UInt64 {
        var w: UInt64 = 0
        for (i, b) in bytes.prefix(8).enumerated() { w |= UInt64(b) << UInt64(8 * i) }
        return w
    }

    static func word(_ text: String) -> UInt64 { word(Array(text.utf8)) }

    /// Attaches the guard to the cgroup v2 directory `cgroup`. With `cache` (a bpf file
    /// system of ours, see `DeviceFilter.prepareCache`), a pinned copy is reused when the
    /// kernel vouches it is this program, else a new one is pinned there: loading means
    /// reading the kernel's BTF and verifying, fetching only a lookup and a hash.
    public static func attach(to cgroup: Int32, cache: FilePath?) throws(SystemError) {
        if let cache, let prog = pinned(in: cache) {
            try BPFProgram.attach(prog, to: cgroup, type: lsmCgroupAttach, flags: allowMulti, what: what)
            return
        }
        let layout = try Layout(BTF.kernel())
        let prog = try load(layout)
        // Another jail may pin the same program first: then ours is simply not kept.
        if let cache { _ = unsafe cj_bpf_pin(prog.rawValue, cache.appending(layout.name).string) }
        try BPFProgram.attach(prog, to: cgroup, type: lsmCgroupAttach, flags: allowMulti, what: what)
    }

    /// Whether this kernel can run the guard: its BTF is there and names the hook, and the
    /// program loads (CONFIG_BPF_LSM). Not attached anywhere. Where securityfs shows the
    /// active LSMs, "bpf" must be one of them: otherwise the program would load and never run.
    public static var isAvailable: Bool {
        if let active = try? readFile("/sys/kernel/security/lsm"),
           !active.split(whereSeparator: { $0 == "," || $0.isWhitespace }).contains("bpf") {
            return false
        }
        do {
            let prog = try load(Layout(BTF.kernel()))
            prog.close()
            return true
        } catch {
            return false
        }
    }

    static func load(_ layout: Layout) throws(SystemError) -> OwnedFD {
        try BPFProgram.load(program(layout), type: lsmProgramType, attachType: lsmCgroupAttach,
                            btfID: layout.hook, what: what)
    }

    /// A pinned guard in `cache` that the kernel confirms is ours: an LSM program at the
    /// hook its name gives, tagged with the hash of the program its name rebuilds. The
    /// bpf file system lives in memory, so whatever is pinned there was loaded since
    /// this boot, for this kernel, by root. One that fails the check (an older version of
    /// ours) is removed.
    static func pinned(in cache: FilePath) -> OwnedFD? {
        for name in (try? directoryEntries(cache.string)) ?? [] {
            guard let layout = Layout(name: name) else { continue }
            let path = cache.appending(name)
            let fd = unsafe cj_bpf_get(path.string)
            guard fd >= 0 else { continue }
            let prog = OwnedFD(fd)
            guard let identity = try? BPFProgram.identity(prog.rawValue, what: what) else { continue }
            if identity.type == lsmProgramType, identity.attachBTFID == layout.hook,
               BPFProgram.tags(program(layout)).contains(identity.tag) {
                return prog
            }
            _ = unsafe unlink(path.string)
        }
        return nil
    }
}
