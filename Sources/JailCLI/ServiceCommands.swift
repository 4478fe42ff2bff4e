import Glibc
import JailConf
import JailSys
import Jails

/// The Linux counterpart of FreeBSD's `service jail start|stop|restart|console NAME`:
/// `jail start|stop|restart NAME ...|--all`, `jail console NAME`, `jail passwd NAME USER`.
/// They read what `jail -c`/`-r` read, with rc.d/jail's lookup for a jail's file.
enum ServiceCommands {
    /// rc.d/jail's places for a jail's configuration: /etc/jail.NAME.conf, then
    /// /etc/jail.conf.d/NAME.conf, then /etc/jail.conf. JAIL_CONF_DIR moves /etc (tests).
    static var etc: String {
        getenv("JAIL_CONF_DIR").map { String(cString: $0) } ?? "/etc"
    }

    static func configFile(for name: String) -> String {
        for candidate in ["\(etc)/jail.\(name).conf", "\(etc)/jail.conf.d/\(name).conf"] where access(candidate, R_OK) == 0 {
            return candidate
        }
        return "\(etc)/jail.conf"
    }

    /// Every configured jail as one configuration: /etc/jail.conf followed by the files of
    /// /etc/jail.conf.d (unless jail.conf includes them itself), so that a jail may
    /// depend on one defined in another file. nil: nothing is configured.
    static func allConfigured() -> JailConfFile? {
        let main = "\(etc)/jail.conf"
        let host = HostFileSystem()
        var text = host.read(main) ?? ""
        if !text.contains("jail.conf.d/") {
            for file in host.glob("\(etc)/jail.conf.d/*.conf").sorted() {
                // An .include keeps each file's own place for its messages and its own
                // relative includes.
                text += "\n.include \"\(file)\";\n"
            }
        }
        guard !text.allSatisfy(\.isWhitespace) else { return nil }
        do { return try JailConfFile(path: main, fs: Overlaid(host: host, path: main, text: text)) } catch {
            printError("jail: \(error)")
            return nil
        }
    }

    /// The host's files, with one path's text given.
    struct Overlaid: ConfFileSystem {
        let host: HostFileSystem
        let path: String
        let text: String
        func read(_ p: String) -> String? { p == path ? text : host.read(p) }
        func glob(_ pattern: String) -> [String] { host.glob(pattern) }
    }

    static func start(_ args: [String], restart: Bool = false) -> Int32 {
        let verb = restart ? "restart" : "start"
        guard !args.isEmpty else {
            printError("usage: jail \(verb) name ... | --all")
            return 1
        }
        let env = Environment.fromProcessEnvironment()
        var status: Int32 = 0
        if args == ["--all"] {
            // Every configured jail, in dependency order; those running stay as they are.
            guard let conf = allConfigured() else { return 0 }
            let running = Set(env.registry.liveRecords().map(\.name))
            let names = conf.jailNames.filter { restart || !running.contains($0) }
            if names.isEmpty { return 0 }
            return JailCommand.fromConfig(conf, names: names, restart: restart, options: CreateOptions(), env: env)
        }
        for name in args {
            if !restart, env.registry.liveRecords().contains(where: { $0.name == name }) {
                printError("jail: \(name): already running")
                status = 1
                continue
            }
            let file = configFile(for: name)
            guard access(file, R_OK) == 0 else {
                printError("jail: \(name): no configuration (\(etc)/jail.conf.d/\(name).conf or \(etc)/jail.conf)")
                status = 1
                continue
            }
            let r = JailCommand.fromConfig(file, names: [name], restart: restart, options: CreateOptions(), env: env)
            if r != 0 { status = r }
        }
        return status
    }

    static func stop(_ args: [String]) -> Int32 {
        guard !args.isEmpty else {
            printError("usage: jail stop name ... | --all")
            return 1
        }
        let env = Environment.fromProcessEnvironment()
        let running = env.registry.liveRecords().map(\.name)
        var status: Int32 = 0
        // --all: in removal order (a jail before those it depends on), then any other.
        let ordered = args == ["--all"] ? (try? allConfigured()?.resolve([], overrides: [], forRemoval: true))?.map(\.name) ?? [] : []
        let names: [String] = args == ["--all"] ? ordered + running : args
        var stopped: Set<String> = []
        for name in names where !stopped.contains(name) {
            stopped.insert(name)
            guard running.contains(name) else {
                if args != ["--all"] {
                    printError("jail: \(name): not running")
                    status = 1
                }
                continue
            }
            let r = JailCommand.removeJails([name], options: CreateOptions(), env: env,
                                            conf: JailCommand.configIfPresent(configFile(for: name)))
            if r != 0 { status = r }
        }
        return status
    }

