import CJail
import CSeccomp
import Glibc
import SystemPackage

/// One piece of a seccomp policy. Every system call the library knows and no rule names is
/// allowed; every number it does not know (new or foreign) fails with ENOSYS.
public enum SeccompRule: Sendable, Hashable {
    /// The call always fails with `errno`.
    case deny(String, errno: Int32)
    /// Allowed when the low 32 bits of `arg` are one of `values`; fails with `errno`
    /// otherwise, except for `elsewhere` values, which other rules decide. With `when`,
    /// the rule only concerns calls whose argument `when.arg` equals `when.value`.
    case allowValues(String, arg: UInt32, values: [UInt32], elsewhere: [UInt32] = [],
                     errno: Int32, when: Condition? = nil)
    /// Fails with `errno` when the low 32 bits of `arg` are one of `values`; allowed
    /// otherwise, except for `elsewhere` values, which other rules decide. `when` as above.
    case denyValues(String, arg: UInt32, values: [UInt32], elsewhere: [UInt32] = [], errno: Int32,
                    when: Condition? = nil)
    /// Fails with `errno` when any of `bits` is set in `arg` (64 bits); allowed otherwise.
    case denyBits(String, arg: UInt32, bits: UInt64, errno: Int32)
    /// For calls whose argument `when.arg` is `when.value`: allowed when `arg & mask` is
    /// one of `values`, failing with `errno` otherwise (mask: a few low bits).
    case allowMasked(String, arg: UInt32, mask: UInt32, values: [UInt32], errno: Int32, when: Condition)

    public struct Condition: Sendable, Hashable {
        public var arg: UInt32
        public var value: UInt32
        public init(arg: UInt32, value: UInt32) { self.arg = arg; self.value = value }
    }

    /// A stable text of the rule, for the cache key (no reflection: it is on the start path).
    var canonical: String {
        func list(_ v: [UInt32]) -> String { v.map { String($0) }.joined(separator: ",") }
        switch self {
        case .deny(let n, let e): return "deny \(n) \(e)"
        case .allowValues(let n, let a, let v, let o, let e, let w):
            return "allow \(n) \(a) [\(list(v))] [\(list(o))] \(e) \(w.map { "\($0.arg)=\($0.value)" } ?? "-")"
        case .denyValues(let n, let a, let v, let o, let e, let w):
            return "denyv \(n) \(a) [\(list(v))] [\(list(o))] \(e)" + (w.map { " \($0.arg)=\($0.value)" } ?? "")
        case .denyBits(let n, let a, let b, let e): return "bits \(n) \(a) \(b) \(e)"
        case .allowMasked(let n, let a, let m, let v, let e, let w):
            return "masked \(n) \(a) \(m) [\(list(v))] \(e) \(w.arg)=\(w.value)"
        }
    }

    var syscallName: String {
        switch self {
        case .deny(let n, _), .allowValues(let n, _, _, _, _, _), .denyValues(let n, _, _, _, _, _),
             .denyBits(let n, _, _, _), .allowMasked(let n, _, _, _, _, _): n
        }
    }
}

/// A compiled filter: `struct sock_filter` instructions, ready for seccomp(2).
public struct SeccompProgram: Sendable {
    public let bytes: [UInt8]
    /// Its name in the cache.
    public var key: String = ""
    public var instructionCount: Int { bytes.count / 8 }
}

public enum Seccomp {
    static let actAllow: UInt32 = 0x7fff_0000
    static func actErrno(_ e: Int32) -> UInt32 { 0x0005_0000 | (UInt32(bitPattern: e) & 0xffff) }
    /// Bump when the way rules are compiled changes: old cache entries are then ignored.
    static let formatVersion = 1

    /// The compiled program for `rules`, from the cache when it holds one, else compiled by
    /// libseccomp and stored. Compiling is what makes other runtimes slow to start; the
    /// cache key covers the architecture, the library's version and every rule.
    public static func program(
        for rules: [SeccompRule], cacheDirectory: FilePath
    ) throws(SystemError) -> SeccompProgram {
        let key = cacheKey(rules)
        if let cached = cached(key: key, cacheDirectory: cacheDirectory) { return cached }
        var program = try compile(rules)
        program.key = key
        store(program, in: cacheDirectory, as: cacheDirectory.appending("seccomp-\(key).bpf"))
        return program
    }

