import CJail
import Glibc
import JailSys
import SystemPackage

/// A host program that a bootstrap runs (tar, a decompressor, debootstrap, rm): found in
/// the usual directories, what it says on standard error kept in memory for our message,
/// and killed if we die first, so that it never goes on writing into a tree the next run
/// removes.
final class HelperProcess {
    let pid: pid_t
    let name: String
    /// A memfd with its diagnostics.
    private let diagnostics: Int32
    private var status: Int32?

    /// `output`: its standard output (-1: with its diagnostics); `input`: its standard
    /// input (-1: /dev/null).
    /// `mergeErrors`: standard error goes to `output` too (nothing is kept).
    init(_ argv: [String], input: Int32 = -1, output: Int32 = -1, mergeErrors: Bool = false, newGroup: Bool = false,
         deathSignal: Int32 = SIGKILL) throws(JailError) {
        name = String(argv.first?.split(separator: "/").last ?? "")
        let memfd = unsafe cj_memfd(name)
        guard memfd >= 0 else { throw Bootstrap.failure("memfd_create: \(SystemError.message(Errno(rawValue: Glibc.errno)))") }
        var null: Int32 = -1
        if input < 0 { null = unsafe open("/dev/null", O_RDONLY | O_CLOEXEC) }
        defer { if null >= 0 { _ = close(null) } }
        do {
            pid = try HostCommand.spawn(argv, environment: Self.environment, input: input >= 0 ? input : null,
                                        output: output >= 0 ? output : memfd, error: mergeErrors && output >= 0 ? output : memfd,
                                        newGroup: newGroup, deathSignal: deathSignal)
        } catch {
            _ = close(memfd)
            throw Bootstrap.failure("\(name): \(error)")
        }
        diagnostics = memfd
    }

    deinit {
        if status == nil {
            _ = Glibc.kill(pid, SIGKILL)
            _ = wait()
        }
        _ = close(diagnostics)
    }

    /// Its wait status, once it has ended (waited for once).
    @discardableResult
    func wait() -> Int32 {
        if let status { return status }
        let s = HostCommand.wait(pid, timeout: nil) ?? (1 << 8)
        status = s
        return s
    }

    func signal(_ signo: Int32, group: Bool = false) {
        guard status == nil else { return }
        _ = Glibc.kill(group ? -pid : pid, signo)
    }

    /// Whether it has ended (reaped, status kept), without waiting.
    func hasEnded() -> Bool {
        if status != nil { return true }
        var st: Int32 = 0
        if unsafe waitpid(pid, &st, WNOHANG) == pid {
            status = st
            return true
        }
        return false
    }

    /// The last lines it wrote to standard error, or how it ended.
    func message() -> String {
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var at: Int = 0
        while text.count < 1 << 20 {
            let n = unsafe chunk.withUnsafeMutableBytes { unsafe pread(diagnostics, $0.baseAddress, $0.count, off_t(at)) }
            if n <= 0 { break }
            text += chunk[0..<n]
            at += n
        }
        let lines = String(decoding: text, as: UTF8.self).split(separator: "\n").map { line in
            var l = line.drop(while: \.isWhitespace)
            while l.last?.isWhitespace == true { l = l.dropLast() }
            return l
        }.filter { !$0.isEmpty }
        if let last = lines.last.map(String.init) {
            // The program's own name in front of its message, as tar and gzip say it.
            return last.hasPrefix(name + ":") ? last : "\(name): \(last)"
        }
        let s = status ?? 0
        if s & 0x7f != 0 { return "\(name): terminated by signal \(s & 0x7f)" }
        return "\(name): exit status \((s >> 8) & 0xff)"
    }

    var succeeded: Bool { status == 0 }

    /// Runs it to the end.
    static func run(_ argv: [String]) throws(JailError) -> HelperProcess {
        let p = try HelperProcess(argv)
        p.wait()
        return p
    }

    /// The full path of a host program, from the directories a root shell searches.
    static func tool(_ name: String) -> String? {
        for dir in ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"] {
            let path = dir + "/" + name
            if unsafe access(path, X_OK) == 0 { return path }
        }
        return nil
    }

    /// The caller's environment, with messages in English (we quote them) and no
    /// questions asked by package scripts.
    static var environment: [String] {
        ProcessEnvironment.current().filter { !$0.hasPrefix("LC_ALL=") && !$0.hasPrefix("DEBIAN_FRONTEND=") }
            + ["LC_ALL=C", "DEBIAN_FRONTEND=noninteractive"]
            + (ProcessEnvironment.current().contains { $0.hasPrefix("PATH=") }
                ? [] : ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"])
    }
}