    /// service jail console: a root login inside (jail_consolecmd, `login -f root`).
    static func console(_ args: [String]) -> Int32 {
        guard args.count == 1 else {
            printError("usage: jail console name")
            return 1
        }
        return JexecCommand.run(["-l", args[0], "/bin/login", "-f", "root"])
    }

    /// The jail's own password tool, run inside it: `passwd USER` on a terminal, else
    /// `chpasswd` fed "USER:password" from the first line of our standard input. The
    /// jail's files are never opened through host paths (its root may have planted a
    /// symlink to the host's /etc/shadow there).
    static func passwd(_ args: [String]) -> Int32 {
        guard args.count == 1 || args.count == 2 else {
            printError("usage: jail passwd name [user]   (the password: asked on a terminal, else one line on standard input)")
            return 1
        }
        let jail = args[0], user = args.count == 2 ? args[1] : "root"
        guard !user.contains(":"), !user.contains("\n"), !user.isEmpty else {
            printError("jail: passwd: invalid user name \"\(user)\"")
            return 1
        }
        let env = Environment.fromProcessEnvironment()
        guard env.registry.liveRecords().contains(where: { $0.name == jail || String($0.jid) == jail }) else {
            printError("jail: \"\(jail)\" not found")
            return 1
        }
        // The user must exist in the jail's own database: asked inside, not read here.
        if JexecCommand.quietly(["-l", jail, "/usr/bin/id", "-u", user]) != 0 {
            printError("jail: passwd: no user \"\(user)\" in jail \(jail)")
            return 1
        }
        if isatty(0) != 0 { return JexecCommand.run(["-l", jail, "/usr/bin/passwd", user]) }
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(0, &byte, 1) == 1 && byte != 10 { line.append(byte) }
        guard !line.isEmpty else {
            printError("jail: passwd: no password on standard input")
            return 1
        }
        let input = Array("\(user):".utf8) + line + [10]
        return JexecCommand.feeding(input, ["-l", jail, "/usr/sbin/chpasswd"])
    }
}

extension ServiceCommands {
    /// `jail systemd-generator DIR ...` (systemd.generator(7)): for every configured jail
    /// that depends on others, a drop-in ordering jail@NAME.service after theirs and
    /// pulling them in, so that `systemctl enable jail@web` honours depend.
    static func systemdGenerator(_ args: [String]) -> Int32 {
        guard let dir = args.first, dir.hasPrefix("/") else {
            printError("usage: jail systemd-generator normal-dir [early-dir late-dir]")
            return 1
        }
        var status: Int32 = 0
        if let conf = allConfigured() {
            let jails: [JailParams]
            do { jails = try conf.resolve([], overrides: [], forRemoval: false) } catch {
                printError("jail: systemd-generator: \(error)")
                return 1
            }
            for params in jails {
                let depends = params.strings("depend").filter { !$0.isEmpty }
                if depends.isEmpty { continue }
                let units = depends.map { "jail@\(unitEscape($0)).service" }.joined(separator: " ")
                let text = "# From \(params.configName ?? params.name)'s depend in \(etc)/jail.conf or jail.conf.d.\n[Unit]\nAfter=\(units)\nRequires=\(units)\n"
                let unitDir = "\(dir)/jail@\(unitEscape(params.name)).service.d"
                mkdir(unitDir, 0o755)
                let fd = open(unitDir + "/50-depend.conf", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                if fd < 0 { status = 1; continue }
                _ = text.withCString { write(fd, $0, strlen($0)) }
                close(fd)
            }
        }
        return status
    }

    /// systemd-escape for an instance name: '/' becomes '-', other bytes outside
    /// [A-Za-z0-9:_.] (and a leading '.') become \xNN.
    static func unitEscape(_ name: String) -> String {
        var out = ""
        for (i, byte) in name.utf8.enumerated() {
            let c = Character(Unicode.Scalar(byte))
            if byte == UInt8(ascii: "/") { out += "-" } else if (c.isASCII && (c.isLetter || c.isNumber)) || c == ":" || c == "_" || (c == "." && i > 0) {
                out.append(c)
            } else {
                let hex = String(byte, radix: 16)
                out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}

extension JexecCommand {
    /// jexec with its output discarded: the command's exit status.
    static func quietly(_ args: [String]) -> Int32 {
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { if null >= 0 { close(null) } }
        return withStandardStreams([1: null, 2: null]) { run(args) }
    }

    /// jexec with `input` as the command's standard input.
    static func feeding(_ input: [UInt8], _ args: [String]) -> Int32 {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return 1 }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        // Small enough for the pipe's buffer: written whole before the command reads.
        _ = input.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
        close(fds[1])
        defer { close(fds[0]) }
        return withStandardStreams([0: fds[0]]) { run(args) }
    }
}
