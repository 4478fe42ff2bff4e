/// What happens when a rule's amount is exceeded (kern_rctl.c `actionnames`).
public enum Action: Sendable, Hashable {
    case deny, log, devctl, throttle
    /// Send a signal, named as rctl(8) spells it, lowercase: `signal("sigterm")`.
    case signal(String)

    /// The signal actions the kernel accepts, in its order. Some (sigemt, siginfo, sigthr)
    /// have no Linux signal; every signal action is refused on Linux anyway.
    public static let signalNames: [String] = [
        "sighup", "sigint", "sigquit", "sigill", "sigtrap", "sigabrt", "sigemt", "sigfpe", "sigkill",
        "sigbus", "sigsegv", "sigsys", "sigpipe", "sigalrm", "sigterm", "sigurg", "sigstop", "sigtstp",
        "sigchld", "sigttin", "sigttou", "sigio", "sigxcpu", "sigxfsz", "sigvtalrm", "sigprof",
        "sigwinch", "siginfo", "sigusr1", "sigusr2", "sigthr",
    ]

    /// Every action name, signals first as in the kernel's table.
    static let allNames: [String] = signalNames + ["deny", "log", "devctl", "throttle"]

    /// The name a rule spells.
    public var name: String {
        switch self {
        case .deny: "deny"
        case .log: "log"
        case .devctl: "devctl"
        case .throttle: "throttle"
        case .signal(let name): name
        }
    }

    /// The action spelled `name` in any case, as the kernel compares; nil for an unknown name,
    /// including signals the kernel does not list.
    public static func named(_ name: some StringProtocol) -> Action? {
        switch name.lowercased() {
        case "deny": .deny
        case "log": .log
        case "devctl": .devctl
        case "throttle": .throttle
        case let lower where signalNames.contains(lower): .signal(lower)
        default: nil
        }
    }
}
