/// Where ld.so looks for a library named without a slash (glibc 2.36, elf/dl-load.c
/// `_dl_map_object`), in order:
///
/// 1. unless the requesting object has DT_RUNPATH: the DT_RPATH of the requesting object,
///    then of the object that loaded it, and so on up to the executable;
/// 2. LD_LIBRARY_PATH — left out: it belongs to the environment the jail's command gets;
/// 3. the requesting object's own DT_RUNPATH (never its loader's: RUNPATH does not apply
///    to indirect dependencies);
/// 4. ld.so.cache, stood in for by the directories of /etc/ld.so.conf it is built from;
/// 5. the default directories.
///
/// Steps 4 and 5 are skipped for an object marked DF_1_NODEFLIB. In every directory the
/// glibc-hwcaps subdirectories the machine has (x86-64-v4, -v3, -v2 on x86-64) come
/// before the directory itself. The legacy hwcaps subdirectories (`tls`, `haswell`,
/// `x86_64`; gone in glibc 2.37) are not searched.
struct LibrarySearch {
    /// /etc/ld.so.conf's directories.
    var configured: [String]
    /// The loader's own: Debian's multiarch pair, the 64-bit pair of other distributions,
    /// then /lib and /usr/lib.
    var defaults: [String]
    /// glibc-hwcaps subdirectory names, best first.
    var hwcaps: [String]
    /// What `$LIB` expands to.
    var lib: String

    init(for elf: ELFFile, configured: [String]) {
        self.configured = configured
        let triplet = Self.triplet(elf)
        var defaults: [String] = []
        if let triplet { defaults += ["/lib/\(triplet)", "/usr/lib/\(triplet)"] }
        if elf.is64 { defaults += ["/lib64", "/usr/lib64"] }
        self.defaults = defaults + ["/lib", "/usr/lib"]
        lib = triplet.map { "lib/\($0)" } ?? (elf.is64 ? "lib64" : "lib")
        hwcaps = Self.hwcaps(elf)
    }

    /// Debian's multiarch name of the machine.
    static func triplet(_ elf: ELFFile) -> String? {
        switch (elf.machine, elf.is64, elf.bigEndian) {
        case (62, true, false): "x86_64-linux-gnu"
        case (3, false, false): "i386-linux-gnu"
        case (183, true, false): "aarch64-linux-gnu"
        case (40, false, false): "arm-linux-gnueabihf"
        case (21, true, false): "powerpc64le-linux-gnu"
        case (21, true, true): "powerpc64-linux-gnu"
        case (22, true, true): "s390x-linux-gnu"
        case (243, true, false): "riscv64-linux-gnu"
        default: nil
        }
    }

    /// glibc-hwcaps subdirectories of glibc 2.36, best first.
    static func hwcaps(_ elf: ELFFile) -> [String] {
        switch (elf.machine, elf.is64, elf.bigEndian) {
        case (62, true, false): ["x86-64-v4", "x86-64-v3", "x86-64-v2"]
        case (21, true, false): ["power10", "power9"]
        case (22, true, true): ["z16", "z15", "z14", "z13"]
        default: []
        }
    }

    /// A DT_RPATH or DT_RUNPATH list as directories: `$ORIGIN` (and `${ORIGIN}`) is the
    /// directory of the object that holds the list, `$LIB` the machine's library
    /// directory; an entry with another token (`$PLATFORM`) or empty is left out.
    func expand(_ list: String, origin: String) -> [String] {
        list.split(separator: ":").compactMap { entry -> String? in
            var dir = String(entry)
            for (token, value) in [("ORIGIN", origin), ("LIB", lib)] {
                dir = dir.replacing("${\(token)}", with: value).replacing("$\(token)", with: value)
            }
            guard dir.hasPrefix("/"), !dir.contains("$") else { return nil }
            while dir.count > 1, dir.hasSuffix("/") { dir.removeLast() }
            return dir
        }
    }
}
