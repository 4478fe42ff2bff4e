extension Rule {
    /// What FreeBSD refuses when the rule is added (rctl_rule_add in sys/kern/kern_rctl.c,
    /// EOPNOTSUPP; the exceptions are documented under ACTIONS in rctl(8)):
    /// - `deny` on an undeniable resource: cputime, wallclock and the four I/O rates
    ///   (memoryuse and pcpu are undeniable to racct but enforced another way, so allowed);
    /// - `throttle` on anything but the I/O rates;
    /// - `/process` on a resource FreeBSD accounts per credential only (RACCT_SLOPPY).
    /// Amount 0 is allowed everywhere, as in FreeBSD.
    public func validateForFreeBSD() throws(RctlError) {
        if action == .deny && !resource.freeBSDAllowsDeny {
            let remedy = resource.isIORate ? "use throttle" : "FreeBSD only watches it (log, devctl, sig*)"
            throw RctlError(.refusedByFreeBSD, "deny is not supported for \(resource.rawValue); \(remedy)")
        }
        if action == .throttle && !resource.freeBSDAllowsThrottle {
            let remedy = resource.freeBSDAllowsDeny ? "; use deny" : ""
            throw RctlError(
                .refusedByFreeBSD,
                "throttle is only supported for readbps, writebps, readiops and writeiops\(remedy)")
        }
        if per == .process && resource.isAccountedPerCredentialOnly {
            throw RctlError(
                .refusedByFreeBSD,
                "\(resource.rawValue) cannot be limited per process; FreeBSD accounts it per user, login class or jail")
        }
    }

    /// Whether Linux jails can enforce this rule; FreeBSD's own refusals come first
    /// (`validateForFreeBSD`). Nothing here looks at whether the jail exists: FreeBSD takes
    /// rules for jails not yet created.
    ///
    /// - Only `jail` rules with a jail name: per-user, per-process and per-login-class
    ///   limits are the host's business.
    /// - Per `jail`, or per `process` for the rlimit resources, where per process is exactly
    ///   what Linux enforces.
    /// - Resources Linux cannot limit (msgqqueued) are refused naming the nearest one.
    /// - `deny` on every mechanism that limits, `throttle` on the I/O rates; `log`, `devctl`
    ///   and signals need a daemon watching usage, which Linux jails do not have.
    /// - An I/O rate of 0: Linux `io.max` refuses zero (ERANGE), where FreeBSD would divide
    ///   by it when throttling.
    public func validateForLinux() throws(RctlError) {
        try validateForFreeBSD()
        if let refusal = subjectRefusal {
            throw RctlError(.unsupportedOnLinux, refusal)
        }
        guard !id.isEmpty else {
            throw RctlError(.unsupportedOnLinux, "jail rule \(quoted(formatted(human: false))) names no jail")
        }
        let mechanism = resource.mechanism
        switch per {
        case .jail:
            break
        case .process:
            guard case .rlimit = mechanism else {
                throw RctlError(
                    .unsupportedOnLinux,
                    "\(resource.rawValue) cannot be limited per process on Linux, only for the jail as a whole; "
                        + "drop \"/process\"")
            }
        case .user, .loginclass:
            throw RctlError(
                .unsupportedOnLinux,
                "\"/\(per.rawValue)\" is not supported: Linux limits a jail as a whole (rlimits per process); "
                    + "use \"/jail\"")
        }
        if case .refused(let nearest) = mechanism {
            throw RctlError(
                .unsupportedOnLinux, "\(resource.rawValue) cannot be limited on Linux, \(linuxLacks); use \(nearest)")
        }
        switch action {
        case .deny, .throttle:
            // FreeBSD's checks leave deny on limiting mechanisms and throttle on I/O only.
            break
        case .log, .devctl, .signal:
            let remedy: String
            if case .accounting = mechanism {
                remedy = "\(resource.rawValue) can only be shown (rctl -u) on Linux"
            } else {
                remedy = resource.isIORate ? "use throttle" : "use deny"
            }
            throw RctlError(
                .unsupportedOnLinux,
                "\(action.name) needs a daemon watching usage, which Linux jails do not have; \(remedy)")
        }
        if case .io = mechanism, amount == 0 {
            throw RctlError(
                .unsupportedOnLinux,
                "\(resource.rawValue) cannot be throttled to 0: Linux io.max refuses a zero limit; use at least 1")
        }
    }

    /// Why the host, not the jail, limits other subjects; nil for jail rules.
    private var subjectRefusal: String? {
        switch subject {
        case .jail:
            nil
        case .process:
            "process rules are not supported, only jail rules; per-process limits are the host's business "
                + "(prlimit, ulimit)"
        case .user:
            "user rules are not supported, only jail rules; per-user limits are the host's business (ulimit, systemd)"
        case .loginclass:
            "loginclass rules are not supported, only jail rules; Linux has no login classes (use ulimit or systemd)"
        }
    }

    /// What Linux has instead of a resource it cannot limit.
    private var linuxLacks: String {
        switch resource {
        case .msgqqueued: "which limits the bytes in a message queue (kernel.msgmnb), not the messages queued"
        default: "which has no such limit"
        }
    }
}
