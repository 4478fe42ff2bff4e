import Testing

@testable import Rctl

/// The examples of rctl(8) (RCTL8 EXAMPLES and RULE SYNTAX), the Handbook (HB) and FJ §3.5.
@Suite struct DocumentedExampleTests {
    @Test func handbookJailLimit() throws {
        // HB jails chapter and FJ: jail:classic:memoryuse:deny=2G/jail.
        let classic = try Rule.parse("jail:classic:memoryuse:deny=2G/jail")
        #expect(classic == Rule(id: "classic", resource: .memoryuse, action: .deny, amount: 2 << 30, per: .jail))
        try classic.validateForLinux()
        var expected = LimitSet()
        expected.memory = 2 << 30
        #expect(try LimitSet.build([classic]) == expected)
        // HB "Resource Limits": rctl -a jail:httpd:memoryuse:deny=2G/jail.
        try Rule.parse("jail:httpd:memoryuse:deny=2G/jail").validateForLinux()
    }

    @Test func handbookAndManualUserRulesAreRefused() throws {
        // HB: rctl -a user:trhodes:maxproc:deny=10/user; RCTL8: user:joe:vmemoryuse:deny=1g.
        let trhodes = try Rule.parse("user:trhodes:maxproc:deny=10/user")
        #expect(trhodes.formatted(human: false) == "user:trhodes:maxproc:deny=10")
        #expect(failure { try trhodes.validateForLinux() }?.kind == .unsupportedOnLinux)
        let joe = try Rule.parse("user:joe:vmemoryuse:deny=1g")
        #expect(joe.amount == 1 << 30)
        #expect(failure { try joe.validateForLinux() }?.kind == .unsupportedOnLinux)
        // A jail named "jail" is still a jail; a user named "jail" is a user.
        #expect(failure { try Rule.parse("user:jail:maxproc:deny=10").validateForLinux() }?.kind == .unsupportedOnLinux)
        try Rule.parse("jail:jail:maxproc:deny=10").validateForLinux()
    }

    @Test func perExamplesOfTheManual() throws {
        // RCTL8 "per": the same amount per process, per user, per login class.
        for (text, per) in [
            ("loginclass:users:vmemoryuse:deny=100M/process", Subject.process),
            ("loginclass:users:vmemoryuse:deny=100M/user", .user),
            ("loginclass:users:vmemoryuse:deny=100M/loginclass", .loginclass),
        ] {
            let parsed = try Rule.parse(text)
            #expect(parsed.per == per)
            #expect(parsed.amount == 100 << 20)
            try parsed.validateForFreeBSD()
        }
    }

    @Test func manualFilters() throws {
        // rctl -r :, rctl -hu jail:www, rctl -l process:512, rctl user:joe, rctl loginclass:.
        #expect(try RuleFilter.parse(":").subject == nil)
        let www = try RuleFilter.parse("jail:www")
        #expect(www.subject == .jail && www.id == "www" && www.resource == nil)
        #expect(try RuleFilter.parse("process:512").id == "512")
        #expect(try RuleFilter.parse("user:joe").subject == .user)
        #expect(try RuleFilter.parse("loginclass:").id == nil)
        #expect(try RuleFilter.parse("::maxproc").resource == .maxproc)
    }

    @Test func sharedReferenceExamples() throws {
        // FJ §3.5: rctl -a jail:NAME:memoryuse:deny=1g; expand_number suffixes 1g, 512m.
        #expect(try Rule.parse("jail:NAME:memoryuse:deny=1g").amount == 1 << 30)
        #expect(try Amount.parse("512m", unit: .bytes) == 512 << 20)
    }
}
