import Glibc

/// Named steps of creation and removal. For tests only: with JAIL_TEST_KILL_AT=<step>
/// in its environment, `jail` SIGKILLs itself there, to prove that a command killed at
/// any step leaves nothing that `jail -r` or `jail -C` cannot clean.
public enum TestPoint: String, CaseIterable, Sendable {
    // jail -c
    case registered, prepared, cgroup, spawned, recorded, createdHooks, started
    // jail -r
    case claimed, prestopped, terminated, poststopped
    // rctl -a / -r on a running jail: its processes frozen, some moved
    case frozen

    public static let creation: [TestPoint] = [.registered, .prepared, .cgroup, .spawned, .recorded, .createdHooks, .started]
    public static let removal: [TestPoint] = [.claimed, .prestopped, .terminated, .poststopped]

    func reached() {
        guard let wanted = unsafe getenv("JAIL_TEST_KILL_AT"), unsafe String(cString: wanted) == rawValue else { return }
        _ = kill(getpid(), SIGKILL)
    }
}
