import Glibc
import JailConf
import Jails

/// jail(8), as FreeBSD's: parameters on the command line (`jail -c name=www path=/ ...
/// command=...`), jails from jail.conf (`jail -c www`, `jail -r '*'`), `-e sep` to print
/// the configuration, and the legacy `jail path hostname ip command ...`.
enum JailCommand {
    /// getopt(3) options, as jail.c's; man/jail.8 documents each (Tests/JailsTests/DocsTests.swift checks).
    static let getoptSpec = "cCde:f:hiJ:lmn:p:qrRs:u:U:v"

    static let usage = """
        usage: jail [-dhilqv] [-J jid_file] [-u username] [-U username]
                    -[cmr] param=value ... [command=command ...]
               jail [-dqv] [-f file] -[cmr] [jail]
               jail [-qv] [-f file] -[rR] ['*' | jail ...]
               jail [-dhilqv] [-J jid_file] [-u username] [-U username]
                    [-n jailname] [-s securelevel]
                    path hostname ip[,...] command ...
               jail [-f file] -e separator
        """

    static func run(_ args: [String]) -> Int32 {
        // Verbs that managers add, as subcommands of jail (never a second tool).
        switch args.first {
        case "ps": return ProcessCommands.ps(Array(args.dropFirst()))
        case "kill": return ProcessCommands.kill(Array(args.dropFirst()))
        case "list": return ListCommand.run(Array(args.dropFirst()))
        case "mount": return MountCommands.mount(Array(args.dropFirst()))
        case "umount", "unmount": return MountCommands.unmount(Array(args.dropFirst()))
        case "epair": return EpairCommand.run(Array(args.dropFirst()))
        case "start": return ServiceCommands.start(Array(args.dropFirst()))
        case "stop": return ServiceCommands.stop(Array(args.dropFirst()))
        case "restart": return ServiceCommands.start(Array(args.dropFirst()), restart: true)
        case "console": return ServiceCommands.console(Array(args.dropFirst()))
        case "passwd": return ServiceCommands.passwd(Array(args.dropFirst()))
        case "create": return TreeCommands.create(Array(args.dropFirst()))
        case "destroy": return TreeCommands.destroy(Array(args.dropFirst()))
        case "systemd-generator": return ServiceCommands.systemdGenerator(Array(args.dropFirst()))
        case "bootstrap": return BootstrapCommand.run(Array(args.dropFirst()))
        case "nano": return NanoCommand.run(Array(args.dropFirst()))
        default: break
        }
        let opts: Getopt
        do { opts = try Getopt(args, spec: getoptSpec, program: "jail") } catch {
            printError(error.description)
            printError(usage)
            return 1
        }
        if opts.has("u") && opts.has("U") { return usageError() }
        if opts.has("d") {
            printError("jail: the 'allow.dying' parameter and '-d' flag are deprecated and have no effect.")
        }
        if opts.has("C") && !opts.has("c") {
            return JailRemoval.cleanUp(opts.operands, environment: .fromProcessEnvironment(), verbose: opts.has("v"))
        }
        if let limit = opts.value("p"), Int(limit) == nil {
            printError("jail: -p \(limit): not a number")
            return 1
        }
        if opts.has("C") {
            printError("jail: -C: not with -c")
            return 1
        }
        let confPath = opts.value("f") ?? JailConfFile.defaultPath
        if let separator = opts.value("e") {
            if opts.has("c") || opts.has("r") || !opts.operands.isEmpty { return usageError() }
            return showConfig(confPath, separator: separator)
        }

        // Deprecated flags are parameters in disguise (jail(8)), and imply the
        // command-line style.
        var words: [String] = []
        if let name = opts.value("n") { words.append("name=\(name)") }
        if let level = opts.value("s") { words.append("securelevel=\(level)") }
        if let user = opts.value("u") { words += ["exec.jail_user=\(user)", "exec.system_jail_user"] }
        if let user = opts.value("U") { words += ["exec.jail_user=\(user)", "exec.system_jail_user=false"] }
        if opts.has("l") { words.append("exec.clean") }
        if opts.has("h") { words.append("ip_hostname") }
        let flagParams = !words.isEmpty

        let create = opts.has("c"), remove = opts.has("r") || opts.has("R"), modify = opts.has("m")
        let operands = opts.operands
        var options = CreateOptions()
        options.quiet = opts.has("q")
        options.verbose = opts.has("v")
        options.printJID = opts.has("i")
        options.jidFile = opts.value("J")
        // libjail's JAIL_CREATE|JAIL_ATTACH: the calling daemon enters the new jail itself.
        // Not passed on to the exec.* hooks.
        if let pid = getenv("JAIL_ATTACH_PID") {
            // Only the process that ran us (libjail's caller) may be taken in.
            guard Int32(String(cString: pid)) == getppid() else {
                printError("jail: JAIL_ATTACH_PID: not the calling process")
                return 1
            }
            options.adopt = getppid()
            unsetenv("JAIL_ATTACH_PID")
        }
        let env = Environment.fromProcessEnvironment()

        if !create && !remove && !modify {
            // Legacy form: path hostname ip[,...] command ...
            guard operands.count >= 4, operands[0].hasPrefix("/") else { return usageError() }
            words += ["path=\(operands[0])", "host.hostname=\(operands[1])"]
            if !operands[2].isEmpty { words.append("ip4.addr=\(operands[2])") }
            return createFromWords(words, command: Array(operands[3...]), options: options, env: env)
        }
        if remove && !create && !modify {
            guard !operands.isEmpty, !flagParams, !operands.contains(where: { $0.contains("=") }) else {
                return usageError()
            }
            let conf = opts.has("R") ? nil : configIfPresent(confPath)
            return removeJails(operands, options: options, env: env, conf: conf)
        }
        // jail(8): one word without "=" names a jail of the file. Several such words name
        // several jails (created in dependency order) unless one is a parameter.
        let paramStyle = flagParams || operands.contains { $0.contains("=") }
            || (operands.count > 1 && operands.contains { ParameterTable.info(parameterName($0)) != nil || $0 == "command" })
        if paramStyle {
            var command: [String]?
            if let at = operands.firstIndex(where: { $0 == "command" || $0.hasPrefix("command=") }) {
                words += operands[..<at]
                let first = operands[at].dropFirst("command".count).dropFirst()
                command = (first.isEmpty ? [] : [String(first)]) + operands[(at + 1)...]
                if command?.isEmpty ?? true { return usageError() }
            } else {
                words += operands
            }
            if modify {
                return modifyFromWords(words, command: command, create: create, restart: remove, options: options, env: env)
            }
            if remove {
                // -rc name=...: restart; the running jail is found by its name.
                let params = (try? CommandLineParams.parse(words))
                if let name = params?.string("name") { _ = removeJails([name], options: options, env: env, conf: nil) }
            }
            return createFromWords(words, command: command, options: options, env: env)
        }
        // jail.conf: one jail by name, or all of them.
        let limit = opts.value("p").flatMap { Int($0) }
        return fromConfig(confPath, names: operands, restart: remove, options: options, env: env, parallel: limit,
                          flags: opts.options.filter { "qv".contains($0.flag) }.map { "-\($0.flag)" })
    }

