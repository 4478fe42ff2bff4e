import Glibc

/// A Debian 12 tree for the full-jail tests, bootstrapped once (about a minute, from the
/// machine's Debian mirror) and kept between runs at a fixed path.
enum DebianTree {
    static let root = "/var/tmp/jail-test-debian"

    static func path() throws -> String {
        if Host.exists(root + "/usr/sbin/sshd") && !Host.exists(root + "/.jail-bootstrap-incomplete") { return root }
        let made = run([Host.jailBinary, "bootstrap", "debian", "bookworm", root])
        guard made.status == 0 else { throw BootstrapFailed(run: made) }
        return root
    }

    struct BootstrapFailed: Error, CustomStringConvertible {
        var run: Run
        var description: String { "jail bootstrap failed: \(run)" }
    }
}
