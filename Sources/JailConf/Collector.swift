/// Gathering one jail's parameters from its own block, the global pseudo-jail and every
/// matching wildcard block, then substituting variables: FreeBSD's config.c load_config and
/// add_param, step for step, so that the order of parameters and the winner of every
/// override are what FreeBSD would pass to the kernel.

/// A value string before substitution: its literal text with the variables' insertion points
/// (config.c struct cfstring).
struct RawValue: Sendable {
    /// A `$var` to insert at `position` in the literal text.
    struct Reference: Sendable {
        var name: String
        var position: Int
        var location: SourceLocation
    }

    var literal: [UInt8]
    var variables: [Reference]
    var location: SourceLocation

    init(_ word: Word) {
        self.literal = word.literal
        self.variables = word.variables
        self.location = word.location
    }

    init(text: String, at location: SourceLocation) {
        self.literal = Array(text.utf8)
        self.variables = []
        self.location = location
    }
}

/// A value after substitution, with where it was written.
struct LocatedText: Sendable {
    var text: String
    var location: SourceLocation
}

/// A parameter with its final values, variables substituted.
struct SetParam: Sendable {
    var name: String
    var values: [LocatedText]
    var location: SourceLocation
}

/// Limits that keep hostile input from exhausting memory or stack: substitution can double a
/// string per statement (`$b = "$a$a"; $c = "$b$b"; ...`).
enum CollectorLimits {
    static let maxValueBytes = 1 << 20
    static let maxValues = 10_000
    static let maxVariableDepth = 256
}

struct Collector {
    private struct Param {
        var name: String
        var key: String
        var isVariable: Bool
        /// `name` and `jid` may be set once (config.c PF_IMMUTABLE).
        var immutable: Bool
        var values: [RawValue]
        var location: SourceLocation
    }

    private enum State {
        case unresolved, resolving, resolved
    }

    private struct ResolvedBytes {
        var bytes: [UInt8]
        var location: SourceLocation
    }

    /// The jail's label, for error messages (nil for a jail given only by command-line words).
    let jail: String?
    private var params: [Param] = []
    private var indexByKey: [String: Int] = [:]

    init(jail: String?) {
        self.jail = jail
        params.reserveCapacity(32)
        indexByKey.reserveCapacity(32)
    }

    /// FreeBSD treats a label that strtol(3) reads completely as a nonzero number as a jid
    /// (config.c load_config).
    static func isJidLabel(_ label: String) -> Bool {
        var digits = Substring(label)
        if digits.first == "+" || digits.first == "-" {
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return false
        }
        return digits.utf8.contains { $0 != UInt8(ascii: "0") }
    }

    /// The parameters of the jail in `blocks[own]`, as config.c load_config builds them: the
    /// label's implied `name` (or `jid`), then wildcard and own statements in file order so that
    /// later ones override earlier ones, then command-line overrides, then the backfilled name.
    static func collect(
        block own: Int, in blocks: [JailBlock], wildcards: [Int], overrides: [Statement]
    ) throws(ConfError) -> [SetParam] {
        let label = blocks[own].label
        var collector = Collector(jail: label)
        let implied = isJidLabel(label) ? "jid" : "name"
        collector.add(implied, value: label, at: blocks[own].location)
        var didSelf = false
        for index in wildcards {
            if own < index && !didSelf {
                try collector.apply(blocks[own].statements)
                didSelf = true
            }
            let pattern = blocks[index].label
            if pattern == "*" || Wildcards.matches(label, pattern: pattern) {
                try collector.apply(blocks[index].statements)
            }
        }
        if !didSelf {
            try collector.apply(blocks[own].statements)
        }
        try collector.apply(overrides)
        // "We only backfill if it's the name that wasn't set" (load_config): a jid-named jail
        // is named after its jid unless it sets a name.
        if collector.indexByKey["name"] == nil {
            collector.add("name", value: label, at: blocks[own].location)
        }
        return try collector.substitute()
    }

    private mutating func add(_ name: String, value: String, at location: SourceLocation) {
        indexByKey[name] = params.count
        params.append(
            Param(
                name: name, key: name, isVariable: false, immutable: true,
                values: [RawValue(text: value, at: location)], location: location))
    }

    mutating func apply(_ statements: [Statement]) throws(ConfError) {
        for statement in statements {
            try apply(statement)
        }
    }

