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
        var code: [UInt64] = [
            ldxw(3, 1, 0),            // r3 = access_type
            and64(3, 0xffff),         // r3 = device type
            ldxw(4, 1, 4),            // r4 = major
            ldxw(5, 1, 8),            // r5 = minor
        ]
        for rule in rules {
            var block: [(UInt8, Int32)] = [(3, rule.kind.rawValue)]   // (register, value) must match
            if let major = rule.major { block.append((4, Int32(bitPattern: major))) }
            if let minor = rule.minor { block.append((5, Int32(bitPattern: minor))) }
            // Each test jumps past the rest of the block (tests left, allow, exit).
            let length = block.count + 2
            for (i, (register, value)) in block.enumerated() {
                code.append(jne(register, value, Int16(length - i - 1)))
            }
            code.append(mov64imm(0, 1))
            code.append(exit())
        }
        code += [mov64imm(0, 0), exit()]
        return code
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
            prog = try syscall("load the device filter") {
                unsafe code.withUnsafeBufferPointer { unsafe cj_bpf_load_device_program($0.baseAddress, UInt32($0.count)) }
            }
            // Another start may pin the same program first: then ours is simply not kept.
            if let pinned { _ = unsafe cj_bpf_pin(prog, pinned.string) }
        }
        defer { _ = Glibc.close(prog) }
        _ = try syscall("attach the device filter") { cj_bpf_attach_device_program(cgroup.rawValue, prog) }
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

    // Instruction encoding (linux/bpf_common.h): code, dst | src << 4, offset, immediate.
    static func insn(_ code: UInt8, dst: UInt8 = 0, src: UInt8 = 0, off: Int16 = 0, imm: Int32 = 0) -> UInt64 {
        UInt64(code) | UInt64(dst & 0xf) << 8 | UInt64(src & 0xf) << 12
            | UInt64(UInt16(bitPattern: off)) << 16 | UInt64(UInt32(bitPattern: imm)) << 32
    }
    static func ldxw(_ dst: UInt8, _ src: UInt8, _ off: Int16) -> UInt64 { insn(0x61, dst: dst, src: src, off: off) }
    static func mov64imm(_ dst: UInt8, _ imm: Int32) -> UInt64 { insn(0xb7, dst: dst, imm: imm) }
    static func and64(_ dst: UInt8, _ imm: Int32) -> UInt64 { insn(0x57, dst: dst, imm: imm) }
    static func jne(_ dst: UInt8, _ imm: Int32, _ off: Int16) -> UInt64 { insn(0x55, dst: dst, off: off, imm: imm) }
    static func exit() -> UInt64 { insn(0x95) }
}
