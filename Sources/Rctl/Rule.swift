/// One rctl(8) rule, `subject:subject-id:resource:action=amount[/per]`.
///
/// Amounts are in the resource's own unit (bytes, seconds, percent…), as rctl(8) prints
/// them, not in the kernel's millionths.
public struct Rule: Sendable, Hashable {
    public var subject: Subject
    /// The jail name, user, login class or process id, as written.
    public var id: String
    public var resource: Resource
    public var action: Action
    public var amount: UInt64
    /// What the amount is accounted per; FreeBSD defaults it to the subject.
    public var per: Subject

    public init(
        subject: Subject = .jail, id: String, resource: Resource, action: Action, amount: UInt64,
        per: Subject? = nil
    ) {
        self.subject = subject
        self.id = id
        self.resource = resource
        self.action = action
        self.amount = amount
        self.per = per ?? subject
    }

    /// A rule as `rctl -a` takes it: every field is required except `/per`, which defaults to
    /// the subject (an empty one too, as in the kernel). Names are read in any case, the
    /// subject also in rctl(8)'s short forms (`j:www:…`); the amount as expand_number(3)
    /// reads it (`Amount.parse`).
    ///
    /// This checks the syntax, as rctl_string_to_rule does. What FreeBSD refuses when the rule
    /// is added (deny on cputime, …) is `validateForFreeBSD()`; what Linux jails support,
    /// `validateForLinux()`.
    public static func parse(_ text: String) throws(RctlError) -> Rule {
        guard !text.isEmpty else {
            throw RctlError(.malformed, "empty rule; rules are \(RuleSyntax.ruleForm)")
        }
        let (subjectText, idText, tail) = RuleSyntax.splitHead(text[...])
        guard !subjectText.isEmpty else {
            throw missing("subject", in: text)
        }
        let subject = try RuleSyntax.subject(subjectText)
        guard let idText, !idText.isEmpty else {
            throw missing("subject id", in: text)
        }
        try RuleSyntax.checkID(idText, of: subject)
        return try parseTail(tail, subject: subject, id: String(idText), text: text, form: RuleSyntax.ruleForm)
    }

    /// `resource:action=amount[/per]` for a rule whose subject is known.
    static func parseTail(
        _ tail: Substring?, subject: Subject, id: String, text: String, form: String
    ) throws(RctlError) -> Rule {
        guard let tail, !tail.isEmpty else {
            throw missing("resource", in: text, form: form)
        }
        let fields = RuleSyntax.splitTail(tail)
        guard !fields.resource.isEmpty else {
            throw missing("resource", in: text, form: form)
        }
        let resource = try RuleSyntax.resource(fields.resource)
        guard let actionText = fields.action, !actionText.isEmpty else {
            throw missing("action", in: text, form: form)
        }
        let action = try RuleSyntax.action(actionText)
        guard let amountText = fields.amount, !amountText.isEmpty else {
            throw missing("amount", in: text, form: form)
        }
        let amount = try Amount.parse(amountText, unit: resource.unit)
        var per = subject
        if let perText = fields.per, !perText.isEmpty {
            per = try RuleSyntax.per(perText)
        }
        return Rule(subject: subject, id: id, resource: resource, action: action, amount: amount, per: per)
    }

    static func missing(_ field: String, in text: String, form: String = RuleSyntax.ruleForm) -> RctlError {
        RctlError(.malformed, "malformed rule \(quoted(text)): missing \(field); rules are \(form)")
    }

    /// The rule as `rctl` lists it: the kernel's rctl_rule_to_sbuf, `/per` only when it
    /// differs from the subject; with `human`, the amount as `rctl -h` prints it
    /// (`Amount.humanized`, every resource alike). The plain form parses back to the rule.
    public func formatted(human: Bool) -> String {
        let shown = human ? Amount.humanized(amount, unit: resource.unit) : String(amount)
        let text = "\(subject.rawValue):\(id):\(resource.rawValue):\(action.name)=\(shown)"
        return per == subject ? text : text + "/\(per.rawValue)"
    }
}

extension Rule: CustomStringConvertible {
    public var description: String {
        formatted(human: false)
    }
}
