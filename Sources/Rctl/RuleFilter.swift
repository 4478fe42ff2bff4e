/// A filter for `rctl`, `rctl -r`, `-l` and `-u`: a rule with fields left empty, each empty
/// field matching everything. rctl(8): ":" matches every rule (the full form is ":::=/"),
/// "loginclass:" every login class rule, "::maxproc" every maxproc rule.
public struct RuleFilter: Sendable, Hashable {
    public var subject: Subject?
    public var id: String?
    public var resource: Resource?
    public var action: Action?
    /// The kernel also compares amount and per when a filter gives them
    /// (`jail:www:memoryuse:deny=1g`, `:::=/jail`).
    public var amount: UInt64?
    public var per: Subject?

    /// With no argument, the filter that matches every rule.
    public init(
        subject: Subject? = nil, id: String? = nil, resource: Resource? = nil, action: Action? = nil,
        amount: UInt64? = nil, per: Subject? = nil
    ) {
        self.subject = subject
        self.id = id
        self.resource = resource
        self.action = action
        self.amount = amount
        self.per = per
    }

    /// A filter as rctl(8) takes it. The subject must be followed by `:` (rctl(8) refuses
    /// `jail` alone: write `jail:`); a subject id needs a subject. Names are checked as in
    /// rules. Unlike the kernel, which compares the amounts of pcpu, cputime and wallclock
    /// rules in millionths even when the filter names no resource, amounts compare as written.
    public static func parse(_ text: String) throws(RctlError) -> RuleFilter {
        let (subjectText, idText, tail) = RuleSyntax.splitHead(text[...])
        guard let idText else {
            let hint = subjectText.isEmpty ? "\":\" matches every rule" : "write \(quoted(subjectText + ":"))"
            throw RctlError(.malformed, "malformed filter \(quoted(text)): missing \":\" after the subject; \(hint)")
        }
        var filter = RuleFilter()
        if !subjectText.isEmpty {
            filter.subject = try RuleSyntax.subject(subjectText)
        }
        if !idText.isEmpty {
            guard let subject = filter.subject else {
                throw RctlError(
                    .malformed,
                    "malformed filter \(quoted(text)): subject id \(quoted(idText)) without a subject; "
                        + "write for example \(quoted("jail:" + idText))")
            }
            try RuleSyntax.checkID(idText, of: subject)
            filter.id = String(idText)
        }
        guard let tail else {
            return filter
        }
        let fields = RuleSyntax.splitTail(tail)
        if !fields.resource.isEmpty {
            filter.resource = try RuleSyntax.resource(fields.resource)
        }
        if let action = fields.action, !action.isEmpty {
            filter.action = try RuleSyntax.action(action)
        }
        if let amount = fields.amount, !amount.isEmpty {
            filter.amount = try Amount.parse(amount, unit: filter.resource?.unit ?? .count)
        }
        if let per = fields.per, !per.isEmpty {
            filter.per = try RuleSyntax.per(per)
        }
        return filter
    }

    /// Whether `rule` matches, as the kernel's rctl_rule_matches: every field the filter
    /// gives is equal. Subject ids compare as strings: a user filter by name does not match
    /// a rule by uid, which rctl(8) resolves before the kernel sees it.
    public func matches(_ rule: Rule) -> Bool {
        if let subject, rule.subject != subject { return false }
        if let id, rule.id != id { return false }
        if let resource, rule.resource != resource { return false }
        if let action, rule.action != action { return false }
        if let amount, rule.amount != amount { return false }
        if let per, rule.per != per { return false }
        return true
    }
}
