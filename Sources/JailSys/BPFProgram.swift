import CJail
import Glibc
import SystemPackage

/// Loading and attaching our generated BPF programs.
public enum BPFProgram {
    /// BPF_PROG_LOAD. When the verifier refuses the program, the error carries the last
    /// lines of its log: a refusal here is our bug, and the log says which instruction.
    public static func load(_ code: [UInt64], type: UInt32, attachType: UInt32 = 0, btfID: UInt32 = 0,
                            what: String) throws(SystemError) -> OwnedFD {
        let fd = unsafe code.withUnsafeBufferPointer {
            unsafe cj_bpf_prog_load(type, attachType, btfID, $0.baseAddress, UInt32($0.count), nil, 0)
        }
        if fd >= 0 { return OwnedFD(fd) }
        let e = Errno(rawValue: Glibc.errno)
        guard e == .invalidArgument || e == .permissionDenied else { throw SystemError("load \(what)", e) }
        var log = [CChar](repeating: 0, count: 1 << 16)
        _ = unsafe code.withUnsafeBufferPointer { insns in
            unsafe log.withUnsafeMutableBufferPointer {
                unsafe cj_bpf_prog_load(type, attachType, btfID, insns.baseAddress, UInt32(insns.count),
                                        $0.baseAddress, UInt32($0.count))
            }
        }
        let text = String(decoding: log.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let tail = text.split(separator: "\n").suffix(3).joined(separator: " | ")
        throw SystemError("load \(what) (verifier: \(tail))", e)
    }

    /// BPF_PROG_ATTACH to a cgroup v2 directory.
    public static func attach(_ prog: borrowing OwnedFD, to cgroup: Int32, type: UInt32, flags: UInt32,
                              what: String) throws(SystemError) {
        _ = try syscall("attach \(what)") { cj_bpf_prog_attach(cgroup, prog.rawValue, type, flags) }
    }
}

extension BPFProgram {
    /// What the kernel says a loaded program is: its type, the BTF id of the function it
    /// attaches to (0 for most types) and its tag.
    public struct Identity: Sendable, Equatable {
        public var type: UInt32
        public var attachBTFID: UInt32
        public var tag: [UInt8]
    }

    public static func identity(_ prog: Int32, what: String) throws(SystemError) -> Identity {
        var type: UInt32 = 0, btfID: UInt32 = 0
        var tag = [UInt8](repeating: 0, count: 8)
        _ = try syscall("inspect \(what)") {
            unsafe tag.withUnsafeMutableBufferPointer { t in
                guard let base = t.baseAddress else { return Int32(-1) }
                return unsafe cj_bpf_prog_identity(prog, &type, &btfID, base)
            }
        }
        return Identity(type: type, attachBTFID: btfID, tag: tag)
    }

    /// The tags the kernel can give `code` (kernel/bpf/core.c, bpf_prog_calc_tag): the
    /// first 8 bytes of a hash of the instructions as loaded, `ld_imm64` map loads with
    /// their descriptor zeroed (unstable from user space). The hash is SHA-1 up to Linux
    /// 6.17 and SHA-256 from 6.18 on; a program whose tag is either one is this code, so
    /// both are returned rather than guessing the kernel's generation from its version.
    public static func tags(_ code: [UInt64]) -> [[UInt8]] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(code.count * 8)
        var afterMapLoad = false
        for var insn in code {
            let op = insn & 0xff, regs = (insn >> 8) & 0xff, off = (insn >> 16) & 0xffff
            let src = regs >> 4
            if !afterMapLoad && op == 0x18 && (src == 1 || src == 2) {  // BPF_PSEUDO_MAP_FD, _VALUE
                afterMapLoad = true
                insn &= 0xffff_ffff
            } else if afterMapLoad && op == 0 && regs == 0 && off == 0 {
                afterMapLoad = false
                insn &= 0xffff_ffff
            } else {
                afterMapLoad = false
            }
            // struct bpf_insn as the kernel hashes it: our encoding, little-endian.
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: insn >> UInt64(shift))) }
        }
        return [Array(SHA.sha1(bytes).prefix(8)), Array(SHA.sha256(bytes).prefix(8))]
    }
}
