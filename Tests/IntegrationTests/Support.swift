import Glibc
import Testing

/// What a `jail` invocation did: its exit status and its output, and the probe's
/// "name=value" lines parsed.
struct Run: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    var values: [String: String] {
        var out: [String: String] = [:]
        for line in stdout.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            out[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return out
    }

    subscript(_ key: String) -> String? { values[key] }

    var description: String { "status \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
}

enum Host {
    /// Privileged tests run only as root; without it they are reported as skipped.
    static let isRoot = getuid() == 0

    /// The jail binary built next to this test bundle.
    static let jailBinary: String = {
        if let p = getenv("JAIL_BIN") { return String(cString: p) }
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        let exe = n > 0 ? String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        // .build/<config>/<Package>PackageTests.xctest, or a path inside it.
        var dir = exe
        while !dir.isEmpty {
            dir = String(dir[..<(dir.lastIndex(of: "/") ?? dir.startIndex)])
            if access(dir + "/jail", X_OK) == 0 { return dir + "/jail" }
        }
        return "jail"
    }()

    /// /etc/rctl.conf of the tests (hook: JAIL_RCTL_CONF).
    static let rctlConf = "/var/tmp/jail-test-rctl.conf"

    /// Where test jails' cgroups live in the v1 hierarchy of `controller`, if it has one.
    static func v1Base(_ controller: String) -> String? {
        guard let text = try? read("/proc/self/cgroup") else { return nil }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[1].split(separator: ",").contains(Substring(controller)) else { continue }
            let own = parts[2] == "/" ? "" : String(parts[2])
            return "/sys/fs/cgroup/\(controller)\(own)/jail-test"
        }
        return nil
    }

    /// cgroups of test jails live under this process's own cgroup (hook: JAIL_CGROUP_PARENT).
    static let cgroupRoot: String = {
        var mount = "/sys/fs/cgroup/unified"
        if let info = try? read("/proc/self/mountinfo") {
            for line in info.split(separator: "\n") {
                let f = line.split(separator: " ")
                if let dash = f.firstIndex(of: "-"), dash + 1 < f.count, f[dash + 1] == "cgroup2" {
                    mount = String(f[4])
                }
            }
        }
        var own = "/"
        if let text = try? read("/proc/self/cgroup") {
            for line in text.split(separator: "\n") where line.hasPrefix("0::") { own = String(line.dropFirst(3)) }
        }
        return mount + (own == "/" ? "" : own) + "/jail-test"
    }()

    static func read(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Errno(errno) }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func write(_ path: String, _ text: String, mode: mode_t = 0o644) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { return }
        _ = text.withCString { Glibc.write(fd, $0, strlen($0)) }
        close(fd)
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
}

/// Every test that creates real jails, one at a time: they share the registry, the
/// cgroup root and the process table, and several compare those before and after.
/// Without root they are reported as skipped.
@Suite(.serialized, .enabled(if: Host.isRoot, "needs root: creates namespaces, mounts and cgroups"))
struct Privileged {}

struct Errno: Error { var code: Int32; init(_ c: Int32) { code = c } }

