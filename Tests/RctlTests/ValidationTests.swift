import Testing

@testable import Rctl

/// `validateForFreeBSD` (KR rctl_rule_add) and `validateForLinux` (what this project supports).
@Suite struct ValidationTests {
    /// KRA racct_types, flag by flag, as FreeBSD main defines them.
    static let deniable: Set<Resource> = [
        .datasize, .stacksize, .coredumpsize, .memorylocked, .maxproc, .openfiles, .vmemoryuse, .pseudoterminals,
        .swapuse, .nthr, .msgqqueued, .msgqsize, .nmsgq, .nsem, .nsemop, .nshm, .shmsize, .pcpu,
    ]
    static let decaying: Set<Resource> = [.pcpu, .readbps, .writebps, .readiops, .writeiops]
    static let sloppy: Set<Resource> = [
        .pseudoterminals, .swapuse, .msgqqueued, .msgqsize, .nmsgq, .nsem, .nshm, .shmsize,
    ]

    @Test(arguments: Resource.allCases)
    func freeBSDRefusesWhatRctlRuleAddRefuses(_ resource: Resource) {
        for action in [Action.deny, .throttle, .log, .devctl, .signal("sigterm")] {
            for per in Subject.allCases {
                let rule = Rule(subject: .user, id: "1001", resource: resource, action: action, amount: 1, per: per)
                // KR: deny needs RACCT_IS_DENIABLE, memoryuse (RSS) and pcpu excepted; throttle
                // needs RACCT_IS_DECAYING and not pcpu; per process needs a resource not sloppy.
                var refused = false
                if action == .deny && !Self.deniable.contains(resource) && resource != .memoryuse && resource != .pcpu {
                    refused = true
                }
                if action == .throttle && (!Self.decaying.contains(resource) || resource == .pcpu) {
                    refused = true
                }
                if per == .process && Self.sloppy.contains(resource) {
                    refused = true
                }
                let error = failure { try rule.validateForFreeBSD() }
                #expect((error != nil) == refused, "\(rule)")
                #expect(error == nil || error?.kind == .refusedByFreeBSD)
            }
        }
    }