    /// A program already in the cache under `key` (jexec reads the one its jail recorded).
    public static func cached(key: String, cacheDirectory: FilePath) -> SeccompProgram? {
        guard !key.isEmpty, key.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else { return nil }
        guard let program = try? readProgram(cacheDirectory.appending("seccomp-\(key).bpf")) else { return nil }
        return SeccompProgram(bytes: program.bytes, key: key)
    }

    public static func cacheKey(_ rules: [SeccompRule]) -> String {
        let version = unsafe seccomp_version()
        let lib = unsafe version.map { unsafe "\($0.pointee.major).\($0.pointee.minor).\($0.pointee.micro)" } ?? "?"
        var text = "v\(formatVersion) arch=\(seccomp_arch_native()) lib=\(lib)\n"
        for rule in rules { text += rule.canonical + "\n" }
        // FNV-1a, 64 bits: a cache name, not a security boundary (the cache is root's).
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }

    static func readProgram(_ file: FilePath) throws(SystemError) -> SeccompProgram {
        let fd = try OwnedFD.open(file, O_RDONLY | O_NOFOLLOW)
        let bytes = try fd.readAll(limit: 8 * 4096)
        guard !bytes.isEmpty, bytes.count % 8 == 0, bytes.count <= 8 * 4096 else {
            throw SystemError("read seccomp cache", .invalidArgument, path: file)
        }
        return SeccompProgram(bytes: bytes)
    }

