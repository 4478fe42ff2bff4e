extension Rule {
    /// A rule given as a parameter of the jail `name`: `resource:action=amount[/per]`, its
    /// subject `jail:name` implied, or a full rule whose subject is `jail:name`. A rule for
    /// another jail or another subject is refused: a jail's parameters limit that jail only.
    ///
    /// The short form is recognised by having at most one `:` before the first `=`.
    public static func parse(parameter text: String, jail name: String) throws(RctlError) -> Rule {
        guard !name.isEmpty else {
            throw RctlError(.malformed, "rule \(quoted(text)) given for a jail without a name")
        }
        try RuleSyntax.checkID(name[...], of: .jail)
        let head = text.prefix { $0 != "=" }
        guard head.count(where: { $0 == ":" }) > 1 else {
            return try parseTail(
                text[...], subject: .jail, id: name, text: text, form: "resource:action=amount[/per]")
        }
        let rule = try parse(text)
        guard rule.subject == .jail else {
            throw RctlError(
                .wrongJail,
                "rule \(quoted(text)) is a \(rule.subject.rawValue) rule; "
                    + "the parameters of jail \(quoted(name)) take only its own jail rules")
        }
        guard rule.id == name else {
            throw RctlError(
                .wrongJail,
                "rule \(quoted(text)) is for jail \(quoted(rule.id)), not \(quoted(name)); "
                    + "give it to that jail or leave out \"jail:\(rule.id):\"")
        }
        return rule
    }
}
