/// Checking one jail's parameters against the table and turning them into `JailParams`:
/// names, types, value syntax, and what Linux accepts, refuses or warns about.
enum Validator {
    enum Purpose {
        /// Creating (or modifying) a jail: everything is checked.
        case create
        /// Removing: jail(8) only imports kernel parameters for create and modify
        /// (jail.c: `if (j->flags & (JF_START | JF_SET)) import_params(j)`), so an unknown or
        /// refused parameter must not keep a jail from being removed.
        case remove
    }

    static func jailParams(
        _ params: [SetParam], jail label: String?, purpose: Purpose, fromFile: Bool,
        implicitlySelected: Bool = false, definedAt: SourceLocation? = nil
    ) throws(ConfError) -> JailParams {
        var entries: [(name: String, value: ParamValue)] = []
        var warnings: [String] = []
        var nameValue: (text: String, location: SourceLocation)?
        var jidValue: Int?

        func failure(_ kind: ConfError.Kind, _ message: String, at location: SourceLocation) -> ConfError {
            ConfError(kind, message, at: location, jail: label)
        }

        for param in params {
            guard let (info, negated) = ParameterNames.lookup(param.name) else {
                if purpose == .remove {
                    entries.append((param.name, .list(param.values.map(\.text))))
                    continue
                }
                var message = "unknown parameter \(quoted(param.name))"
                if let suggestion = ParameterNames.suggestion(for: param.name) {
                    message += " (did you mean \(suggestion)?)"
                }
                throw failure(.unknownParameter, message, at: param.location)
            }
            if info.readOnly && purpose == .create {
                throw failure(.refused, "\(info.name) is a read-only parameter", at: param.location)
            }
            let value = try typedValue(param, info: info, negated: negated, label: label)

            switch info.support {
            case .supported:
                break
            case .warn(let reason):
                warnings.append(failure(.refused, "\(info.name): \(reason)", at: param.location).description)
            case .refused(let reason, let condition):
                if purpose == .create && isRefused(value, condition) {
                    let what: String
                    switch condition {
                    case .always, .whenTrue: what = info.name
                    case .unlessIn: what = "\(info.name) = \(printable(param.values.last?.text ?? ""))"
                    }
                    throw failure(.refused, "\(what): refused: \(reason)", at: param.location)
                }
            }

            try checkValue(info.name, value, param: param, fromFile: fromFile, label: label)
            switch info.name {
            case "name":
                if case .list(let items) = value, let text = items.last {
                    nameValue = (text, param.values.last?.location ?? param.location)
                }
            case "jid":
                if case .list(let items) = value, let text = items.last {
                    jidValue = Int(text)
                }
            default:
                break
            }
            entries.append((info.name, value))
        }

        if let nameValue {
            try checkName(nameValue.text, jid: jidValue, at: nameValue.location, purpose: purpose, label: label)
        }
        let name = nameValue?.text ?? jidValue.map { String($0) } ?? ""
        return JailParams(
            name: name, jid: jidValue, entries: entries, warnings: warnings,
            implicitlySelected: implicitlySelected, configName: definedAt == nil ? nil : label, definedAt: definedAt)
    }

    private static func isRefused(_ value: ParamValue, _ condition: RefusalCondition) -> Bool {
        switch condition {
        case .always:
            return true
        case .whenTrue:
            return value == .bool(true)
        case .unlessIn(let range):
            if case .list(let items) = value, let number = items.last.flatMap({ Int($0) }) {
                return !range.contains(number)
            }
            return false
        }
    }

    /// Parse the text of a parameter by its type, with FreeBSD's messages (config.c
    /// check_intparams, libjail jailparam_import).
    private static func typedValue(
        _ param: SetParam, info: ParameterInfo, negated: Bool, label: String?
    ) throws(ConfError) -> ParamValue {
        let last = param.values.last
        let location = last?.location ?? param.location
        func failure(_ message: String) -> ConfError {
            ConfError(.invalidValue, "\(param.name): \(message)", at: location, jail: label)
        }
        switch info.type {
        case .bool:
            guard let text = last?.text else {
                return .bool(!negated)
            }
            guard let set = parseBool(text) else {
                throw failure("unknown boolean value \(quoted(text))")
            }
            // `nopersist = false` means persist, as libjail turns a false "no" boolean around.
            return .bool(set != negated)
        case .int:
            guard let text = last?.text else {
                throw failure("a value is required")
            }
            guard let number = parseInt(text) else {
                throw failure("non-integer value \(quoted(text))")
            }
            if let range = info.validRange, !range.contains(number) {
                throw failure("\(number) is out of range (\(range.lowerBound) to \(range.upperBound))")
            }
            return .list([String(number)])
        case .string:
            guard let text = last?.text else {
                // `meta.KEY;` with no value deletes the key (jail(8)).
                if info.name.hasPrefix("meta.") || info.name.hasPrefix("env.") {
                    return .list([])
                }
                throw failure("a value is required")
            }
            return .list([text])
        case .jailsys(let allowed):
            // libjail: "Allow setting a jailsys parameter to "new" in a booleanesque fashion."
            guard let text = last?.text else {
                return .list(["new"])
            }
            let words = ["disable", "new", "inherit"]
            var word: String?
            if let index = words.firstIndex(where: { $0 == text.lowercased() }) {
                word = words[index]
            } else if let number = parseInt(text), (0...2).contains(number) {
                word = words[number]
            }
            guard let word else {
                throw failure("unknown jailsys value \(quoted(text))")
            }
            guard allowed.contains(word) else {
                throw failure("\(quoted(word)) is not allowed (use \(allowed.joined(separator: " or ")))")
            }
            return .list([word])
        case .list, .commandList:
            return .list(param.values.map(\.text))
        case .ip4List, .ip6List:
            let ipv6 = info.type == .ip6List
            for value in param.values where IPAddressSpec(value.text, ipv6: ipv6) == nil {
                let family = ipv6 ? "IPv6" : "IPv4"
                throw ConfError(
                    .invalidValue, "\(param.name): not an \(family) address: \(printable(value.text))",
                    at: value.location,
                    jail: label)
            }
            return .list(param.values.map(\.text))
        }
    }