    /// Best effort: a cache that cannot be written only costs the next start a compile.
    static func store(_ program: SeccompProgram, in dir: FilePath, as file: FilePath) {
        _ = unsafe dir.withPlatformString { unsafe mkdir($0, 0o700) }
        let tmp = FilePath("\(file).\(getpid())")
        do {
            let fd = try OwnedFD.open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode: 0o600)
            try fd.writeAll(program.bytes, path: tmp)
            fd.close()
            _ = try syscall("rename", path: file) {
                unsafe tmp.withPlatformString { t in unsafe file.withPlatformString { unsafe rename(t, $0) } }
            }
        } catch {
            _ = unsafe tmp.withPlatformString { unsafe unlink($0) }
        }
    }

    /// Compiles `rules` with libseccomp.
    public static func compile(_ rules: [SeccompRule]) throws(SystemError) -> SeccompProgram {
        guard let ctx = unsafe seccomp_init(actErrno(ENOSYS)) else {
            throw SystemError("seccomp_init", .noMemory)
        }
        defer { unsafe seccomp_release(ctx) }
        let arch = seccomp_arch_native()
        let named = Set(rules.map(\.syscallName))
        // Every call this libseccomp knows by name, minus those the rules decide.
        for nr in Int32(0)..<1024 {
            guard let cname = unsafe seccomp_syscall_resolve_num_arch(arch, nr) else { continue }
            let name = unsafe String(cString: cname)
            unsafe free(cname)
            if named.contains(name) { continue }
            try unsafe add(ctx, actAllow, nr, [], rule: name)
        }
        for rule in rules {
            let nr = unsafe seccomp_syscall_resolve_name(rule.syscallName)
            // A call this architecture does not have needs no rule.
            guard nr >= 0 else { continue }
            switch rule {
            case .deny(let name, let e):
                try unsafe add(ctx, actErrno(e), nr, [], rule: name)
            case .denyBits(let name, let arg, let bits, let e):
                try unsafe add(ctx, actAllow, nr, [masked(arg, bits, 0)], rule: name)
                for bit in 0..<64 where bits & (1 << UInt64(bit)) != 0 {
                    let b = UInt64(1) << UInt64(bit)
                    try unsafe add(ctx, actErrno(e), nr, [masked(arg, b, b)], rule: name)
                }
            case .allowMasked(let name, let arg, let mask, let values, let e, let when):
                let pre = masked(when.arg, 0xffff_ffff, UInt64(when.value))
                for v in 0...mask where v & mask == v {
                    try unsafe add(ctx, values.contains(v) ? actAllow : actErrno(e), nr,
                                   [pre, masked(arg, UInt64(mask), UInt64(v))], rule: name)
                }
            case .denyValues(let name, let arg, let values, let elsewhere, let e, let when):
                let pre = when.map { [masked($0.arg, 0xffff_ffff, UInt64($0.value))] } ?? []
                for v in values {
                    try unsafe add(ctx, actErrno(e), nr, pre + [masked(arg, 0xffff_ffff, UInt64(v))], rule: name)
                }
                for (mask, value) in complement(of: values + elsewhere) {
                    try unsafe add(ctx, actAllow, nr, pre + [masked(arg, UInt64(mask), UInt64(value))], rule: name)
                }
            case .allowValues(let name, let arg, let values, let elsewhere, let e, let when):
                let pre = when.map { [masked($0.arg, 0xffff_ffff, UInt64($0.value))] } ?? []
                for v in values {
                    try unsafe add(ctx, actAllow, nr, pre + [masked(arg, 0xffff_ffff, UInt64(v))], rule: name)
                }
                for (mask, value) in complement(of: values + elsewhere) {
                    try unsafe add(ctx, actErrno(e), nr, pre + [masked(arg, UInt64(mask), UInt64(value))], rule: name)
                }
            }
        }
        unsafe _ = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)
        return try unsafe export(ctx)
    }

    static func masked(_ arg: UInt32, _ mask: UInt64, _ value: UInt64) -> scmp_arg_cmp {
        scmp_arg_cmp(arg: arg, op: SCMP_CMP_MASKED_EQ, datum_a: mask, datum_b: value)
    }

    static func add(
        _ ctx: scmp_filter_ctx, _ action: UInt32, _ nr: Int32, _ args: [scmp_arg_cmp], rule: String
    ) throws(SystemError) {
        // libseccomp refuses a rule whose action is the default one: it is implied.
        if action == actErrno(ENOSYS) { return }
        let r = unsafe args.withUnsafeBufferPointer {
            unsafe seccomp_rule_add_exact_array(ctx, action, nr, UInt32($0.count), $0.baseAddress)
        }
        // EEXIST: the same rule twice, harmless. Anything else is a bug in the policy.
        if r < 0 && r != -EEXIST {
            throw SystemError("seccomp rule for \(rule)", Errno(rawValue: -r))
        }
    }

    /// The 32-bit values not in `values`, as (mask, value) patterns: walking the binary trie
    /// of `values`, every branch that leads to none of them becomes one pattern.
    static func complement(of values: [UInt32]) -> [(UInt32, UInt32)] {
        var out: [(UInt32, UInt32)] = []
        func walk(_ set: [UInt32], bit: Int, prefixMask: UInt32, prefix: UInt32) {
            guard bit >= 0, !set.isEmpty else { return }
            let b = UInt32(1) << UInt32(bit)
            let mask = prefixMask | b
            let ones = set.filter { $0 & b != 0 }
            let zeros = set.filter { $0 & b == 0 }
            if ones.isEmpty { out.append((mask, prefix | b)) } else {
                walk(ones, bit: bit - 1, prefixMask: mask, prefix: prefix | b)
            }
            if zeros.isEmpty { out.append((mask, prefix)) } else {
                walk(zeros, bit: bit - 1, prefixMask: mask, prefix: prefix)
            }
        }
        let unique = Array(Set(values))
        if unique.isEmpty { return [(0, 0)] }
        walk(unique, bit: 31, prefixMask: 0, prefix: 0)
        return out
    }

    static func export(_ ctx: scmp_filter_ctx) throws(SystemError) -> SeccompProgram {
        // libseccomp 2.5 exports to a descriptor only; a memfd keeps it off the disk.
        let raw = try syscall("memfd_create") { unsafe cj_memfd("seccomp") }
        let fd = OwnedFD(raw)
        let r = unsafe seccomp_export_bpf(ctx, fd.rawValue)
        if r < 0 { throw SystemError("seccomp_export_bpf", Errno(rawValue: -Int32(r))) }
        _ = lseek(fd.rawValue, 0, SEEK_SET)
        return SeccompProgram(bytes: try fd.readAll(limit: 8 * 4096))
    }
}
