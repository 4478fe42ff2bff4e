import Testing

@testable import JailMounts

/// Resolving includes and evaluating rules on nodes, as KDR does.
@Suite struct DevfsEvaluationTests {
    @Test func resolveExpandsIncludesInOrder() throws {
        let rules = try DevfsRules.defaults.resolve(4)
        #expect(
            rules.map(\.description) == [
                "100 hide",
                "100 path null unhide", "200 path zero unhide", "300 path full unhide", "400 path random unhide",
                "500 path urandom unhide",
                "100 path ptmx unhide", "200 path pts unhide", "300 path pts/* unhide", "400 path fd unhide",
                "500 path fd/* unhide", "600 path stdin unhide", "700 path stdout unhide", "800 path stderr unhide",
                "900 path tty unhide",
                "400 path fuse unhide",
            ])
        #expect(rules.allSatisfy { $0.include == nil })
        // Ruleset 5 includes 1, 2 and 3 and then 4, which includes them again: expanded in full.
        #expect(try DevfsRules.defaults.resolve(5).count == 1 + 5 + 9 + 16 + 2)
        #expect(try DevfsRules.defaults.resolve(named: "devfsrules_jail") == rules)
    }

    /// An include's own actions run before the included rules (KDR devfs_rule_run).
    @Test func includeWithActions() throws {
        let rules = try DevfsRules.parse("[x=10]\nadd include 1 mode 600\n", path: "f")
        #expect(try rules.resolve(10) == [DevfsRule(number: 100, mode: 0o600), DevfsRule(number: 100, action: .hide)])
        #expect(try rules.visible(["null"], ruleset: 10) == [])
    }

    /// devfs(8): ruleset 0 is always empty, so a /dev with it shows every node.
    @Test func rulesetZeroIsEmpty() throws {
        #expect(try DevfsRules.defaults.resolve(0) == [])
        #expect(try visiblePaths(linuxDev, 0) == linuxDev)
    }

    @Test func undefinedRulesets() {
        let error = failure { _ = try DevfsRules.defaults.resolve(9) }
        #expect(
            error?.description
                == "devfs ruleset 9 is not defined; define it in /etc/devfs.rules (defined: 1, 2, 3, 4, 5)")
        #expect(error?.kind == .ruleset)
        #expect(
            failure { _ = try DevfsRules.defaults.visible(["null"], ruleset: -1) }?.description
                == "devfs ruleset -1 is not defined; define it in /etc/devfs.rules (defined: 1, 2, 3, 4, 5)")
        #expect(
            failure { _ = try DevfsRules().resolve(4) }?.description
                == "devfs ruleset 4 is not defined; define it in /etc/devfs.rules (none is defined)")
        #expect(
            failure { _ = try DevfsRules.defaults.resolve(named: "devfsrules_jail_bpf") }?.description
                == #"no devfs ruleset is named "devfsrules_jail_bpf"; name it in a [devfsrules_jail_bpf=number] header"#
        )
        // Built in code, an include can name a ruleset that is missing.
        let dangling = DevfsRules(rulesets: [DevfsRuleset(number: 10, rules: [DevfsRule(number: 100, include: 9)])])
        #expect(
            failure { _ = try dangling.resolve(10) }?.description
                == "devfs ruleset 10 includes ruleset 9, which is not defined; define it in /etc/devfs.rules (defined: 10)"
        )
    }

    /// Cycles made in code, which the reader would refuse, are found when resolving.
    @Test func includeCycles() {
        let cycle = DevfsRules(rulesets: [
            DevfsRuleset(number: 10, rules: [DevfsRule(number: 100, include: 11)]),
            DevfsRuleset(number: 11, rules: [DevfsRule(number: 100, include: 12)]),
            DevfsRuleset(
                number: 12, rules: [DevfsRule(number: 100, action: .hide), DevfsRule(number: 200, include: 10)]),
        ])
        #expect(
            failure { _ = try cycle.resolve(10) }?.description
                == "devfs ruleset 10 includes itself: 10 -> 11 -> 12 -> 10; remove one of the includes")
        #expect(
            failure { _ = try cycle.resolve(12) }?.description
                == "devfs ruleset 12 includes itself: 12 -> 10 -> 11 -> 12; remove one of the includes")
        let selfInclude = DevfsRules(rulesets: [DevfsRuleset(number: 7, rules: [DevfsRule(number: 100, include: 7)])])
        #expect(
            failure { _ = try selfInclude.resolve(7) }?.description
                == "devfs ruleset 7 includes itself: 7 -> 7; remove one of the includes")
        // The same ruleset included twice is not a cycle.
        let twice = DevfsRules(rulesets: [
            DevfsRuleset(number: 1, rules: [DevfsRule(number: 100, action: .hide)]),
            DevfsRuleset(number: 2, rules: [DevfsRule(number: 100, include: 1), DevfsRule(number: 200, include: 1)]),
        ])
        #expect(failure { _ = try twice.resolve(2) } == nil)
        let conditional = DevfsRules(rulesets: [
            DevfsRuleset(number: 1, rules: [DevfsRule(number: 100, action: .hide)]),
            DevfsRuleset(number: 2, rules: [DevfsRule(number: 100, pattern: "x*", include: 1)]),
        ])
        #expect(
            failure { _ = try conditional.resolve(2) }?.description
                == "rule 100 of devfs ruleset 2 includes ruleset 1 under a condition; put the condition on the included rules"
        )
    }

    /// KDR: every node starts visible; the last matching hide or unhide decides; the last
    /// matching mode, user and group set them, even on a rule that hides.
    @Test func lastMatchingRuleDecides() throws {
        let text = """
            [order=10]
            add path 'tty*' mode 600 group tty
            add path 'tty*' hide
            add path tty unhide
            add path tty1 unhide user root
            add path tty1 mode 620
            add path null hide
            add path null unhide
            add path null hide
            """
        let rules = try DevfsRules.parse(text, path: "f")
        #expect(
            try rules.visible(["tty", "tty0", "tty1", "null", "zero"], ruleset: 10) == [
                VisibleDevice(path: "tty", mode: 0o600, group: "tty"),
                VisibleDevice(path: "tty1", mode: 0o620, user: "root", group: "tty"),
                VisibleDevice(path: "zero"),
            ])
    }

    /// A hidden directory hides what is below it, however the rules treat the nodes
    /// themselves; `*` does not reach into directories.
    @Test func directories() throws {
        let text = """
            [dirs=10]
            add hide
            add path '*' unhide
            add path 'pts/*' unhide
            add path 'bus/*' unhide
            add path 'bus/*/*' unhide
            add path 'bus/*/*/*' unhide
            add path bus hide
            """
        let rules = try DevfsRules.parse(text, path: "f")
        // '*' unhides pts, null, bus and net but not net/tun; bus is hidden again, and with
        // it everything below it.
        #expect(
            try visiblePaths(["pts/0", "null", "bus/usb/001/001", "net/tun", "net"], 10, in: rules)
                == ["pts/0", "null", "net"])
        // Without "add path '*' unhide", pts stays hidden and so does pts/0.
        let noDirectory = try DevfsRules.parse("[d=10]\nadd hide\nadd path 'pts/*' unhide", path: "f")
        #expect(try visiblePaths(["pts/0", "pts/1"], 10, in: noDirectory) == [])
    }

    /// RULE's `type`: matched against DeviceType.linux, never against directories or links.
    @Test func typeConditions() throws {
        let text = """
            [types=10]
            add type disk hide
            add type mem type tape hide
            add type tty mode 620 group tty
            """
        let rules = try DevfsRules.parse(text, path: "f")
        let hidden: Set = [
            "sda", "sda1", "nvme0n1", "nvme0n1p1", "loop0", "mapper/vg-root", "dm-0", "sr0", "mem", "kmem", "port",
            "st0", "nst0",
        ]
        #expect(try visiblePaths(linuxDev, 10, in: rules) == linuxDev.filter { !hidden.contains($0) })
        let ttys = try rules.visible(linuxDev, ruleset: 10).filter { $0.mode == 0o620 }.map(\.path)
        #expect(ttys == ["tty", "ptmx", "pts/0", "pts/1", "pts/ptmx", "console", "tty0", "tty1", "ttyS0", "ttyUSB0"])
    }

    @Test func linuxDeviceTypes() {
        let cases: [(String, DeviceType?)] = [
            ("sda", .disk), ("sdb3", .disk), ("hdc", .disk), ("vda1", .disk), ("xvdb", .disk),
            ("nvme0n1", .disk), ("nvme0n1p2", .disk), ("nvme0", nil), ("mmcblk0p1", .disk), ("loop7", .disk),
            ("loop-control", nil), ("dm-3", .disk), ("md127", .disk), ("nbd0", .disk), ("zram0", .disk),
            ("sr0", .disk), ("mapper/vg-root", .disk), ("mapper/control", nil), ("st0", .tape), ("nst1", .tape),
            ("stdin", nil), ("mem", .mem), ("kmem", .mem), ("port", .mem), ("tty", .tty), ("tty63", .tty),
            ("ttyS0", .tty), ("console", .tty), ("ptmx", .tty), ("pts/3", .tty), ("null", nil), ("random", nil),
            ("fuse", nil), ("kvm", nil), ("net/tun", nil), ("dri/card0", nil), ("sg0", nil), ("sdx-y", nil),
        ]
        for (path, type) in cases {
            #expect(DeviceType.linux(path) == type, "\(path)")
        }
    }

    @Test func devicePathsMustBeBelowDev() {
        for bad in ["/dev/null", "", "pts/", "a//b", "../sda", "pts/./0"] {
            #expect(
                failure { _ = try DevfsRules.defaults.visible([bad], ruleset: 4) }?.description
                    == "device path \"\(bad)\" is not a path below /dev; give it as \"null\" or \"pts/0\"")
        }
    }

    /// Each device once, in the order given.
    @Test func duplicatesAndOrder() throws {
        #expect(try visiblePaths(["zero", "null", "zero", "sda"], 4) == ["zero", "null"])
    }
}
