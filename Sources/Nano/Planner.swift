/// Plans a nanojail's tree: the program, the libraries the loader would map for it (and
/// the loader), the files the user names, the libraries glibc loads at run time that
/// were asked for or are seen to be needed, and the directories the jail mounts on.
/// Nothing else of the host goes in. Pure: the host is read through `HostFiles`.
public struct Planner {
    let files: any HostFiles
    let request: NanoRequest
    var plan = TreePlan()
    var loader: Loader
    /// Loaded objects already in the plan: all before this one.
    private var reported = 0

    /// Mount points of the jail's own file systems (FilesystemPlan mounts /dev and /proc
    /// by default and refuses a tree without them), and the empty directories daemons
    /// write in: /tmp, and /run for pid files and sockets. No /sys: sysfs is mounted only
    /// where the tree has one, and a nanojail needs no view of the host's devices.
    static let mountPoints: [(path: String, mode: UInt32, reason: String)] = [
        ("/dev", 0o755, "mount point of the jail's /dev"),
        ("/proc", 0o555, "mount point of the jail's /proc"),
        ("/tmp", 0o1777, "the jail's /tmp"),
        ("/run", 0o755, "the jail's /run"),
    ]

    public static func plan(_ request: NanoRequest, files: some HostFiles) throws(NanoError) -> TreePlan {
        var planner = try Planner(request, files: files)
        try planner.run()
        return planner.plan
    }

    private init(_ request: NanoRequest, files: some HostFiles) throws(NanoError) {
        self.files = files
        self.request = request
        for point in Self.mountPoints {
            plan.add(point.path, .directory, status: FileStatus(.directory, mode: point.mode), reason: point.reason)
        }
        let program = request.program
        let walk = try files.walk(program, avoiding: request.tree)
        guard walk.status.kind == .file else { throw NanoError("`\(program)`: not a regular file") }
        let elf = try Self.parse(walk.path, files: files)
        let search = LibrarySearch(for: elf, configured: LdSoConf.directories(request.ldSoConf, files: files))
        loader = Loader(files: files, search: search, program: elf)
        // $ORIGIN of the program is where its real file is (ld.so reads /proc/self/exe).
        loader.add(Loader.Object(path: program, elf: elf, loader: nil, origin: directoryName(walk.path),
                                 reason: "the program"), names: [program])
        if let interpreter = elf.interpreter { try addInterpreter(interpreter, of: program) }
    }

    private mutating func run() throws(NanoError) {
        try loadAndReport()
        var roots: [(path: String, elf: ELFFile)] = []
        for path in request.with { try addWith(path, reason: "--with \(path)", roots: &roots) }
        try addModules(roots)
        try addNSSModules()
        try addGconvModules()
        try addLibgcc()
        addLoaderCache()
        noteLinksLeavingTheTree()
    }

    /// Loads what the objects added so far need, and puts every new object in the plan
    /// with the symlinks on its way.
    mutating func loadAndReport() throws(NanoError) {
        try loader.loadDependencies()
        while reported < loader.objects.count {
            let object = loader.objects[reported]
            reported += 1
            plan.add(try files.walk(object.path), reason: object.reason)
        }
    }

    /// The program's interpreter (PT_INTERP), which is also the library of its DT_SONAME
    /// (libc.so.6 needs ld-linux-x86-64.so.2, and ld.so never looks it up).
    mutating func addInterpreter(_ path: String, of owner: String) throws(NanoError) {
        let walk: PathWalk
        do { walk = try files.walk(path) } catch { throw NanoError("\(error.message) (the interpreter of `\(owner)`)") }
        let elf = try Self.parse(walk.path, files: files)
        guard elf.isCompatible(with: loader.program) else {
            throw NanoError("`\(path)`, the interpreter of `\(owner)`: for another machine")
        }
        loader.add(Loader.Object(path: path, elf: elf, loader: nil, origin: directoryName(path),
                                 reason: "the interpreter of \(owner)"), names: [path, baseName(path)])
    }

    /// Objects the program dlopens by path (ELF files among the `--with` files): their own
    /// libraries, looked up as from the program.
    mutating func addModules(_ roots: [(path: String, elf: ELFFile)]) throws(NanoError) {
        for root in roots {
            if let interpreter = root.elf.interpreter, loader.objects.allSatisfy({ $0.path != interpreter }) {
                try addInterpreter(interpreter, of: root.path)
            }
            let dlopened = root.elf.interpreter == nil
            loader.add(Loader.Object(path: root.path, elf: root.elf, loader: dlopened ? 0 : nil,
                                     origin: directoryName(root.path), reason: plan.entry(root.path)?.reason ?? ""),
                       names: [root.path])
        }
        try loadAndReport()
    }

    /// /etc/ld.so.cache when a library was found only through /etc/ld.so.conf: without the
    /// cache, the jail's loader searches its default directories alone.
    mutating func addLoaderCache() {
        guard let object = loader.objects.first(where: { $0.throughConf }) else { return }
        let cache = "/etc/ld.so.cache"
        if let walk = try? files.walk(cache) {
            plan.add(walk, reason: "the loader's cache: \(object.path) is in an /etc/ld.so.conf directory")
        } else {
            plan.notes.append("\(object.path): in an /etc/ld.so.conf directory, and the host has no \(cache): "
                + "the jail's loader will not find it")
        }
    }

    static func parse(_ path: String, files: some HostFiles) throws(NanoError) -> ELFFile {
        guard let bytes = files.contents(path) else { throw NanoError("`\(path)`: cannot be read") }
        do { return try ELFFile(bytes) } catch { throw NanoError("`\(path)`: \(error)") }
    }
}
