import Glibc
import JailSys
import SystemPackage

/// What `jail bootstrap debian RELEASE TARGET` is asked for.
public struct DebianBootstrap: Sendable, Equatable {
    /// A Debian that boots as a full jail with its own systemd and serves ssh.
    public static let defaultPackages = ["systemd-sysv", "openssh-server", "iproute2", "ca-certificates"]
    /// debootstrap's variants besides its default.
    public static let variants = ["minbase", "buildd", "fakechroot"]

    public var release: String
    public var target: String
    /// nil: the host's Debian mirror (`DebianMirror`), else deb.debian.org.
    public var mirror: String?
    /// More packages, besides the default ones.
    public var include: [String] = []
    public var variant: String?

    public init(release: String, target: String) {
        self.release = release
        self.target = target
    }

    /// The packages asked for, defaults first, each once.
    public var packages: [String] {
        var out: [String] = []
        for p in Self.defaultPackages + include where !out.contains(p) { out.append(p) }
        return out
    }

    /// What the marker of an unfinished tree records: a re-run resumes only the same.
    func request(mirror: String) -> String {
        "debian \(release)\nmirror \(mirror)\ninclude \(packages.joined(separator: ","))\nvariant \(variant ?? "default")\n"
    }
}

extension Bootstrap {
    /// debootstrap's release scripts: a release it has no script for is unknown to it.
    static var debootstrapScripts: String {
        if let dir = unsafe getenv("DEBOOTSTRAP_DIR") { return unsafe String(cString: dir) + "/scripts" }
        return "/usr/share/debootstrap/scripts"
    }

    /// `jail bootstrap debian RELEASE TARGET`: debootstrap into TARGET, its output
    /// condensed to one line per stage (`DebootstrapProgress`) and kept whole in
    /// `.TARGET.bootstrap.log` beside it. The tree carries a marker with the request
    /// until debootstrap has succeeded. Running the same command on a marked tree
    /// resumes: the packages already downloaded are kept in `.TARGET.bootstrap-cache`
    /// (debootstrap's --cache-dir), the rest of the unfinished tree is removed and built
    /// again, since a half-configured package database is not something debootstrap
    /// can be trusted to continue from.
    public static func debian(_ d: DebianBootstrap) throws(JailError) {
        guard let debootstrap = HelperProcess.tool("debootstrap") else {
            throw failure("debootstrap is not installed (apt-get install debootstrap)")
        }
        try checkRelease(d.release)
        for p in d.include where !isPackageName(p) {
            throw failure("--include: \"\(p)\" is not a Debian package name")
        }
        if let v = d.variant, !DebianBootstrap.variants.contains(v) {
            throw failure("--variant: \"\(v)\" is not one of debootstrap's (\(DebianBootstrap.variants.joined(separator: ", ")))")
        }
        let mirror = d.mirror ?? hostMirror()
        guard mirror.hasPrefix("http://") || mirror.hasPrefix("https://") || mirror.hasPrefix("file:/") else {
            throw failure("--mirror: \"\(mirror)\" is not an http, https or file URL")
        }
        let t = try BootstrapTarget(d.target)
        let request = d.request(mirror: mirror)
        let state = try t.state()
        switch state {
        case .absent, .empty, .incomplete(request): break
        default: throw t.refusal(state)
        }

        let interrupts: Interrupts
        do { interrupts = try Interrupts() } catch { throw failure("\(error)") }
        var progress = ProgressLine()
        try t.makeParents()
        // Another run may make it first: the lock and a second look settle who works.
        if state == .absent, unsafe mkdir(t.path, 0o755) != 0, Glibc.errno != EEXIST {
            throw failure("mkdir `\(t.path)`: \(SystemError.message(Errno(rawValue: Glibc.errno)))")
        }
        let held = try t.lock(t.path)
        try t.checkOwned(t.path)
        switch try t.state() {
        case .empty:
            try t.writeMarker(request, in: t.path)
        case .incomplete(request):
            progress.show("bootstrap: resuming \(t.path): the downloaded packages are kept, the rest is done again", stage: true)
            try TreeRemoval.unmountAll(beneath: t.path)
            let names: [String]
            do { names = try directoryEntries(t.path) } catch { throw failure("\(error)") }
            for name in names where name != ArchiveChecks.reservedName { try TreeRemoval.remove(t.path + "/" + name) }
        case let now:
            // Changed since we looked, by someone else.
            throw t.refusal(now)
        }
        if unsafe mkdir(t.cache, 0o700) != 0 && Glibc.errno != EEXIST {
            throw failure("mkdir `\(t.cache)`: \(SystemError.message(Errno(rawValue: Glibc.errno)))")
        }
        try t.checkOwned(t.cache)
        let argv = [debootstrap, "--include=\(d.packages.joined(separator: ","))", "--cache-dir=\(t.cache)"]
            + (d.variant.map { ["--variant=\($0)"] } ?? []) + [d.release, t.path, mirror]
        let log: OwnedFD
        do { log = try OwnedFD.open(FilePath(t.log), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, mode: 0o600) } catch {
            throw failure("log: \(error)")
        }
        try? log.writeAll(Array("# jail bootstrap: \(argv.joined(separator: " "))\n".utf8))
        progress.show("bootstrap: debootstrap \(d.release) from \(mirror) into \(t.path) (log: \(t.log))", stage: true)

        let (status, interrupted, errors) = try runDebootstrap(argv, log: log.rawValue, interrupts: interrupts,
                                                                progress: &progress)
        progress.end()
        let retry = "run the same command again to resume, or remove it (rm -rf \(t.path) \(t.cache))"
        if let signo = interrupted {
            try? TreeRemoval.unmountAll(beneath: t.path)
            throw failure("interrupted by \(signalName(signo)); \(t.path) is left unfinished (marked): \(retry)")
        }
        guard status == 0 else {
            // debootstrap unmounts what it mounted in the tree when it fails; when it
            // was killed, we do.
            try? TreeRemoval.unmountAll(beneath: t.path)
            let why = errors.last ?? (status & 0x7f != 0 ? "terminated by signal \(status & 0x7f)" : "exit status \((status >> 8) & 0xff)")
            throw failure("debootstrap failed: \(why); \(t.path) is left unfinished (marked): \(retry); log: \(t.log)")
        }
        try t.removeMarker(in: t.path)
        try TreeRemoval.remove(t.cache)
        held.close()
        progress.note("bootstrap: \(t.path): Debian \(d.release) (\(d.packages.joined(separator: ", ")) and their dependencies)")
    }

