import Jails

/// `jail epair create NAME [BRIDGE]`, `jail epair destroy NAME`: FreeBSD's epair(4) for
/// the Handbook's VNET recipe (see Epair).
enum EpairCommand {
    static func run(_ args: [String]) -> Int32 {
        switch (args.first, args.count) {
        case ("create", 2), ("create", 3):
            return MountCommands.report { () throws(JailError) in try Epair.create(args[1], bridge: args.count == 3 ? args[2] : nil) }
        case ("destroy", 2):
            return MountCommands.report { () throws(JailError) in try Epair.destroy(args[1]) }
        default:
            printError("usage: jail epair create name [bridge]\n       jail epair destroy name")
            return 1
        }
    }
}
