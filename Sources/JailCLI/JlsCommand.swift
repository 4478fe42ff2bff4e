import Glibc
import JailConf
import Jails

/// jls(8): `jls [--libxo json] [-dhNnqsv] [-j jail] [param ...]`, with jls.c's formats.
enum JlsCommand {
    /// getopt(3) options, as jls.c's (-a is its old name for -d); man/jls.8 documents each.
    static let getoptSpec = "adj:hNnqsv"

    static let usage = "usage: jls [-dhNnqv] [-j jail] [param ...]"

    struct Flags {
        var header = false, names = false, nameValue = false, quoted = false, skip = false
        var verbose = false, json = false
    }

    static func run(_ arguments: [String]) -> Int32 {
        var args = arguments
        var flags = Flags()
        // libxo's own option, before getopt sees the rest (jls.c: xo_parse_args).
        if let i = args.firstIndex(where: { $0 == "--libxo" || $0.hasPrefix("--libxo=") }) {
            let style = args[i] == "--libxo" && i + 1 < args.count ? args[i + 1] : String(args[i].dropFirst(8))
            args.removeSubrange(i...(args[i] == "--libxo" ? min(i + 1, args.count - 1) : i))
            guard style.split(separator: ",").contains("json") else {
                printError("jls: --libxo \(style): only json is available")
                return 1
            }
            flags.json = true
        }
        let opts: Getopt
        do { opts = try Getopt(args, spec: getoptSpec, program: "jls") } catch {
            printError(error.description)
            printError(usage)
            return 1
        }
        // Later flags override earlier ones as in jls.c's getopt loop.
        for (flag, _) in opts.options {
            switch flag {
            case "h": flags.header = true; flags.skip = false; flags.verbose = false
            case "N": flags.names = true
            case "n": flags.nameValue = true; flags.verbose = false
            case "q": flags.quoted = true
            case "s": flags.nameValue = true; flags.quoted = true; flags.skip = true; flags.header = false; flags.verbose = false
            case "v": flags.verbose = true; flags.header = false; flags.nameValue = false; flags.skip = false
            default: break
            }
        }
        let needParameters = flags.json || flags.nameValue || flags.header || !opts.operands.isEmpty
        var jails = Listing.running(Environment.fromProcessEnvironment(), withParameters: needParameters)
        if let key = opts.value("j") {
            jails = jails.filter { String($0.record.jid) == key || $0.record.name == key }
            if jails.isEmpty {
                printError("jls: jail \"\(key)\" not found")
                return 1
            }
        }
        var params = opts.operands
        if !params.isEmpty { flags.verbose = false }
        if params.contains("all") || (params.isEmpty && (flags.header || flags.nameValue)) {
            params = params.flatMap { $0 == "all" ? Listing.allParameters : [$0] }
            if params.isEmpty { params = Listing.allParameters }
        }
        for p in params where Listing.info(p) == nil {
            printError("jls: unknown parameter: \(p)")
            return 1
        }
        let out: String
        if flags.json {
            out = Listing.json(jails, params: params, flags: flags)
        } else if flags.verbose && params.isEmpty {
            out = Listing.verbose(jails)
        } else if params.isEmpty {
            out = Listing.defaultTable(jails, names: flags.names)
        } else {
            out = Listing.parameters(jails, params: params, flags: flags)
        }
        print(out, terminator: "")
        return 0
    }
}

/// jls's output, computed from the registry: pure formatting once the jails are read.
enum Listing {
    struct Jail {
        var record: JailRecord
        var params: JailParams?
    }

    /// Jails that exist now (their init is alive), each with its parameters when asked.
    static func running(_ env: Environment, withParameters: Bool) -> [Jail] {
        env.registry.liveRecords().map { record in
            Jail(record: record, params: withParameters ? try? CommandLineParams.parse(record.parameters) : nil)
        }
    }

    /// The first address of a jail's list, from its recorded words (no parse needed).
    static func firstAddress(_ j: Jail, _ name: String) -> String {
        if let params = j.params { return params.strings(name).first ?? "" }
        let word = j.record.parameters.first { $0.hasPrefix(name + "=") } ?? ""
        let value = word.dropFirst(name.count + 1)
        return String(value.prefix { $0 != "," })
    }

