import CJail
import Glibc

/// SIGINT, SIGTERM and SIGHUP held back and read from a descriptor, for a long piece of
/// host work (a bootstrap) that must stop its helpers and leave its state marked rather
/// than die half-way. Commands started by `HostCommand.spawn` get them unblocked, so a
/// Ctrl-C on the terminal still reaches them directly.
public struct Interrupts: ~Copyable {
    private let fd: OwnedFD

    public init() throws(SystemError) {
        fd = OwnedFD(try syscall("signalfd") { cj_interrupt_fd() })
    }

    /// The descriptor to poll: readable when a signal is pending.
    public var descriptor: Int32 { fd.rawValue }

    /// The signal that arrived since the last call, if any (it is consumed).
    public func pending() -> Int32? {
        let signo = cj_read_signal(fd.rawValue)
        return signo > 0 ? signo : nil
    }

    deinit {
        // Signals that arrived and were not read stay pending: unblocking delivers them.
        var set = sigset_t()
        unsafe sigemptyset(&set)
        for signo in [SIGINT, SIGTERM, SIGHUP] { unsafe sigaddset(&set, signo) }
        unsafe _ = sigprocmask(SIG_UNBLOCK, &set, nil)
    }
}