    /// Runs debootstrap (in a process group of its own, which our SIGTERM reaches
    /// whole) until it ends; an interruption is passed on as SIGTERM, on which
    /// debootstrap unmounts what it mounted and exits. Returns its wait status, the
    /// signal that interrupted us, and its "E:" lines.
    private static func runDebootstrap(
        _ argv: [String], log: Int32, interrupts: borrowing Interrupts, progress: inout ProgressLine
    ) throws(JailError) -> (Int32, Int32?, [String]) {
        let pipe: (read: Int32, write: Int32)
        do { pipe = try makePipe() } catch { throw failure("\(error)") }
        defer { _ = close(pipe.read) }
        let child: HelperProcess
        do {
            defer { _ = close(pipe.write) }
            child = try HelperProcess(argv, output: pipe.write, mergeErrors: true, newGroup: true, deathSignal: SIGTERM)
        }
        var parser = DebootstrapProgress()
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        var fds = [pollfd(fd: pipe.read, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: interrupts.descriptor, events: Int16(POLLIN), revents: 0)]
        var interrupted: Int32?
        var patience = 0
        while true {
            let ready = unsafe poll(&fds, 2, 500)
            if let signo = interrupts.pending() {
                // A second one: no more waiting for debootstrap's clean-up.
                child.signal(interrupted == nil ? SIGTERM : SIGKILL, group: true)
                interrupted = interrupted ?? signo
            }
            if interrupted != nil {
                // debootstrap's trap runs once the program it waits for has ended.
                patience += 1
                if patience == 60 { child.signal(SIGKILL, group: true) }
            }
            if ready <= 0 || fds[0].revents == 0 {
                // A daemon a package started could hold the pipe open: debootstrap's
                // end is what counts.
                if child.hasEnded() { break }
                continue
            }
            let n = unsafe buffer.withUnsafeMutableBytes { unsafe read(pipe.read, $0.baseAddress, $0.count) }
            if n < 0 && (Glibc.errno == EINTR || Glibc.errno == EAGAIN) { continue }
            if n <= 0 { break }
            try? OwnedFD.writeAll(log, buffer[0..<n])
            pending += buffer[0..<n]
            while let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<nl], as: UTF8.self)
                pending.removeSubrange(...nl)
                switch parser.line(line) {
                case .stage(let text): progress.show(text, stage: true)
                case .count(let text): progress.show(text, stage: false)
                case .note(let text): progress.note(text)
                case nil: break
                }
            }
        }
        return (child.wait(), interrupted, parser.errors)
    }

    static func checkRelease(_ release: String) throws(JailError) {
        let scripts = debootstrapScripts
        let valid = !release.isEmpty && !release.hasPrefix(".") && !release.hasPrefix("-")
            && release.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") }
        if valid, release != "debian-common", unsafe access(scripts + "/" + release, R_OK) == 0 { return }
        let known = ["trixie", "bookworm", "bullseye", "buster", "sid", "stable", "testing"].filter {
            unsafe access(scripts + "/" + $0, R_OK) == 0
        }
        throw failure("unknown Debian release \"\(release)\" (known: \((known + ["…"]).joined(separator: ", ")))")
    }

    static func isPackageName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLowercase || first.isNumber, name.count >= 2 else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "+-.".contains($0)) }
    }

    /// The host's configured Debian mirror, else deb.debian.org.
    static func hostMirror() -> String {
        let sources = try? readFile("/etc/apt/sources.list.d/debian.sources")
        let list = try? readFile("/etc/apt/sources.list")
        return DebianMirror.from(sources: sources, list: list) ?? DebianMirror.fallback
    }
}