    /// The address of an `[interface|]address[/prefix]` item, as the kernel would list it.
    static func bare(_ item: String) -> String {
        let address = item.split(separator: "|").last.map(String.init) ?? item
        return String(address.prefix { $0 != "/" })
    }

    /// jls's "all": the kernel parameters, top-level first, then by name (jls.c sort_param).
    static let allParameters: [String] = ParameterTable.all.filter { $0.kind == .kernel }.map(\.name).sorted { a, b in
        let da = a.contains("."), db = b.contains(".")
        return da == db ? a < b : !da
    }

    static func info(_ name: String) -> ParameterInfo? {
        ParameterTable.info(name)
    }

    static let hostname: String = {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, buf.count - 1)
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// A parameter's value as libjail exports it: booleans true/false, lists with commas.
    static func value(_ name: String, of jail: Jail) -> ParamValue {
        switch name {
        case "jid": return .list([String(jail.record.jid)])
        case "name": return .list([jail.record.name])
        case "path": return .list([jail.record.path])
        case "host.hostname":
            return .list([jail.record.hostname.isEmpty ? hostname : jail.record.hostname])
        case "dying": return .bool(false)
        case "cpuset.id", "parent", "children.cur": return .list(["0"])
        case "host": return .list([jail.params?.string("host") ?? "new"])
        // What the engine runs with when the parameter was not given.
        case "vnet": return .list([jail.params?.string(name) ?? "inherit"])
        case "ip4", "ip6":
            // Addresses imply new (JailSpec).
            let implied = (jail.params?.strings(name + ".addr").isEmpty ?? true) ? "disable" : "new"
            return .list([jail.params?.string(name) ?? implied])
        case "ip4.addr", "ip6.addr": return .list((jail.params?.strings(name) ?? []).map(bare))
        case "securelevel": return .list([jail.params?.string(name) ?? "-1"])
        case "devfs_ruleset": return .list([jail.params?.string(name) ?? "0"])
        default:
            return jail.params?.valueOrDefault(name) ?? info(name)?.defaultValue ?? .list([])
        }
    }

    static func text(_ v: ParamValue) -> String {
        switch v {
        case .bool(let b): return b ? "true" : "false"
        case .list(let items): return items.joined(separator: ",")
        }
    }

    static func pad(_ s: String, _ width: Int, truncate: Bool = true) -> String {
        var t = truncate ? String(s.prefix(width)) : s
        if t.count < width { t += String(repeating: " ", count: width - t.count) }
        return t
    }

    static func rightAlign(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }

    /// `   JID  IP Address      Hostname                      Path` (jls.c PRINT_DEFAULT).
    static func defaultTable(_ jails: [Jail], names: Bool) -> String {
        var out = names
            ? " " + pad("JID", 15, truncate: false) + " " + pad("IP Address", 15, truncate: false) + " "
                + pad("Hostname", 29, truncate: false) + " Path\n"
            : "   JID  IP Address      Hostname                      Path\n"
        for j in jails {
            // FreeBSD shows the first IPv4 address; an IPv6-only jail shows its first, whole.
            let ip4 = bare(firstAddress(j, "ip4.addr")), ip6 = bare(firstAddress(j, "ip6.addr"))
            let ip = ip4.isEmpty ? pad(ip6, 15, truncate: false) : pad(ip4, 15)
            let head = names ? " " + pad(j.record.name, 15, truncate: false) + " " : rightAlign(String(j.record.jid), 6) + "  "
            out += head + ip + " " + pad(text(value("host.hostname", of: j)), 29) + " "
                + String(j.record.path.prefix(74)) + "\n"
        }
        return out
    }

    /// jls -v: four header lines, then per jail its jid, hostname, path; name and state;
    /// cpuset; one line per address; a thin jail's base.
    static func verbose(_ jails: [Jail]) -> String {
        var out = "   JID  Hostname                      Path\n"
        out += "        Name                          State\n"
        out += "        CPUSetID\n"
        out += "        IP Address(es)\n"
        for j in jails {
            out += rightAlign(String(j.record.jid), 6) + "  " + pad(text(value("host.hostname", of: j)), 29) + " "
                + String(j.record.path.prefix(74)) + "\n"
            out += "        " + pad(j.record.name, 29) + " ACTIVE\n"
            out += "        0\n"
            for ip in ((j.params?.strings("ip4.addr") ?? []) + (j.params?.strings("ip6.addr") ?? [])).map(bare) {
                out += "        \(ip)\n"
            }
            // Ours: a thin jail's base, after FreeBSD's lines (other jails keep its format).
            if let word = j.record.parameters.last(where: { $0.hasPrefix("thin.base=") }), word.count > 10 {
                out += "        thin.base " + String(word.dropFirst(10).prefix(74)) + "\n"
            }
        }
        return out
    }

