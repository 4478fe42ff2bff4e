/// debootstrap's output condensed: its "I:" lines name a stage ("Unpacking the base
/// system...") or one package within it ("I: Retrieving libc6 2.36-9"); we show the
/// stage and a running count, forward its warnings, and keep its errors for our message.
/// The whole output goes to the log as it is.
public struct DebootstrapProgress {
    public enum Update: Equatable, Sendable {
        /// A new stage: printed everywhere.
        case stage(String)
        /// A count within the stage: shown on a terminal, in place.
        case count(String)
        /// A line of its own (a warning).
        case note(String)
    }

    private var stage = ""
    private var count = 0
    /// The "E:" lines, the last one first to quote.
    public private(set) var errors: [String] = []
    public private(set) var finished = false

    public init() {}

    public mutating func line(_ raw: String) -> Update? {
        let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
        if line.hasPrefix("E: ") {
            errors.append(String(line.dropFirst(3)))
            return nil
        }
        if line.hasPrefix("W: ") { return .note("bootstrap: warning: \(line.dropFirst(3))") }
        guard line.hasPrefix("I: ") else { return nil }
        let text = line.dropFirst(3)
        let words = text.split(separator: " ")
        guard let verb = words.first else { return nil }
        switch (verb, words.count) {
        case ("Retrieving", 2):
            // "Retrieving InRelease", "Retrieving Packages": the archive's indexes.
            return enter("retrieving the package lists")
        case ("Resolving", _):
            return enter("resolving dependencies")
        case ("Retrieving", 3):
            return counted("retrieving packages")
        case ("Extracting", _):
            return counted("extracting the required packages")
        case ("Installing", _) where text.hasPrefix("Installing core packages"):
            return enter("installing the core packages")
        case ("Unpacking", _), ("Configuring", _):
            // "Unpacking required packages...", "Configuring the base system...": a
            // stage; "Unpacking adduser...": one package in it.
            if text.hasSuffix("packages...") || text.hasSuffix("system...") {
                return enter(text.dropLast(3).lowercased())
            }
            return counted(nil)
        case ("Base", _) where text.hasPrefix("Base system installed successfully"):
            finished = true
            return nil
        default:
            return nil
        }
    }

    /// A new stage (nil when it is the current one).
    private mutating func enter(_ name: String) -> Update? {
        guard name != stage else { return nil }
        stage = name
        count = 0
        return .stage("bootstrap: \(name)")
    }

    /// One more package in `name` (nil: the current stage), entering it first if needed.
    private mutating func counted(_ name: String?) -> Update? {
        if let name, name != stage {
            _ = enter(name)
            count = 1
            return .stage("bootstrap: \(name) (1)")
        }
        count += 1
        return .count("bootstrap: \(stage) (\(count))")
    }
}
