import CJail
import Glibc
import JailMounts
import JailSys
import Rctl
import SystemPackage

/// A failure of an operation on a jail, in FreeBSD's words; the CLI prefixes "jail: ".
public struct JailError: Error, Sendable, CustomStringConvertible {
    public var jail: String?
    public var message: String

    public init(jail: String?, _ message: String) {
        self.jail = jail
        self.message = message
    }

    public var description: String { jail.map { "\($0): \(message)" } ?? message }
}

/// Where jails keep their host-side state. Tests point these at their own places.
public struct Environment: Sendable {
    public var registry = Registry()
    /// Where jails' cgroups live in every hierarchy: below the root when absolute, below
    /// the calling process's own cgroup when relative (tests put them under their own).
    public var cgroupParent = "/jail"
    public var seccompCache: FilePath = "/var/cache/jail"
    /// rctl rules applied to jails when they are created.
    public var rctlConf: FilePath = "/etc/rctl.conf"
    /// Custom devfs rulesets, FreeBSD's syntax.
    public var devfsRules: FilePath = "/etc/devfs.rules"

    public init() {}

    /// `JAIL_CGROUP_PARENT`, `JAIL_RCTL_CONF` and `JAIL_DEVFS_RULES` move those (tests).
    public static func fromProcessEnvironment() -> Environment {
        var env = Environment()
        if let parent = unsafe getenv("JAIL_CGROUP_PARENT") { env.cgroupParent = unsafe String(cString: parent) }
        if let conf = unsafe getenv("JAIL_RCTL_CONF") { env.rctlConf = FilePath(unsafe String(cString: conf)) }
        if let rules = unsafe getenv("JAIL_DEVFS_RULES") { env.devfsRules = FilePath(unsafe String(cString: rules)) }
        return env
    }
}

public struct CreateOptions: Sendable {
    /// How messages name the jail: its name in jail.conf (which for `5309 { name = x; }`
    /// is 5309); nil: the name parameter, else the jid.
    public var label: String?
    public var quiet = false
    public var verbose = false
    public var printJID = false
    /// jail -J: a file that receives `jid=N name=value ...` for each jail created.
    public var jidFile: String?
    /// A process that enters the jail in place (Jail.enter, libjail's JAIL_ATTACH): moved
    /// into the jail's cgroups before its init starts, so that the jail lives exactly as
    /// long as the process has something in it, without persist or a command.
    public var adopt: Int32?
    public init() {}
}

/// `jail -c`: creates a jail, runs its command and, for a jail that does not persist,
/// waits for it. Every step taken is undone when a later one fails.
public struct JailCreation {
    let spec: JailSpec
    let parameters: [String]
    let options: CreateOptions
    let env: Environment

    public init(spec: JailSpec, parameters: [String], options: CreateOptions, environment: Environment) {
        self.spec = spec
        self.parameters = parameters
        self.options = options
        self.env = environment
    }

    /// Returns the exit status for `jail`: 0, or 1 when the command failed.
    public func run() throws(JailError) -> Int32 {
        var undo = UndoStack()
        do {
            let status = try create(&undo)
            undo.discard()
            return status
        } catch {
            undo.run()
            throw error
        }
    }