    /// `jls param ...`, `-n`, `-s`, `-h`, `-q`.
    static func parameters(_ jails: [Jail], params: [String], flags: JlsCommand.Flags) -> String {
        var out = ""
        if flags.header { out += params.joined(separator: " ") + "\n" }
        for j in jails {
            var fields: [String] = []
            for name in params {
                let v = value(name, of: j)
                // -s is for feeding back to jail -c: what has no value was never set.
                if flags.skip, skipped(name, of: j) || v == .list([]) || v == .list([""]) { continue }
                if flags.nameValue, case .bool(let b) = v {
                    // Booleans as `name` or `noname` (jls.c).
                    fields.append(b ? name : noName(name))
                    continue
                }
                let t = text(v)
                let shown = t.isEmpty ? (flags.quoted ? "\"\"" : (flags.nameValue ? "" : "-")) : quoted(t, flags.quoted)
                fields.append(flags.nameValue ? "\(name)=\(shown)" : shown)
            }
            out += fields.joined(separator: " ") + "\n"
        }
        return out
    }

    /// jls -s leaves out what cannot be set and what its jailsys parent makes unused.
    static func skipped(_ name: String, of j: Jail) -> Bool {
        guard let info = info(name), !info.readOnly else { return true }
        // Parameters that Linux only accepts with a warning would make jail -c warn.
        if case .warn = info.support { return true }
        if name == "jid" { return false }
        if let dot = name.firstIndex(of: "."), let parent = ParameterTable.info(String(name[..<dot])),
           case .jailsys = parent.type {
            return text(value(parent.name, of: j)) != "new"
        }
        return false
    }

    static func noName(_ name: String) -> String {
        guard let dot = name.lastIndex(of: ".") else { return "no" + name }
        return name[...dot] + "no" + name[name.index(after: dot)...]
    }

    /// Quotes as jls.c's quoted_print: with -q, values with spaces or quotes.
    static func quoted(_ s: String, _ enabled: Bool) -> String {
        guard enabled else { return s }
        let q: Character? = s.contains("'") ? "\"" : s.contains("\"") ? "'" : (s.contains(" ") || s.contains("\t")) ? "\"" : nil
        guard let q else { return s }
        return "\(q)\(s)\(q)"
    }

    /// --libxo json, version 2 as jls emits it.
    static func json(_ jails: [Jail], params: [String], flags: JlsCommand.Flags) -> String {
        var items: [String] = []
        for j in jails {
            var fields: [(String, String)] = []
            if params.isEmpty {
                fields = [("jid", String(j.record.jid)),
                          ("ipv4", jsonString(bare(firstAddress(j, "ip4.addr")))),
                          ("hostname", jsonString(text(value("host.hostname", of: j)))),
                          ("path", jsonString(j.record.path))]
                if flags.verbose {
                    fields.insert(("name", jsonString(j.record.name)), at: 3)
                    fields += [("state", "\"ACTIVE\""), ("cpusetid", "0")]
                }
            } else {
                for name in params {
                    switch value(name, of: j) {
                    case .bool(let b): fields.append((name, b ? "true" : "false"))
                    case .list(let l):
                        let t = l.joined(separator: ",")
                        if case .int? = info(name)?.type, let n = Int(t) { fields.append((name, String(n))) } else {
                            fields.append((name, jsonString(t)))
                        }
                    }
                }
            }
            items.append("{" + fields.map { "\(jsonString($0.0)):\($0.1)" }.joined(separator: ",") + "}")
        }
        return "{\"__version\": \"2\", \"jail-information\": {\"jail\": [" + items.joined(separator: ", ") + "]}}\n"
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += "\\u" + rightAlignHex(u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    private static func rightAlignHex(_ v: UInt32) -> String {
        let h = String(v, radix: 16)
        return String(repeating: "0", count: max(0, 4 - h.count)) + h
    }
}
