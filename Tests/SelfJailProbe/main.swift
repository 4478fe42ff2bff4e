// The self-jailing tests' subject: a process that enters a jail through the library and
// reports, as "name=value" lines, what it then sees and cannot do.
//   selfjail-probe enter|threads|kernelfd|attach SECONDS [key=value ... | JAIL]
import Glibc
import Jails

func say(_ line: String) {
    print(line)
    fflush(nil)
}

func errnoName(_ e: Int32) -> String {
    switch e {
    case EPERM: "EPERM"
    case EADDRNOTAVAIL: "EADDRNOTAVAIL"
    case ENOENT: "ENOENT"
    case EACCES: "EACCES"
    case EINVAL: "EINVAL"
    case EAFNOSUPPORT: "EAFNOSUPPORT"
    default: "E\(e)"
    }
}

func rootInode() -> UInt {
    var st = stat()
    return stat("/", &st) == 0 ? UInt(st.st_ino) : 0
}

func bindTo(_ address: String) -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return errnoName(errno) }
    defer { close(fd) }
    var sin = sockaddr_in()
    sin.sin_family = sa_family_t(AF_INET)
    inet_pton(AF_INET, address, &sin.sin_addr)
    let r = withUnsafePointer(to: &sin) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard r == 0 else { return errnoName(errno) }
    var local = sockaddr_in()
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &local) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    var text = [CChar](repeating: 0, count: 64)
    inet_ntop(AF_INET, &local.sin_addr, &text, 64)
    return "ok " + String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

let args = CommandLine.arguments
let mode = args[1], seconds = UInt32(args[2]) ?? 0
let words = Array(args.dropFirst(3))
let pairs: [(key: String, value: String)] = words.map { w in
    let eq = w.firstIndex(of: "=") ?? w.endIndex
    return (String(w[..<eq]), eq == w.endIndex ? "" : String(w[w.index(after: eq)...]))
}
let hostRoot = rootInode()

if mode == "threads" { startIdleThread() }
// A namespace file of the host's, kept open: it would lead back into the host's network.
if mode == "kernelfd" { _ = open("/proc/self/ns/net", O_RDONLY) }

var start = timespec(), end = timespec()
clock_gettime(CLOCK_MONOTONIC, &start)
do {
    if mode == "attach" {
        try Jail.attach(words[0])
    } else {
        try Jail.enter(pairs)
    }
} catch {
    say("enter=\(error)")
    say("host_root=\(rootInode() == hostRoot ? "yes" : "no")")
    exit(1)
}
clock_gettime(CLOCK_MONOTONIC, &end)
let ms = Double(end.tv_sec - start.tv_sec) * 1000 + Double(end.tv_nsec - start.tv_nsec) / 1e6
say("enter=ok")
say("enter_ms=\(ms)")
say("host_root=\(rootInode() == hostRoot ? "yes" : "no")")
say("host_file=\(access("/etc/debian_version", F_OK) == 0 ? "ok" : errnoName(errno))")
say("bind_any=\(bindTo("0.0.0.0"))")
say("bind_foreign=\(bindTo("198.51.100.1"))")
say("sethostname=\(sethostname("x", 1) == 0 ? "ok" : errnoName(errno))")
say("mount=\(mount("none", "/tmp", "tmpfs", 0, nil) == 0 ? "ok" : errnoName(errno))")
// Host processes stay addressable by pid (Linux cannot move this process's own PID
// namespace): none may be signalled, traced, reniced or limited. Our parent is one.
let host = getppid()
say("kill_host=\(kill(host, 0) == 0 ? "ok" : errnoName(errno))")
// Reading another process's memory takes the same right as tracing it.
/// A libc function the Glibc module does not export (declared under _GNU_SOURCE only);
/// nil in a static build, which has no dynamic symbols to look up.
func libc<F>(_ name: String, as type: F.Type) -> F? {
    dlsym(nil /* RTLD_DEFAULT */, name).map { unsafeBitCast($0, to: type) }
}
typealias VMRead = @convention(c) (pid_t, UnsafeRawPointer, UInt, UnsafeRawPointer, UInt, UInt) -> Int
if let vmRead = libc("process_vm_readv", as: VMRead.self) {
    var word = 0, remoteWord = 0
    let readHost = withUnsafeMutablePointer(to: &word) { w in
        withUnsafeMutablePointer(to: &remoteWord) { r in
            var local = iovec(iov_base: w, iov_len: 8), remote = iovec(iov_base: r, iov_len: 8)
            return vmRead(host, &local, 1, &remote, 1, 0)
        }
    }
    say("ptrace_host=\(readHost >= 0 ? "ok" : errnoName(errno))")
}
say("renice_host=\(setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(host), 19) == 0 ? "ok" : errnoName(errno))")
say("renice_user=\(setpriority(__priority_which_t(PRIO_USER.rawValue), 0, 19) == 0 ? "ok" : errnoName(errno))")
var limit = rlimit(rlim_cur: 1, rlim_max: 1)
typealias PRLimit = @convention(c) (pid_t, Int32, UnsafeRawPointer?, UnsafeMutableRawPointer?) -> Int32
if let prlimit = libc("prlimit", as: PRLimit.self) {
    say("prlimit_host=\(prlimit(host, Int32(RLIMIT_CORE.rawValue), &limit, nil) == 0 ? "ok" : errnoName(errno))")
}
say("renice_self=\(setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 1) == 0 ? "ok" : errnoName(errno))")
// A child is born in the jail's PID namespace: its pid there is small.
var fds: [Int32] = [0, 0]
pipe(&fds)
let child = fork()
if child == 0 {
    var pid = getpid()
    _ = write(fds[1], &pid, 4)
    _exit(0)
}
var inner: Int32 = 0
_ = read(fds[0], &inner, 4)
waitpid(child, nil, 0)
say("child_pid=\(inner)")
// Dropping to an unprivileged user works, and there is no way back.
if setgid(65534) == 0 && setuid(65534) == 0 {
    say("drop=ok")
    say("regain=\(setuid(0) == 0 ? "ok" : errnoName(errno))")
}
say("ready")
sleep(seconds)
