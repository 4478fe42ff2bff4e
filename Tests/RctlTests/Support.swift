import Testing

@testable import Rctl

// Expected results cite where FreeBSD states them: RCTL8 = usr.bin/rctl/rctl.8, RC =
// usr.bin/rctl/rctl.c, KR = sys/kern/kern_rctl.c, KRA = sys/kern/kern_racct.c (racct_types),
// EN = lib/libutil/expand_number.c (FreeBSD main, 2025), HN = lib/libutil/humanize_number.c,
// HNT = lib/libutil/tests/humanize_number_test.c, RCD = libexec/rc/rc.d/rctl, HB = the
// FreeBSD Handbook (jails chapter and "Resource Limits"), all freebsd/freebsd-src or
// freebsd/freebsd-doc; FJ = /work/shared/FREEBSD-JAILS.md §3.5.

/// The error `body` throws, or nil. (Closures do not infer typed throws, hence the cast.)
func failure(_ body: () throws -> Void) -> RctlError? {
    do {
        try body()
        return nil
    } catch {
        return error as? RctlError
    }
}

/// The message `Rule.parse(text)` fails with, or nil.
func ruleError(_ text: String) -> String? {
    failure { _ = try Rule.parse(text) }?.description
}

/// The message `validateForLinux` gives the rule `text`, or nil.
func linuxError(_ text: String) -> String? {
    failure { try Rule.parse(text).validateForLinux() }?.description
}

/// The rule `text`, parsed.
func rule(_ text: String) throws -> Rule {
    try Rule.parse(text)
}
