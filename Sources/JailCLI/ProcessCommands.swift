import Glibc
import Jails

/// `jail ps NAME` (FreeBSD's `ps -J`) and `jail kill NAME [-SIGNAL] [pid ...]` (`pkill -j`).
enum ProcessCommands {
    static func ps(_ args: [String]) -> Int32 {
        guard args.count == 1 else {
            printError("usage: jail ps jail")
            return 1
        }
        do {
            let entries = try JailProcesses.list(args[0], environment: .fromProcessEnvironment())
            print("  PID   UID STAT COMMAND")
            for e in entries {
                let pid = String(e.pid), uid = String(e.uid)
                print(String(repeating: " ", count: max(0, 5 - pid.count)) + pid + " "
                      + String(repeating: " ", count: max(0, 5 - uid.count)) + uid + " " + e.state + "    "
                      + printable(e.command))
            }
            return 0
        } catch {
            printError("jail: \(error)")
            return 1
        }
    }

    /// A jailed process writes its own command line: control characters (C0, DEL and the
    /// C1 set, CSI among them) would reach the admin's terminal as escape sequences. They
    /// are shown as \u{…}.
    static func printable(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            if u.properties.generalCategory == .control {
                out += "\\u{" + String(u.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    static let signals: [String: Int32] = [
        "HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "KILL": SIGKILL, "TERM": SIGTERM,
        "USR1": SIGUSR1, "USR2": SIGUSR2, "STOP": SIGSTOP, "CONT": SIGCONT, "ALRM": SIGALRM,
    ]

    static func kill(_ args: [String]) -> Int32 {
        var rest = args
        guard let name = rest.first else {
            printError("usage: jail kill jail [-signal] [pid ...]")
            return 1
        }
        rest.removeFirst()
        var signal = SIGTERM
        if let first = rest.first, first.hasPrefix("-") {
            let s = first.dropFirst()
            let key = s.hasPrefix("SIG") ? String(s.dropFirst(3)) : String(s)
            guard let n = Int32(key) ?? signals[key.uppercased()] else {
                printError("jail: kill: unknown signal \(first)")
                return 1
            }
            signal = n
            rest.removeFirst()
        }
        var pids: [Int32] = []
        for p in rest {
            guard let pid = Int32(p), pid > 0 else {
                printError("jail: kill: \(p): not a pid")
                return 1
            }
            pids.append(pid)
        }
        do { return try JailProcesses.kill(name, signal: signal, pids: pids, environment: .fromProcessEnvironment()) } catch {
            printError("jail: \(error)")
            return 1
        }
    }
}
