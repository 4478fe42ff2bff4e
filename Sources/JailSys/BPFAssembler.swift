/// eBPF programs written in Swift: instructions appended in order, jumps to labels
/// resolved at the end. Small and explicit on purpose — our programs are a few dozen
/// instructions, generated per jail, and must load without a compiler or libbpf.
public struct BPFAssembler {
    public typealias Register = UInt8
    public struct Label: Hashable, Sendable { let id: Int }

    /// Access sizes (linux/bpf_common.h BPF_W, BPF_H, BPF_B, BPF_DW).
    public enum Size: UInt8, Sendable { case word = 0x00, half = 0x08, byte = 0x10, double = 0x18 }

    /// Conditional jumps (BPF_JMP class), unsigned unless said.
    public enum Condition: UInt8, Sendable {
        case equal = 0x10, greater = 0x20, greaterOrEqual = 0x30, bitsSet = 0x40, notEqual = 0x50
        case signedGreater = 0x60, less = 0xa0, lessOrEqual = 0xb0
    }

    /// 64-bit ALU operations (BPF_ALU64 class).
    public enum Operation: UInt8, Sendable {
        case add = 0x00, sub = 0x10, mul = 0x20, or = 0x40, and = 0x50, lsh = 0x60, rsh = 0x70
        case xor = 0xa0, mov = 0xb0
    }

    public private(set) var code: [UInt64] = []
    private var places: [Int: Int] = [:]
    private var jumps: [(at: Int, label: Label)] = []
    private var labels = 0

    public init() {}

    // Instruction encoding (linux/bpf.h struct bpf_insn): code, dst | src << 4, off, imm.
    static func insn(_ op: UInt8, dst: Register = 0, src: Register = 0, off: Int16 = 0, imm: Int32 = 0) -> UInt64 {
        UInt64(op) | UInt64(dst & 0xf) << 8 | UInt64(src & 0xf) << 12
            | UInt64(UInt16(bitPattern: off)) << 16 | UInt64(UInt32(bitPattern: imm)) << 32
    }

    public mutating func newLabel() -> Label {
        labels += 1
        return Label(id: labels)
    }

    public mutating func place(_ label: Label) { places[label.id] = code.count }

    /// dst = imm (sign-extended to 64 bits).
    public mutating func mov(_ dst: Register, _ imm: Int32) { code.append(Self.insn(0xb7, dst: dst, imm: imm)) }
    /// dst = src.
    public mutating func movReg(_ dst: Register, _ src: Register) { code.append(Self.insn(0xbf, dst: dst, src: src)) }
    /// dst op= imm, 64-bit.
    public mutating func alu(_ op: Operation, _ dst: Register, _ imm: Int32) {
        code.append(Self.insn(0x07 | op.rawValue, dst: dst, imm: imm))
    }
    /// dst op= src, 64-bit.
    public mutating func aluReg(_ op: Operation, _ dst: Register, _ src: Register) {
        code.append(Self.insn(0x0f | op.rawValue, dst: dst, src: src))
    }
    /// dst = 64-bit constant (two instruction slots).
    public mutating func load64(_ dst: Register, _ value: UInt64) {
        code.append(Self.insn(0x18, dst: dst, imm: Int32(bitPattern: UInt32(truncatingIfNeeded: value))))
        code.append(Self.insn(0, imm: Int32(bitPattern: UInt32(truncatingIfNeeded: value >> 32))))
    }
    /// dst = the map whose descriptor is `fd` (BPF_PSEUDO_MAP_FD; the kernel takes a reference).
    public mutating func loadMap(_ dst: Register, fd: Int32) {
        code.append(Self.insn(0x18, dst: dst, src: 1, imm: fd))
        code.append(Self.insn(0))
    }
    /// dst = *(size *)(src + off).
    public mutating func load(_ size: Size, _ dst: Register, _ src: Register, _ off: Int16) {
        code.append(Self.insn(0x61 | size.rawValue, dst: dst, src: src, off: off))
    }
    /// *(size *)(dst + off) = src.
    public mutating func store(_ size: Size, _ dst: Register, _ off: Int16, _ src: Register) {
        code.append(Self.insn(0x63 | size.rawValue, dst: dst, src: src, off: off))
    }
    /// *(size *)(dst + off) = imm.
    public mutating func storeImm(_ size: Size, _ dst: Register, _ off: Int16, _ imm: Int32) {
        code.append(Self.insn(0x62 | size.rawValue, dst: dst, off: off, imm: imm))
    }
    /// if (dst cond imm) goto label.
    /// Jumps to `target` when registers `from`, `from + 1`, ... hold `words` (an address
    /// loaded word by word); falls through otherwise.
    public mutating func jumpIfWordsEqual(_ words: [UInt32], from first: Register, to target: Label) {
        let next = newLabel()
        for (i, word) in words.enumerated() {
            if i == words.count - 1 { jump32(.equal, first + Register(i), word, target) } else {
                jump32(.notEqual, first + Register(i), word, next)
            }
        }
        place(next)
    }

    public mutating func jump(_ cond: Condition, _ dst: Register, _ imm: Int32, _ label: Label) {
        jumps.append((code.count, label))
        code.append(Self.insn(0x05 | cond.rawValue, dst: dst, imm: imm))
    }
    /// if (dst cond src) goto label.
    public mutating func jumpReg(_ cond: Condition, _ dst: Register, _ src: Register, _ label: Label) {
        jumps.append((code.count, label))
        code.append(Self.insn(0x0d | cond.rawValue, dst: dst, src: src))
    }
    /// if ((u32)dst cond imm) goto label (BPF_JMP32: 32-bit compare, no sign extension).
    public mutating func jump32(_ cond: Condition, _ dst: Register, _ imm: UInt32, _ label: Label) {
        jumps.append((code.count, label))
        code.append(Self.insn(0x06 | cond.rawValue, dst: dst, imm: Int32(bitPattern: imm)))
    }
    public mutating func goto(_ label: Label) {
        jumps.append((code.count, label))
        code.append(Self.insn(0x05))
    }
    /// r0 = helper(r1 ... r5).
    public mutating func call(_ helper: Int32) { code.append(Self.insn(0x85, imm: helper)) }
    public mutating func exit() { code.append(Self.insn(0x95)) }
    /// r0 = value; exit.
    public mutating func exit(with value: Int32) {
        mov(0, value)
        exit()
    }

    /// The instructions, jumps resolved. Every label used must have been placed.
    public func assemble() -> [UInt64] {
        var out = code
        for (at, label) in jumps {
            guard let target = places[label.id] else { preconditionFailure("BPF label \(label.id) never placed") }
            let off = Int16(target - at - 1)
            out[at] = (out[at] & ~(UInt64(0xffff) << 16)) | UInt64(UInt16(bitPattern: off)) << 16
        }
        return out
    }
}
