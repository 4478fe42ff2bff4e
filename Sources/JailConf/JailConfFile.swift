/// A parsed jail.conf (with its includes), from which jails are resolved by name.
public struct JailConfFile: Sendable {
    /// jail(8)'s default configuration file.
    public static let defaultPath = "/etc/jail.conf"
    /// Where the rc script also looks for `NAME.conf` (RCJ): consulted only for a jail that the
    /// default file does not define, so a jail also pulled in by `.include` is never read twice.
    public static let defaultDirectory = "/etc/jail.conf.d"

    public let path: String
    private let fileSystem: any ConfFileSystem
    let blocks: [JailBlock]
    let wildcards: [Int]
    private let jailIndices: [Int]
    private let labelIndex: [String: Int]

    /// Parse `path` and everything it includes. A missing default file is an empty one (jails
    /// may live only in /etc/jail.conf.d); any other unreadable file is an error.
    public init(path: String, fs: any ConfFileSystem) throws(ConfError) {
        let text: String
        if let contents = fs.read(path) {
            text = contents
        } else if path == Self.defaultPath {
            text = ""
        } else {
            throw ConfError(.unreadableFile, "\(printable(path)): cannot read file")
        }
        var parser = ConfParser(fileSystem: fs)
        try parser.parseFile(path, text: text)
        self.path = path
        self.fileSystem = fs
        let blocks = parser.blocks
        self.blocks = blocks
        self.wildcards = blocks.indices.filter { blocks[$0].isWildcard }
        let jailIndices = blocks.indices.filter { !blocks[$0].isWildcard }
        self.jailIndices = jailIndices
        var labels: [String: Int] = [:]
        for index in jailIndices {
            labels[blocks[index].label] = index
        }
        self.labelIndex = labels
    }

    /// The non-wildcard jails, in file order (a nested jail after its parent).
    public var jailNames: [String] {
        jailIndices.map { blocks[$0].label }
    }

    /// Resolve the named jails ([] = all), command-line overrides applied, in dependency
    /// order (reverse for removal).
    ///
    /// A name may be `*` (every configured jail) or a wildcard such as `foo.*`. As in jail(8)
    /// (state.c), creating a jail first creates the jails it depends on, and removing one first
    /// removes the jails that depend on it; such jails, and wildcard matches, are marked
    /// `implicitlySelected`. Overrides apply to the jails selected by `names`, not to those
    /// pulled in by dependencies. A name that is not defined anywhere throws `.jailNotFound`.
    public func resolve(_ names: [String], overrides: [String], forRemoval: Bool) throws(ConfError) -> [JailParams] {
        let overrideStatements = try CommandLineWords.overrides(overrides)
        let purpose: Validator.Purpose = forRemoval ? .remove : .create

        var implicit: [Int: Bool] = [:]
        func select(_ index: Int, explicitly: Bool) {
            implicit[index] = (implicit[index] ?? true) && !explicitly
        }
        var fallbacks: [String] = []
        if names.isEmpty {
            jailIndices.forEach { select($0, explicitly: false) }
        }
        for name in names {
            if name == "*" || Wildcards.isWildcard(name) {
                for index in jailIndices where name == "*" || Wildcards.matches(blocks[index].label, pattern: name) {
                    select(index, explicitly: false)
                }
            } else if let index = labelIndex[name] {
                select(index, explicitly: true)
            } else if let fallback = fallbackPath(for: name), fileSystem.read(fallback) != nil {
                fallbacks.append(name)
            } else {
                throw ConfError(.jailNotFound, "\(quoted(name)) not found")
            }
        }

        var resolved: [Int: ResolvedJail] = [:]
        for index in implicit.keys.sorted() {
            resolved[index] = try resolveJail(
                index, overrides: overrideStatements, purpose: purpose, implicitlySelected: implicit[index] ?? true)
        }
        if forRemoval {
            try addDependents(to: &resolved)
        } else {
            try addDependencies(to: &resolved)
        }

        var result = try DependencyOrder.order(resolved, blocks: blocks).compactMap { resolved[$0]?.params }
        if forRemoval {
            result.reverse()
        }
        for name in fallbacks {
            guard let fallback = fallbackPath(for: name) else { continue }
            let file = try JailConfFile(path: fallback, fs: fileSystem)
            result.append(contentsOf: try file.resolve([name], overrides: overrides, forRemoval: forRemoval))
        }
        return result
    }

    /// `/etc/jail.conf.d/NAME.conf`, only when reading the default file, and never for a name
    /// that could leave the directory.
    private func fallbackPath(for name: String) -> String? {
        guard path == Self.defaultPath, !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            return nil
        }
        return Self.defaultDirectory + "/" + name + ".conf"
    }

    private func resolveJail(
        _ index: Int, overrides: [Statement], purpose: Validator.Purpose, implicitlySelected: Bool
    ) throws(ConfError) -> ResolvedJail {
        let params = try Collector.collect(block: index, in: blocks, wildcards: wildcards, overrides: overrides)
        let jail = try Validator.jailParams(
            params, jail: blocks[index].label, purpose: purpose, fromFile: true,
            implicitlySelected: implicitlySelected, definedAt: blocks[index].location)
        return ResolvedJail(params: jail, depends: Self.depends(params))
    }

    private static func depends(_ params: [SetParam]) -> [(name: String, location: SourceLocation)] {
        params.first { $0.name == "depend" }?.values.map { ($0.text, $0.location) } ?? []
    }

    /// Creating a jail creates what it depends on first: follow `depend` from every selected
    /// jail, transitively.
    private func addDependencies(to resolved: inout [Int: ResolvedJail]) throws(ConfError) {
        var queue = resolved.keys.sorted()
        while let index = queue.popLast() {
            guard let jail = resolved[index] else { continue }
            for (name, location) in jail.depends {
                guard let target = labelIndex[name] else {
                    throw ConfError(
                        .dependency, "depends on undefined jail \(quoted(name))", at: location,
                        jail: blocks[index].label)
                }
                if resolved[target] == nil {
                    resolved[target] = try resolveJail(
                        target, overrides: [], purpose: .create, implicitlySelected: true)
                    queue.append(target)
                }
            }
        }
    }

    /// Removing a jail first removes the jails that depend on it. Every jail's `depend` is
    /// read to find them; a jail whose configuration cannot even be read is skipped here, as
    /// state.c dep_setup skips failed jails.
    private func addDependents(to resolved: inout [Int: ResolvedJail]) throws(ConfError) {
        var dependents: [Int: [Int]] = [:]
        for index in jailIndices {
            guard let params = try? Collector.collect(block: index, in: blocks, wildcards: wildcards, overrides: [])
            else { continue }
            for (name, _) in Self.depends(params) {
                if let target = labelIndex[name] {
                    dependents[target, default: []].append(index)
                }
            }
        }
        var queue = resolved.keys.sorted()
        while let index = queue.popLast() {
            for dependent in dependents[index] ?? [] where resolved[dependent] == nil {
                resolved[dependent] = try resolveJail(
                    dependent, overrides: [], purpose: .remove, implicitlySelected: true)
                queue.append(dependent)
            }
        }
    }
}

/// A resolved jail and the names it depends on, with where each was written.
struct ResolvedJail: Sendable {
    var params: JailParams
    var depends: [(name: String, location: SourceLocation)]
}
