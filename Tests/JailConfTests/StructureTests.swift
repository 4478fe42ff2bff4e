import Testing

@testable import JailConf

/// Definitions, global parameters, wildcards, nesting and the order statements apply in.
@Suite struct StructureTests {
    @Test func laterStatementsOverrideEarlierOnes() throws {
        // JC5 "Wildcards": "Later definitions in the configuration file supersede earlier ones,
        // so a wildcard section placed before (above) a jail definition defines parameters that
        // could be changed on a per-jail basis. Or a wildcard section placed after (below) all
        // jails would contain parameters that always apply to every jail."
        let text = """
            * { allow.raw_sockets; stop.timeout = 5; path = /default; persist; }
            a { allow.noraw_sockets; stop.timeout = 30; }
            b { path = /b; }
            * { stop.timeout = 60; }
            """
        let a = try jail("a", in: text)
        #expect(a.bool("allow.raw_sockets") == false)
        #expect(a.int("stop.timeout") == 60)
        #expect(a.string("path") == "/default")
        let b = try jail("b", in: text)
        #expect(b.bool("allow.raw_sockets") == true)
        #expect(b.int("stop.timeout") == 60)
        #expect(b.string("path") == "/b")
    }

    @Test func globalStatementsFormOnePseudoJail() throws {
        // JP (2025): statements outside braces go to one global pseudo-jail `*`, created where
        // the first such statement appears; a jail's own statements override them unless the
        // pseudo-jail comes after the jail (as in the FreeBSD test commands.jail.conf).
        let text = """
            persist;
            a { stop.timeout = 1; }
            stop.timeout = 2;
            """
        #expect(try jail("a", in: text).int("stop.timeout") == 1)
        let after = "a { stop.timeout = 1; persist; }\nstop.timeout = 2;"
        #expect(try jail("a", in: after).int("stop.timeout") == 2)
    }

    @Test func partialWildcards() throws {
        // JC5: "a definition with a name of "foo.*" would apply to jails with names like
        // "foo.bar" and "foo.bar.baz"" (CC wild_jail_match); not to "foo" itself.
        #expect(Wildcards.matches("foo.bar", pattern: "foo.*"))
        #expect(Wildcards.matches("foo.bar.baz", pattern: "foo.*"))
        #expect(!Wildcards.matches("foo", pattern: "foo.*"))
        #expect(!Wildcards.matches("food.bar", pattern: "foo.*"))
        #expect(Wildcards.matches("anything.at.all", pattern: "*"))
        // A non-final `*` matches exactly one component.
        #expect(Wildcards.matches("a.x.c", pattern: "a.*.c"))
        #expect(!Wildcards.matches("a.x.y.c", pattern: "a.*.c"))
        #expect(Wildcards.isWildcard("foo.*") && Wildcards.isWildcard("*") && !Wildcards.isWildcard("a*b"))
        let text = """
            "foo.*" { $tier = web; }
            foo.bar { host.hostname = "$tier"; }
            foo { persist; }
            """
        #expect(try exhibit(text) == "name=foo.bar|host.hostname=web\nname=foo|persist\n")
    }

