import Glibc
import Testing

/// A full Debian for the tests that need one: bookworm as `jail bootstrap debian` makes it
/// by default (debootstrap's standard set with systemd-sysv, openssh-server, iproute2 and
/// ca-certificates), at /var/tmp/jail-test-debian. Made once (about two minutes, from the
/// mirror) and reused by later runs while it is complete (no marker left in it).
/// Tests that use it are slow the first time: mark them `.enabled(if: DebianTree.enabled)`,
/// so that JAIL_SKIP_SLOW=1 skips them locally; CI runs them.
enum DebianTree {
    static let path = "/var/tmp/jail-test-debian"

    static let enabled: Bool = {
        guard let flag = getenv("JAIL_SKIP_SLOW") else { return true }
        return String(cString: flag) != "1"
    }()

    /// Bootstrapped to the end, and nothing left to resume.
    static var isComplete: Bool {
        Host.exists(path + "/sbin/init") && Host.exists(path + "/usr/sbin/sshd")
            && !Host.exists(path + "/.jail-bootstrap-incomplete")
    }

    struct Failure: Error, CustomStringConvertible {
        var run: Run
        var description: String { "jail bootstrap debian bookworm \(DebianTree.path) failed:\n\(run)" }
    }

    /// The tree, made now if it is not there (a marked, unfinished one is resumed):
    /// the run that made it, nil if it was there already. Once per test process.
    private static let made: Result<Run?, Failure> = {
        if isComplete { return .success(nil) }
        // Not ours, and not resumable: something else left it (a test run killed
        // before the marker existed cannot leave more than an empty directory).
        if Host.exists(path) && !Host.exists(path + "/.jail-bootstrap-incomplete") {
            _ = run(["/bin/rm", "-rf", "--one-file-system", path])
        }
        let result = jail("bootstrap", "debian", "bookworm", path)
        return result.status == 0 && isComplete ? .success(result) : .failure(Failure(run: result))
    }()

    /// The tree's path, made if needed; throws with `jail bootstrap`'s output if that failed.
    static func make() throws -> String {
        _ = try made.get()
        return path
    }

    /// The run of `jail bootstrap` that made the tree in this process, if one did.
    static func madeNow() throws -> Run? { try made.get() }
}
