import Testing

@testable import Rctl

/// `Rule.formatted`: KR rctl_rule_to_sbuf, and RC humanize_amount for `rctl -h`.
@Suite struct FormatTests {
    /// An amount every resource takes, small and at the kernel's limit.
    static func amounts(for resource: Resource) -> [UInt64] {
        [0, 1, 1000, 1 << 30, resource.unit.maximumAmount]
    }

    @Test(arguments: Resource.allCases)
    func plainFormParsesBack(_ resource: Resource) throws {
        let actions: [Action] = [.deny, .log, .devctl, .throttle, .signal("sigkill"), .signal("sigthr")]
        for action in actions {
            for amount in Self.amounts(for: resource) {
                for (subject, id) in [
                    (Subject.jail, "www"), (.user, "1001"), (.process, "512"), (.loginclass, "users"),
                ] {
                    for per in Subject.allCases {
                        let original = Rule(
                            subject: subject, id: id, resource: resource, action: action, amount: amount, per: per)
                        let text = original.formatted(human: false)
                        #expect(try Rule.parse(text) == original, "\(text)")
                        #expect(original.description == text)
                    }
                }
            }
        }
    }

    @Test func perIsShownOnlyWhenItDiffers() throws {
        // KR: `if (rule->rr_per != rule->rr_subject_type) sbuf_printf(sb, "/%s", ...)`.
        #expect(
            try rule("jail:classic:memoryuse:deny=2G/jail").formatted(human: false)
                == "jail:classic:memoryuse:deny=2147483648")
        #expect(try rule("user:trhodes:maxproc:deny=10/user").formatted(human: false) == "user:trhodes:maxproc:deny=10")
        #expect(
            try rule("loginclass:users:vmemoryuse:deny=100M/process").formatted(human: false)
                == "loginclass:users:vmemoryuse:deny=104857600/process")
    }

    @Test func namesAreListedInTheKernelsSpelling() throws {
        #expect(try rule("J:www:MEMORYUSE:Deny=1k/JAIL").formatted(human: false) == "jail:www:memoryuse:deny=1024")
        #expect(try rule("class:users:nthr:SigKill=0x10").formatted(human: false) == "loginclass:users:nthr:sigkill=16")
    }

    @Test func humanForm() throws {
        #expect(try rule("jail:www:memoryuse:deny=512M").formatted(human: true) == "jail:www:memoryuse:deny=512M")
        #expect(
            try rule("jail:classic:memoryuse:deny=2G/jail").formatted(human: true)
                == "jail:classic:memoryuse:deny=2048M")
        #expect(
            try rule("loginclass:users:vmemoryuse:deny=100M/process").formatted(human: true)
                == "loginclass:users:vmemoryuse:deny=100M/process")
        // RC humanize_amount humanizes whatever the resource.
        #expect(try rule("jail:www:maxproc:deny=10000").formatted(human: true) == "jail:www:maxproc:deny=9.8K")
        #expect(try rule("jail:www:pcpu:deny=50").formatted(human: true) == "jail:www:pcpu:deny=50")
        #expect(try rule("jail:www:readbps:throttle=10g").formatted(human: true) == "jail:www:readbps:throttle=10G")
    }
}
