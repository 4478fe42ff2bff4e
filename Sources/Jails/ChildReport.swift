import CJail
import Glibc
import JailSys
import SystemPackage

/// What the child path reported, read and worded for the user.
enum ChildReport {
    /// Every message until end-of-file: the command's pid (from jexec's helper) and at
    /// most one failure.
    /// `born` is called as soon as the command exists. A command that a process of the jail
    /// stops before its exec (it is in the jail's PID namespace) is killed and reported:
    /// the caller must never wait on it for ever.
    static func read(_ fd: borrowing OwnedFD, born: (Int32) -> Void = { _ in }) -> (commandPID: Int32?, failure: ChildFailure?) {
        var pid: Int32?
        while true {
            if let p = pid, !awaitMessage(fd, from: p) {
                _ = kill(p, SIGKILL)
                return (pid, ChildFailure(step: ChildFailure.stopped, errno: .interrupted))
            }
            guard let message = readFailure(fd) else { return (pid, nil) }
            if message.step == CJ_MSG_COMMAND_PID {
                pid = message.errno.rawValue
                born(message.errno.rawValue)
            } else {
                return (pid, message)
            }
        }
    }

    /// Waits until `fd` has something (a message, or end-of-file at the exec); false when
    /// the command `pid` is found stopped meanwhile.
    private static func awaitMessage(_ fd: borrowing OwnedFD, from pid: Int32) -> Bool {
        while true {
            var p = pollfd(fd: fd.rawValue, events: Int16(POLLIN), revents: 0)
            if unsafe poll(&p, 1, 100) != 0 { return true }
            var info = unsafe siginfo_t()
            if unsafe waitid(P_PID, id_t(pid), &info, WSTOPPED | WNOHANG | WNOWAIT) == 0,
               unsafe info._sifields._sigchld.si_pid == pid { return false }
        }
    }

    static func readFailure(_ fd: borrowing OwnedFD) -> ChildFailure? {
        var f = cj_failure()
        let n = unsafe withUnsafeMutableBytes(of: &f) { raw in
            var done = 0
            while done < raw.count {
                let r = unsafe Glibc.read(fd.rawValue, raw.baseAddress.map { unsafe $0 + done }, raw.count - done)
                if r < 0 && Glibc.errno == EINTR { continue }
                if r <= 0 { break }
                done += r
            }
            return done
        }
        guard n == MemoryLayout<cj_failure>.size else { return nil }
        return ChildFailure(step: f.step, errno: Errno(rawValue: f.error))
    }

    static func describe(_ failure: ChildFailure, plan: ChildPlan, user: String?) -> String {
        let message = SystemError.message(failure.errno)
        if failure.step >= 0, Int(failure.step) < plan.steps.count {
            let (op, path) = plan.steps[Int(failure.step)].failureOperation
            return path.map { "\(op) `\($0)`: \(message)" } ?? "\(op): \(message)"
        }
        switch failure.step {
        case ChildFailure.exec: return "exec \(plan.argv?.first ?? ""): \(message)"
        case ChildFailure.ids: return "set user \(user ?? ""): \(message)"
        case ChildFailure.seccomp: return "load the seccomp filter: \(message)"
        case ChildFailure.caps: return "drop capabilities: \(message)"
        case ChildFailure.chdir: return "chdir `\(plan.workdir)`: \(message)"
        case ChildFailure.initExec: return "start the jail's init: \(message)"
        case ChildFailure.cgroup: return "enter the jail's cgroups: \(message)"
        case ChildFailure.rlimit: return "set the jail's resource limits: \(message)"
        case ChildFailure.landlock:
            return "scope the jail's abstract unix sockets (Landlock ABI 6, Linux 6.12): \(message); a vnet jail does not need it"
        case ChildFailure.stopped: return "the command was stopped inside the jail before it could start; killed"
        default: return "set up the jail: \(message)"
        }
    }

}