/// Runs a program with arguments, standard input from `input`, and returns its output.
/// `extraFD`: a host directory left open (not close-on-exec) at descriptor 5, to prove
/// that nothing inherited reaches the jail.
func run(_ argv: [String], input: String = "", environment: [String]? = nil, extraFD: String? = nil) -> Run {
    var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
    pipe(&inPipe); pipe(&outPipe); pipe(&errPipe)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
    for fd in inPipe + outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }
    if let dir = extraFD { posix_spawn_file_actions_addopen(&actions, 5, dir, O_RDONLY | O_DIRECTORY, 0) }
    var env = environment ?? currentEnvironment()
    env.append("JAIL_CGROUP_PARENT=jail-test")
    env.append("JAIL_RCTL_CONF=\(Host.rctlConf)")
    let cArgs = argv.map { strdup($0) } + [nil]
    let cEnv = env.map { strdup($0) } + [nil]
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv)
    posix_spawn_file_actions_destroy(&actions)
    cArgs.forEach { free($0) }
    cEnv.forEach { free($0) }
    close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
    if rc != 0 {
        close(inPipe[1]); close(outPipe[0]); close(errPipe[0])
        return Run(status: -1, stdout: "", stderr: "spawn \(argv[0]): \(String(cString: strerror(rc)))")
    }
    _ = input.withCString { Glibc.write(inPipe[1], $0, strlen($0)) }
    close(inPipe[1])
    // Drain both pipes without deadlock: poll until both reach end-of-file.
    var out: [UInt8] = [], err: [UInt8] = []
    var fds = [pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0),
               pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0)]
    var open = 2
    var buf = [UInt8](repeating: 0, count: 65536)
    while open > 0 {
        poll(&fds, 2, -1)
        for i in 0..<2 where fds[i].fd >= 0 && fds[i].revents != 0 {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fds[i].fd, $0.baseAddress, $0.count) }
            if n <= 0 { close(fds[i].fd); fds[i].fd = -1; open -= 1 } else if i == 0 { out += buf[0..<n] } else { err += buf[0..<n] }
        }
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return Run(status: code, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
}

func currentEnvironment() -> [String] {
    var out: [String] = []
    var p = environ
    while let e = p.pointee { out.append(String(cString: e)); p += 1 }
    return out
}

/// `jail` with these words.
func jail(_ words: String..., input: String = "", environment: [String]? = nil, extraFD: String? = nil) -> Run {
    run([Host.jailBinary] + words, input: input, environment: environment, extraFD: extraFD)
}

/// A jail's root for the tests: static busybox, our static probe, a passwd with an
/// unprivileged user, a setuid-root copy of the probe, and a device node planted in the
/// tree (which must be dead inside: the tree is mounted nodev). Built once per run.
enum TestTree {
    static let path: String = {
        let root = "/var/tmp/jail-test-tree"
        for d in ["", "/bin", "/dev", "/proc", "/sys", "/tmp", "/etc", "/root", "/home", "/home/user", "/run"] {
            mkdir(root + d, 0o755)
        }
        chmod(root + "/tmp", 0o1777)
        chown(root + "/home/user", 1000, 1000)
        let busybox = ["/bin/busybox", "/usr/bin/busybox"].first { Host.exists($0) } ?? "/bin/busybox"
        _ = run(["/bin/cp", busybox, root + "/bin/busybox"])
        for tool in ["sh", "ls", "cat", "id", "hostname", "ps", "sleep", "true", "false", "echo", "env", "chroot", "ip"] {
            unlink(root + "/bin/" + tool)
            symlink("busybox", root + "/bin/" + tool)
        }
        let probeSource = sourceRoot + "/Tests/Probe/probe.c"
        let built = run(["/usr/bin/cc", "-static", "-O1", "-o", root + "/bin/probe", probeSource])
        precondition(built.status == 0, "building the probe failed: \(built)")
        _ = run(["/bin/cp", root + "/bin/probe", root + "/bin/suid-probe"])
        chown(root + "/bin/suid-probe", 0, 0)
        chmod(root + "/bin/suid-probe", 0o4755)
        Host.write(root + "/etc/passwd", """
            root:x:0:0:root:/root:/bin/sh
            user:x:1000:1000:Test User:/home/user:/bin/sh
            nobody:x:65534:65534:nobody:/nonexistent:/bin/sh

            """)
        Host.write(root + "/etc/group", "root:x:0:\nuser:x:1000:\nwheel:x:10:user\nnogroup:x:65534:\n")
        unlink(root + "/dev-null-planted")
        mknod(root + "/dev-null-planted", S_IFCHR | 0o666, makedev(1, 3))
        return root
    }()

    /// The package root: two levels above this file.
    static let sourceRoot: String = {
        var p = #filePath
        for _ in 0..<3 { p = String(p[..<(p.lastIndex(of: "/") ?? p.startIndex)]) }
        return p
    }()

    private static func makedev(_ major: UInt32, _ minor: UInt32) -> dev_t {
        dev_t((UInt64(major) << 8) | UInt64(minor))
    }
}
