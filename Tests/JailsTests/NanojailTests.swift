import Glibc
@testable import JailCLI
@testable import Jails
import Nano
import Testing

/// `jail nano` on the real host, without privilege: plans checked against the loader's
/// own answer (ldd), trees written into a scratch directory.
@Suite(.serialized) final class NanojailTests {
    static let scratch = "/tmp/jail-nano-test-\(getpid())"

    init() {
        _ = system("rm -rf \(Self.scratch)")
        mkdir(Self.scratch, 0o700)
    }

    deinit { _ = system("rm -rf \(Self.scratch)") }

    /// What ld.so maps for `program`, as ldd says, without symlinks.
    func loaderAnswer(_ program: String) -> Set<String> {
        guard let pipe = popen("ldd \(program) 2>/dev/null", "r") else { return [] }
        defer { pclose(pipe) }
        var out: Set<String> = [realPath(program)]
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), pipe) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
            if let arrow = words.firstIndex(of: "=>"), arrow + 1 < words.count, words[arrow + 1].hasPrefix("/") {
                out.insert(realPath(String(words[arrow + 1])))
            } else if let first = words.first, first.hasPrefix("/") {
                out.insert(realPath(String(first)))
            }
        }
        return out
    }

    func realPath(_ path: String) -> String {
        guard let p = realpath(path, nil) else { return path }
        defer { free(p) }
        return String(cString: p)
    }

    @Test(arguments: ["/bin/ls", "/usr/bin/ssh", "/usr/sbin/lighttpd", "/usr/sbin/nginx", "/usr/bin/perl"])
    func theLibrariesAreTheOnesTheLoaderMaps(program: String) throws {
        guard access(program, X_OK) == 0 else { return }
        let plan = try Nanojail.plan(NanoRequest(program: program), into: Self.scratch + "/plan")
        let ours = Set(plan.entries.filter {
            $0.kind == .file && ($0.reason.hasPrefix("needed by") || $0.reason.hasPrefix("the "))
        }.map(\.path))
        #expect(ours == loaderAnswer(program))
        // Every symlink planned leads to something in the tree.
        for entry in plan.entries {
            guard case .symlink(let target) = entry.kind else { continue }
            let resolved = target.hasPrefix("/") ? target : entry.path.split(separator: "/").dropLast().map { "/" + $0 }.joined() + "/" + target
            let real = realPath(resolved)
            #expect(plan.entry(real) != nil || plan.entries.contains { $0.path.hasPrefix(real + "/") }, "\(entry.path)")
        }
    }

    @Test func aTreeIsWrittenOnceAndThenFoundUnchanged() throws {
        let tree = Self.scratch + "/ls"
        let first = try Nanojail.build(NanoRequest(program: "/bin/ls"), into: tree)
        #expect(first.outcomes.allSatisfy { $0 == .made })
        let second = try Nanojail.build(NanoRequest(program: "/bin/ls"), into: tree)
        #expect(second.plan.entries == first.plan.entries)
        #expect(second.outcomes.allSatisfy { $0 == .unchanged })
        var st = stat(), host = stat()
        for entry in first.plan.entries where entry.kind == .file {
            // A copy: its own inode, one link, the same bytes and mode.
            #expect(lstat(tree + entry.path, &st) == 0 && stat(entry.path, &host) == 0)
            #expect(st.st_ino != host.st_ino && st.st_nlink == 1, "\(entry.path)")
            #expect(st.st_mode == host.st_mode && st.st_size == host.st_size, "\(entry.path)")
        }
        #expect(stat(tree + "/tmp", &st) == 0 && st.st_mode & 0o7777 == 0o1777)
        #expect(lstat(tree + "/dev", &st) == 0 && st.st_mode & S_IFMT == S_IFDIR)
        // A file that differs is replaced; one whose mode differs gets the host's.
        let program = try #require(first.plan.entries.first { $0.reason == "the program" && $0.kind == .file }?.path)
        Self.write(tree + program, "not ls")
        chmod(tree + "/tmp", 0o755)
        let third = try Nanojail.build(NanoRequest(program: "/bin/ls"), into: tree)
        let changed = zip(third.plan.entries, third.outcomes).filter { $0.1 != .unchanged }.map(\.0.path)
        #expect(Set(changed) == [program, "/tmp"])
        #expect(stat(tree + program, &st) == 0 && stat(program, &host) == 0 && st.st_size == host.st_size)
        #expect(!Self.names(tree + directoryOf(program)).contains { $0.hasPrefix(".nano-") })
    }

    @Test func aTreeThatCannotTakeThePlanIsLeftUntouched() throws {
        let tree = Self.scratch + "/conflict"
        mkdir(tree, 0o755)
        // The jail's root swapped /usr for a link to the host's /etc.
        symlink("/etc", tree + "/usr")
        #expect(throws: JailError.self) { try Nanojail.build(NanoRequest(program: "/bin/ls"), into: tree) }
        #expect(Self.names(tree) == ["usr"], "nothing written before the check")
        unlink(tree + "/usr")
        let plan = try Nanojail.plan(NanoRequest(program: "/bin/ls"), into: tree)
        let program = try #require(plan.entries.first { $0.reason == "the program" && $0.kind == .file }?.path)
        _ = system("mkdir -p \(tree)\(program)")
        do {
            _ = try Nanojail.build(NanoRequest(program: "/bin/ls"), into: tree)
            Issue.record("a directory where the program goes was accepted")
        } catch {
            #expect(error.message == "nano: `\(tree)\(program)`: a directory in the tree, where the host has a file")
        }
    }

    @Test func theTreeMustBeARealDirectoryAndNotTheHostsRoot() throws {
        let file = Self.scratch + "/file"
        Self.write(file, "x")
        let cases: [(String, String)] = [
            (file, "nano: --into `\(file)`: not a directory"),
            ("/", "nano: --into /: the host's own root"),
            ("relative/tree", "nano: --into relative/tree: not an absolute path"),
            (file + "/below", "nano: --into `\(file)`: not a directory"),
        ]
        for (tree, message) in cases {
            do {
                _ = try Nanojail.build(NanoRequest(program: "/bin/ls"), into: tree)
                Issue.record("\(tree) accepted")
            } catch {
                #expect(error.message == message)
            }
        }
        symlink(Self.scratch, Self.scratch + "/link")
        #expect(throws: JailError.self) { try Nanojail.build(NanoRequest(program: "/bin/ls"), into: Self.scratch + "/link/t") }
    }

    @Test func theCommandLineTakesOptionsOnEitherSideOfTheProgram() throws {
        guard case .success(let o) = NanoCommand.parse(["/usr/sbin/nginx", "--into", "/var/jails/nginx", "--with", "/etc/nginx",
                                                        "--with=/etc/passwd", "--nss", "-nv"]) else {
            Issue.record("refused")
            return
        }
        #expect(o.request.program == "/usr/sbin/nginx" && o.tree == "/var/jails/nginx")
        #expect(o.request.with == ["/etc/nginx", "/etc/passwd"])
        #expect(o.request.nss && !o.request.gconv && !o.request.libgcc && o.dryRun && o.verbose && !o.quiet)
        let bad: [([String], String)] = [
            (["/bin/ls"], "--into needs a directory"),
            (["/bin/ls", "--into"], "--into needs a directory"),
            (["--into", "/t"], "which program?"),
            (["/bin/ls", "/bin/cat", "--into", "/t"], "/bin/cat: one program only"),
            (["ls", "--into", "/t"], "ls: not an absolute path"),
            (["/bin/ls", "--into", "/t", "--with", "etc"], "etc: not an absolute path"),
            (["/bin/ls", "--into", "/t", "--frobnicate"], "--frobnicate: unknown option"),
        ]
        for (args, message) in bad {
            guard case .failure(let error) = NanoCommand.parse(args) else {
                Issue.record("\(args) accepted")
                continue
            }
            #expect(error.message == message)
        }
    }

    @Test func theReportSaysWhyEachEntryIsThere() throws {
        let plan = try Nanojail.plan(NanoRequest(program: "/bin/ls"), into: Self.scratch + "/report")
        let lines = NanoCommand.report(plan, outcomes: nil).split(separator: "\n")
        #expect(lines.count == plan.entries.count)
        #expect(lines.contains { $0.hasPrefix("/tmp/ ") && $0.hasSuffix("  the jail's /tmp") })
        #expect(lines.contains { $0.hasSuffix("  needed by /bin/ls") && $0.contains("libc.so.6") })
    }

    static func write(_ path: String, _ text: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        _ = text.withCString { Glibc.write(fd, $0, strlen($0)) }
        close(fd)
    }

    static func names(_ dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var out: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { out.append(name) }
        }
        return out.sorted()
    }
}

private func directoryOf(_ path: String) -> String {
    String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
}