    /// libjail's boolean: `true` or `false` in any case, or an integer (non-zero is true).
    static func parseBool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: return parseInt(text).map { $0 != 0 }
        }
    }

    /// A decimal integer as strtol(3) reads a whole string: optional sign, digits.
    static func parseInt(_ text: String) -> Int? {
        var digits = Substring(text)
        var negative = false
        if digits.first == "+" || digits.first == "-" {
            negative = digits.first == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.utf8.count <= 18,
            digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let magnitude = Int(digits)
        else {
            return nil
        }
        return negative ? -magnitude : magnitude
    }

    /// Checks on values that the type alone does not cover.
    private static func checkValue(
        _ name: String, _ value: ParamValue, param: SetParam, fromFile: Bool, label: String?
    ) throws(ConfError) {
        guard case .list(let items) = value else { return }
        let location = param.values.last?.location ?? param.location
        func failure(_ message: String, at place: SourceLocation? = nil) -> ConfError {
            ConfError(.invalidValue, message, at: place ?? location, jail: label)
        }
        switch name {
        case "host.hostname", "host.domainname":
            if let text = items.last, !Addresses.isHostname(text) {
                throw failure(
                    "\(name): \(quoted(text)) is not a valid host name (letters, digits, \"-\", \".\" and \"_\", at most 64 bytes)"
                )
            }
        case "path":
            // FreeBSD checks this for jails from a file (jail.c create_jail); on the command
            // line a relative path is taken from the current directory, which the caller knows.
            if let text = items.last, text.isEmpty {
                throw failure("path: empty path")
            }
            if fromFile, let text = items.last, !text.hasPrefix("/") {
                throw failure("path \(printable(text)): not an absolute pathname")
            }
        case "interface":
            if let text = items.last, !Addresses.isInterfaceName(text) {
                throw failure("interface: \(quoted(text)) is not a valid interface name")
            }
        case "vnet.interface":
            for value in param.values where !Addresses.isInterfaceName(value.text) {
                throw failure("vnet.interface: \(quoted(value.text)) is not a valid interface name", at: value.location)
            }
        case "depend":
            for value in param.values where value.text.isEmpty {
                throw failure("depend: empty jail name", at: value.location)
            }
        default:
            break
        }
    }

    /// A jail name (jail(8), kern_jail.c): not empty, not all digits unless it is the jid, no
    /// dots for a jail created here (a dotted name is a child jail), and at most
    /// MAXHOSTNAMELEN - 1 bytes. `/` is refused as well: the engine uses the name as a cgroup
    /// directory name.
    private static func checkName(
        _ name: String, jid: Int?, at location: SourceLocation, purpose: Purpose, label: String?
    ) throws(ConfError) {
        func failure(_ message: String, kind: ConfError.Kind = .invalidValue) -> ConfError {
            ConfError(kind, message, at: location, jail: label)
        }
        if name.isEmpty {
            throw failure("name: empty jail name")
        }
        if name.utf8.count > 255 {
            throw failure("name: longer than 255 bytes")
        }
        if name.utf8.contains(where: { $0 == UInt8(ascii: "/") || $0 < 0x20 || $0 == 0x7F }) {
            throw failure("name: \(quoted(name)) may not contain \"/\" or control characters")
        }
        if Wildcards.isWildcard(name) {
            throw failure("name: \(quoted(name)) is a wildcard, not a jail name")
        }
        if name.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            if jid == nil || parseInt(name) != jid {
                throw failure("name: \(quoted(name)) cannot be numeric unless it is the jid")
            }
        }
        if purpose == .create, let dot = name.lastIndex(of: ".") {
            let parent = String(name[..<dot])
            throw failure(
                "\(quoted(name)) would be a child jail of \(quoted(parent)): child jails are later work "
                    + "(they need children.max > 0 in the parent)", kind: .refused)
        }
    }
}