    /// jail -m (and -cm, -mr, -cmr) with parameters on the command line.
    static func modifyFromWords(_ words: [String], command: [String]?, create: Bool, restart: Bool,
                                options: CreateOptions, env: Environment) -> Int32 {
        let given: JailParams
        do { given = try CommandLineParams.parse(words) } catch {
            printError("jail: \(error)")
            return 1
        }
        guard let key = given.string("name") ?? given.int("jid").map(String.init) else {
            printError("jail: -m needs the jail's name or jid")
            return 1
        }
        guard let record = env.registry.liveRecords().first(where: { $0.name == key || String($0.jid) == key }) else {
            if create { return createFromWords(words, command: command, options: options, env: env) }
            printError("jail: \"\(key)\" not found")
            return 1
        }
        let changed = words.map(parameterName)
        // `name+=value` adds to the recorded values; `name=value` replaces them.
        let replaced = words.filter { !$0.contains("+=") }.map(parameterName)
        let kept = record.parameters.filter { !replaced.contains(parameterName($0)) }
        let merged = kept + words
        do {
            let current = try spec(record.parameters)
            let next = try spec(merged)
            return try JailModification(environment: env, options: options)
                .run(String(record.jid), current: current, merged: next, changed: changed, words: merged)
        } catch let error as JailError where restart && error.message.hasSuffix("cannot be changed after creation") {
            // -mr: what cannot change in place changes by a restart.
            _ = removeJails([record.name], options: options, env: env, conf: nil)
            return createFromWords(merged, command: command, options: options, env: env)
        } catch {
            printError("jail: \(error)")
            return 1
        }
    }

