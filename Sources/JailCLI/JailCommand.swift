
import Jails

/// jail(8): `jail [-dhilqv] [-J jid_file] [-u user] [-U user] -c param=value ... [command=cmd ...]`
/// and the legacy `jail path hostname ip command ...`.
enum JailCommand {
    static let usage = """
        usage: jail [-dhilqv] [-J jid_file] [-u username] [-U username]
                    -[cmr] param=value ... [command=command ...]
               jail [-dhilqv] [-J jid_file] [-u username] [-U username]
                    [-n jailname] [-s securelevel]
                    path hostname ip[,...] command ...
        """

    static func run(_ args: [String]) -> Int32 {
        let opts: Getopt
        do { opts = try Getopt(args, spec: "cCde:f:hiJ:lmn:p:qrRs:u:U:v", program: "jail") } catch {
            printError(error.description)
            printError(usage)
            return 1
        }
        if opts.has("u") && opts.has("U") {
            printError(usage)
            return 1
        }
        if (opts.has("r") || opts.has("R")) && !opts.has("c") {
            guard !opts.operands.isEmpty, !opts.operands.contains(where: { $0.contains("=") }) else {
                printError(usage)
                return 1
            }
            do {
                return try JailRemoval(environment: .fromProcessEnvironment(), quiet: opts.has("q")).run(opts.operands)
            } catch {
                printError("jail: \(error)")
                return 1
            }
        }
        for flag: Character in ["m", "r", "R", "C", "e", "f", "p"] where opts.has(flag) {
            printError("jail: -\(flag): not available yet")
            return 1
        }
        if opts.has("d") {
            printError("jail: the 'allow.dying' parameter and '-d' flag are deprecated and have no effect.")
        }
        if opts.has("h") {
            printError("jail: -h (ip_hostname): not available yet")
            return 1
        }

        // Deprecated flags are parameters in disguise (jail(8)): they come first, so that
        // a param=value word given explicitly wins.
        var words: [String] = []
        if let name = opts.value("n") { words.append("name=\(name)") }
        if let level = opts.value("s") { words.append("securelevel=\(level)") }
        if let user = opts.value("u") { words += ["exec.jail_user=\(user)", "exec.system_jail_user"] }
        if let user = opts.value("U") { words += ["exec.jail_user=\(user)", "exec.nosystem_jail_user"] }
        if opts.has("l") { words.append("exec.clean") }

        var command: [String]?
        let operands = opts.operands
        if opts.has("c") {
            if let at = operands.firstIndex(where: { $0.hasPrefix("command=") }) {
                words += operands[..<at]
                command = [String(operands[at].dropFirst("command=".count))] + operands[(at + 1)...]
            } else {
                words += operands
            }
            if words.contains(where: { !$0.contains("=") && !isBooleanWord($0) }) {
                printError("jail: configuration files (jail -c NAME) are not available yet")
                return 1
            }
        } else {
            // Legacy form: path hostname ip[,...] command ...
            guard operands.count >= 4, operands[0].hasPrefix("/") else {
                printError("jail: no -c or -m, so this must be an old-style command.\nBut it doesn't look like one.")
                return 1
            }
            words += ["path=\(operands[0])", "host.hostname=\(operands[1])"]
            if !operands[2].isEmpty { words.append("ip4.addr=\(operands[2])") }
            command = Array(operands[3...])
        }
        if let c = command, c.isEmpty || c[0].isEmpty {
            printError(usage)
            return 1
        }

        let spec: JailSpec
        do {
            let params = try WordParams.parse(words)
            for warning in params.warnings { printError("jail: \(warning)") }
            spec = try JailSpec(params, command: command)
        } catch {
            printError("jail: \(error)")
            return 1
        }
        var options = CreateOptions()
        options.quiet = opts.has("q")
        options.verbose = opts.has("v")
        options.printJID = opts.has("i")
        do {
            return try JailCreation(spec: spec, parameters: words, options: options,
                                    environment: .fromProcessEnvironment()).run()
        } catch {
            printError("jail: \(error)")
            return 1
        }
    }

    /// `persist`, `allow.nomount`: a parameter without a value is a boolean.
    static func isBooleanWord(_ w: String) -> Bool {
        w.contains(".") || w == "persist" || w == "nopersist" || w == "vnet" || w == "novnet"
    }
}