    private func create(_ undo: inout UndoStack) throws(JailError) -> Int32 {
        var label = spec.name
        func fail(_ message: String) -> JailError { JailError(jail: label, message) }
        func sys<T: ~Copyable>(_ body: () throws(SystemError) -> T) throws(JailError) -> T {
            do { return try body() } catch { throw fail(error.description) }
        }

        if spec.command == nil && spec.hooks.start.isEmpty && !spec.persist && options.adopt == nil && spec.initPath == nil {
            // The kernel's own rule (kern_jail.c): a jail must persist or attach.
            throw fail("jail must persist or have a command (add persist, or command=...)")
        }
        let pathID = try resolveRoot(spec.path, label: label)
        let root = pathID.path
        // Mount lines, a thin base, the devfs ruleset: all checked before anything exists.
        let layers: ThinLayers?
        do {
            layers = try spec.thinBase.map { (base) throws(JailError) in
                try ThinLayers(base: base, root: root, rootDevice: pathID.device)
            }
        } catch { throw JailError(jail: label, error.message) }
        let mounts: MountPlan
        do { mounts = try MountPlan.make(spec, entries: try mountEntries(), root: root, overlay: layers) } catch {
            throw JailError(jail: label, error.message)
        }
        // Lines for devfs, procfs and fdescfs ask for ours, as mount.devfs and the others.
        var spec = spec
        spec.mountDevfs = spec.mountDevfs || mounts.devfs
        spec.mountProcfs = spec.mountProcfs || mounts.procfs
        spec.mountFdescfs = spec.mountFdescfs || mounts.fdescfs
        // A line mounting on the path itself makes its source the jail's root.
        let rootID = try mounts.rootSource.map { (s) throws(JailError) in try resolveRoot(s, label: label) } ?? pathID
        let devices: DevicePlan
        do {
            devices = spec.mountDevfs
                ? try DevicePlan.build(try devfsRules(), ruleset: DevfsRules.effectiveRuleset(mounts.devfsRuleset ?? spec.devfsRuleset))
                : .none
        } catch { throw JailError(jail: label, error.message) }
        // Users are looked up where the jail will find them: its root, or for a thin jail
        // its own layer when that has a passwd, else its base.
        var usersRoot = rootID.path
        if let base = spec.thinBase, unsafe access(root + "/etc/passwd", F_OK) != 0 { usersRoot = base }
        let setup: CommandSetup
        do {
            setup = try CommandSetup(user: spec.jailUser, hostDatabase: spec.systemJailUser,
                                     clean: spec.execClean, jailRoot: usersRoot, workdir: nil)
        } catch { throw JailError(jail: label, error.description) }
        let confinement = try Confinement(spec, environment: env)

        // Registry: the jid, and a record naming what will exist, before anything exists.
        let hierarchies = try sys { () throws(SystemError) in try CgroupHierarchies.discover() }
        guard let cgroupBase = hierarchies.base("", parent: env.cgroupParent) else { throw fail("no cgroup2 hierarchy") }
        JailRemoval.finishEnded(env.registry)
        let lock = try sys { () throws(SystemError) in try env.registry.lock() }
        let taken = env.registry.records()
        let existing = Set(taken.map(\.jid))
        if let name = spec.name, taken.contains(where: { $0.name == name }) {
            lock.unlock()
            throw JailError(jail: nil, "\"\(name)\" already exists")
        }
        // One overlay per upper directory: two thin jails on one path would corrupt it.
        if spec.thinBase != nil, let other = taken.first(where: { $0.path == root && $0.parameters.contains { $0.hasPrefix("thin.base=") } }) {
            lock.unlock()
            throw JailError(jail: label, "thin.base: path \(root) is the own layer of jail \(other.name) already")
        }
        let network: JailNetwork
        do { network = try JailNetwork(spec, others: taken.filter(Liveness.isInUse)) } catch {
            lock.unlock()
            throw error
        }
        let jid: Int
        do { jid = try env.registry.allocateJID(requested: spec.jid, inUse: existing) } catch {
            lock.unlock()
            throw JailError(jail: nil, error.description)
        }
        label = spec.name ?? String(jid)
        let labelText = options.label ?? spec.name ?? String(jid)
        let me = getpid()
        let cgroup = cgroupBase.appending(String(jid))
        // Limits: the rules in force for this jail's name, /etc/rctl.conf's, its own rctl
        // parameter; checked before anything exists, put in force with the jail.
        let store = RuleStore(environment: env)
        let limits: JailLimits, newRules: [Rule], parameterRules: [Rule]
        do {
            (limits, newRules, parameterRules) = try Self.limits(spec, name: spec.name ?? String(jid), jid: jid, cgroup: cgroup,
                                                                   store: store, cgroups: LimitCgroups(hierarchies: hierarchies, parent: env.cgroupParent))
        } catch {
            lock.unlock()
            throw JailError(jail: label, error.message)
        }
        var record = JailRecord(
            jid: jid, name: spec.name ?? String(jid), path: root, hostname: spec.hostname ?? "",
            creatorPID: me, creatorStart: ProcessIdentity.startTime(me) ?? 0,
            cgroup: cgroup.string, persist: spec.persist, parameters: network.recordedWords(parameters),
            poststop: spec.hooks.poststop, release: spec.hooks.release, confinement: confinement.recorded)
        record.v1Cgroups = limits.v1Directories
        record.rlimits = limits.rlimits
        record.parameterRules = parameterRules.map { $0.formatted(human: false) }
        record.aliases = network.aliases
        do { try env.registry.write(record) } catch {
            lock.unlock()
            throw fail(error.description)
        }
        let registry = env.registry
        undo.push { registry.remove(record) }
        // Put in force once the record names them: whoever finishes a killed creation
        // takes the parameter's rules out again.
        do { try store.add(newRules) } catch {
            lock.unlock()
            throw JailError(jail: label, error.message)
        }
        lock.unlock()
        if !newRules.isEmpty {
            undo.push { _ = try? registry.withLock { () throws(JailError) in try store.remove(newRules) } }
        }
        TestPoint.registered.reached()

        // The start table of jail(8): exec.prepare, (addresses: a later issue; the mount
        // lines are made by the jail's first process, in its own namespace), exec.prestart,
        // the jail, exec.created, exec.start and command inside, exec.poststart. A failure undoes what was done, newest first: the jail is
        // removed (exec.poststop) and exec.release runs once exec.prepare had.
        let runner = HookRunner(jid: jid, name: labelText, path: root, hooks: spec.hooks,
                                clean: spec.execClean, verbose: options.verbose)
        try runner.host(spec.hooks.prepare, "exec.prepare")
        if !spec.hooks.prepare.isEmpty || !spec.hooks.release.isEmpty {
            undo.push { try? runner.host(spec.hooks.release, "exec.release") }
        }
        // Host interface aliases (ip4.addr's interface), recorded above, then exec.prestart.
        try sys { () throws(SystemError) in try network.addAliases(&undo) }
        try runner.host(spec.hooks.prestart, "exec.prestart")
        TestPoint.prepared.reached()

        // The cgroup: the init lives in it, every other jailed process in its "jail" child,
        // whose emptiness is how the init knows the jail is over. Undone after the v2
        // cgroup is empty: the v1 cgroups of limits then have no process either.
        let members = cgroup.appending("jail")
        let v1Directories = limits.v1Directories
        if !v1Directories.isEmpty { undo.push { LimitCgroups.remove(v1Directories) } }
        try sys { () throws(SystemError) in
            try CgroupV2.makeDirectories(cgroupBase)
            try CgroupV2.makeDirectory(cgroup)
        }
        undo.push {
            if CgroupV2.isPopulated(cgroup) { _ = try? CgroupV2.kill(cgroup) }
            _ = CgroupV2.waitEmpty(cgroup, timeoutMilliseconds: 5000)
            try? CgroupV2.remove(members)
            try? CgroupV2.remove(cgroup)
        }
        try sys { () throws(SystemError) in try CgroupV2.makeDirectory(members) }
        if spec.initPath != nil {
            // A booted system makes cgroups of its own below `members`/boot, where its
            // cgroup namespace is rooted: it can write that root's files (cgroup.freeze,
            // cgroup.kill) but never those of `members`, where jexec'd commands are born,
            // nor of the jail's cgroup, which bounds its cgroups here.
            try sys { () throws(SystemError) in
                try CgroupV2.makeDirectory(members.appending("boot"))
                try CgroupFiles.write(cgroup, "cgroup.max.depth", "16")
                try CgroupFiles.write(cgroup, "cgroup.max.descendants", "1024")
            }
        }
        if !limits.placements.isEmpty {
            try sys { () throws(SystemError) in try limits.applyCgroups() }
        }
        let v1Procs = try sys { () throws(SystemError) in try CgroupEntries(limits.v1Directories) }
        TestPoint.cgroup.reached()

        // Fast path: a bare `command` runs as the init's first child, set up in the same
        // clone. With anything to run between creation and the command, the jail persists
        // until that is done, and the commands enter it as jexec does.
        // An interactive command takes the slower path too: it gets a pty of the jail's own,
        // which exists only once the jail does.
        // A vnet jail's interfaces are set up from outside once it exists: before its command.
        let direct = spec.hooks.created.isEmpty && spec.hooks.start.isEmpty && !Terminal.isInteractive
            && !spec.network.vnet ? spec.command : nil
        // A booted jail lives as long as its own init: nothing to hold open.
        let holdOpen = !spec.persist && spec.initPath == nil && (direct == nil && (spec.command != nil || spec.hooks.runAfterCreation))

        let cgroupFD = try sys { () throws(SystemError) in try OwnedFD.open(cgroup, O_RDONLY | O_DIRECTORY) }
        // The devices the jail may open, whatever nodes it finds: its cgroup's device filter.
        try sys { () throws(SystemError) in
            try DeviceFilter.attach(devices.filterRules, to: cgroupFD,
                                    cache: DeviceFilter.prepareCache(env.registry.directory.appending("bpf")))
        }
        // Its addresses and the host's socket tables: programs on the same cgroup.
        try sys { () throws(SystemError) in
            try network.attachFilters(cgroup: cgroupFD.rawValue, state: env.registry.directory)
        }
        let membersFD = try sys { () throws(SystemError) in try OwnedFD.open(members, O_RDONLY | O_DIRECTORY) }
        let eventsFD = try sys { () throws(SystemError) in try OwnedFD.open(members.appending("cgroup.events"), O_RDONLY) }
        let exeFD = try sys { () throws(SystemError) in
            OwnedFD(try syscall("create the init image") { cj_init_memfd() })
        }
        let errorPipe = try sys { () throws(SystemError) in try makePipe() }
        let errorRead = OwnedFD(errorPipe.read), errorWrite = OwnedFD(errorPipe.write)
        let statusPipe = try sys { () throws(SystemError) in try makePipe() }
        let statusRead = OwnedFD(statusPipe.read), statusWrite = OwnedFD(statusPipe.write)

        var plan = ChildPlan()
        plan.cloneFlags = confinement.namespaceFlags
        // A booted system's init is born in members/boot: its cgroup namespace is rooted
        // there, below the cgroups that hold the jail's filters, limits and commands.
        let bootFD = spec.initPath == nil ? -1 : try sys { () throws(SystemError) in
            try OwnedFD.open(members.appending("boot"), O_RDONLY | O_DIRECTORY).release()
        }
        defer { if bootFD >= 0 { _ = close(bootFD) } }
        plan.initCgroupFD = bootFD >= 0 ? bootFD : cgroupFD.rawValue
        plan.jailCgroupFD = membersFD.rawValue
        plan.eventsFD = eventsFD.rawValue
        plan.initExecutableFD = exeFD.rawValue
        plan.errorFD = errorWrite.rawValue
        plan.statusFD = direct == nil ? -1 : statusWrite.rawValue
        // A process to adopt: the init holds the jail open until it is in.
        plan.persist = spec.persist || holdOpen || options.adopt != nil
        plan.steps = limits.ipcSteps(all: false)
            + FilesystemPlan.steps(spec, root: rootID.path, identity: (rootID.device, rootID.inode),
                                   devptsOption: limits.devptsOption, devices: devices, mounts: mounts.steps)
        plan.v1ProcsFDs = v1Procs.descriptors
        plan.rlimits = limits.rlimits
        plan.keepCapabilities = confinement.capabilities
        plan.filter = confinement.program
        plan.landlockScopes = confinement.landlockScopes
        if let direct { setup.apply(to: &plan, argv: direct) }
        if let initPath = spec.initPath { Self.boot(&plan, init: initPath) }

        // A booted init's standard streams: exec.consolelog, else nothing (never our
        // caller's terminal). They are copied at the clone, so ours point there meanwhile.
        var console = spec.initPath == nil ? -1 : try runner.consoleLog()
        if spec.initPath != nil && console < 0 { console = unsafe open("/dev/null", O_RDWR | O_CLOEXEC) }
        defer { if console >= 0 { _ = close(console) } }
        let pid = try sys { () throws(SystemError) in
            try withStandardStreams(console < 0 ? [:] : [0: console, 1: console, 2: console]) { () throws(SystemError) in
                try Spawner.spawn(plan)
            }
        }
        TestPoint.spawned.reached()
        undo.push {
            // Everything in the jail dies at once (cgroup.kill: nothing can fork away), the
            // init with it; then it is reaped. cgroup.kill waits for an RCU grace period,
            // so a jail already down to its init only has the init killed.
            if CgroupV2.isPopulated(members) { _ = try? CgroupV2.kill(cgroup) } else { _ = kill(pid, SIGKILL) }
            var st: Int32 = 0
            _ = unsafe waitpid(pid, &st, 0)
        }
        // Moving a running process costs an RCU grace period: spent while the child sets
        // the jail up. Its undo runs before the one above, which kills the cgroup.
        if let adopted = options.adopt { try adopt(adopted, into: members, v1: limits.v1Directories, &undo) }
        // Only the child's copies may keep these open: end-of-file must mean "done".
        errorWrite.close()
        statusWrite.close()
        cgroupFD.close(); membersFD.close(); eventsFD.close(); exeFD.close()
        _ = consume v1Procs

        if let failure = ChildReport.readFailure(errorRead) {
            errorRead.close()
            throw fail(ChildReport.describe(failure, plan: plan, user: spec.jailUser))
        }
        errorRead.close()
        // The adopted process is in: the jail now lasts as long as it has processes. The
        // init was born with these signals blocked, so none is lost before it listens.
        if options.adopt != nil && !spec.persist { _ = kill(pid, SIGUSR1) }

        record.initPID = pid
        record.initStart = ProcessIdentity.startTime(pid) ?? 0
        try sys { () throws(SystemError) in try registry.write(record) }
        TestPoint.recorded.reached()
        try sys { () throws(SystemError) in try network.populate(initPID: pid, jid: jid, undo: &undo) }
        if !spec.hooks.poststop.isEmpty {
            undo.push { try? runner.host(spec.hooks.poststop, "exec.poststop") }
        }
        if let file = options.jidFile {
            // jail.c print_jail: "jid=N" and every parameter as given.
            let line = (["jid=\(jid)"] + parameters.filter { !$0.hasPrefix("jid=") }.map(Self.quotedWord)).joined(separator: " ")
            do {
                let fd = try OwnedFD.open(FilePath(file), O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY, mode: 0o644)
                try fd.writeAll(Array((line + "\n").utf8))
            } catch { throw fail("-J \(file): \(error)") }
        }
        if options.printJID { printLine(String(jid)) } else if !options.quiet && (options.label != nil || spec.name != nil || options.verbose) {
            printLine("\(labelText): created")
        }

        // Like system(3): the terminal's ^C and ^\ are for the commands, not for us.
        signal(SIGINT, SIG_IGN)
        signal(SIGQUIT, SIG_IGN)
        defer {
            signal(SIGINT, SIG_DFL)
            signal(SIGQUIT, SIG_DFL)
        }
        if let direct {
            let status = readStatus(statusRead)
            statusRead.close()
            if plan.takeTerminal { Terminal.reclaim() }
            if status != 0 {
                // FreeBSD removes a jail whose start command failed.
                printError("jail: \(labelText): \(direct.joined(separator: " ")): failed\(status.map(Self.describeStatus) ?? "")")
                undo.run()
                return 1
            }
        } else {
            statusRead.close()
            try runner.host(spec.hooks.created, "exec.created")
            TestPoint.createdHooks.reached()
            let pidfd = cj_pidfd_open(pid)
            guard pidfd >= 0 else { throw fail("the jail's init vanished") }
            defer { _ = close(pidfd) }
            let inside = spec.hooks.start.map { ["/bin/sh", "-c", $0] } + (spec.command.map { [$0] } ?? [])
            let log = try runner.consoleLog()
            defer { if log >= 0 { _ = close(log) } }
            try runner.inside(inside) { (argv) throws(JailError) -> Int32? in
                try InsideCommand.run(record: record, pidfd: pidfd, confinement: confinement, argv: argv, setup: setup,
                                      environment: env, timeout: spec.hooks.timeout, logFD: log)
            }
        }
        TestPoint.started.reached()
        try runner.host(spec.hooks.poststart, "exec.poststart")
        if holdOpen {
            // The temporary persist is over (jail.c clear_persist): the init ends the jail
            // when its last process is gone, perhaps right now.
            _ = kill(pid, SIGUSR1)
        }
        if !spec.persist && (holdOpen || direct != nil) && !CgroupV2.isPopulated(members) {
            // The jail is over: its init exits on its own; release what it held.
            undo.run()
        }
        return 0
    }