    /// The parameter a command-line word sets: `a.b=v`, `a.b+=v`, `a.b` and `a.nob` → `a.b`.
    static func parameterName(_ word: String) -> String {
        if let eq = word.firstIndex(of: "=") {
            let name = word[..<eq]
            return String(name.hasSuffix("+") ? name.dropLast() : name)
        }
        if ParameterTable.info(word) != nil { return word }
        let parts = word.split(separator: ".", omittingEmptySubsequences: false)
        guard let last = parts.last, last.hasPrefix("no") else { return word }
        return (parts.dropLast().map(String.init) + [String(last.dropFirst(2))]).joined(separator: ".")
    }

    static func usageError() -> Int32 {
        printError(usage)
        return 1
    }

    /// A jail's spec from its parameter words (the command line, or a running jail's record).
    static func spec(_ words: [String]) throws -> JailSpec { try spec(words, command: nil, warn: false) }

    static func spec(_ words: [String], command: [String]?, warn: Bool) throws -> JailSpec {
        let params = try CommandLineParams.parse(words)
        if warn { for warning in params.warnings { printError("jail: \(warning)") } }
        return try JailSpec(params, command: command)
    }

    static func createFromWords(_ words: [String], command: [String]?, options: CreateOptions, env: Environment) -> Int32 {
        let spec: JailSpec
        do { spec = try Self.spec(words, command: command, warn: true) } catch {
            printError("jail: \(error)")
            return 1
        }
        return create(spec, words: words, options: options, env: env)
    }

    static func create(_ spec: JailSpec, words: [String], options: CreateOptions, env: Environment) -> Int32 {
        do {
            return try JailCreation(spec: spec, parameters: words, options: options, environment: env).run()
        } catch {
            printError("jail: \(error)")
            return 1
        }
    }

    /// jail -r: the stop commands come from jail.conf when it defines the jail (jail(8)
    /// reads the file unless -R); a jail it does not define is removed without any.
    static func removeJails(_ names: [String], options: CreateOptions, env: Environment, conf: JailConfFile?) -> Int32 {
        let removal = JailRemoval(environment: env, quiet: options.quiet, verbose: options.verbose)
        var names = names
        if names == ["*"], let conf {
            // All running jails, those of the file in reverse dependency order first.
            let running = env.registry.liveRecords().map(\.name)
            let ordered = ((try? conf.resolve([], overrides: [], forRemoval: true)) ?? []).map(\.name)
                .filter { running.contains($0) }
            names = ordered + running.filter { !ordered.contains($0) }
            if names.isEmpty { return 0 }
        } else if names.count > 1, let conf {
            // Several jails of the file: dependents before what they depend on (jail(8)).
            let ordered = ((try? conf.resolve([], overrides: [], forRemoval: true)) ?? []).map(\.name)
            names.sort { (ordered.firstIndex(of: $0) ?? Int.max) < (ordered.firstIndex(of: $1) ?? Int.max) }
        }
        do {
            return try removal.run(names) { record in
                guard let conf else { return nil }
                // By name, else by jid (a jid-named jail); a jail the file (or
                // /etc/jail.conf.d/NAME.conf) does not define has no commands.
                for key in [record.name, String(record.jid)] {
                    if let params = try? conf.resolve([key], overrides: [], forRemoval: true).last {
                        return try? JailSpec(params, command: nil)
                    }
                }
                return nil
            }
        } catch {
            printError("jail: \(error)")
            return 1
        }
    }

    /// The configuration file if there is one to read (a missing default file is no error).
    static func configIfPresent(_ path: String) -> JailConfFile? {
        guard access(path, R_OK) == 0 else { return nil }
        return loadConfig(path)
    }

    static func loadConfig(_ path: String) -> JailConfFile? {
        do { return try JailConfFile(path: path, fs: HostFileSystem()) } catch {
            printError("jail: \(error)")
            return nil
        }
    }

    static func showConfig(_ path: String, separator: String) -> Int32 {
        guard let conf = loadConfig(path) else { return 1 }
        do {
            let text = try conf.formatE(separator: separator)
            print(text, terminator: text.hasSuffix("\n") || text.isEmpty ? "" : "\n")
            return 0
        } catch {
            printError("jail: \(error)")
            return 1
        }
    }

