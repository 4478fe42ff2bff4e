import Glibc
import Jails
import Rctl

/// rctl(8): `rctl [-h] [-n] [filter]`, `rctl -a rule`, `rctl -r filter`, `rctl -u [-h]
/// filter`, `rctl -l [-h] filter`. Only jail subjects are supported (see docs/rctl.md).
enum RctlCommand {
    /// getopt(3) options, as rctl.c's; man/rctl.8 documents each.
    static let getoptSpec = "ahlnru"

    static let usage = """
        usage: rctl [ -h ] [-n] [filter ...]
               rctl -a rule ...
               rctl -l [-h] [-n] filter ...
               rctl -r filter ...
               rctl -u [-h] filter ...
        """

    static func run(_ args: [String]) -> Int32 {
        let opts: Getopt
        do { opts = try Getopt(args, spec: getoptSpec, program: "rctl") } catch {
            printError(error.description)
            printError(usage)
            return 1
        }
        let modes = ["a", "l", "r", "u"].filter { opts.has(Character($0)) }
        guard modes.count <= 1 else {
            printError(usage)
            return 1
        }
        let human = opts.has("h")
        let env = Environment.fromProcessEnvironment()
        do throws(JailError) {
            switch modes.first {
            case "a":
                guard !opts.operands.isEmpty else { printError(usage); return 1 }
                var rules: [Rule] = []
                for text in opts.operands {
                    do { rules.append(try Rule.parse(text)) } catch { throw JailError(jail: nil, "rctl: \(error)") }
                }
                try ResourceControl.add(rules, environment: env)
            case "r":
                guard !opts.operands.isEmpty else { printError(usage); return 1 }
                for text in opts.operands { try ResourceControl.remove(try filter(text), text: text, environment: env) }
            case "u":
                guard opts.operands.count == 1 else { printError(usage); return 1 }
                let f = try filter(opts.operands[0])
                guard f.subject == .jail, let name = f.id, !name.isEmpty else {
                    throw JailError(jail: nil, "rctl: -u takes a jail:NAME filter (only jails are accounted)")
                }
                guard let record = ResourceControl.running(name, registry: env.registry) else {
                    throw JailError(jail: nil, "rctl: failed to get resource usage for '\(opts.operands[0])': no such jail")
                }
                let usage = JailUsage.read([record])[0]
                for line in Usage.lines(usage.values, human: human) { print(line) }
            case "l":
                guard opts.operands.count == 1 else { printError(usage); return 1 }
                let f = try filter(opts.operands[0])
                guard f.subject == .process, let id = f.id, let pid = Int32(id) else {
                    throw JailError(jail: nil, "rctl: -l takes a process:PID filter")
                }
                for rule in try ResourceControl.rules(forProcess: pid, environment: env) { print(rule.formatted(human: human)) }
            default:
                var filters: [RuleFilter] = []
                for text in opts.operands { filters.append(try filter(text)) }
                for rule in try ResourceControl.rules(matching: nil, environment: env)
                where filters.isEmpty || filters.contains(where: { $0.matches(rule) }) {
                    print(rule.formatted(human: human))
                }
            }
            return 0
        } catch {
            printError(error.description)
            return 1
        }
    }

    static func filter(_ text: String) throws(JailError) -> RuleFilter {
        do { return try RuleFilter.parse(text) } catch { throw JailError(jail: nil, "rctl: \(error)") }
    }
}
