import Glibc
import Jails

/// jexec(8): `jexec [-l] [-d working-directory] [[-e name=value]...] [-u user | -U user] jail [command ...]`
enum JexecCommand {
    /// getopt(3) options, as jexec.c's (-n is accepted and ignored there too); man/jexec.8
    /// documents each.
    static let getoptSpec = "d:e:lnu:U:"

    static let usage = "usage: jexec [-l] [-d working-directory] [[-e name=value]...]\n             [-u username | -U username] jail [command ...]"

    static func run(_ args: [String]) -> Int32 {
        let opts: Getopt
        do { opts = try Getopt(args, spec: getoptSpec, program: "jexec") } catch {
            printError(error.description)
            printError(usage)
            return 1
        }
        guard let name = opts.operands.first, !(opts.has("u") && opts.has("U")) else {
            printError(usage)
            return 1
        }
        var exec = JailExec(jail: name, command: Array(opts.operands.dropFirst()),
                            environment: .fromProcessEnvironment(), specFromParameters: JailCommand.spec)
        exec.user = opts.value("u") ?? opts.value("U")
        exec.hostDatabase = opts.has("u")
        exec.clean = opts.has("l")
        exec.workdir = opts.value("d")
        exec.extraEnvironment = opts.options.filter { $0.flag == "e" }.compactMap(\.argument)
        for entry in exec.extraEnvironment where !entry.contains("=") {
            printError("jexec: -e \(entry): expected name=value")
            return 1
        }
        let status: Int32
        do { status = try exec.run() } catch {
            printError("jexec: \(error)")
            return 1
        }
        // The command's status as our own: a signal that killed it kills us the same way.
        let signo = status & 0x7f
        if signo != 0 {
            signal(signo, SIG_DFL)
            var none = sigset_t()
            sigemptyset(&none)
            sigprocmask(SIG_SETMASK, &none, nil)
            kill(getpid(), signo)
            return 128 + signo
        }
        return (status >> 8) & 0xff
    }
}
