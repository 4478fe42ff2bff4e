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
