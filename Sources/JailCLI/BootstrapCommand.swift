import Jails

/// `jail bootstrap debian RELEASE TARGET [--include PKGS] [--mirror URL] [--variant V]`,
/// `jail bootstrap tar ARCHIVE TARGET`: a full jail's tree (see Bootstrap). Long options,
/// as debootstrap's own: they are passed on to it.
enum BootstrapCommand {
    static let usage = """
        usage: jail bootstrap debian release target [--include pkg,...] [--mirror url] [--variant variant]
               jail bootstrap tar archive target
        """

    static func run(_ args: [String]) -> Int32 {
        var operands: [String] = []
        var include: [String] = []
        var mirror: String?
        var variant: String?
        var i = 0
        while i < args.count {
            let a = args[i]
            i += 1
            if a == "--" {
                operands += args[i...]
                break
            }
            guard a.hasPrefix("-"), a.count > 1 else {
                operands.append(a)
                continue
            }
            let (name, attached) = a.firstIndex(of: "=").map { (String(a[..<$0]), String(a[a.index(after: $0)...])) } ?? (a, nil)
            guard ["--include", "--mirror", "--variant"].contains(name) else {
                printError("jail: bootstrap: unknown option \(name)")
                printError(usage)
                return 1
            }
            guard let value = attached ?? (i < args.count ? args[i] : nil) else {
                printError("jail: bootstrap: \(name) needs a value")
                return 1
            }
            if attached == nil { i += 1 }
            switch name {
            case "--include": include += value.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            case "--mirror": mirror = value
            default: variant = value
            }
        }
        guard operands.count == 3 else {
            printError(usage)
            return 1
        }
        switch operands[0] {
        case "debian":
            var request = DebianBootstrap(release: operands[1], target: operands[2])
            request.include = include
            request.mirror = mirror
            request.variant = variant
            return MountCommands.report { () throws(JailError) in try Bootstrap.debian(request) }
        case "tar":
            guard include.isEmpty && mirror == nil && variant == nil else {
                printError("jail: bootstrap: --include, --mirror and --variant are for debian")
                return 1
            }
            return MountCommands.report { () throws(JailError) in try Bootstrap.tarball(operands[1], into: operands[2]) }
        default:
            printError("jail: bootstrap: \(operands[0]): not a source (debian or tar)")
            printError(usage)
            return 1
        }
    }
}
