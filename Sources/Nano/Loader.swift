/// ld.so's work, done on paper: which objects a program maps, breadth first from the
/// program (as `_dl_map_object_deps` does), each DT_NEEDED name looked up as
/// LibrarySearch says, a name already loaded (by the name asked for or by its
/// DT_SONAME) never looked up again.
struct Loader {
    /// One object the loader would map.
    struct Object {
        /// Where it was found, as ld.so names it (the search directory and the name, not
        /// the path without symlinks).
        var path: String
        var elf: ELFFile
        /// The object that first needed it: whose DT_RPATH chain its own lookups continue.
        var loader: Int?
        /// What `$ORIGIN` is in its DT_RPATH and DT_RUNPATH.
        var origin: String
        /// Why it is in the tree, for the report.
        var reason: String
        /// Found in an /etc/ld.so.conf directory that is not a default one: the jail's
        /// loader needs ld.so.cache to find it there.
        var throughConf = false
    }

    let files: any HostFiles
    let search: LibrarySearch
    /// The program's class and machine: a library of another kind is skipped, as ld.so
    /// skips it (a 32-bit library in /usr/lib).
    let program: ELFFile
    private(set) var objects: [Object] = []
    private var byName: [String: Int] = [:]
    /// Objects whose DT_NEEDED entries are looked up: all before this one.
    private var done = 0

    init(files: any HostFiles, search: LibrarySearch, program: ELFFile) {
        self.files = files
        self.search = search
        self.program = program
    }

    /// Adds an object loaded by path (the program, its interpreter, a dlopened module),
    /// known from now on by `names` too.
    @discardableResult
    mutating func add(_ object: Object, names: [String] = []) -> Int {
        objects.append(object)
        let index = objects.count - 1
        for name in names + [object.elf.soname].compactMap({ $0 }) where byName[name] == nil {
            byName[name] = index
        }
        return index
    }

    /// Looks up every DT_NEEDED name of the objects added since the last call, and of what
    /// they bring, until nothing new comes.
    mutating func loadDependencies() throws(NanoError) {
        while done < objects.count {
            let requester = done
            done += 1
            for name in objects[requester].elf.needed where byName[name] == nil {
                guard try open(name, for: requester, reason: "needed by \(objects[requester].path)") != nil else {
                    throw NanoError("\(name), needed by `\(objects[requester].path)`: not found")
                }
            }
        }
    }

    /// Loads `name` as `requester` would (DT_NEEDED, or dlopen from it): the index of the
    /// object, or nil when the search finds nothing. Every glibc-hwcaps variant found on
    /// the way is loaded too, so that the tree works on any CPU of the machine's family.
    mutating func open(_ name: String, for requester: Int?, reason: String) throws(NanoError) -> Int? {
        if let known = byName[name] { return known }
        let found = try locate(name, for: requester)
        var index: Int?
        for (i, candidate) in found.enumerated() {
            let object = Object(path: candidate.path, elf: candidate.elf, loader: requester,
                                origin: directoryName(candidate.path), reason: reason, throughConf: candidate.throughConf)
            let added = add(object, names: i == 0 ? [name] : [])
            if i == 0 { index = added }
        }
        return index
    }

    private struct Candidate {
        var path: String
        var elf: ELFFile
        var throughConf: Bool
    }

    /// The file ld.so would pick for `name`, first, then the other hwcaps variants met
    /// before it and in its directory.
    private func locate(_ name: String, for requester: Int?) throws(NanoError) -> [Candidate] {
        if name.contains("/") {
            // A path: used as it is (relative ones from the jail's root, where commands start).
            let path = name.hasPrefix("/") ? name : "/" + name
            return try probe(path, neededBy: requester).map { [Candidate(path: path, elf: $0, throughConf: false)] } ?? []
        }
        var found: [Candidate] = []
        var seen = Set<String>()
        for (dir, throughConf) in directories(for: requester) where seen.insert(dir).inserted {
            for hwcap in search.hwcaps {
                let path = joinPath(dir, "glibc-hwcaps/\(hwcap)/\(name)")
                if let elf = try probe(path, neededBy: requester) {
                    found.append(Candidate(path: path, elf: elf, throughConf: throughConf))
                }
            }
            let path = joinPath(dir, name)
            if let elf = try probe(path, neededBy: requester) {
                // The plain file ends the search: a CPU without the variants' level stops here.
                return found + [Candidate(path: path, elf: elf, throughConf: throughConf)]
            }
        }
        return found
    }

    /// The search directories for a lookup by `requester`, each marked when it is an
    /// ld.so.conf directory that the loader's defaults lack.
    private func directories(for requester: Int?) -> [(String, Bool)] {
        var dirs: [String] = []
        let asking = requester.map { objects[$0] }
        if asking?.elf.runpath == nil {
            var next = requester
            var visited = Set<Int>()
            while let i = next, visited.insert(i).inserted {
                if let rpath = objects[i].elf.rpath { dirs += search.expand(rpath, origin: objects[i].origin) }
                next = objects[i].loader
            }
            // The executable's DT_RPATH comes last in any case (a dlopen from a module).
            if !visited.contains(0), let main = objects.first, let rpath = main.elf.rpath {
                dirs += search.expand(rpath, origin: main.origin)
            }
        }
        if let asking, let runpath = asking.elf.runpath { dirs += search.expand(runpath, origin: asking.origin) }
        var out = dirs.map { ($0, false) }
        if !(asking?.elf.noDefaultLibraries ?? false) {
            out += search.configured.map { ($0, !search.defaults.contains($0)) }
            out += search.defaults.map { ($0, false) }
        }
        return out
    }

    /// The object at `path` if it is a library the program can load; nil when there is no
    /// such file or it is of another class or machine (ld.so goes on looking). A file that
    /// is not ELF stops the search, as it stops ld.so.
    private func probe(_ path: String, neededBy requester: Int?) throws(NanoError) -> ELFFile? {
        guard let status = files.status(path), status.kind != .directory, let bytes = files.contents(path) else {
            return nil
        }
        let elf: ELFFile
        do { elf = try ELFFile(bytes) } catch {
            let who = requester.map { ", needed by `\(objects[$0].path)`" } ?? ""
            throw NanoError("`\(path)`\(who): \(error)")
        }
        return elf.isCompatible(with: program) ? elf : nil
    }
}
