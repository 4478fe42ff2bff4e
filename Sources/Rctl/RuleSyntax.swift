/// How rules and filters are split and their names read: the fields are separated as the
/// kernel's rctl_string_to_rule does with strsep — `:` three times, then `=` or `/` after the
/// action, then `/` — and names compare in any case (strcasecmp).
enum RuleSyntax {
    /// The form printed in messages about rules.
    static let ruleForm = "subject:subject-id:resource:action=amount[/per]"

    /// The subject, and the subject id and the rest when a `:` follows each.
    static func splitHead(_ text: Substring) -> (subject: Substring, id: Substring?, tail: Substring?) {
        guard let colon = text.firstIndex(of: ":") else {
            return (text, nil, nil)
        }
        let subject = text[..<colon]
        let rest = text[text.index(after: colon)...]
        guard let second = rest.firstIndex(of: ":") else {
            return (subject, rest, nil)
        }
        return (subject, rest[..<second], rest[rest.index(after: second)...])
    }

    /// The fields after the subject id.
    struct Tail {
        var resource: Substring
        var action: Substring?
        var amount: Substring?
        var per: Substring?
    }

    /// `resource:action=amount/per`, each field nil when its separator is absent. A `/` right
    /// after the action starts the per field: there is then no amount.
    static func splitTail(_ tail: Substring) -> Tail {
        guard let colon = tail.firstIndex(of: ":") else {
            return Tail(resource: tail)
        }
        let resource = tail[..<colon]
        let rest = tail[tail.index(after: colon)...]
        guard let separator = rest.firstIndex(where: { $0 == "=" || $0 == "/" }) else {
            return Tail(resource: resource, action: rest)
        }
        let action = rest[..<separator]
        let after = rest[rest.index(after: separator)...]
        if rest[separator] == "/" {
            return Tail(resource: resource, action: action, per: after)
        }
        guard let slash = after.firstIndex(of: "/") else {
            return Tail(resource: resource, action: action, amount: after)
        }
        return Tail(
            resource: resource, action: action, amount: after[..<slash], per: after[after.index(after: slash)...])
    }

    /// The subject field, in rctl(8)'s short forms too.
    static func subject(_ text: Substring) throws(RctlError) -> Subject {
        try subject(text, field: "subject", aliases: true)
    }

    /// The per field, which the kernel reads without short forms.
    static func per(_ text: Substring) throws(RctlError) -> Subject {
        try subject(text, field: "per", aliases: false)
    }

    private static func subject(_ text: Substring, field: String, aliases: Bool) throws(RctlError) -> Subject {
        guard let subject = Subject.named(text, aliases: aliases) else {
            throw RctlError(
                .unknownName,
                "unknown \(field) \(quoted(text)); "
                    + didYouMean(
                        text, among: Subject.allCases.map(\.rawValue),
                        otherwise: "use process, user, loginclass or jail"))
        }
        return subject
    }

    static func resource(_ text: Substring) throws(RctlError) -> Resource {
        guard let resource = Resource.named(text) else {
            throw RctlError(
                .unknownName,
                "unknown resource \(quoted(text)); "
                    + didYouMean(text, among: Resource.allCases.map(\.rawValue), otherwise: "see RESOURCES in rctl(8)"))
        }
        return resource
    }

    static func action(_ text: Substring) throws(RctlError) -> Action {
        guard let action = Action.named(text) else {
            throw RctlError(
                .unknownName,
                "unknown action \(quoted(text)); "
                    + didYouMean(
                        text, among: Action.allNames,
                        otherwise: "actions are deny, log, devctl, throttle and sig* (signal names as in signal(3))"))
        }
        return action
    }

    /// The kernel's checks of a subject id: a process is a number (str2id), a jail name is
    /// shorter than MAXHOSTNAMELEN (prison_racct_find fails with ENAMETOOLONG). User names
    /// are turned into uids by rctl(8) itself, which a pure module cannot: they stay as given.
    static func checkID(_ id: Substring, of subject: Subject) throws(RctlError) {
        switch subject {
        case .process:
            guard id.allSatisfy({ $0.isASCII && $0.isWholeNumber }) else {
                throw RctlError(.malformed, "process id \(quoted(id)) is not a number")
            }
        case .jail:
            guard id.utf8.count < 256 else {
                throw RctlError(.malformed, "jail name \(quoted(id)) is too long; at most 255 bytes")
            }
        case .user, .loginclass:
            break
        }
    }
}
