import Testing

@testable import Rctl

/// Filters (RCTL8 "A filter is a rule for which one of more fields other than per is left
/// empty"), matched as KR rctl_rule_matches.
@Suite struct FilterTests {
    static let rules: [Rule] = [
        Rule(id: "www", resource: .memoryuse, action: .deny, amount: 1 << 30),
        Rule(id: "www", resource: .maxproc, action: .deny, amount: 100),
        Rule(id: "www", resource: .openfiles, action: .deny, amount: 512, per: .process),
        Rule(id: "db", resource: .memoryuse, action: .log, amount: 2 << 30),
        Rule(subject: .user, id: "1001", resource: .maxproc, action: .deny, amount: 10),
        Rule(subject: .loginclass, id: "users", resource: .vmemoryuse, action: .deny, amount: 100 << 20, per: .process),
    ]

    /// The indices of `rules` that `filter` matches.
    func matching(_ filter: String) throws -> [Int] {
        let parsed = try RuleFilter.parse(filter)
        return Self.rules.indices.filter { parsed.matches(Self.rules[$0]) }
    }

    @Test func emptyFieldsMatchEverything() throws {
        // RCTL8: ":" and ":::=/" match every rule; rc.d/rctl stops with `rctl -r :`.
        #expect(try matching(":") == [0, 1, 2, 3, 4, 5])
        #expect(try matching(":::=/") == [0, 1, 2, 3, 4, 5])
        #expect(try matching("::") == [0, 1, 2, 3, 4, 5])
        #expect(RuleFilter().matches(Self.rules[4]))
    }

    @Test func documentedFilters() throws {
        #expect(try matching("jail:") == [0, 1, 2, 3])
        #expect(try matching("jail:www") == [0, 1, 2])
        #expect(try matching("jail:www:memoryuse") == [0])
        #expect(try matching("::maxproc") == [1, 4])
        #expect(try matching("jail:www:memoryuse:deny") == [0])
        #expect(try matching("jail::memoryuse") == [0, 3])
        #expect(try matching(":::log") == [3])
        #expect(try matching("loginclass:") == [5])
        #expect(try matching("user:1001") == [4])
        #expect(try matching("j:www:maxproc") == [1])
    }

    @Test func amountAndPerCompareToo() throws {
        #expect(try matching("jail:www:memoryuse:deny=1g") == [0])
        #expect(try matching("jail:www:memoryuse:deny=2g").isEmpty)
        #expect(try matching(":::=/process") == [2, 5])
        #expect(try matching("jail:::/jail") == [0, 1, 3])
        #expect(try matching("::maxproc:=10") == [4])
        let parsed = try RuleFilter.parse("jail:www:memoryuse:deny=1g/jail")
        #expect(parsed.subject == .jail)
        #expect(parsed.id == "www")
        #expect(parsed.resource == .memoryuse)
        #expect(parsed.action == .deny)
        #expect(parsed.amount == 1 << 30)
        #expect(parsed.per == .jail)
    }

    @Test func badFilters() {
        func message(_ text: String) -> String? {
            failure { _ = try RuleFilter.parse(text) }?.description
        }
        // RC expand_rule needs a ":" after the subject ("missing subject").
        #expect(message("jail") == #"malformed filter "jail": missing ":" after the subject; write "jail:""#)
        #expect(message("") == #"malformed filter "": missing ":" after the subject; ":" matches every rule"#)
        // KR: a subject id without a subject type is EINVAL.
        #expect(
            message(":www:")
                == #"malformed filter ":www:": subject id "www" without a subject; write for example "jail:www""#)
        #expect(message("jail:www:memuse") == #"unknown resource "memuse"; did you mean "memoryuse"?"#)
        #expect(message("process:init") == #"process id "init" is not a number"#)
        #expect(message("jail:www:memoryuse:deny=lots")?.hasPrefix(#"invalid numeric value "lots""#) == true)
    }
}
