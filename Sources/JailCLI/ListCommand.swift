import Glibc
import Jails
import Rctl

/// `jail list [-h]`: one line per running jail with what it uses (rctl -u in a table;
/// jls -v keeps FreeBSD's format). -h: sizes in K/M/G.
enum ListCommand {
    static func run(_ args: [String]) -> Int32 {
        let human: Bool
        switch args {
        case []: human = false
        case ["-h"]: human = true
        default:
            printError("usage: jail list [-h]")
            return 1
        }
        let records = Environment.fromProcessEnvironment().registry.liveRecords().sorted { $0.jid < $1.jid }
        print(header)
        for u in JailUsage.read(records) { print(line(u, human: human)) }
        return 0
    }

    static let header = columns(["JID", "NAME", "PROCS", "THREADS", "CPUTIME", "PCPU", "MEMORY", "VMEMORY", "OPENFILES"])

    static func line(_ u: JailUsage, human: Bool) -> String {
        func v(_ r: Resource) -> UInt64 { u.values[r] ?? 0 }
        func bytes(_ r: Resource) -> String { human ? Amount.humanized(v(r), unit: .bytes) : String(v(r)) }
        return columns([String(u.record.jid), ProcessCommands.printable(u.record.name), String(v(.maxproc)), String(v(.nthr)),
                        String(v(.cputime)), String(v(.pcpu)), bytes(.memoryuse), bytes(.vmemoryuse), String(v(.openfiles))])
    }

    /// Right-aligned numbers, the name left-aligned, like jls.
    static func columns(_ fields: [String]) -> String {
        let widths = [5, 16, 6, 8, 8, 5, 12, 12, 10]
        var out = ""
        for (i, f) in fields.enumerated() {
            let pad = String(repeating: " ", count: max(0, widths[i] - f.count))
            out += i == 1 ? " " + f + pad : (i == 0 ? "" : " ") + pad + f
        }
        return out
    }
}
