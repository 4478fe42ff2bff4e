import Glibc
@testable import Nano

/// A small ELF file made to order: class, byte order, machine, PT_INTERP, a dynamic
/// section with the entries the loader reads, and dynamic symbols counted through the
/// section headers, DT_HASH or DT_GNU_HASH.
struct ELFBuilder {
    enum SymbolCount { case sections, sysvHash, gnuHash }

    var is64 = true
    var bigEndian = false
    var machine: UInt16 = 62
    var type: UInt16 = 3
    var interpreter: String?
    var dynamic = true
    var needed: [String] = []
    var soname: String?
    var rpath: String?
    var runpath: String?
    var nodeflib = false
    var imports: [String] = []
    var exports: [String] = []
    var count = SymbolCount.sysvHash
    /// Bytes after everything else (a string libc holds, say).
    var trailer: [UInt8] = []

    init(needed: [String] = [], soname: String? = nil, rpath: String? = nil, runpath: String? = nil,
         interpreter: String? = nil, imports: [String] = [], exports: [String] = []) {
        self.needed = needed
        self.soname = soname
        self.rpath = rpath
        self.runpath = runpath
        self.interpreter = interpreter
        self.imports = imports
        self.exports = exports
    }

    var bytes: [UInt8] {
        var out = [UInt8]()
        func put(_ value: UInt64, _ size: Int) {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
            out += bigEndian ? bytes.reversed() : bytes
        }
        func word(_ value: UInt64) { put(value, is64 ? 8 : 4) }
        func patch(_ at: Int, _ value: UInt64, _ size: Int) {
            let saved = out
            out = []
            put(value, size)
            let field = out
            out = saved
            out.replaceSubrange(at..<at + size, with: field)
        }
        let ehsize = is64 ? 64 : 52, phentsize = is64 ? 56 : 32
        let phnum = 1 + (interpreter == nil ? 0 : 1) + (dynamic ? 1 : 0)
        // Header; offsets patched below.
        out += [0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, bigEndian ? 2 : 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        put(UInt64(type), 2); put(UInt64(machine), 2); put(1, 4)
        word(0); word(UInt64(ehsize)); word(0) /* e_shoff */; put(0, 4)
        put(UInt64(ehsize), 2); put(UInt64(phentsize), 2); put(UInt64(phnum), 2)
        put(is64 ? 64 : 40, 2); put(0, 2) /* e_shnum */; put(0, 2)
        let shoffAt = is64 ? 40 : 32, shnumAt = is64 ? 60 : 48
        let phoff = out.count
        out += [UInt8](repeating: 0, count: phnum * phentsize)

        let interpAt = out.count
        if let interpreter { out += Array(interpreter.utf8) + [0] }
        var strings: [UInt8] = [0]
        func string(_ s: String) -> UInt64 {
            let at = strings.count
            strings += Array(s.utf8) + [0]
            return UInt64(at)
        }
        let symbols = imports.map { (string($0), true) } + exports.map { (string($0), false) }
        var entries: [(UInt64, UInt64)] = needed.map { (1, string($0)) }
        if let soname { entries.append((14, string(soname))) }
        if let rpath { entries.append((15, string(rpath))) }
        if let runpath { entries.append((29, string(runpath))) }
        if nodeflib { entries.append((0x6fff_fffb, 0x800)) }
        let strtab = out.count
        out += strings
        let symtab = out.count
        let symsize = is64 ? 24 : 16
        out += [UInt8](repeating: 0, count: symsize)
        for (name, undefined) in symbols {
            if is64 {
                put(name, 4); put(0x12, 1); put(0, 1); put(undefined ? 0 : 12, 2); put(0, 8); put(0, 8)
            } else {
                put(name, 4); put(0, 4); put(0, 4); put(0x12, 1); put(0, 1); put(undefined ? 0 : 12, 2)
            }
        }
        let nsyms = UInt64(symbols.count + 1)
        let hash = out.count
        switch count {
        case .sysvHash:
            put(1, 4); put(nsyms, 4); put(0, 4)
            for _ in 0..<nsyms { put(0, 4) }
            entries.append((4, UInt64(hash)))
        case .gnuHash:
            put(1, 4); put(1, 4); put(1, 4); put(0, 4); word(0)
            put(nsyms > 1 ? 1 : 0, 4)
            for i in 1..<max(nsyms, 1) { put(i == nsyms - 1 ? 1 : 0, 4) }
            entries.append((0x6fff_fef5, UInt64(hash)))
        case .sections:
            break
        }
        entries += [(5, UInt64(strtab)), (10, UInt64(strings.count)), (6, UInt64(symtab)), (11, UInt64(symsize))]
        let dynamicAt = out.count
        for (tag, value) in entries + [(0, 0)] { word(tag); word(value) }
        out += trailer
        if count == .sections {
            let shoff = out.count
            out += [UInt8](repeating: 0, count: is64 ? 64 : 40)
            put(0, 4); put(11, 4) /* SHT_DYNSYM */; word(2); word(UInt64(symtab)); word(UInt64(symtab))
            word(nsyms * UInt64(symsize)); put(0, 4); put(1, 4); word(8); word(UInt64(symsize))
            patch(shoffAt, UInt64(shoff), is64 ? 8 : 4)
            patch(shnumAt, 2, 2)
        }
        // Program headers: one PT_LOAD over the whole file at address 0 (addresses are
        // offsets), PT_INTERP, PT_DYNAMIC.
        var headers: [(UInt32, Int, Int)] = [(1, 0, out.count)]
        if let interpreter { headers.append((3, interpAt, interpreter.utf8.count + 1)) }
        if dynamic { headers.append((2, dynamicAt, (entries.count + 1) * 2 * (is64 ? 8 : 4))) }
        for (i, (kind, offset, size)) in headers.enumerated() {
            let at = phoff + i * phentsize
            patch(at, UInt64(kind), 4)
            if is64 {
                patch(at + 8, UInt64(offset), 8); patch(at + 16, UInt64(offset), 8); patch(at + 32, UInt64(size), 8)
            } else {
                patch(at + 4, UInt64(offset), 4); patch(at + 8, UInt64(offset), 4); patch(at + 16, UInt64(size), 4)
            }
        }
        return out
    }
}

/// A host made of a dictionary: files, directories (implied by what is below them),
/// symlinks, sockets and devices, for the planner to read.
struct FakeFiles: HostFiles {
    enum Node { case file([UInt8], mode: UInt32), directory(mode: UInt32), link(String), socket, device }

