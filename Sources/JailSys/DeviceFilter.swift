import CJail
import Glibc
import SystemPackage

/// The device cgroup of a jail: a BPF program attached to its cgroup v2 (cgroup-bpf works
/// on hybrid hosts too) that allows opening exactly the devices its devfs ruleset shows.
/// A node that reaches the jail some other way — in its tree, through a mount — still
/// cannot be opened. Attached before the jail's first process exists; the attachment
/// lives as long as the cgroup. The program is also pinned in a bpf file system of ours,
/// only so that the next jail need not load it again.
public enum DeviceFilter {
    public struct Rule: Sendable, Equatable, Hashable {
        public enum Kind: Int32, Sendable { case block = 1, character = 2 }
        public var kind: Kind
        /// nil: any.
        public var major: UInt32?
        public var minor: UInt32?

        public init(_ kind: Kind, _ major: UInt32?, _ minor: UInt32?) {
            self.kind = kind
            self.major = major
            self.minor = minor
        }
    }

    /// The program, as BPF instructions: `struct bpf_cgroup_dev_ctx` is
    /// { access_type (device type | access << 16), major, minor }. A listed device may be
    /// opened and made (our child makes the jail's /dev inside the cgroup; jailed root
    /// lacks CAP_MKNOD), any other not at all.
    public static func program(_ rules: [Rule]) -> [UInt64] {
        var a = BPFAssembler()
        a.load(.word, 3, 1, 0)          // r3 = access_type
        a.alu(.and, 3, 0xffff)          // r3 = device type
        a.load(.word, 4, 1, 4)          // r4 = major
        a.load(.word, 5, 1, 8)          // r5 = minor
        for rule in rules {
            // Each test that fails skips to the next rule; all pass: allow.
            let next = a.newLabel()
            a.jump(.notEqual, 3, rule.kind.rawValue, next)
            if let major = rule.major { a.jump(.notEqual, 4, Int32(bitPattern: major), next) }
            if let minor = rule.minor { a.jump(.notEqual, 5, Int32(bitPattern: minor), next) }
            a.exit(with: 1)
            a.place(next)
        }
        a.exit(with: 0)
        return a.assemble()
    }

    /// Loads the program (or takes the same one from `cache`, a bpf file system of
    /// ours: loading costs a few hundred microseconds, fetching a pinned one almost
    /// nothing) and attaches it to the cgroup v2 directory `cgroup`.
    public static func attach(_ rules: [Rule], to cgroup: borrowing OwnedFD, cache: FilePath?) throws(SystemError) {
        let code = program(rules)
        let pinned = cache.map { $0.appending("dev-" + key(code)) }
        var prog: Int32 = -1
        if let pinned {
            prog = unsafe cj_bpf_get(pinned.string)
            // Trusted only if it is exactly our program (the kernel's own copy compared).
            if prog >= 0, unsafe code.withUnsafeBufferPointer({ unsafe cj_bpf_device_program_is(prog, $0.baseAddress, UInt32($0.count)) }) == 0 {
                _ = Glibc.close(prog)
                prog = -1
                _ = unsafe unlink(pinned.string)
            }
        }
        if prog < 0 {
            prog = try BPFProgram.load(code, type: 15 /* BPF_PROG_TYPE_CGROUP_DEVICE */, what: "the device filter").release()
            // Another start may pin the same program first: then ours is simply not kept.
            if let pinned { _ = unsafe cj_bpf_pin(prog, pinned.string) }
        }
        defer { _ = Glibc.close(prog) }
        _ = try syscall("attach the device filter") {
            cj_bpf_prog_attach(cgroup.rawValue, prog, 6 /* BPF_CGROUP_DEVICE */, 2 /* BPF_F_ALLOW_MULTI */)
        }
    }

    /// Mounts our bpf file system at `path` (root only) unless one is there already.
    public static func prepareCache(_ path: FilePath) -> FilePath? {
        if unsafe cj_fs_magic(path.string) == 0xcafe_4a11 /* BPF_FS_MAGIC */ { return path }
        _ = unsafe mkdir(path.string, 0o700)
        guard unsafe Glibc.mount("bpf", path.string, "bpf", UInt(MS_NOSUID | MS_NODEV | MS_NOEXEC), "mode=0700") == 0 else { return nil }
        return path
    }

    /// FNV-1a of the instructions: the pinned program's name.
    static func key(_ code: [UInt64]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for word in code {
            for shift in stride(from: 0, to: 64, by: 8) {
                h = (h ^ ((word >> UInt64(shift)) & 0xff)) &* 0x100_0000_01b3
            }
        }
        return String(h, radix: 16)
    }
}
