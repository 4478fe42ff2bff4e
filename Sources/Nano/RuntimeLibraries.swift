/// Libraries glibc loads at run time, by name, that no DT_NEEDED entry shows: NSS
/// modules, gconv modules and libgcc_s. Each comes when asked for, or when the tree shows
/// it will be needed; each is dlopened by libc, and so looked up as from libc.
extension Planner {
    /// libc, where the program has it.
    var libc: Int? { loader.objects.firstIndex { $0.elf.soname == "libc.so.6" } }

    /// The modules of the services /etc/nsswitch.conf names, when it is among the files
    /// copied; `--nss` without it is an error, since glibc's defaults need no module.
    mutating func addNSSModules() throws(NanoError) {
        let conf = "/etc/nsswitch.conf"
        guard plan.entry(conf) != nil, let bytes = files.contents(conf, limit: 1 << 20) else {
            if request.nss { throw NanoError("--nss: no \(conf) among the --with files (add --with \(conf))") }
            return
        }
        for service in NSSwitch.services(String(decoding: bytes, as: UTF8.self)) {
            if let libc, NSSwitch.isBuiltIn(service, libc: loader.objects[libc].elf) { continue }
            let name = NSSwitch.moduleName(service)
            let reason = "NSS module of \"\(service)\" in \(conf)"
            if try loader.open(name, for: libc ?? 0, reason: reason) == nil {
                plan.notes.append("\(name) (\"\(service)\" in \(conf)): not on this host, left out")
            }
        }
        try loadAndReport()
    }

    /// glibc's gconv directory, when asked or when an object imports iconv_open.
    mutating func addGconvModules() throws(NanoError) {
        let importer = loader.objects.first { $0.elf.imports.contains("iconv_open") }
        guard request.gconv || importer != nil else { return }
        let reason = importer.map { "gconv modules: \($0.path) imports iconv_open" } ?? "gconv modules (--gconv)"
        guard let dir = gconvDirectory() else {
            if request.gconv { throw NanoError("--gconv: glibc's gconv directory not found") }
            plan.notes.append("\(reason), but glibc's gconv directory is not on this host")
            return
        }
        var roots: [(path: String, elf: ELFFile)] = []
        try addWith(dir, reason: reason, roots: &roots)
        try addModules(roots)
    }

    /// The directory libc was built to read gconv modules from: the path of its
    /// gconv-modules.cache is a string in libc; failing that, `gconv` beside libc.
    func gconvDirectory() -> String? {
        guard let libc, let bytes = files.contents(loader.objects[libc].path) else { return nil }
        let suffix = Array("/gconv-modules.cache".utf8) + [0]
        var i = 0
        while let found = bytes[i...].firstIndex(of: suffix[0]) {
            i = found + 1
            guard bytes[found...].starts(with: suffix) else { continue }
            var start = found
            while start > 0, bytes[start - 1] != 0 { start -= 1 }
            let dir = String(decoding: bytes[start..<found], as: UTF8.self)
            if dir.hasPrefix("/"), files.status(dir) != nil { return dir }
        }
        let beside = joinPath(directoryName((try? files.walk(loader.objects[libc].path).path) ?? "/"), "gconv")
        return files.status(beside)?.kind == .directory ? beside : nil
    }

    /// libgcc_s.so.1, when asked or when an object imports pthread_cancel or pthread_exit:
    /// glibc dlopens it to unwind the thread, and aborts the process without it.
    mutating func addLibgcc() throws(NanoError) {
        let importer = loader.objects.first {
            $0.elf.imports.contains("pthread_cancel") || $0.elf.imports.contains("pthread_exit")
        }
        guard request.libgcc || importer != nil else { return }
        let reason = importer.map { "unwinds threads: \($0.path) imports pthread_cancel or pthread_exit" }
            ?? "unwinds threads (--libgcc)"
        if try loader.open("libgcc_s.so.1", for: libc ?? 0, reason: reason) == nil {
            if request.libgcc { throw NanoError("--libgcc: libgcc_s.so.1 not found") }
            plan.notes.append("libgcc_s.so.1 is not on this host: pthread_cancel and pthread_exit will abort the program")
        }
        try loadAndReport()
    }
}