    /// The jail's limits, the rules to put in force for it (/etc/rctl.conf's and its rctl
    /// parameter's, those not in force yet) and, of those, the parameter's (which go with
    /// the jail). Nothing is changed.
    private static func limits(_ spec: JailSpec, name: String, jid: Int, cgroup: FilePath, store: RuleStore,
                               cgroups: @autoclosure () -> LimitCgroups) throws(JailError) -> (JailLimits, [Rule], [Rule]) {
        var own: [Rule] = []
        for text in spec.rctl {
            do { own.append(try Rule.parse(parameter: text, jail: name)) } catch { throw JailError(jail: nil, "rctl: \(error)") }
        }
        let conf = RuleStore.rules(try store.confRules(), jail: name)
        let inForce = RuleStore.rules(try store.rules(), jail: name)
        let all = inForce + (conf + own).filter { !inForce.contains($0) }
        if all.isEmpty { return (JailLimits(limits: LimitSet(), placements: []), [], []) }
        let limits = try JailLimits.plan(all, jid: jid, unified: cgroup, ipcShared: spec.namespaceFlags & 0x0800_0000 == 0,
                                         cgroups: cgroups(), devfs: spec.mountDevfs)
        var new: [Rule] = []
        for r in conf + own where !inForce.contains(r) && !new.contains(r) { new.append(r) }
        return (limits, new, own.filter(new.contains))
    }

