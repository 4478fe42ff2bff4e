import FoundationEssentials
import Glibc
@testable import JailCLI
import JailConf
import Jails
import Rctl
import Testing

/// The man pages, the shell completions and scripts/install.sh, checked against the code:
/// the pages render without warnings, their synopses name exactly the flags getopt takes,
/// their parameter lists and the completions' word lists are the parameter table's, their
/// examples parse, the completions complete, and the installer installs.
///
/// JAILCONF_UPDATE_DOCS=1 rewrites the generated parts (as for docs/parameters.md).
@Suite struct DocsTests {
    /// The package's directory: this file is Tests/JailsTests/DocsTests.swift in it.
    static let root = "/" + #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
    static let pages = ["jail.8", "jls.8", "jexec.8", "jail.conf.5", "rctl.8"]
    static let updating = ProcessInfo.processInfo.environment["JAILCONF_UPDATE_DOCS"] == "1"

    static func read(_ path: String, absolute: Bool = false) throws -> String {
        String(decoding: try Data(contentsOf: URL(filePath: absolute ? path : root + "/" + path)), as: UTF8.self)
    }

    static func write(_ relative: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(filePath: root + "/" + relative))
    }

    // MARK: - Rendering

    @Test(.enabled(if: Command.find("groff") != nil, "groff is not installed (apt-get install groff-base)"),
          arguments: pages)
    func rendersWithoutWarnings(page: String) {
        let r = Command.run(["groff", "-mdoc", "-Tutf8", "-ww", "-z", Self.root + "/man/" + page])
        #expect(r.status == 0 && r.stderr.isEmpty, "\(page): \(r.stderr)")
    }

    @Test(.enabled(if: Command.find("mandoc") != nil, "mandoc is not installed (apt-get install mandoc)"),
          arguments: pages)
    func passesMandocLint(page: String) {
        // Warnings and worse; style notes (such as cross-references to pages this host
        // lacks) are not errors.
        let r = Command.run(["mandoc", "-Tlint", "-W", "warning", Self.root + "/man/" + page])
        #expect(r.status == 0 && r.stdout.isEmpty && r.stderr.isEmpty, "\(page): \(r.stdout)\(r.stderr)")
    }

    // MARK: - Flags

    /// The letters a getopt(3) option string accepts.
    static func letters(_ spec: String) -> Set<Character> { Set(spec.filter { $0 != ":" }) }

    /// The lines of one `.Sh` section of a page.
    static func section(_ name: String, of text: String) -> [Substring] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(of: Substring(".Sh " + name)) else { return [] }
        let rest = lines[(start + 1)...]
        return Array(rest.prefix { !$0.hasPrefix(".Sh ") })
    }

    /// The flag letters written as `Fl letters` in mdoc lines (`Fl -libxo` and `Fl Ns` are not).
    static func flagLetters(_ lines: [Substring]) -> Set<Character> {
        var found: Set<Character> = []
        for line in lines where line.hasPrefix(".") {
            let words = line.dropFirst().split(separator: " ")
            for (i, word) in words.enumerated() where word == "Fl" && i + 1 < words.count {
                let next = words[i + 1]
                let isMacro = next.count == 2 && next.first?.isUppercase == true
                if !isMacro, next.allSatisfy(\.isLetter) { found.formUnion(next) }
            }
        }
        return found
    }

    @Test(arguments: [
        ("jail.8", JailCommand.getoptSpec), ("jls.8", JlsCommand.getoptSpec),
        ("jexec.8", JexecCommand.getoptSpec), ("rctl.8", RctlCommand.getoptSpec),
    ])
    func synopsisNamesExactlyTheFlagsGetoptTakes(page: String, spec: String) throws {
        let text = try Self.read("man/" + page)
        let accepted = Self.letters(spec)
        let synopsis = Self.flagLetters(Self.section("SYNOPSIS", of: text))
        #expect(accepted.subtracting(synopsis).isEmpty, "\(page): flags missing from SYNOPSIS: \(accepted.subtracting(synopsis).sorted())")
        #expect(synopsis.subtracting(accepted).isEmpty, "\(page): SYNOPSIS names flags getopt refuses: \(synopsis.subtracting(accepted).sorted())")
        // And each is described in a list item of its own.
        let items = text.split(separator: "\n").filter { $0.hasPrefix(".It Fl ") }.map { $0.split(separator: " ")[2] }
        for letter in accepted.sorted() {
            #expect(items.contains(Substring(String(letter))), "\(page): no `.It Fl \(letter)` item")
        }
    }

    @Test func completionsOfferExactlyTheFlags() throws {
        // The bash completion's flag lists, against getopt.
        let bash = try Self.read("completions/jail.bash")
        for (function, spec, hidden) in [
            ("_jail()", JailCommand.getoptSpec, ""), ("_jail_jls()", JlsCommand.getoptSpec, ""),
            ("_jail_jexec()", JexecCommand.getoptSpec, "n"), ("_jail_rctl()", RctlCommand.getoptSpec, ""),
        ] {
            let body = bash[try #require(bash.firstRange(of: "\n" + function + " {")).lowerBound...]
            let flagLine = try #require(body.split(separator: "\n").first { $0.contains("# getopt's flags") })
            let offered = Set(flagLine.split(separator: " ").filter { $0.count == 2 && $0.hasPrefix("-") }.compactMap(\.last))
            #expect(offered == Self.letters(spec).subtracting(hidden), "\(function)")
        }
    }

    // MARK: - Generated parts

    /// `text` with the lines between `begin` and `end` replaced by `body`.
    static func replacing(_ text: String, between begin: String, and end: String, with body: String) throws -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex { $0.hasPrefix(begin) }, "no \(begin)")
        let stop = try #require(lines.firstIndex { $0.hasPrefix(end) }, "no \(end)")
        let middle = body.split(separator: "\n", omittingEmptySubsequences: false).dropLast(body.hasSuffix("\n") ? 1 : 0)
        return (lines[...start] + middle + lines[stop...]).joined(separator: "\n")
    }

    /// Whether the completions offer a parameter for `jail -c`: it can be set, to a value
    /// Linux takes (a permission refused when true would only be refused), and does
    /// something (those accepted with a warning do nothing here).
    static func offered(_ info: ParameterInfo) -> Bool {
        if info.readOnly { return false }
        switch info.support {
        case .supported: return true
        case .warn: return false
        case .refused(_, let condition):
            if case .unlessIn = condition { return true }
            return false
        }
    }

    /// The completions' word lists, for bash (`zsh: false`) or zsh.
    static func completionLists(zsh: Bool) -> String {
        let settable = ParameterTable.all.filter(offered)
        func jailsys(_ allowed: [String]) -> [String] {
            settable.filter { $0.type == .jailsys(allowed: allowed) }.map(\.name)
        }
        let three = jailsys(["disable", "new", "inherit"]), two = jailsys(["new", "inherit"])
        let bools = settable.filter { $0.type == .bool }.map(\.name)
        let values = settable.map(\.name).filter { !bools.contains($0) && !three.contains($0) && !two.contains($0) }
        let lists: [(String, String, [String])] = [
            ("_jail_bool_params", "booleans jail -c and -m take", bools),
            ("_jail_value_params", "parameters that take a value", values),
            ("_jail_jailsys_params", "disable, new or inherit", three),
            ("_jail_new_inherit_params", "new or inherit", two),
            ("_jail_jls_params", "everything jls can show", ParameterTable.all.map(\.name)),
            ("_jail_rctl_resources", "rctl resources", Resource.allCases.map(\.rawValue)),
        ]
        var out = [
            "# Generated from Sources/JailConf/ParameterTable.swift and Sources/Rctl/Resource.swift",
            "# by Tests/JailsTests/DocsTests.swift; after changing either, run",
            "# JAILCONF_UPDATE_DOCS=1 swift test --filter DocsTests",
        ]
        for (name, comment, words) in lists {
            out.append("# " + comment)
            out.append(zsh ? "typeset -ga \(name)=(" : "\(name)='")
            var line = zsh ? "  " : "    "
            for word in words {
                if line.count + word.count > 92 {
                    out.append(String(line.dropLast()))
                    line = zsh ? "  " : "    "
                }
                line += word + " "
            }
            out.append(String(line.dropLast()))
            out.append(zsh ? ")" : "'")
        }
        return out.joined(separator: "\n") + "\n"
    }

    @Test func generatedPartsAreCurrent() throws {
        let parts: [(file: String, begin: String, end: String, body: String)] = [
            ("man/jail.8", ParameterTable.mdocBegin, ParameterTable.mdocEnd, ParameterTable.mdoc()),
            ("completions/jail.bash", "# BEGIN GENERATED LISTS", "# END GENERATED LISTS", Self.completionLists(zsh: false)),
            ("completions/_jail", "# BEGIN GENERATED LISTS", "# END GENERATED LISTS", Self.completionLists(zsh: true)),
        ]
        for part in parts {
            let text = try Self.read(part.file)
            let expected = try Self.replacing(text, between: part.begin, and: part.end, with: part.body)
            if Self.updating && text != expected { try Self.write(part.file, expected) }
            #expect(try Self.read(part.file) == expected, "\(part.file) is stale: run JAILCONF_UPDATE_DOCS=1 swift test --filter DocsTests")
        }
        // Every parameter has its item in jail.8.
        let page = try Self.read("man/jail.8")
        for info in ParameterTable.all {
            #expect(page.contains("\n.It Va \(info.name)\n"), "\(info.name)")
        }
    }

    // MARK: - Examples

    /// The text of every `.Bd -literal` display of a page, mdoc escapes undone.
    static func displays(_ text: String) -> [String] {
        var out: [String] = [], current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(".Bd -literal") {
                current = []
            } else if line == ".Ed", let lines = current {
                out.append(lines.joined(separator: "\n")
                    .replacing("\\&", with: "")
                    .replacing("\\(dq", with: "\"")
                    .replacing("\\e", with: "\\"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return out
    }

    /// Shell words of one command line (quotes, backslash-newline), enough for the examples.
    static func shellWords(_ line: String) -> [String] {
        var words: [String] = [], word = "", inWord = false, quote: Character?
        for c in line.replacing("\\\n", with: " ") {
            if let q = quote {
                if c == q { quote = nil } else { word.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c
                inWord = true
            } else if c == " " || c == "\n" {
                if inWord { words.append(word) }
                word = ""
                inWord = false
            } else if c == "#" && !inWord {
                break
            } else {
                word.append(c)
                inWord = true
            }
        }
        if inWord { words.append(word) }
        return words
    }

    /// The commands of every display, one per line (continuations joined).
    static func exampleCommands(_ page: String) throws -> [[String]] {
        try displays(read("man/" + page)).flatMap { display in
            display.replacing("\\\n", with: " ").split(separator: "\n").map { shellWords(String($0)) }
        }
    }

    @Test func jailConfExamplesResolve() throws {
        let examples = Self.section("EXAMPLES", of: try Self.read("man/jail.conf.5")).joined(separator: "\n")
        let configurations = Self.displays(examples)
        #expect(configurations.count >= 5)
        for text in configurations {
            let file = try JailConfFile(path: "/etc/jail.conf", fs: InMemoryFileSystem(["/etc/jail.conf": text]))
            #expect(!file.jailNames.isEmpty, "\(text)")
            for params in try file.resolve([], overrides: [], forRemoval: false) {
                let command = params.strings("command")
                _ = try JailSpec(params, command: command.isEmpty ? nil : command)
            }
        }
    }

    @Test(arguments: pages)
    func commandLineExamplesParse(page: String) throws {
        // `jail -c` and `jail -m` parameters and `rctl -a` rules, as the commands read them.
        for words in try Self.exampleCommands(page) {
            if words.first == "jail", words.count > 2, words[1].hasPrefix("-"), words[1].contains(where: "cm".contains) {
                var parameters = Array(words.dropFirst(2))
                var command: [String]?
                if let at = parameters.firstIndex(where: { $0.hasPrefix("command=") }) {
                    command = [String(parameters[at].dropFirst("command=".count))] + parameters[(at + 1)...]
                    parameters = Array(parameters[..<at])
                }
                guard parameters.contains(where: { $0.contains("=") }) else { continue }  // jail -c www: from jail.conf
                let params = try CommandLineParams.parse(parameters)
                if words[1].contains("c") { _ = try JailSpec(params, command: command) }
            } else if words.first == "rctl", words.count == 3, words[1] == "-a" {
                try Rule.parse(words[2]).validateForLinux()
            }
        }
    }

    // MARK: - Completions

    /// What the bash completion offers for `line` (the cursor at its end), through the
    /// function `complete -p` names for its command, as readline would call it. jls and
    /// jail are stand-ins: `jls name` lists www and db, `jail -e` the jails nas and web of
    /// a configuration; JAIL_CONF_DIR holds jail.conf.d/alpha.conf (made by jail create),
    /// jail.conf.d/beta.conf and jail.gamma.conf. The shell writes them itself: a script written by this (threaded)
    /// process could be held open for writing by a child another test spawns meanwhile,
    /// and would then fail to run (ETXTBSY).
    static func complete(_ line: String) -> [String] {
        let driver = #"""
            tools=$(mktemp -d) || exit 1
            trap 'rm -rf "$tools"' EXIT
            printf '#!/bin/sh\n[ "$1" = name ] && printf "www\\ndb\\n"\n' >"$tools/jls"
            printf '#!/bin/sh\ncase "$*" in *-e*) echo "name=nas persist path=/jails/nas"; echo "name=web persist";; esac\n' >"$tools/jail"
            chmod +x "$tools/jls" "$tools/jail"
            mkdir -p "$tools/etc/jail.conf.d"
            printf '# Created by jail create from /jails/base.\nalpha {\n}\n' >"$tools/etc/jail.conf.d/alpha.conf"
            : >"$tools/etc/jail.conf.d/beta.conf"
            : >"$tools/etc/jail.gamma.conf"
            export JAIL_CONF_DIR=$tools/etc
            PATH=$tools:$PATH
            source "$1" || exit 1
            COMP_LINE=$2 COMP_POINT=${#2}
            read -ra COMP_WORDS <<<"$2"
            [[ $2 == *" " ]] && COMP_WORDS+=("")
            COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
            spec=$(complete -p "${COMP_WORDS[0]}") || exit 1
            fn=${spec#*-F }
            fn=${fn%% *}
            "$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            printf '%s\n' "${COMPREPLY[@]}"
            """#
        let r = Command.run(["bash", "--norc", "--noprofile", "-c", driver, "bash", root + "/completions/jail.bash", line],
                            environment: ["PATH=/usr/bin:/bin", "HOME=/nonexistent"])
        return r.stdout.split(separator: "\n").map(String.init)
    }

    @Test(.enabled(if: Command.find("bash") != nil, "bash is not installed"))
    func bashCompletionIsValid() {
        let r = Command.run(["bash", "-n", Self.root + "/completions/jail.bash"])
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
    }

    @Test(.enabled(if: Command.find("bash") != nil, "bash is not installed"), arguments: [
        // Flags, every one of them.
        ("jls -", ["-a", "-d", "-h", "-N", "-n", "-q", "-s", "-v", "-j", "--libxo"]),
        ("rctl -", ["-a", "-h", "-l", "-n", "-r", "-u"]),
        ("jexec -", ["-d", "-e", "-l", "-u", "-U"]),
        // A parameter with its '=', and a jail of the configuration file.
        ("jail -c na", ["name=", "nas"]),
        ("jail -f /etc/jails.conf -c w", ["web"]),
        ("jail -cm persi", ["persist"]),
        // Values, as readline shows them after the '=' it broke the word at.
        ("jail -c ip4=", ["disable", "new", "inherit"]),
        ("jail -c name=x vnet=", ["new", "inherit"]),
        ("jail -c allow.raw_sockets=f", ["false"]),
        // Running jails.
        ("jexec w", ["www"]),
        ("jls -j ", ["www", "db"]),
        ("jail -r d", ["db"]),
        ("jail ps ", ["www", "db"]),
        ("jail kill www -K", ["-KILL"]),
        // The Linux extensions.
        ("jail ", ["list", "ps", "kill", "mount", "umount", "epair", "nano", "bootstrap", "create", "destroy", "start", "stop", "restart",
                   "console", "passwd"]),
        // Full jails.
        ("jail start ", ["--all", "nas", "web", "alpha", "beta", "gamma"]),
        ("jail stop ", ["--all", "www", "db"]),
        ("jail destroy ", ["alpha"]),
        ("jail create new --", ["--from", "--thin"]),
        ("jail create new --from /jails/base ip4.a", ["ip4.addr="]),
        ("jail passwd w", ["www"]),
        ("jail epair ", ["create", "destroy"]),
        ("jail nano /usr/sbin/lighttpd --i", ["--into"]),
        ("jail mount www /srv /data ro,no", ["ro,nosuid", "ro,noexec", "ro,nodev"]),
        // rctl rules, field by field.
        ("rctl -a j", ["jail:"]),
        ("rctl -a jail:w", ["www:"]),
        ("rctl -a jail:www:memory", ["memoryuse:", "memorylocked:"]),
        ("rctl -a jail:www:memoryuse:d", ["deny="]),
        ("rctl -u jail:", ["www", "db"]),
        ("jls ip4.", ["ip4.addr", "ip4.saddrsel"]),
    ])
    func bashCompletes(line: String, expected: [String]) {
        #expect(Set(Self.complete(line)) == Set(expected), "\(line)")
    }

    @Test(.enabled(if: Command.find("bash") != nil, "bash is not installed"))
    func bashCompletesFileNames() throws {
        var template = Array("/tmp/jails-docs-test-XXXXXX".utf8CString)
        let dir = String(cString: try #require(mkdtemp(&template)))
        defer { _ = Command.run(["rm", "-rf", dir]) }
        _ = mkdir(dir + "/jails", 0o755)
        try Data().write(to: URL(filePath: dir + "/jail.conf"))
        #expect(Self.complete("jail -c path=" + dir + "/j") == [dir + "/jails"], "path= takes directories only")
        #expect(Set(Self.complete("jail -f " + dir + "/j")) == [dir + "/jail.conf", dir + "/jails"])
        #expect(Self.complete("jexec www s").contains("sh"), "a command after the jail")
    }

    @Test(.enabled(if: Command.find("zsh") != nil, "zsh is not installed (apt-get install zsh)"))
    func zshCompletionIsValid() throws {
        let r = Command.run(["zsh", "-n", Self.root + "/completions/_jail"])
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
        #expect(try Self.read("completions/_jail").hasPrefix("#compdef jail jls jexec rctl\n"))
    }

    // MARK: - install.sh

    @Test func installStagesEverythingAndCanRunAgain() throws {
        let stage = "/tmp/jails-install-test-\(getpid())"
        defer { _ = Command.run(["rm", "-rf", stage]) }
        let binary = stage + "-binary"
        try Data("#!/bin/sh\n".utf8).write(to: URL(filePath: binary))
        chmod(binary, 0o755)
        defer { unlink(binary) }
        for _ in 0..<2 {
            let r = Command.run(["bash", Self.root + "/scripts/install.sh"],
                                environment: ["PATH=/usr/bin:/bin", "DESTDIR=\(stage)", "PREFIX=/usr/local", "BINARY=\(binary)"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let prefix = stage + "/usr/local"
        var st = stat()
        #expect(stat(prefix + "/sbin/jail", &st) == 0 && st.st_mode & 0o111 != 0)
        for name in ["jls", "jexec", "rctl"] {
            #expect(Command.readLink(prefix + "/sbin/" + name) == "jail", "\(name)")
            #expect(Command.readLink(prefix + "/share/bash-completion/completions/" + name) == "jail", "\(name)")
        }
        for page in ["man8/jail.8", "man8/jls.8", "man8/jexec.8", "man8/rctl.8", "man5/jail.conf.5"] {
            #expect(stat(prefix + "/share/man/" + page, &st) == 0, "\(page)")
        }
        #expect(stat(prefix + "/share/bash-completion/completions/jail", &st) == 0)
        #expect(stat(prefix + "/share/zsh/site-functions/_jail", &st) == 0)
        // The systemd units run the installed binary.
        let unit = try Self.read(stage + "/etc/systemd/system/jail@.service", absolute: true)
        #expect(unit.contains("ExecStart=/usr/local/sbin/jail start %i") && !unit.contains("@SBINDIR@"))
        let generator = try Self.read(stage + "/usr/lib/systemd/system-generators/jail-generator", absolute: true)
        #expect(generator.contains("exec /usr/local/sbin/jail systemd-generator") && !generator.contains("@SBINDIR@"))
        #expect(stat(stage + "/etc/systemd/system/jails.target", &st) == 0)
        // Nothing outside /usr/local, /etc/systemd and /usr/lib (DESTDIR first).
        let top = Command.run(["find", stage, "-maxdepth", "2"]).stdout.split(separator: "\n").map(String.init)
        #expect(Set(top) == Set(["", "/usr", "/usr/local", "/usr/lib", "/etc", "/etc/systemd"].map { stage + $0 }))
        let missing = Command.run(["bash", Self.root + "/scripts/install.sh"],
                                  environment: ["PATH=/usr/bin:/bin", "DESTDIR=\(stage)", "BINARY=\(stage)/none"])
        #expect(missing.status == 1 && missing.stderr.contains("not built"))
    }
}

/// Runs host programs for these tests (posix_spawnp, output collected without deadlock).
enum Command {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The program's path on PATH, or nil.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") where access("\(dir)/\(name)", X_OK) == 0 {
            return "\(dir)/\(name)"
        }
        return nil
    }

    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { return nil }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func run(_ argv: [String], environment: [String]? = nil) -> Result {
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { return Result(status: -1, stdout: "", stderr: "pipe") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }
        let env = environment ?? ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup($0) } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, argv[0], &actions, nil, cArgs, cEnv)
        close(outPipe[1])
        close(errPipe[1])
        guard rc == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            return Result(status: -1, stdout: "", stderr: "spawn \(argv[0]): \(String(cString: strerror(rc)))")
        }
        var out: [UInt8] = [], err: [UInt8] = []
        var fds = [pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0),
                   pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0)]
        var open = 2
        var buffer = [UInt8](repeating: 0, count: 65536)
        while open > 0 {
            if poll(&fds, 2, -1) < 0 && errno != EINTR { break }
            for i in 0..<2 where fds[i].fd >= 0 && fds[i].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(fds[i].fd, $0.baseAddress, $0.count) }
                if n <= 0 {
                    close(fds[i].fd)
                    fds[i].fd = -1
                    open -= 1
                } else if i == 0 {
                    out += buffer[..<n]
                } else {
                    err += buffer[..<n]
                }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: code, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }
}