    /// `jail [-f file] -c [name ...]` / `-rc`: the named jails (all when none) and, first,
    /// those they depend on, in dependency order. A dependency already running is left as
    /// it is (jail(8)). With `-p N` (0: no limit) up to N jails are created at once, each
    /// after the jails it depends on.
    static func fromConfig(_ path: String, names: [String], restart: Bool, options: CreateOptions, env: Environment,
                           parallel: Int? = nil, flags: [String] = []) -> Int32 {
        guard let conf = loadConfig(path) else { return 1 }
        return fromConfig(conf, names: names, restart: restart, options: options, env: env, parallel: parallel, flags: flags)
    }

    static func fromConfig(_ conf: JailConfFile, names: [String], restart: Bool, options: CreateOptions, env: Environment,
                           parallel: Int? = nil, flags: [String] = []) -> Int32 {
        let path = conf.path
        let resolved: [JailParams]
        do { resolved = try conf.resolve(names, overrides: [], forRemoval: false) } catch {
            printError("jail: \(error)")
            return 1
        }
        let running = Set(env.registry.liveRecords().map(\.name))
        let jails = resolved.filter { !($0.implicitlySelected && running.contains($0.name)) }
        if let limit = parallel, limit != 1, jails.count > 1, !restart {
            return createInParallel(jails, path: path, limit: limit <= 0 ? Int.max : limit, flags: flags)
        }
        var status: Int32 = 0
        for params in jails {
            for warning in params.warnings { printError("jail: \(warning)") }
            let words = params.words
            if restart && !params.implicitlySelected {
                _ = removeJails([params.name], options: options, env: env, conf: conf)
            }
            do {
                let command = params.strings("command")
                var spec = try JailSpec(params, command: command.isEmpty ? nil : command)
                if spec.name == nil { spec.name = params.name }
                var labelled = options
                labelled.label = params.configName ?? params.name
                let r = create(spec, words: words, options: labelled, env: env)
                if r != 0 { status = r }
            } catch {
                printError("jail: \(params.name): \(error)")
                status = 1
            }
        }
        return status
    }

    /// -p: each jail by a `jail -f FILE -c NAME` of its own, started once every jail it
    /// depends on is up, at most `limit` at a time.
    static func createInParallel(_ jails: [JailParams], path: String, limit: Int, flags: [String]) -> Int32 {
        var pending = jails, running: [pid_t: String] = [:], done: Set<String> = [], failed: Set<String> = []
        var status: Int32 = 0
        while !pending.isEmpty || !running.isEmpty {
            // Ready: nothing it depends on is still to be created or being created.
            while running.count < limit, let i = pending.firstIndex(where: { p in
                p.strings("depend").allSatisfy { dep in !pending.contains { $0.name == dep } && !running.values.contains(dep) }
            }) {
                let params = pending.remove(at: i)
                if params.strings("depend").contains(where: failed.contains) {
                    printError("jail: \(params.name): not created: a jail it depends on failed")
                    failed.insert(params.name)
                    status = 1
                    continue
                }
                do {
                    let pid = try SelfCommand.spawn(flags + ["-f", path, "-c", params.configName ?? params.name])
                    running[pid] = params.name
                } catch {
                    printError("jail: \(params.name): \(error)")
                    failed.insert(params.name)
                    status = 1
                }
            }
            guard !running.isEmpty else { break }
            var st: Int32 = 0
            let pid = waitpid(-1, &st, 0)
            guard pid > 0, let name = running.removeValue(forKey: pid) else { continue }
            if st == 0 { done.insert(name) } else {
                failed.insert(name)
                status = 1
            }
        }
        return status
    }
}

extension JailParams {
    /// `name=value` words that recreate these parameters through CommandLineParams (the
    /// registry keeps them, so jexec and jls see the jail as created).
    var words: [String] {
        var out: [String] = []
        if string("name") == nil { out.append("name=\(name)") }
        for (key, value) in entries {
            switch value {
            case .bool(let b): out.append(b ? key : "\(key)=false")
            case .list(let items):
                if items.isEmpty { out.append("\(key)=") }
                for item in items { out.append("\(key)=\(item)") }
            }
        }
        return out
    }
}
