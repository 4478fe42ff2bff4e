extension DevfsRules {
    /// FreeBSD's /etc/defaults/devfs.rules (sbin/devfs/devfs.rules) rewritten for Linux's
    /// device names: rulesets 1 to 5 with FreeBSD's names and numbers, each rule numbered
    /// 100, 200... as devfs numbers them. Each rule says what it maps from; what FreeBSD
    /// unhides and Linux has no device for is left out, with the reason.
    public static let defaults = DevfsRules(rulesets: [hideAll, unhideBasic, unhideLogin, jail, jailVnet])
}

/// `[devfsrules_hide_all=1]`: "very basic and secure ruleset: hide everything".
private let hideAll = DevfsRuleset(
    number: 1, name: "devfsrules_hide_all",
    rules: numbered([
        // add hide: every node, directories included; the other rulesets start from this.
        DevfsRule(action: .hide)
    ]))

/// `[devfsrules_unhide_basic=2]`: "basic devices typically necessary". Like FreeBSD's, it
/// only unhides: used alone it leaves every device visible.
///
/// FreeBSD's `crypto` (the OpenCrypto device, /dev/crypto) is left out: Linux has no such
/// device in its tree (kernel crypto is reached through AF_ALG sockets). Older FreeBSD
/// rulesets also unhid `log`, the link to syslogd's socket /var/run/log; Linux's /dev/log is
/// a socket the jail's own syslog daemon binds (or a link to journald's), not a device to
/// unhide.
private let unhideBasic = DevfsRuleset(
    number: 2, name: "devfsrules_unhide_basic",
    rules: numbered([
        unhide("null"),  // FreeBSD's null: 1:3 on Linux.
        unhide("zero"),  // FreeBSD's zero: 1:5.
        // Not in FreeBSD's list: Linux's full (1:7) is as harmless as zero, and programs
        // (and test suites) use it to provoke ENOSPC.
        unhide("full"),
        unhide("random"),  // FreeBSD's random: 1:8.
        unhide("urandom"),  // FreeBSD's urandom: 1:9.
    ]))

/// `[devfsrules_unhide_login=3]`: "devices typically needed to support logged-in users".
///
/// FreeBSD's 32 patterns for legacy BSD ptys (`ptyp*` to `ptyO*`, `ttyp*` to `ttyO*`) are
/// left out: Linux has such ptys only with CONFIG_LEGACY_PTYS, which distributions turn off,
/// and on Linux `ttyS*` names the host's serial ports, one of which is often its console.
private let unhideLogin = DevfsRuleset(
    number: 3, name: "devfsrules_unhide_login",
    rules: numbered([
        // FreeBSD's ptmx: Linux's /dev/ptmx (5:2), the multiplexer of the jail's own devpts
        // instance (mounted with newinstance), so it allocates in the jail's pts only.
        unhide("ptmx"),
        unhide("pts"),  // FreeBSD's pts: the directory, or nothing below it is reachable.
        unhide("pts/*"),  // FreeBSD's pts/*: the jail's devpts holds only the jail's terminals.
        unhide("fd"),  // FreeBSD's fd: on Linux a link to /proc/self/fd.
        unhide("fd/*"),  // FreeBSD's fd/*: nothing on Linux, where fd is a link; kept for fidelity.
        unhide("stdin"),  // FreeBSD's stdin: a link to /proc/self/fd/0 on Linux.
        unhide("stdout"),  // FreeBSD's stdout: /proc/self/fd/1.
        unhide("stderr"),  // FreeBSD's stderr: /proc/self/fd/2.
        // Not in FreeBSD's list: Linux's /dev/tty (5:0) is the opener's controlling
        // terminal, which ssh, sudo and less open by name; it reaches no other terminal.
        unhide("tty"),
    ]))

/// `[devfsrules_jail=4]`: "devices usually found in a jail", and jail(8)'s default for
/// mount.devfs.
///
/// FreeBSD's `add path zfs unhide` is left out on purpose. /dev/zfs is OpenZFS's control
/// device; FreeBSD's kernel limits a jail to the datasets `zfs jail` delegated to it, but on
/// Linux its ioctls reach every pool on the host: anyone who opens it can list them, and a
/// jail root holding CAP_SYS_ADMIN can administer them (only `zfs zone` delegation scopes
/// them, to a user namespace). It must never be visible by default.
private let jail = DevfsRuleset(
    number: 4, name: "devfsrules_jail",
    rules: numbered([
        include(1),  // add include $devfsrules_hide_all
        include(2),  // add include $devfsrules_unhide_basic
        include(3),  // add include $devfsrules_unhide_login
        // FreeBSD's fuse: Linux's /dev/fuse (10:229); mounting a FUSE file system still
        // takes mount rights in the jail's user namespace (Linux 4.18 and later).
        unhide("fuse"),
    ]))

/// `[devfsrules_jail_vnet=5]`: ruleset 4 for jails with their own network stack.
///
/// FreeBSD adds `pf`, the control device of its packet filter, so a VNET jail can run its own
/// firewall. Linux's firewall (nftables, iptables) is configured over netlink, already per
/// network namespace, with no device. In its place this ruleset unhides `net/tun`: opening it
/// creates a tun or tap interface in the opener's network namespace, which for a VNET jail is
/// its own, so VPN daemons work inside without touching the host's interfaces; a FreeBSD
/// VNET jail may likewise create interfaces of its own. It is not in ruleset 4 because a jail
/// sharing the host's stack would create its interfaces on the host.
private let jailVnet = DevfsRuleset(
    number: 5, name: "devfsrules_jail_vnet",
    rules: numbered([
        include(1),  // add include $devfsrules_hide_all
        include(2),  // add include $devfsrules_unhide_basic
        include(3),  // add include $devfsrules_unhide_login
        include(4),  // add include $devfsrules_jail
        unhide("net"),  // the directory of net/tun, or tun is unreachable.
        unhide("net/tun"),  // instead of FreeBSD's pf (10:200).
    ]))

private func unhide(_ pattern: String) -> DevfsRule {
    DevfsRule(pattern: pattern, action: .unhide)
}

private func include(_ ruleset: Int) -> DevfsRule {
    DevfsRule(include: ruleset)
}

/// The rules numbered as devfs numbers rules added without a number: 100, 200...
private func numbered(_ rules: [DevfsRule]) -> [DevfsRule] {
    rules.enumerated().map { index, rule in
        var rule = rule
        rule.number = (index + 1) * 100
        return rule
    }
}