    /// The jail's root as jail(8) takes it (symlinks in the given path followed, as realpath
    /// does), opened once: the resolved name and the device and inode come from that one
    /// descriptor, and the child checks that it finds the same directory there. A path that
    /// resolves to / without being "/" is refused: someone swapping a link to / into a
    /// directory they can write must not turn a jail into a path=/ one.
    /// The jail's mount lines: `mount` values, then each `mount.fstab` file's.
    private func mountEntries() throws(JailError) -> [MountEntry] {
        var entries = spec.mounts
        for file in spec.fstabFiles {
            let text: String
            do { text = try readFile(FilePath(file)) } catch { throw JailError(jail: nil, "mount.fstab: \(error)") }
            do { entries += try Fstab.parseFile(text, path: file) } catch { throw JailError(jail: nil, "mount.fstab: \(error)") }
        }
        return entries
    }

    /// FreeBSD's default rulesets, and /etc/devfs.rules over them when it exists.
    private func devfsRules() throws(JailError) -> DevfsRules {
        let text: String
        do { text = try readFile(env.devfsRules) } catch {
            if error.errno == .noSuchFileOrDirectory { return .defaults }
            throw JailError(jail: nil, "devfs.rules: \(error)")
        }
        do { return try DevfsRules.parse(text, path: env.devfsRules.string) } catch { throw JailError(jail: nil, "\(error)") }
    }

