/// Who a rule applies to, and what its amount is accounted per (kern_rctl.c `subjectnames`).
public enum Subject: String, Sendable, CaseIterable {
    case process, user, loginclass, jail

    /// The subject spelled `name` in any case, as the kernel compares (strcasecmp).
    ///
    /// With `aliases`, also rctl(8)'s abbreviations for the subject field (expand_rule):
    /// `p`, `u`, `l`, `c`, `class` and `j`. rctl(8) also turns `g` into `group`, which the
    /// kernel then refuses; here `g` is simply unknown. The per field takes no aliases.
    public static func named(_ name: some StringProtocol, aliases: Bool) -> Subject? {
        let lower = name.lowercased()
        if let subject = Subject(rawValue: lower) {
            return subject
        }
        guard aliases else {
            return nil
        }
        switch lower {
        case "p": return .process
        case "u": return .user
        case "l", "c", "class": return .loginclass
        case "j": return .jail
        default: return nil
        }
    }
}
