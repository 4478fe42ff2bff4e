import Testing

@testable import JailMounts

/// /etc/devfs.rules as RCS reads it (read, expr, eval) and RULE parses each rule.
@Suite struct DevfsRulesParseTests {
    /// A jail ruleset of the Handbook's and the jail managers' kind: the usual includes, then
    /// devices with a mode and group. bpf has no Linux device; dri is Linux's GPU.
    @Test func customJailRuleset() throws {
        let text = """
            # Local rulesets for jails
            [devfsrules_jail_gpu=10]
            add include $devfsrules_hide_all
            add include $devfsrules_unhide_basic
            add include $devfsrules_unhide_login
            add include $devfsrules_jail
            add path fuse unhide mode 0666
            add path 'bpf*' unhide mode 0660 group network
            add path dri unhide
            add path 'dri/*' unhide mode 0660 group video
            """
        let rules = try DevfsRules.parse(text, path: "/etc/devfs.rules")
        #expect(rules.ruleset(named: "devfsrules_jail_gpu") == 10)
        #expect(
            rules.ruleset(10)?.rules.map(\.description) == [
                "100 include 1", "200 include 2", "300 include 3", "400 include 4", "500 path fuse unhide mode 666",
                "600 path bpf* unhide group network mode 660", "700 path dri unhide",
                "800 path dri/* unhide group video mode 660",
            ])
        #expect(
            try rules.visible(linuxDev, ruleset: 10) == [
                VisibleDevice(path: "null"), VisibleDevice(path: "zero"), VisibleDevice(path: "full"),
                VisibleDevice(path: "random"), VisibleDevice(path: "urandom"), VisibleDevice(path: "tty"),
                VisibleDevice(path: "ptmx"), VisibleDevice(path: "pts/0"), VisibleDevice(path: "pts/1"),
                VisibleDevice(path: "pts/ptmx"), VisibleDevice(path: "fuse", mode: 0o666),
                VisibleDevice(path: "dri/card0", mode: 0o660, group: "video"),
                VisibleDevice(path: "dri/renderD128", mode: 0o660, group: "video"),
                VisibleDevice(path: "fd"), VisibleDevice(path: "stdin"), VisibleDevice(path: "stdout"),
                VisibleDevice(path: "stderr"),
            ])
        // The defaults are still there.
        #expect(rules.ruleset(4) == DevfsRules.defaults.ruleset(4))
    }

    /// DR5's example: a ruleset that only sets modes and groups.
    @Test func manPageExample() throws {
        let text = """
            [localrules=10]
            add path 'da*s*' mode 0660 group usb
            add path 'ulpt*' mode 0660 group usb
            """
        let rules = try DevfsRules.parse(text, path: "/etc/devfs.rules")
        #expect(
            rules.ruleset(10)?.rules == [
                DevfsRule(number: 100, pattern: "da*s*", mode: 0o660, group: "usb"),
                DevfsRule(number: 200, pattern: "ulpt*", mode: 0o660, group: "usb"),
            ])
        #expect(
            try rules.visible(["da0s1", "da0", "ulpt0", "null"], ruleset: 10) == [
                VisibleDevice(path: "da0s1", mode: 0o660, group: "usb"), VisibleDevice(path: "da0"),
                VisibleDevice(path: "ulpt0", mode: 0o660, group: "usb"), VisibleDevice(path: "null"),
            ])
    }

    /// FreeBSD's own /etc/defaults/devfs.rules, read over nothing, gives FreeBSD's rulesets:
    /// the reader takes the file FreeBSD ships.
    @Test func freeBSDDefaultsFile() throws {
        let pty = "pqrsPQRSlmnoLMNO".map { "add path 'pty\($0)*' unhide\n" }.joined()
        let tty = "pqrsPQRSlmnoLMNO".map { "add path 'tty\($0)*' unhide\n" }.joined()
        let text = """
            #
            # The following are some default rules for devfs(4) mounts.
            #
            [devfsrules_hide_all=1]
            add hide

            [devfsrules_unhide_basic=2]
            add path null unhide
            add path zero unhide
            add path crypto unhide
            add path random unhide
            add path urandom unhide

            [devfsrules_unhide_login=3]
            \(pty)\(tty)add path ptmx unhide
            add path pts unhide
            add path 'pts/*' unhide
            add path fd unhide
            add path 'fd/*' unhide
            add path stdin unhide
            add path stdout unhide
            add path stderr unhide

            # Devices usually found in a jail.
            #
            [devfsrules_jail=4]
            add include $devfsrules_hide_all
            add include $devfsrules_unhide_basic
            add include $devfsrules_unhide_login
            add path fuse unhide
            add path zfs unhide

            [devfsrules_jail_vnet=5]
            add include $devfsrules_hide_all
            add include $devfsrules_unhide_basic
            add include $devfsrules_unhide_login
            add include $devfsrules_jail
            add path pf unhide
            """
        let rules = try DevfsRules.parse(text, path: "/etc/defaults/devfs.rules", over: DevfsRules())
        #expect(rules.rulesets.map(\.number) == [1, 2, 3, 4, 5])
        #expect(rules.ruleset(3)?.rules.count == 40)
        #expect(try rules.resolve(4).count == 1 + 5 + 40 + 2)
        #expect(try rules.resolve(5).map(\.pattern).suffix(3) == ["fuse", "zfs", "pf"])
        // FreeBSD's ruleset 4 shows its zfs; ours does not.
        #expect(
            try visiblePaths(["zfs", "crypto", "ttyp0", "ttyS0", "sda"], 4, in: rules) == [
                "zfs", "crypto", "ttyp0", "ttyS0",
            ])
    }

    /// DR5: rulesets in /etc/devfs.rules replace those of the defaults with the same number;
    /// RCS runs `devfs rule -s N delset` at each header.
    @Test func headerReplacesRuleset() throws {
        let text = """
            [devfsrules_jail=4]
            add include $devfsrules_hide_all
            add path null unhide
            """
        let rules = try DevfsRules.parse(text, path: "/etc/devfs.rules")
        #expect(try visiblePaths(linuxDev, 4, in: rules) == ["null"])
        // Ruleset 5 includes ruleset 4 by number, so it takes the new one, whose hide_all
        // undoes what ruleset 5 unhid before it.
        #expect(try visiblePaths(linuxDev, 5, in: rules) == ["null", "net/tun"])

        // A second header with the same number starts it afresh again; names are aliases.
        let twice = try DevfsRules.parse("[a=10]\nadd path x hide\n[b=10]\nadd path y hide\n", path: "f")
        #expect(twice.ruleset(10)?.rules.map(\.description) == ["100 path y hide"])
        #expect(twice.ruleset(10)?.name == "b")
        #expect(twice.ruleset(named: "a") == 10 && twice.ruleset(named: "b") == 10)
        // A header for an empty ruleset defines it.
        #expect(try DevfsRules.parse("[empty=20]", path: "f").resolve(20) == [])
    }

    /// RCS: `read` strips blanks and backslashes, `case` skips `#` lines, expr reads the
    /// header, eval splits the rule (globbing off) and drops a `#` comment.
    @Test func shellReading() throws {
        let text = """
              # indented comment
            \t[devfsrules_vpn=11]   # text after the bracket is ignored
            add path \\'tun\\*\\' unhide
            add path "tap*" \\
                unhide
            add path ptyp* unhide # unquoted, since rc.subr turns globbing off
            add path a#b unhide
            add include ${devfsrules_hide_all}
            add include "$devfsrules_unhide_basic"
            add path 'it''s' hide
            add path cost$ hide
            """
        let rules = try DevfsRules.parse(text, path: "/etc/devfs.rules")
        #expect(rules.ruleset(named: "devfsrules_vpn") == 11)
        #expect(
            rules.ruleset(11)?.rules.map(\.description) == [
                "100 path tun* unhide", "200 path tap* unhide", "300 path ptyp* unhide", "400 path a#b unhide",
                "500 include 1", "600 include 2", "700 path its hide", "800 path cost$ hide",
            ])
    }

    @Test func lineContinuationKeepsTheFirstLineNumber() {
        let text = "[x=10]\nadd path a \\\n  frob\nadd path b unhide"
        #expect(
            rulesError(text)
                == #"/etc/devfs.rules:2: unknown argument "frob"; a rule is [number] [path pattern] [type t] then hide, unhide, mode m, user u, group g or include n"#
        )
    }

    /// RULE: a leading number is the rule's; others are numbered 100 past the last; rules
    /// run in number order.
    @Test func ruleNumbers() throws {
        let text = """
            [numbered=12]
            add 300 path c unhide
            add 100 path a unhide
            add path d unhide
            add 0 path e unhide
            add 150 path b hide
            """
        let rules = try DevfsRules.parse(text, path: "f")
        #expect(
            rules.ruleset(12)?.rules.map(\.description) == [
                "100 path a unhide", "150 path b hide", "300 path c unhide", "400 path d unhide", "500 path e unhide",
            ])
        #expect(
            rulesError("[x=12]\nadd 100 path a hide\nadd 100 path b hide")
                == "/etc/devfs.rules:3: rule 100 is already in ruleset 12; use another number or leave it out")
        #expect(
            rulesError("[x=12]\nadd 65500 path a hide\nadd path b hide")
                == "/etc/devfs.rules:3: no rule number is left after 65500 in ruleset 12; number the rules")
        #expect(
            rulesError("[x=12]\nadd 65536 path a hide")
                == "/etc/devfs.rules:2: rule number 65536 is out of range; use 1 to 65535")
    }

    @Test func conditionsAndActions() throws {
        let text = """
            [typed=13]
            add type disk hide
            add type tty type mem path 'x*' unhide
            add path 'pts/*' user 1001 group tty mode 620
            add path both hide unhide
            add path both2 unhide hide
            add 900
            """
        let rules = try DevfsRules.parse(text, path: "f")
        #expect(
            rules.ruleset(13)?.rules == [
                DevfsRule(number: 100, types: [.disk], action: .hide),
                DevfsRule(number: 200, pattern: "x*", types: [.tty, .mem], action: .unhide),
                DevfsRule(number: 300, pattern: "pts/*", mode: 0o620, user: "1001", group: "tty"),
                // With hide and unhide, devfs applies both, unhide last.
                DevfsRule(number: 400, pattern: "both", action: .unhide),
                DevfsRule(number: 500, pattern: "both2", action: .unhide),
                DevfsRule(number: 900),
            ])
    }

    @Test func headerErrors() {
        #expect(
            rulesError("add path null unhide")
                == "/etc/devfs.rules:1: rule outside a ruleset; start one with a [name=number] line")
        #expect(
            rulesError("[foo=]")
                == #"/etc/devfs.rules:1: ruleset header "[foo=]" has no number; write [name=number] with a number from 1 to 65535"#
        )
        #expect(
            rulesError("[foo]")
                == #"/etc/devfs.rules:1: ruleset header "[foo]" has no number; write [name=number] with a number from 1 to 65535"#
        )
        #expect(
            rulesError("[foo=12x]")
                == #"/etc/devfs.rules:1: ruleset header "[foo=12x]" has no number; write [name=number] with a number from 1 to 65535"#
        )
        #expect(
            rulesError("[=5]")
                == #"/etc/devfs.rules:1: "" is not a usable ruleset name; use letters, digits and _, not starting with a digit"#
        )
        #expect(
            rulesError("[my-rules=10]")
                == #"/etc/devfs.rules:1: "my-rules" is not a usable ruleset name; use letters, digits and _, not starting with a digit"#
        )
        #expect(
            rulesError("[foo=0]")
                == "/etc/devfs.rules:1: ruleset 0 is devfs's empty ruleset and cannot hold rules; use a number from 1 to 65535"
        )
        #expect(
            rulesError("[foo=65536]") == "/etc/devfs.rules:1: ruleset number 65536 is out of range; use 1 to 65535")
        #expect(failure { _ = try DevfsRules.parse("[foo=0]", path: "f") }?.kind == .ruleset)
        // A "[" line without "]" is a rule line, and not "add".
        #expect(
            rulesError("[x=1]\n[oops")
                == #"/etc/devfs.rules:2: unknown command "[oops"; devfs.rules holds only "add" rules"#)
    }

    @Test func ruleErrors() {
        func error(_ rule: String) -> String? {
            rulesError("# header\n[x=20]\n" + rule)
        }
        let usage = "a rule is [number] [path pattern] [type t] then hide, unhide, mode m, user u, group g or include n"
        #expect(error("del 100") == #"/etc/devfs.rules:3: unknown command "del"; devfs.rules holds only "add" rules"#)
        #expect(error("add") == #"/etc/devfs.rules:3: "add" needs a rule, as in "add path null unhide""#)
        #expect(error("add path") == #"/etc/devfs.rules:3: "path" needs an argument, as in "path 'pts/*'""#)
        #expect(error("add type") == #"/etc/devfs.rules:3: "type" needs an argument, as in "type disk""#)
        #expect(error("add path x mode") == #"/etc/devfs.rules:3: "mode" needs an argument, as in "mode 0660""#)
        #expect(error("add path x user") == #"/etc/devfs.rules:3: "user" needs an argument, as in "user root""#)
        #expect(
            error("add include")
                == #"/etc/devfs.rules:3: "include" needs an argument, as in "include $devfsrules_hide_all""#)
        #expect(
            error("add type cdrom hide")
                == #"/etc/devfs.rules:3: unknown device type "cdrom"; use disk, mem, tape or tty"#)
        #expect(error("add path x frob") == "/etc/devfs.rules:3: unknown argument \"frob\"; \(usage)")
        #expect(error("add major 53 group games") == "/etc/devfs.rules:3: unknown argument \"major\"; \(usage)")
        #expect(
            error("add hide path x")
                == #"/etc/devfs.rules:3: "path" must come before the actions (hide, unhide, mode, user, group, include)"#
        )
        #expect(
            error("add path x mode u=rw")
                == #"/etc/devfs.rules:3: invalid mode "u=rw"; give an octal mode from 0 to 7777, as in 0660"#)
        #expect(
            error("add path x mode 0680")
                == #"/etc/devfs.rules:3: invalid mode "0680"; give an octal mode from 0 to 7777, as in 0660"#)
        #expect(
            error("add include jail")
                == #"/etc/devfs.rules:3: include "jail" is not a ruleset number; give a number or $name"#)
        #expect(
            error("add include 9")
                == "/etc/devfs.rules:3: include of ruleset 9, which is not defined; define it above this line (defined: 1, 2, 3, 4, 5, 20)"
        )
        #expect(
            error("add include 0")
                == "/etc/devfs.rules:3: include of ruleset 0, which is not defined; define it above this line (defined: 1, 2, 3, 4, 5, 20)"
        )
        #expect(
            error("add include $devfsrules_jail_bpf")
                == #"/etc/devfs.rules:3: undefined ruleset name "$devfsrules_jail_bpf"; define [devfsrules_jail_bpf=number] before this line"#
        )
        #expect(
            error("add path x include 1")
                == "/etc/devfs.rules:3: an include cannot carry a path or type condition here; put the condition on the included rules"
        )
        #expect(failure { _ = try DevfsRules.parse("[x=20]\nadd path x include 1", path: "f") }?.kind == .unsupported)
    }

    @Test func shellErrors() {
        func error(_ rule: String) -> String? {
            rulesError("[x=20]\n" + rule)
        }
        #expect(
            error("add path 'pts/* unhide") == "/etc/devfs.rules:2: unterminated ' quote; close it on the same line")
        #expect(
            error("add path \"pts/* unhide") == "/etc/devfs.rules:2: unterminated \" quote; close it on the same line")
        #expect(
            error("add path x unhide; reboot")
                == #"/etc/devfs.rules:2: shell operator ";" cannot stand in a rule; quote it or remove it"#)
        #expect(
            error("add path x unhide | tee")
                == #"/etc/devfs.rules:2: shell operator "|" cannot stand in a rule; quote it or remove it"#)
        #expect(
            error("add include `echo 1`")
                == "/etc/devfs.rules:2: command substitution cannot stand in a rule; remove the backquote")
        #expect(
            error("add include $(echo 1)")
                == "/etc/devfs.rules:2: command substitution cannot stand in a rule; remove the $(...)")
        #expect(
            error("add include $1")
                == #"/etc/devfs.rules:2: shell parameter "$1" cannot stand in a rule; name a ruleset"#)
        #expect(error("add include ${x") == "/etc/devfs.rules:2: unterminated ${ in a rule; close it with }")
        #expect(
            error("add include ${x-1}")
                == #"/etc/devfs.rules:2: "${x-1}" is not a ruleset name; write ${name} or $name"#)
        // A quoted operator is an ordinary character.
        #expect(error("add path 'a;b' unhide") == nil)
    }

    /// The kernel's depth limit keeps cycles harmless on FreeBSD; here they are refused
    /// where the include that closes one is added.
    @Test func includeCycles() {
        let text = """
            [a=10]
            add path x hide
            [b=11]
            add include $a
            [a=10]
            add include $b
            """
        #expect(
            rulesError(text)
                == "/etc/devfs.rules:6: including ruleset 11 in ruleset 10 makes a cycle: 10 -> 11 -> 10; remove one of the includes"
        )
        #expect(
            rulesError("[self=10]\nadd path x hide\nadd include $self")
                == "/etc/devfs.rules:3: including ruleset 10 in ruleset 10 makes a cycle: 10 -> 10; remove one of the includes"
        )
        #expect(failure { _ = try DevfsRules.parse(text, path: "f") }?.kind == .ruleset)
    }

    @Test func windowsLineEndingsAndEmptyText() throws {
        let rules = try DevfsRules.parse("[x=30]\r\nadd path a unhide\r\n\r\nadd path b unhide\r\n", path: "f")
        #expect(rules.ruleset(30)?.rules.count == 2)
        #expect(try DevfsRules.parse("", path: "f") == .defaults)
        #expect(try DevfsRules.parse("# only comments\n\n", path: "f") == .defaults)
    }
}
