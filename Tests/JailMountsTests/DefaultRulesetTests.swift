import Testing

@testable import JailMounts

/// DR's rulesets 1 to 5 rewritten for Linux, evaluated against `linuxDev`.
@Suite struct DefaultRulesetTests {
    @Test func namesAndNumbers() {
        let rules = DevfsRules.defaults
        #expect(rules.rulesets.map(\.number) == [1, 2, 3, 4, 5])
        #expect(
            rules.rulesets.map(\.name) == [
                "devfsrules_hide_all", "devfsrules_unhide_basic", "devfsrules_unhide_login", "devfsrules_jail",
                "devfsrules_jail_vnet",
            ])
        for (number, name) in [
            (1, "devfsrules_hide_all"), (2, "devfsrules_unhide_basic"), (3, "devfsrules_unhide_login"),
            (4, "devfsrules_jail"), (5, "devfsrules_jail_vnet"),
        ] {
            #expect(rules.ruleset(named: name) == number)
        }
        #expect(rules.ruleset(named: "devfsrules_jail_bpf") == nil)
        // Numbered as `devfs rule add` numbers rules: 100 past the last.
        #expect(
            rules.ruleset(4)?.rules.map(\.description) == [
                "100 include 1", "200 include 2", "300 include 3", "400 path fuse unhide",
            ])
        #expect(
            rules.ruleset(5)?.rules.map(\.description) == [
                "100 include 1", "200 include 2", "300 include 3", "400 include 4", "500 path net unhide",
                "600 path net/tun unhide",
            ])
    }

    @Test func hideAll() throws {
        #expect(try visiblePaths(linuxDev, 1) == [])
    }

    @Test func basic() throws {
        let rules = try DevfsRules.defaults.resolve(2)
        #expect(
            rules.map(\.description) == [
                "100 path null unhide", "200 path zero unhide", "300 path full unhide", "400 path random unhide",
                "500 path urandom unhide",
            ])
        // Like FreeBSD's ruleset 2, it only unhides ("Requires: devfsrules_hide_all"):
        // alone it hides nothing.
        #expect(try visiblePaths(linuxDev, 2) == linuxDev)
    }

    @Test func login() throws {
        #expect(
            try DevfsRules.defaults.resolve(3).map(\.description) == [
                "100 path ptmx unhide", "200 path pts unhide", "300 path pts/* unhide", "400 path fd unhide",
                "500 path fd/* unhide", "600 path stdin unhide", "700 path stdout unhide", "800 path stderr unhide",
                "900 path tty unhide",
            ])
        #expect(try visiblePaths(linuxDev, 3) == linuxDev)
    }

    /// Ruleset 4, jail(8)'s default for mount.devfs.
    @Test func jail() throws {
        #expect(
            try visiblePaths(linuxDev, 4) == [
                "null", "zero", "full", "random", "urandom", "tty", "ptmx", "pts/0", "pts/1", "pts/ptmx", "fuse",
                "fd", "stdin", "stdout", "stderr",
            ])
    }

    @Test func jailVnet() throws {
        #expect(
            try visiblePaths(linuxDev, 5) == [
                "null", "zero", "full", "random", "urandom", "tty", "ptmx", "pts/0", "pts/1", "pts/ptmx", "fuse",
                "net/tun", "fd", "stdin", "stdout", "stderr",
            ])
    }

    /// What no default ruleset may show: the host's pools, disks, memory, consoles, serial
    /// ports, GPU, KVM, and FreeBSD's names that mean other things on Linux.
    @Test func nothingDangerousIsVisible() throws {
        let forbidden: Set<String> = [
            "zfs", "sda", "sda1", "nvme0", "nvme0n1", "nvme0n1p1", "kvm", "dri/card0", "mem", "kmem", "port",
            "console", "tty0", "ttyS0", "ttyUSB0", "loop0", "loop-control", "mapper/control", "dm-0",
            "vhost-net", "vfio/vfio", "core", "sr0", "sg0", "st0", "watchdog", "tpm0", "log",
        ]
        for ruleset in [1, 4, 5] {
            #expect(Set(try visiblePaths(linuxDev, ruleset)).isDisjoint(with: forbidden))
        }
        let full = try DevfsRules.defaults.resolve(5)
        for pattern in ["zfs", "crypto", "pf", "ttyS*", "ptyp*", "log"] {
            #expect(!full.contains { $0.pattern == pattern })
        }
    }

    /// jail(8) mounts /dev with ruleset 4 when devfs_ruleset is not set (0).
    @Test func effectiveRuleset() {
        #expect(DevfsRules.effectiveRuleset(0) == 4)
        #expect(DevfsRules.effectiveRuleset(4) == 4)
        #expect(DevfsRules.effectiveRuleset(5) == 5)
        #expect(DevfsRules.effectiveRuleset(10) == 10)
    }
}
