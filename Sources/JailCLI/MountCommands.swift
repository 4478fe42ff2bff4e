import Jails

/// `jail mount jail source target [ro|rw|nosuid|noexec|nodev[,...]]` and
/// `jail umount jail target`: live mounts into a running jail (targets as the jail sees
/// them).
enum MountCommands {
    static func mount(_ args: [String]) -> Int32 {
        guard args.count == 3 || args.count == 4 else {
            printError("usage: jail mount jail source target [ro|rw|nosuid|noexec|nodev[,...]]")
            return 1
        }
        let options = args.count == 4 ? args[3].split(separator: ",").map(String.init) : []
        return report { () throws(JailError) in
            try LiveMounts.mount(args[0], source: args[1], target: args[2], options: options, environment: .fromProcessEnvironment())
        }
    }

    static func unmount(_ args: [String]) -> Int32 {
        guard args.count == 2 else {
            printError("usage: jail umount jail target")
            return 1
        }
        return report { () throws(JailError) in
            try LiveMounts.unmount(args[0], target: args[1], environment: .fromProcessEnvironment())
        }
    }

    static func report(_ body: () throws(JailError) -> Void) -> Int32 {
        do { try body() } catch {
            printError("jail: \(error)")
            return 1
        }
        return 0
    }
}
