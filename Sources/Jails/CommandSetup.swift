import Glibc
import JailSys

/// Who a command inside a jail runs as, with which environment and where: shared by the
/// jail's own command (jail -c) and by jexec, so that both follow FreeBSD's rules.
struct CommandSetup {
    var login: Login?
    var environment: [String]
    var workdir: String

    /// - Parameters:
    ///   - user: a name or uid; nil runs as the caller (root).
    ///   - hostDatabase: look `user` up in the host's passwd (jail -u, jexec -u) rather
    ///     than the jail's (jail -U, jexec -U).
    ///   - clean: exec.clean / -l: only HOME, SHELL, USER, LOGNAME, TERM and a default
    ///     PATH, run from the user's home.
    init(user: String?, hostDatabase: Bool, clean: Bool, jailRoot: String, workdir: String?) throws(SpecError) {
        if let user {
            login = try Users.lookup(user, jailRoot: hostDatabase ? nil : jailRoot)
        } else if clean {
            // No user given: the caller, as the jail knows it.
            login = (try? Users.lookup(String(getuid()), jailRoot: jailRoot)) ?? Self.defaultRoot
        }
        if clean {
            let user = login ?? Self.defaultRoot
            environment = [
                "HOME=\(user.home)", "SHELL=\(user.shell)", "USER=\(user.name)", "LOGNAME=\(user.name)",
                user.uid == 0 ? "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
                    : "PATH=/usr/local/bin:/usr/bin:/bin",
            ]
            if let term = unsafe getenv("TERM") { environment.append(unsafe "TERM=" + String(cString: term)) }
            self.workdir = workdir ?? user.home
        } else {
            environment = ProcessEnvironment.current()
            self.workdir = workdir ?? "/"
        }
    }

    static let defaultRoot = Login(name: "root", uid: 0, gid: 0, home: "/root", shell: "/bin/sh", groups: [0])

    /// Fills the command part of a child plan.
    func apply(to plan: inout ChildPlan, argv: [String]) {
        plan.argv = argv
        plan.environment = environment
        plan.searchPath = environment.first { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
            ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        plan.workdir = workdir
        plan.takeTerminal = Terminal.weAreForeground
        if let login { plan.credentials = (login.uid, login.gid, login.groups) }
    }
}

extension JailSpec {
    static let newNet: UInt64 = 0x4000_0000
    static let newCgroup: UInt64 = 0x0200_0000

    /// The namespaces a jail of this spec has of its own (CLONE_NEW* bits).
    var namespaceFlags: UInt64 {
        var flags: UInt64 = 0x0002_0000 /* NEWNS */ | 0x2000_0000 /* NEWPID */
        if host != .inherit { flags |= 0x0400_0000 /* NEWUTS */ }
        if ![sysvmsg, sysvsem, sysvshm].contains(.inherit) { flags |= 0x0800_0000 /* NEWIPC */ }
        if network.vnet { flags |= Self.newNet }
        // A booted system manages its own cgroup tree (systemd): it sees the jail's only.
        if initPath != nil { flags |= Self.newCgroup }
        return flags
    }
}
