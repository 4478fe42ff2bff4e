import Glibc
import JailSys

/// `jail bootstrap`: a full jail's tree, from Debian's debootstrap or from a tarball.
/// Long work shows its progress; an interrupted run leaves its tree marked unfinished
/// (`BootstrapTarget`), and running the same command again resumes or redoes it.
public enum Bootstrap {
    static func failure(_ message: String) -> JailError { JailError(jail: nil, "bootstrap: \(message)") }

    /// A signal's name for messages.
    static func signalName(_ signo: Int32) -> String {
        switch signo {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        case SIGHUP: return "SIGHUP"
        default: return "signal \(signo)"
        }
    }
}

/// Progress on standard output. On a terminal one line is rewritten in place, and a
/// new stage starts a new line; otherwise (a log, a CI run) only the stages are printed.
struct ProgressLine {
    private let terminal = isatty(1) == 1
    private var open = false

    /// `stage`: this starts a new stage (always printed); otherwise a count or a
    /// percentage within one, shown on a terminal only.
    mutating func show(_ text: String, stage: Bool) {
        if terminal {
            write((stage && open ? "\n" : "\r\u{1B}[K") + text)
            open = true
        } else if stage {
            write(text + "\n")
        }
    }

    /// A line of its own (a warning, the result).
    mutating func note(_ text: String) {
        end()
        write(text + "\n")
    }

    mutating func end() {
        if open { write("\n") }
        open = false
    }

    private func write(_ text: String) {
        var text = text
        text.withUTF8 { buf in _ = unsafe Glibc.write(1, buf.baseAddress, buf.count) }
    }
}