    /// config.c add_param: a statement for a parameter already present replaces its values
    /// (`=`, `name value`, and a bare `name;`) or appends to them (`+=`); its spelling becomes
    /// the last one written, so `mount.nodevfs` after `mount.devfs` leaves `mount.nodevfs`.
    mutating func apply(_ statement: Statement) throws(ConfError) {
        let key = statement.key
        let values = statement.values
        if let index = indexByKey[key] {
            if params[index].isVariable != statement.isVariable {
                let variable = statement.isVariable ? statement.name : params[index].name
                throw failure(
                    .variable, "variable \(quoted("$" + variable)) cannot have the same name as a parameter",
                    at: statement.location)
            }
            if params[index].immutable {
                throw failure(
                    .invalidValue, "cannot redefine parameter \(quoted(params[index].name))", at: statement.location)
            }
            params[index].name = statement.name
            if statement.operation != .append || values.isEmpty {
                params[index].values.removeAll()
            }
            params[index].values.append(contentsOf: values)
            if params[index].values.count > CollectorLimits.maxValues {
                throw failure(.invalidValue, "\(printable(statement.name)): too many values", at: statement.location)
            }
            params[index].location = statement.location
            return
        }
        if statement.isVariable
            && (ParameterNames.jailInternal.contains(key) || ParameterNames.jailInternal.contains(statement.name))
        {
            throw failure(
                .variable, "variable \(quoted("$" + statement.name)) cannot have the same name as a parameter",
                at: statement.location)
        }
        indexByKey[key] = params.count
        params.append(
            Param(
                name: statement.name, key: key, isVariable: statement.isVariable,
                immutable: !statement.isVariable && (key == "name" || key == "jid"),
                values: values, location: statement.location))
    }

    private func failure(_ kind: ConfError.Kind, _ message: String, at location: SourceLocation) -> ConfError {
        ConfError(kind, message, at: location, jail: jail)
    }

    /// Substitute `$var` and `${param}` in every value, then drop the variables.
    ///
    /// As in config.c, a reference is looked up by its exact name among the jail's parameters
    /// and variables, after all overrides; a parameter whose value itself needs substituting is
    /// resolved first and moved before the one that refers to it (which changes the order
    /// FreeBSD applies and prints parameters in). A list may only be substituted as a whole
    /// value, where it yields several values.
    func substitute() throws(ConfError) -> [SetParam] {
        var order = Array(params.indices)
        var states = [State](repeating: .unresolved, count: params.count)
        var resolved = [[ResolvedBytes]](repeating: [], count: params.count)
        var nameIndex: [String: Int] = [:]
        nameIndex.reserveCapacity(params.count)
        for (index, param) in params.enumerated() {
            nameIndex[param.name] = index
        }

        func resolve(_ index: Int, depth: Int) throws(ConfError) {
            if depth > CollectorLimits.maxVariableDepth {
                throw failure(.variable, "variables nested too deeply", at: params[index].location)
            }
            states[index] = .resolving
            var output: [ResolvedBytes] = []
            for raw in params[index].values {
                var text = raw.literal
                var positions = raw.variables.map(\.position)
                var extra: [ResolvedBytes] = []
                for (number, variable) in raw.variables.enumerated() {
                    guard let target = nameIndex[variable.name], !params[target].values.isEmpty else {
                        throw failure(
                            .variable, "\(printable(params[index].name)): variable \(quoted(variable.name)) not found",
                            at: variable.location)
                    }
                    switch states[target] {
                    case .resolving:
                        throw failure(.variable, "\(printable(variable.name)): variable loop", at: variable.location)
                    case .unresolved:
                        if let from = order.firstIndex(of: target) {
                            order.remove(at: from)
                        }
                        let before = order.firstIndex(of: index) ?? order.endIndex
                        order.insert(target, at: before)
                        try resolve(target, depth: depth + 1)
                    case .resolved:
                        break
                    }
                    let values = resolved[target]
                    guard let first = values.first else { continue }
                    if values.count > 1 && (!text.isEmpty || number + 1 < raw.variables.count) {
                        throw failure(
                            .variable, "\(printable(params[index].name)): array cannot be substituted inline",
                            at: variable.location)
                    }
                    if text.count + first.bytes.count > CollectorLimits.maxValueBytes {
                        throw failure(
                            .variable, "\(printable(params[index].name)): value too long", at: variable.location)
                    }
                    text.insert(contentsOf: first.bytes, at: positions[number])
                    for later in (number + 1)..<positions.count {
                        positions[later] += first.bytes.count
                    }
                    extra.append(
                        contentsOf: values.dropFirst().map { ResolvedBytes(bytes: $0.bytes, location: raw.location) })
                }
                output.append(ResolvedBytes(bytes: text, location: raw.location))
                output.append(contentsOf: extra)
                if output.count > CollectorLimits.maxValues {
                    throw failure(.variable, "\(printable(params[index].name)): too many values", at: raw.location)
                }
            }
            resolved[index] = output
            states[index] = .resolved
        }

        var position = 0
        while position < order.count {
            let index = order[position]
            if states[index] == .unresolved {
                try resolve(index, depth: 0)
            }
            position += 1
        }

        var result: [SetParam] = []
        for index in order where !params[index].isVariable {
            var values: [LocatedText] = []
            values.reserveCapacity(resolved[index].count)
            for value in resolved[index] {
                do {
                    values.append(
                        LocatedText(text: try decodeText(value.bytes, at: value.location), location: value.location))
                } catch {
                    throw jail.map { error.inJail($0) } ?? error
                }
            }
            result.append(SetParam(name: params[index].name, values: values, location: params[index].location))
        }
        return result
    }
}
