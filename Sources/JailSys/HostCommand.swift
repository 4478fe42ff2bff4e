import CJail
import Glibc
import SystemPackage

/// A command run on the host (a jail's exec.prestart and friends), and waiting for it.
public enum HostCommand {
    public static func spawn(
        _ argv: [String], environment: [String], logFD: Int32 = -1, newGroup: Bool,
        credentials: (uid: UInt32, gid: UInt32, groups: [UInt32])? = nil
    ) throws(SystemError) -> pid_t {
        try spawn(argv, environment: environment, input: -1, output: logFD, error: logFD, newGroup: newGroup,
                  credentials: credentials)
    }

    /// The same with each standard stream given (-1: ours); `deathSignal` (when > 0)
    /// reaches the command if this process dies before it.
    public static func spawn(
        _ argv: [String], environment: [String], input: Int32, output: Int32, error: Int32,
        newGroup: Bool = false, deathSignal: Int32 = 0,
        credentials: (uid: UInt32, gid: UInt32, groups: [UInt32])? = nil
    ) throws(SystemError) -> pid_t {
        let arena = unsafe CArena()
        defer { unsafe arena.free() }
        let cArgv = unsafe arena.stringArray(argv)
        let cEnv = unsafe arena.stringArray(environment)
        let groups = credentials?.groups ?? []
        let fds: [Int32] = [input, output, error]
        let pid = unsafe groups.withUnsafeBufferPointer { g in
            unsafe fds.withUnsafeBufferPointer { f -> pid_t in
                guard let streams = f.baseAddress else { return -1 }
                return unsafe cj_spawn_host(cArgv, cEnv, streams, newGroup ? 1 : 0, deathSignal,
                                            credentials == nil ? 0 : 1, credentials?.uid ?? 0, credentials?.gid ?? 0,
                                            g.baseAddress, g.count)
            }
        }
        if pid < 0 { throw SystemError("fork", Errno(rawValue: Glibc.errno), path: argv.first.map { FilePath($0) }) }
        return pid
    }

    /// Waits for a child; after `timeout` seconds kills its process group and returns nil.
    public static func wait(_ pid: pid_t, timeout: Int?) -> Int32? {
        if let timeout, timeout > 0 {
            let pidfd = cj_pidfd_open(pid)
            if pidfd >= 0 {
                var p = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
                var left = timeout * 1000
                while left > 0 {
                    let step = min(left, 1000)
                    let r = unsafe poll(&p, 1, Int32(step))
                    if r > 0 { break }
                    if r < 0 && Glibc.errno != EINTR { break }
                    if r == 0 { left -= step }
                }
                _ = close(pidfd)
                if left <= 0 {
                    _ = kill(-pid, SIGKILL)
                    _ = kill(pid, SIGKILL)
                    var st: Int32 = 0
                    _ = unsafe waitpid(pid, &st, 0)
                    return nil
                }
            }
        }
        var st: Int32 = 0
        while unsafe waitpid(pid, &st, 0) < 0 {
            if Glibc.errno != EINTR { return 1 << 8 }
        }
        return st
    }
}

/// The controlling terminal's foreground process group, which a jailed command takes over
/// (it runs in a process group of its own) and gives back when it is done.
public enum Terminal {
    /// Whether this process is the terminal's foreground job (stdin is that terminal).
    public static var weAreForeground: Bool {
        isatty(0) == 1 && tcgetpgrp(0) == getpgrp()
    }

    /// Standard input and output are the caller's terminal, and we are its foreground
    /// job: a command run for the user gets a pty of its own, relayed.
    public static var isInteractive: Bool {
        weAreForeground && isatty(1) == 1
    }

    /// The terminal back to our process group, if a command took it.
    public static func reclaim() {
        guard isatty(0) == 1, tcgetpgrp(0) != getpgrp() else { return }
        let old = signal(SIGTTOU, SIG_IGN)
        _ = tcsetpgrp(0, getpgrp())
        signal(SIGTTOU, old)
    }
}
