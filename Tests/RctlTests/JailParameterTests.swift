import Testing

@testable import Rctl

/// Rules given as parameters of one jail.
@Suite struct JailParameterTests {
    func parameter(_ text: String, jail: String = "www") throws -> Rule {
        try Rule.parse(parameter: text, jail: jail)
    }

    func message(_ text: String, jail: String = "www") -> String? {
        failure { _ = try Rule.parse(parameter: text, jail: jail) }?.description
    }

    @Test func shortFormImpliesTheJail() throws {
        #expect(
            try parameter("memoryuse:deny=512M")
                == Rule(id: "www", resource: .memoryuse, action: .deny, amount: 512 << 20))
        #expect(try parameter("openfiles:deny=1k/process").per == .process)
        #expect(try parameter("maxproc:deny=10").formatted(human: false) == "jail:www:maxproc:deny=10")
        #expect(try parameter("readbps:throttle=1m", jail: "a.b").id == "a.b")
    }

    @Test func fullRuleForThisJail() throws {
        #expect(try parameter("jail:www:memoryuse:deny=512M") == parameter("memoryuse:deny=512M"))
        #expect(try parameter("j:www:memoryuse:deny=512M").subject == .jail)
    }

    @Test func otherJailsAndSubjectsAreRefused() {
        #expect(
            message("jail:db:memoryuse:deny=1g")
                == #"rule "jail:db:memoryuse:deny=1g" is for jail "db", not "www"; give it to that jail or leave out "jail:db:""#
        )
        #expect(
            message("user:joe:maxproc:deny=10")
                == #"rule "user:joe:maxproc:deny=10" is a user rule; the parameters of jail "www" take only its own jail rules"#
        )
        #expect(failure { _ = try parameter("jail:db:memoryuse:deny=1g") }?.kind == .wrongJail)
    }

    @Test func malformedParameters() {
        let form = "rules are resource:action=amount[/per]"
        #expect(message("memoryuse") == #"malformed rule "memoryuse": missing action; "# + form)
        #expect(message("memoryuse:deny") == #"malformed rule "memoryuse:deny": missing amount; "# + form)
        #expect(message("") == #"malformed rule "": missing resource; "# + form)
        #expect(message("memuse:deny=1g") == #"unknown resource "memuse"; did you mean "memoryuse"?"#)
        #expect(message("memoryuse:deny=1g", jail: "") == #"rule "memoryuse:deny=1g" given for a jail without a name"#)
        // Three fields are read as a full rule, which then lacks its action.
        #expect(
            message("jail:www:memoryuse")
                == #"malformed rule "jail:www:memoryuse": missing action; rules are subject:subject-id:resource:action=amount[/per]"#
        )
    }
}