    @Test func nestedDefinitionsAreHierarchicalNames() throws {
        // JP (2025): "A nested jail definition becomes a hierarchically-named sub-jail", and
        // statements after the inner block still belong to the outer one.
        let text = """
            foo {
                persist;
                bar { host.hostname = inner; baz { persist; } }
                path = /foo;
            }
            """
        let file = try conf(text)
        #expect(file.jailNames == ["foo", "foo.bar", "foo.bar.baz"])
        #expect(
            try file.formatE(separator: " ")
                == "name=foo persist path=/foo\nname=foo.bar host.hostname=inner\nname=foo.bar.baz persist\n")
        let foo = try file.resolve(["foo"], overrides: [], forRemoval: false)
        #expect(foo.map(\.name) == ["foo"])
    }

    @Test func childJailsAreRefusedClearly() throws {
        // J8 "Hierarchical Jails": a child jail needs children.max in its parent; that is later
        // work, so both ways of asking are refused with a message that says so.
        let error = failure { _ = try jail("foo.bar", in: "foo { persist; bar { persist; } }") }
        #expect(error?.kind == .refused)
        #expect(
            error?.message
                == #""foo.bar" would be a child jail of "foo": child jails are later work (they need children.max > 0 in the parent)"#
        )
        let children = failure { _ = try jail("foo", in: "foo { persist; children.max = 2; }") }
        #expect(
            children?.message
                == "children.max = 2: refused: child jails are later work; only children.max = 0 is supported")
        #expect(try jail("foo", in: "foo { persist; children.max = 0; }").int("children.max") == 0)
    }

    @Test func jidNamedJails() throws {
        // CC load_config: a label strtol reads as a nonzero number implies `jid`, and the name
        // is filled in afterwards unless set ("We only backfill if it's the name that wasn't set").
        let text = "5309 { name = basejail; persist; }\n7 { persist; }\n0 { persist; }"
        let file = try conf(text)
        #expect(try file.formatE(separator: ",") == "name=basejail,persist\npersist,name=7\nname=0,persist\n")
        let seven = try file.resolve(["7"], overrides: [], forRemoval: false)[0]
        #expect(seven.jid == 7 && seven.name == "7")
        // "0" is not a jid (strtol gives 0), so it is a name, and a numeric name that is not
        // the jid is refused by the kernel ("name cannot be numeric").
        let zero = failure { _ = try file.resolve(["0"], overrides: [], forRemoval: false) }
        #expect(zero?.message == #"name: "0" cannot be numeric unless it is the jid"#)
    }

    @Test func nameAndJidCannotBeRedefined() {
        // CC: name and jid are PF_IMMUTABLE: "cannot redefine parameter".
        #expect(
            failure { _ = try jail("foo", in: "foo { name = bar; }") }?.message == #"cannot redefine parameter "name""#)
        #expect(
            failure { _ = try jail("1", in: "1 { jid = 2; }") }?.message == #"cannot redefine parameter "jid""#)
        #expect(
            failure { _ = try jail("foo", in: "* { name = x; } foo { persist; }") }?.message
                == #"cannot redefine parameter "name""#)
    }

    @Test func nameValueForm() throws {
        // JP: `param : name value` is accepted for any parameter.
        let jail = try jail("j", in: "j { path /jails/j; host.hostname j.example; persist; }")
        #expect(jail.string("path") == "/jails/j")
        #expect(jail.string("host.hostname") == "j.example")
    }

    @Test func emptyStatementsAreAllowed() throws {
        // JP: `conf ';'` — a stray semicolon is an empty statement.
        #expect(try jail("j", in: ";; j { ;persist;; } ;").bool("persist") == true)
    }

    @Test func quotedNames() throws {
        // JP: a jail name and a parameter name are STR tokens, which may be quoted.
        let jail = try jail("my jail", in: #""my jail" { "persist"; 'host.hostname' = x; }"#)
        #expect(jail.name == "my jail")
        #expect(jail.bool("persist") == true)
    }

    @Test func noPrefixOnTheLastComponent() throws {
        // FJ §1.2: `no` goes before the last dotted component.
        let jail = try jail(
            "j", in: "j { persist; nopersist; persist; ip4.nosaddrsel; mount.noprocfs; allow.mount.nodevfs; }")
        #expect(jail.bool("persist") == true)
        #expect(jail.bool("ip4.saddrsel") == false)
        #expect(jail.bool("mount.procfs") == false)
        #expect(jail.bool("allow.mount.devfs") == false)
        #expect(jail.entries.map(\.name) == ["name", "persist", "ip4.saddrsel", "mount.procfs", "allow.mount.devfs"])
    }

    @Test func allJailsAndWildcardSelection() throws {
        // J8: no jail argument means every configured jail; "*" operates on all jails, and a
        // partial wildcard such as "web.*" on the matching hierarchical ones (ST start_state),
        // all of them marked as selected by wildcard.
        let plain = try conf("* { persist; } a {} b {}")
        #expect(try plain.resolve([], overrides: [], forRemoval: false).map(\.name) == ["a", "b"])
        let star = try plain.resolve(["*"], overrides: [], forRemoval: false)
        #expect(star.map(\.name) == ["a", "b"])
        #expect(star.allSatisfy { $0.implicitlySelected })
        let named = try plain.resolve(["b"], overrides: [], forRemoval: false)
        #expect(named.map(\.name) == ["b"] && !named[0].implicitlySelected)

        let file = try conf("* { persist; } a {} web.a {} web.b {}")
        let web = failure { _ = try file.resolve(["web.*"], overrides: [], forRemoval: false) }
        #expect(web?.jail == "web.a" && web?.kind == .refused)
        // Removal does not refuse what creation would: there is nothing to create.
        let removed = try file.resolve(["web.*"], overrides: [], forRemoval: true)
        #expect(removed.map(\.name) == ["web.b", "web.a"])
        #expect(try file.formatE(separator: " ").split(separator: "\n").count == 3)
    }

    @Test func duplicateDefinitionsAreRefused() {
        // FreeBSD would keep both and create one of them twice; say so instead.
        let error = failure { _ = try conf("a { persist; }\na { path = /; }") }
        #expect(
            error?.description
                == #"/test/jail.conf line 2 column 1: jail "a" is already defined at /test/jail.conf line 1 column 1"#)
        #expect(failure { _ = try conf("a { b {} } a.b {}") }?.kind == .duplicateJail)
    }

    @Test func unknownJail() {
        let error = failure { _ = try conf("a { persist; }").resolve(["b"], overrides: [], forRemoval: true) }
        #expect(error?.kind == .jailNotFound)
        #expect(error?.description == #""b" not found"#)
    }

    @Test func deepNestingIsBounded() {
        let deep = String(repeating: "a {", count: 100) + String(repeating: "}", count: 100)
        #expect(failure { _ = try conf(deep) }?.message == "jail definitions nested too deeply")
    }
}
