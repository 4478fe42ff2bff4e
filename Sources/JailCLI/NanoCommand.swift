import Jails
import Nano

/// `jail nano PROGRAM --into DIR [--with PATH]... [--nss] [--gconv] [--libgcc] [-nqv]`:
/// a jail's tree with one program and what it needs (Nanojail). Prints each entry of the
/// tree with the reason it is there; notes (what was left out) go to standard error.
enum NanoCommand {
    static let usage = """
        usage: jail nano [-nqv] program --into dir [--with path ...] [--nss] [--gconv] [--libgcc]
        """

    struct Options {
        var request: NanoRequest
        var tree: String
        var dryRun = false, quiet = false, verbose = false
    }

    static func run(_ args: [String]) -> Int32 {
        let options: Options
        switch parse(args) {
        case .success(let parsed): options = parsed
        case .failure(let error):
            // One line, FreeBSD's style; the usage when nothing useful was given.
            printError(args.isEmpty ? usage : "jail: nano: \(error.message)")
            return 1
        }
        let plan: TreePlan, outcomes: [Nanojail.Outcome]?
        do {
            if options.dryRun {
                (plan, outcomes) = (try Nanojail.plan(options.request, into: options.tree), nil)
            } else {
                (plan, outcomes) = try Nanojail.build(options.request, into: options.tree)
            }
        } catch {
            printError("jail: \(error)")
            return 1
        }
        for note in plan.notes { printError("jail: nano: \(note)") }
        if !options.quiet { print(report(plan, outcomes: options.verbose ? outcomes : nil), terminator: "") }
        return 0
    }

    /// One line an entry: its path (and a symlink's target), then why it is there, and
    /// with -v what writing it came to.
    static func report(_ plan: TreePlan, outcomes: [Nanojail.Outcome]?) -> String {
        let names = plan.entries.map { entry -> String in
            switch entry.kind {
            case .symlink(let target): "\(entry.path) -> \(target)"
            case .directory: entry.path + "/"
            case .file: entry.path
            }
        }
        let width = min(names.map(\.count).max() ?? 0, 60)
        var out = ""
        for (i, entry) in plan.entries.enumerated() {
            let padding = String(repeating: " ", count: max(width - names[i].count, 0))
            let outcome = outcomes.map { " [\($0[i].rawValue)]" } ?? ""
            out += "\(names[i])\(padding)  \(entry.reason)\(outcome)\n"
        }
        return out
    }

    struct Failure: Error { var message: String }

    /// Options may come before or after the program, as in the example.
    static func parse(_ args: [String]) -> Result<Options, Failure> {
        var program: String?, tree: String?
        var with: [String] = []
        var flags = (nss: false, gconv: false, libgcc: false, dryRun: false, quiet: false, verbose: false)
        var i = 0
        func value(_ option: String) -> String? {
            i += 1
            return i < args.count ? args[i] : nil
        }
        var operandsOnly = false
        while i < args.count {
            let arg = args[i]
            switch arg {
            case _ where operandsOnly || !arg.hasPrefix("-") || arg == "-":
                guard program == nil else { return .failure(Failure(message: "\(arg): one program only")) }
                program = arg
            case "--": operandsOnly = true
            case "--into":
                guard let dir = value(arg) else { return .failure(Failure(message: "--into needs a directory")) }
                guard tree == nil else { return .failure(Failure(message: "--into given twice")) }
                tree = dir
            case "--with":
                guard let path = value(arg) else { return .failure(Failure(message: "--with needs a path")) }
                with.append(path)
            case _ where arg.hasPrefix("--into="): tree = String(arg.dropFirst("--into=".count))
            case _ where arg.hasPrefix("--with="): with.append(String(arg.dropFirst("--with=".count)))
            case "--nss": flags.nss = true
            case "--gconv": flags.gconv = true
            case "--libgcc": flags.libgcc = true
            case _ where !arg.hasPrefix("--") && arg.dropFirst().allSatisfy({ "nqv".contains($0) }):
                for c in arg.dropFirst() {
                    switch c {
                    case "n": flags.dryRun = true
                    case "q": flags.quiet = true
                    default: flags.verbose = true
                    }
                }
            default: return .failure(Failure(message: "\(arg): unknown option"))
            }
            i += 1
        }
        guard let program else { return .failure(Failure(message: "which program?")) }
        guard let tree, !tree.isEmpty else { return .failure(Failure(message: "--into needs a directory")) }
        for path in [program] + with where !path.hasPrefix("/") {
            return .failure(Failure(message: "\(path): not an absolute path"))
        }
        var request = NanoRequest(program: program)
        request.with = with
        (request.nss, request.gconv, request.libgcc) = (flags.nss, flags.gconv, flags.libgcc)
        return .success(Options(request: request, tree: tree, dryRun: flags.dryRun, quiet: flags.quiet,
                                verbose: flags.verbose))
    }
}