    private func resolveRoot(_ path: String, label: String?) throws(JailError) -> (path: String, device: UInt64, inode: UInt64) {
        guard path.hasPrefix("/") else {
            throw JailError(jail: label, "path \(path): not an absolute pathname")
        }
        // No symlink on the way: whoever can rename in a directory of the path could swap
        // a link in between our look-up and the child's and hand the jail any directory.
        let raw = unsafe cj_open_nofollow(path)
        guard raw >= 0 else {
            let e = Errno(rawValue: Glibc.errno)
            let why = e == .tooManySymbolicLinkLevels ? "a symbolic link in the path; give the real path" : SystemError.message(e)
            throw JailError(jail: label, "path \(path): \(why)")
        }
        let fd = OwnedFD(raw)
        var st = stat()
        guard unsafe fstat(fd.rawValue, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw JailError(jail: label, "path \(path): not a directory")
        }
        guard let resolved = readSymbolicLink("/proc/self/fd/\(fd.rawValue)") else {
            throw JailError(jail: label, "path \(path): cannot resolve it")
        }
        let given = path.split(separator: "/").filter { $0 != "." }
        if resolved == "/" && !given.isEmpty {
            throw JailError(jail: label, "path \(path): resolves to /; give path=/ if that is meant")
        }
        do { try HostState.checkRoot(resolved, what: "path") } catch { throw JailError(jail: label, error.message) }
        return (resolved, UInt64(st.st_dev), UInt64(st.st_ino))
    }