    var nodes: [String: Node] = ["/": .directory(mode: 0o755)]

    mutating func file(_ path: String, _ bytes: [UInt8], mode: UInt32 = 0o644) {
        parents(path)
        nodes[path] = .file(bytes, mode: mode)
    }

    mutating func elf(_ path: String, _ builder: ELFBuilder) { file(path, builder.bytes, mode: 0o755) }

    mutating func text(_ path: String, _ text: String) { file(path, Array(text.utf8)) }

    mutating func link(_ path: String, _ target: String) {
        parents(path)
        nodes[path] = .link(target)
    }

    mutating func directory(_ path: String, mode: UInt32 = 0o755) {
        parents(path)
        nodes[path] = .directory(mode: mode)
    }

    mutating func special(_ path: String, _ node: Node) {
        parents(path)
        nodes[path] = node
    }

    private mutating func parents(_ path: String) {
        var dir = directoryName(path)
        while dir != "/" {
            if nodes[dir] == nil { nodes[dir] = .directory(mode: 0o755) }
            dir = directoryName(dir)
        }
    }

    /// lstat(2): every component but the last followed through symlinks.
    func status(_ path: String) -> FileStatus? {
        guard let real = lstatPath(path), let node = nodes[real] else { return nil }
        let identity = FileIdentity(device: 1, inode: UInt64(truncatingIfNeeded: real.hashValue))
        switch node {
        case .file(_, let mode): return FileStatus(.file, mode: mode, identity: identity)
        case .directory(let mode): return FileStatus(.directory, mode: mode, identity: identity)
        case .link(let target): return FileStatus(.symlink(target: target), mode: 0o777, identity: identity)
        case .socket: return FileStatus(.socket, mode: 0o755, identity: identity)
        case .device: return FileStatus(.device, mode: 0o666, identity: identity)
        }
    }

    private func lstatPath(_ path: String) -> String? {
        if path == "/" { return path }
        guard let parent = realParent(path) else { return nil }
        switch baseName(path) {
        case "", ".": return parent
        case "..": return directoryName(parent)
        case let name: return joinPath(parent, name)
        }
    }

    private func realParent(_ path: String) -> String? {
        let parent = directoryName(path)
        if parent == "/" { return "/" }
        return try? walk(parent).path
    }

    func contents(_ path: String, limit: Int) -> [UInt8]? {
        guard let real = try? walk(path).path, case .file(let bytes, _)? = nodes[real] else { return nil }
        return Array(bytes.prefix(limit))
    }

    func names(in directory: String) -> [String]? {
        guard let real = try? walk(directory).path, case .directory? = nodes[real] else { return nil }
        let prefix = real == "/" ? "/" : real + "/"
        return nodes.keys.filter { $0.hasPrefix(prefix) && $0 != real && !$0.dropFirst(prefix.count).contains("/") }
            .map { String($0.dropFirst(prefix.count)) }
    }

    /// A Debian-like x86-64 host: merged /usr, the loader at /lib64, libc exporting the
    /// built-in NSS services, /etc/ld.so.conf as Debian's.
    static func debian() -> FakeFiles {
        var host = FakeFiles()
        host.link("/lib", "usr/lib")
        host.link("/lib64", "usr/lib64")
        host.link("/usr/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")
        host.elf("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", ELFBuilder(soname: "ld-linux-x86-64.so.2"))
        var libc = ELFBuilder(needed: ["ld-linux-x86-64.so.2"], soname: "libc.so.6",
                              exports: ["_nss_files_getpwnam_r", "_nss_dns_gethostbyname3_r", "iconv_open", "pthread_exit"])
        libc.trailer = Array("/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache".utf8) + [0]
        host.elf("/usr/lib/x86_64-linux-gnu/libc.so.6", libc)
        host.text("/etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n\n")
        host.text("/etc/ld.so.conf.d/libc.conf", "# libc default configuration\n/usr/local/lib\n")
        host.text("/etc/ld.so.conf.d/x86_64-linux-gnu.conf",
                  "# Multiarch support\n/usr/local/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n")
        host.text("/etc/ld.so.cache", "glibc-ld.so.cache1.1")
        return host
    }

    /// A dynamically linked program for the Debian-like host.
    static func program(needed: [String] = ["libc.so.6"], imports: [String] = [], rpath: String? = nil,
                        runpath: String? = nil) -> ELFBuilder {
        ELFBuilder(needed: needed, rpath: rpath, runpath: runpath, interpreter: "/lib64/ld-linux-x86-64.so.2",
                   imports: imports)
    }
}

extension TreePlan {
    /// "path" for files and directories, "path -> target" for symlinks.
    var lines: [String] {
        entries.map {
            if case .symlink(let target) = $0.kind { return "\($0.path) -> \(target)" }
            return $0.path
        }
    }

    var files: [String] { entries.filter { $0.kind == .file }.map(\.path) }
}

/// A host file's bytes (the tests read real binaries).
func hostFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        out += buf[0..<n]
    }
    return out
}
