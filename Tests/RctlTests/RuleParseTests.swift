import Testing

@testable import Rctl

/// `Rule.parse`: the rule syntax of RCTL8 "RULE SYNTAX" as rctl.c and KR's
/// rctl_string_to_rule read it.
@Suite struct RuleParseTests {
    @Test func fullRuleWithAndWithoutPer() throws {
        #expect(
            try rule("jail:www:memoryuse:deny=512M")
                == Rule(subject: .jail, id: "www", resource: .memoryuse, action: .deny, amount: 512 << 20, per: .jail))
        // per defaults to the subject (KR sys_rctl_add_rule), so these are the same rule.
        #expect(try rule("jail:www:memoryuse:deny=512M/jail") == rule("jail:www:memoryuse:deny=512M"))
        // RCTL8: "loginclass:users:vmemoryuse:deny=100M/process" — per differs from subject.
        let perProcess = try rule("loginclass:users:vmemoryuse:deny=100M/process")
        #expect(perProcess.subject == .loginclass)
        #expect(perProcess.per == .process)
        #expect(perProcess.amount == 104_857_600)
        // An empty per is undefined in the kernel, then defaulted to the subject.
        #expect(try rule("user:1001:maxproc:deny=10/").per == .user)
    }

    @Test func namesAreReadInAnyCase() throws {
        // KR str2value compares with strcasecmp; the subject id is kept as written.
        let parsed = try rule("JAIL:WWW:MemoryUse:DENY=1G/Jail")
        #expect(parsed == Rule(id: "WWW", resource: .memoryuse, action: .deny, amount: 1 << 30))
        #expect(try rule("jail:www:maxproc:SIGTERM=10").action == .signal("sigterm"))
    }

    @Test func subjectAbbreviationsOfRctl() throws {
        // RC expand_rule: u, p, l/c/class, j (any case).
        #expect(try rule("j:www:maxproc:deny=1").subject == .jail)
        #expect(try rule("U:joe:maxproc:deny=1").subject == .user)
        #expect(try rule("p:512:maxproc:deny=1").subject == .process)
        for alias in ["l", "c", "class", "CLASS"] {
            #expect(try rule("\(alias):users:maxproc:deny=1").subject == .loginclass)
        }
        // Only the subject field: the kernel reads per with str2value alone.
        #expect(ruleError("jail:www:maxproc:deny=1/j") == #"unknown per "j"; use process, user, loginclass or jail"#)
        // rctl(8) turns g into "group", which the kernel does not know.
        #expect(
            ruleError("g:wheel:maxproc:deny=1") == #"unknown subject "g"; use process, user, loginclass or jail"#)
        #expect(
            ruleError("group:wheel:maxproc:deny=1")
                == #"unknown subject "group"; use process, user, loginclass or jail"#)
    }

    @Test func everySignalFreeBSDKnows() throws {
        // KR actionnames: 31 signals, then deny, log, devctl, throttle.
        #expect(Action.signalNames.count == 31)
        for name in Action.signalNames {
            #expect(try rule("process:1:cputime:\(name)=10").action == .signal(name))
        }
        for (name, action) in [("deny", Action.deny), ("log", .log), ("devctl", .devctl), ("throttle", .throttle)] {
            #expect(try rule("jail:www:readbps:\(name)=1").action == action)
        }
        // Linux has SIGPWR and SIGRTMIN; FreeBSD's rctl does not.
        #expect(ruleError("jail:www:maxproc:sigpwr=1")?.hasPrefix(#"unknown action "sigpwr""#) == true)
    }

    @Test func missingFields() {
        let form = "rules are subject:subject-id:resource:action=amount[/per]"
        #expect(ruleError("") == "empty rule; \(form)")
        #expect(ruleError("jail") == #"malformed rule "jail": missing subject id; "# + form)
        #expect(
            ruleError(":www:memoryuse:deny=1g") == #"malformed rule ":www:memoryuse:deny=1g": missing subject; "# + form
        )
        #expect(
            ruleError("jail::memoryuse:deny=1g") == #"malformed rule "jail::memoryuse:deny=1g": missing subject id; "#
                + form)
        #expect(ruleError("jail:www") == #"malformed rule "jail:www": missing resource; "# + form)
        #expect(ruleError("jail:www:") == #"malformed rule "jail:www:": missing resource; "# + form)
        #expect(ruleError("jail:www::deny=1") == #"malformed rule "jail:www::deny=1": missing resource; "# + form)
        #expect(ruleError("jail:www:memoryuse") == #"malformed rule "jail:www:memoryuse": missing action; "# + form)
        #expect(
            ruleError("jail:www:memoryuse:=1g") == #"malformed rule "jail:www:memoryuse:=1g": missing action; "# + form)
        #expect(
            ruleError("jail:www:memoryuse:deny") == #"malformed rule "jail:www:memoryuse:deny": missing amount; "#
                + form)
        #expect(
            ruleError("jail:www:memoryuse:deny=") == #"malformed rule "jail:www:memoryuse:deny=": missing amount; "#
                + form)
        #expect(
            ruleError("jail:www:memoryuse:deny/jail")
                == #"malformed rule "jail:www:memoryuse:deny/jail": missing amount; "# + form)
        #expect(failure { _ = try Rule.parse("jail:www") }?.kind == .malformed)
    }

    @Test func unknownNamesSuggestTheNearest() {
        #expect(ruleError("jail:www:memuse:deny=1g") == #"unknown resource "memuse"; did you mean "memoryuse"?"#)
        #expect(ruleError("jail:www:swap:deny=1g") == #"unknown resource "swap"; did you mean "swapuse"?"#)
        #expect(ruleError("jail:www:cpu:deny=50") == #"unknown resource "cpu"; did you mean "pcpu"?"#)
        #expect(ruleError("jail:www:bogus:deny=1") == #"unknown resource "bogus"; see RESOURCES in rctl(8)"#)
        #expect(ruleError("jial:www:maxproc:deny=1") == #"unknown subject "jial"; did you mean "jail"?"#)
        #expect(ruleError("jail:www:memoryuse:deyn=1g") == #"unknown action "deyn"; did you mean "deny"?"#)
        #expect(ruleError("jail:www:cputime:sigtem=1") == #"unknown action "sigtem"; did you mean "sigterm"?"#)
        #expect(
            ruleError("jail:www:maxproc:kill=1")
                == #"unknown action "kill"; actions are deny, log, devctl, throttle and sig* (signal names as in signal(3))"#
        )
        #expect(ruleError("jail:www:memoryuse:deny=1g/jial") == #"unknown per "jial"; did you mean "jail"?"#)
        #expect(failure { _ = try Rule.parse("jail:www:memuse:deny=1g") }?.kind == .unknownName)
    }

    @Test func badAmounts() {
        #expect(
            ruleError("jail:www:memoryuse:deny=12q")
                == #"invalid numeric value "12q"; use a number with an optional k, m, g, t, p or e suffix"#)
        #expect(ruleError("jail:www:memoryuse:deny=-1") == #"numeric value "-1" is negative"#)
        // 16e is 2^64: beyond expand_number; 8e is 2^63: beyond the kernel's int64_t.
        #expect(
            ruleError("jail:www:memoryuse:deny=16e")
                == #"numeric value "16e" is out of range; at most 9223372036854775807"#)
        #expect(
            ruleError("jail:www:memoryuse:deny=8e")
                == #"numeric value "8e" is out of range; at most 9223372036854775807"#)
        #expect((try? rule("jail:www:memoryuse:deny=7e"))?.amount == 7 << 60)
        // Seconds and percents are kept in millionths (KR: rr_amount > INT64_MAX / 1000000 is ERANGE).
        #expect((try? rule("jail:www:cputime:log=9223372036854"))?.amount == 9_223_372_036_854)
        #expect(
            ruleError("jail:www:cputime:log=9223372036855")
                == #"numeric value "9223372036855" is out of range; at most 9223372036854"#)
        #expect(ruleError("jail:www:pcpu:deny=10t") == #"numeric value "10t" is out of range; at most 9223372036854"#)
        // A fifth field ends up in the amount, which expand_number then refuses.
        #expect(ruleError("jail:www:memoryuse:deny=1g:x")?.hasPrefix(#"invalid numeric value "1g:x""#) == true)
        #expect(failure { _ = try Rule.parse("jail:www:memoryuse:deny=1x") }?.kind == .invalidAmount)
    }

    @Test func subjectIDs() {
        // KR str2id: a process id is a number.
        #expect(ruleError("process:abc:maxproc:deny=1") == #"process id "abc" is not a number"#)
        #expect((try? rule("process:512:maxproc:deny=1"))?.id == "512")
        // User names stay as written: rctl(8) resolves them with getpwnam, the kernel sees uids.
        #expect((try? rule("user:joe:maxproc:deny=1"))?.id == "joe")
        // prison_racct_find refuses names of MAXHOSTNAMELEN (256) bytes or more.
        let longest = String(repeating: "j", count: 255)
        #expect((try? rule("jail:\(longest):maxproc:deny=1"))?.id == longest)
        #expect(
            ruleError("jail:\(longest)j:maxproc:deny=1") == "jail name \"\(longest)j\" is too long; at most 255 bytes")
    }

    @Test func messagesStayOnOneLine() {
        let message = ruleError("jail:www:mem\nory:deny=1")
        #expect(message == #"unknown resource "mem\nory"; see RESOURCES in rctl(8)"#)
        #expect(message?.contains("\n") == false)
    }
}