    private func readStatus(_ fd: borrowing OwnedFD) -> Int32? {
        var st: Int32 = 0
        while true {
            let r = unsafe read(fd.rawValue, &st, 4)
            if r < 0 && Glibc.errno == EINTR { continue }
            return r == 4 ? st : nil
        }
    }

    /// A `name=value` word quoted as jail(8) quotes values with spaces or quotes.
    static func quotedWord(_ word: String) -> String {
        guard let eq = word.firstIndex(of: "=") else { return word }
        let value = word[word.index(after: eq)...]
        let q: Character? = value.isEmpty ? "\"" : value.contains("'") ? "\"" : value.contains("\"") ? "'"
            : (value.contains(" ") || value.contains("\t")) ? "\"" : nil
        guard let q else { return word }
        var out = String(word[...eq]) + String(q)
        for c in value {
            if c == "\\" || c == q { out.append("\\") }
            out.append(c)
        }
        return out + String(q)
    }

    static func describeStatus(_ st: Int32) -> String {
        let sig = st & 0x7f
        if sig != 0 { return " (signal \(sig))" }
        return ""
    }
}

/// Undo actions, run newest first.
struct UndoStack {
    private var actions: [() -> Void] = []
    mutating func push(_ action: @escaping () -> Void) { actions.append(action) }
    mutating func run() {
        while let a = actions.popLast() { a() }
    }
    mutating func discard() { actions.removeAll() }
}

/// Which records name a jail that exists (or is being created by a live command).
enum Liveness {
    static func isInUse(_ r: JailRecord) -> Bool {
        if r.initPID > 0 { return ProcessIdentity.isAlive(r.initPID, start: r.initStart) }
        return ProcessIdentity.isAlive(r.creatorPID, start: r.creatorStart)
    }
}

public enum ProcessEnvironment {
    public static func current() -> [String] {
        var out: [String] = []
        var p = unsafe environ
        while let entry = unsafe p.pointee {
            out.append(unsafe String(cString: entry))
            unsafe p += 1
        }
        return out
    }
}

func printError(_ line: String) { writeLine(2, line) }

/// Standard output, unbuffered: "created" must be out before the jail's command speaks.
func printLine(_ line: String) { writeLine(1, line) }

private func writeLine(_ fd: Int32, _ line: String) {
    var text = line + "\n"
    text.withUTF8 { buf in _ = unsafe write(fd, buf.baseAddress, buf.count) }
}