    @Test func freeBSDMessages() {
        // RCTL8 ACTIONS: deny "not supported for cputime, wallclock, readbps, writebps, readiops,
        // and writeiops"; throttle "only supported for readbps, writebps, readiops, and writeiops".
        #expect(
            linuxError("jail:www:cputime:deny=10")
                == "deny is not supported for cputime; FreeBSD only watches it (log, devctl, sig*)")
        #expect(
            linuxError("jail:www:wallclock:deny=10")
                == "deny is not supported for wallclock; FreeBSD only watches it (log, devctl, sig*)")
        #expect(linuxError("jail:www:readbps:deny=1m") == "deny is not supported for readbps; use throttle")
        #expect(
            linuxError("jail:www:memoryuse:throttle=1g")
                == "throttle is only supported for readbps, writebps, readiops and writeiops; use deny")
        #expect(
            linuxError("jail:www:pcpu:throttle=50")
                == "throttle is only supported for readbps, writebps, readiops and writeiops; use deny")
        #expect(
            linuxError("jail:www:cputime:throttle=50")
                == "throttle is only supported for readbps, writebps, readiops and writeiops")
        #expect(
            linuxError("jail:www:swapuse:deny=1g/process")
                == "swapuse cannot be limited per process; FreeBSD accounts it per user, login class or jail")
        // FreeBSD's refusals come before ours, even for subjects we refuse.
        #expect(failure { try rule("user:joe:cputime:deny=1").validateForLinux() }?.kind == .refusedByFreeBSD)
    }

    @Test func onlyJailRules() {
        #expect(
            linuxError("user:joe:vmemoryuse:deny=1g")
                == "user rules are not supported, only jail rules; per-user limits are the host's business (ulimit, systemd)"
        )
        #expect(
            linuxError("process:512:openfiles:deny=64")
                == "process rules are not supported, only jail rules; per-process limits are the host's business (prlimit, ulimit)"
        )
        #expect(
            linuxError("loginclass:users:maxproc:deny=10")
                == "loginclass rules are not supported, only jail rules; Linux has no login classes (use ulimit or systemd)"
        )
        let nameless = Rule(id: "", resource: .maxproc, action: .deny, amount: 1)
        #expect(
            failure { try nameless.validateForLinux() }?.description
                == #"jail rule "jail::maxproc:deny=1" names no jail"#)
        #expect(failure { try rule("user:joe:maxproc:deny=1").validateForLinux() }?.kind == .unsupportedOnLinux)
    }

    @Test func perProcessOnlyForRlimits() throws {
        for resource in [Resource.datasize, .stacksize, .coredumpsize, .memorylocked, .openfiles, .vmemoryuse] {
            try Rule(id: "www", resource: resource, action: .deny, amount: 1 << 20, per: .process).validateForLinux()
        }
        #expect(
            linuxError("jail:www:memoryuse:deny=1g/process")
                == #"memoryuse cannot be limited per process on Linux, only for the jail as a whole; drop "/process""#)
        #expect(
            linuxError("jail:www:maxproc:deny=10/process")
                == #"maxproc cannot be limited per process on Linux, only for the jail as a whole; drop "/process""#)
        #expect(
            linuxError("jail:www:readbps:throttle=1m/process")
                == #"readbps cannot be limited per process on Linux, only for the jail as a whole; drop "/process""#)
        #expect(
            linuxError("jail:www:maxproc:deny=10/user")
                == #""/user" is not supported: Linux limits a jail as a whole (rlimits per process); use "/jail""#)
        #expect(
            linuxError("jail:www:openfiles:deny=10/loginclass")
                == #""/loginclass" is not supported: Linux limits a jail as a whole (rlimits per process); use "/jail""#
        )
    }

    @Test func refusedResourceNamesTheNearest() {
        #expect(Resource.msgqqueued.mechanism == .refused(nearest: "msgqsize"))
        #expect(
            linuxError("jail:www:msgqqueued:deny=100")
                == "msgqqueued cannot be limited on Linux, which limits the bytes in a message queue (kernel.msgmnb), not the messages queued; use msgqsize"
        )
    }

    @Test func watchingActionsNeedADaemon() {
        #expect(
            linuxError("jail:www:memoryuse:log=1g")
                == "log needs a daemon watching usage, which Linux jails do not have; use deny")
        #expect(
            linuxError("jail:www:maxproc:devctl=100")
                == "devctl needs a daemon watching usage, which Linux jails do not have; use deny")
        #expect(
            linuxError("jail:www:readbps:devctl=1m")
                == "devctl needs a daemon watching usage, which Linux jails do not have; use throttle")
        #expect(
            linuxError("jail:www:cputime:sigxcpu=3600")
                == "sigxcpu needs a daemon watching usage, which Linux jails do not have; cputime can only be shown (rctl -u) on Linux"
        )
        #expect(
            linuxError("jail:www:wallclock:log=86400")
                == "log needs a daemon watching usage, which Linux jails do not have; wallclock can only be shown (rctl -u) on Linux"
        )
    }

    @Test func exactlyTheseRulesAreEnforceable() {
        let denied: Set<Resource> = [
            .datasize, .stacksize, .coredumpsize, .memoryuse, .memorylocked, .maxproc, .openfiles, .vmemoryuse,
            .pseudoterminals, .swapuse, .nthr, .msgqsize, .nmsgq, .nsem, .nsemop, .nshm, .shmsize, .pcpu,
        ]
        let throttled: Set<Resource> = [.readbps, .writebps, .readiops, .writeiops]
        for resource in Resource.allCases {
            for action in [Action.deny, .throttle, .log, .devctl, .signal("sigkill")] {
                let rule = Rule(id: "www", resource: resource, action: action, amount: 100)
                let accepted = failure { try rule.validateForLinux() } == nil
                let expected =
                    action == .deny ? denied.contains(resource) : action == .throttle && throttled.contains(resource)
                #expect(accepted == expected, "\(rule)")
            }
        }
        // cputime and wallclock can never be limited: every action is refused by one side.
        #expect(
            Resource.allCases.filter { !denied.contains($0) && !throttled.contains($0) } == [
                .cputime, .msgqqueued, .wallclock,
            ])
    }

    @Test func amounts() throws {
        // Zero is a limit like any other, as in FreeBSD.
        try rule("jail:www:memoryuse:deny=0").validateForLinux()
        try rule("jail:www:maxproc:deny=0").validateForLinux()
        try rule("jail:www:pcpu:deny=0").validateForLinux()
        // Percent of one CPU: 400 is four CPUs.
        try rule("jail:www:pcpu:deny=400").validateForLinux()
        // io.max refuses 0 (ERANGE in blk-throttle's tg_set_limit).
        #expect(
            linuxError("jail:www:readbps:throttle=0")
                == "readbps cannot be throttled to 0: Linux io.max refuses a zero limit; use at least 1")
        try rule("jail:www:writeiops:throttle=1").validateForLinux()
        // Nothing depends on the jail existing: any name will do.
        try rule("jail:not-created-yet:memoryuse:deny=1g").validateForLinux()
    }
}
