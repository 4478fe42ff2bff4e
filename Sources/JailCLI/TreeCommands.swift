import Glibc
import JailSys
import Jails
import SystemPackage

/// `jail create NAME --from TREE [--thin] [param=value ...]` and `jail destroy NAME`: a
/// full jail from a prepared tree (jail bootstrap's), defined in /etc/jail.conf.d/NAME.conf
/// so that `jail start NAME`, `jail -f` and the systemd units find it.
enum TreeCommands {
    static let marker = "# Created by jail create"

    static func create(_ args: [String]) -> Int32 {
        let usage = "usage: jail create name --from tree [--thin] [param=value ...]"
        var rest = args[...]
        guard let name = rest.popFirst(), !name.hasPrefix("-") else {
            printError(usage)
            return 1
        }
        var from: String?, thin = false, params: [String] = []
        while let word = rest.popFirst() {
            switch word {
            case "--from": from = rest.popFirst()
            case "--thin": thin = true
            default:
                guard word.contains("=") || !word.hasPrefix("-") else {
                    printError(usage)
                    return 1
                }
                params.append(word)
            }
        }
        guard let from, from.hasPrefix("/") else {
            printError("jail: create: --from needs the absolute path of a tree (jail bootstrap makes one)")
            return 1
        }
        func fail(_ message: String) -> Int32 {
            printError("jail: create: \(name): \(message)")
            return 1
        }
        guard !name.isEmpty, !name.contains("/"), !name.contains("."), name.allSatisfy({ !$0.isWhitespace }) else {
            return fail("not a valid jail name")
        }
        let conf = "\(ServiceCommands.etc)/jail.conf.d/\(name).conf"
        if access(conf, F_OK) == 0 { return fail("already exists (\(conf))") }
        if Environment.fromProcessEnvironment().registry.liveRecords().contains(where: { $0.name == name }) {
            return fail("a jail of that name is running")
        }
        var st = stat()
        guard lstat(from, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { return fail("--from \(from): not a directory") }
        let given = params.first { $0.hasPrefix("path=") }.map { String($0.dropFirst(5)) }
        let path = given ?? (String(from.split(separator: "/").dropLast().joined(separator: "/")).isEmpty
            ? "/\(name)" : "/" + from.split(separator: "/").dropLast().joined(separator: "/") + "/\(name)")
        if access(path, F_OK) == 0 { return fail("\(path) already exists") }

        // The tree's own init boots it (a Debian tree); else FreeBSD's rc, if it has one.
        let boots = ["sbin/init", "usr/sbin/init"].contains { lstat(from + "/" + $0, &st) == 0 }
        var lines = ["\(marker) from \(from).", "\(name) {"]
        lines.append("    path = \(quoted(path));")
        lines.append("    host.hostname = \(quoted(name));")
        if boots { lines.append("    init = \"/sbin/init\";") } else if access(from + "/etc/rc", F_OK) == 0 {
            lines.append("    exec.start = \"/bin/sh /etc/rc\";")
            lines.append("    persist;")
        } else {
            lines.append("    persist;")
        }
        if thin { lines.append("    thin.base = \(quoted(from));") }
        for word in params where !word.hasPrefix("path=") {
            // name=value, or a bare boolean (persist, nopersist).
            guard let eq = word.firstIndex(of: "=") else {
                lines.append("    \(word);")
                continue
            }
            lines.append("    \(word[..<eq]) = \(quoted(String(word[word.index(after: eq)...])));")
        }
        lines.append("}")

        // The tree first (copied whole, or an empty own layer over the base), the
        // definition last: an interrupted create leaves no jail that names a half tree.
        let partial = path + ".partial"
        if access(partial, F_OK) == 0, run(["/bin/rm", "-rf", "--one-file-system", partial]) != 0 {
            return fail("cannot remove the leftover \(partial)")
        }
        if thin {
            guard mkdir(partial, 0o755) == 0 else { return fail("mkdir \(partial): \(String(cString: strerror(errno)))") }
        } else {
            print("\(name): copying \(from) to \(path)")
            guard run(["/bin/cp", "-a", "--reflink=auto", from, partial]) == 0 else {
                _ = run(["/bin/rm", "-rf", "--one-file-system", partial])
                return fail("copying \(from) failed")
            }
        }
        guard rename(partial, path) == 0 else { return fail("rename to \(path): \(String(cString: strerror(errno)))") }
        mkdir("\(ServiceCommands.etc)/jail.conf.d", 0o755)
        let text = lines.joined(separator: "\n") + "\n"
        let fd = open(conf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return fail("\(conf): \(String(cString: strerror(errno)))") }
        _ = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        print("\(name): created (\(conf)); start it with: jail start \(name)")
        return 0
    }

    static func destroy(_ args: [String]) -> Int32 {
        guard args.count == 1, let name = args.first else {
            printError("usage: jail destroy name")
            return 1
        }
        func fail(_ message: String) -> Int32 {
            printError("jail: destroy: \(name): \(message)")
            return 1
        }
        if Environment.fromProcessEnvironment().registry.liveRecords().contains(where: { $0.name == name }) {
            return fail("running; stop it first (jail stop \(name))")
        }
        let conf = "\(ServiceCommands.etc)/jail.conf.d/\(name).conf"
        guard let text = try? readFile(FilePath(conf)) else { return fail("no \(conf)") }
        guard text.hasPrefix(marker), let file = JailCommand.loadConfig(conf),
              let params = try? file.resolve([name], overrides: [], forRemoval: true).first,
              let path = params.string("path") else {
            return fail("\(conf) was not made by jail create: remove the jail's files by hand")
        }
        guard path.hasPrefix("/"), path.split(separator: "/").count >= 2 else { return fail("refusing to remove \(path)") }
        // Only the jail's own tree (a thin jail's layer), never its base.
        guard run(["/bin/rm", "-rf", "--one-file-system", path]) == 0 else { return fail("removing \(path) failed") }
        unlink(conf)
        print("\(name): destroyed")
        return 0
    }

    /// A jail.conf string: double quotes, with \, " and $ escaped.
    static func quoted(_ value: String) -> String {
        var out = "\""
        for c in value {
            if c == "\\" || c == "\"" || c == "$" { out.append("\\") }
            out.append(c)
        }
        return out + "\""
    }

    static func run(_ argv: [String]) -> Int32 {
        guard let pid = try? HostCommand.spawn(argv, environment: ProcessEnvironment.current(), newGroup: false) else { return 127 }
        return HostCommand.wait(pid, timeout: nil) ?? 1
    }

}
