import Testing

@testable import Rctl

/// `/etc/rctl.conf` as RCD reads it: `while read var comments; case ${var} in \#*|'') ;; *) rctl -a "${var}"`.
@Suite struct RulesFileTests {
    @Test func rulesCommentsAndBlankLines() throws {
        let text = """
            # /etc/rctl.conf
            jail:classic:memoryuse:deny=2G/jail

              jail:classic:maxproc:deny=100\t# leading blanks are skipped
            #jail:classic:pcpu:deny=50
            \t# an indented comment
            jail:www:openfiles:deny=1024 anything after the rule is ignored, as read puts it in $comments
            """
        #expect(
            try RulesFile.parse(text, path: "/etc/rctl.conf") == [
                Rule(id: "classic", resource: .memoryuse, action: .deny, amount: 2 << 30),
                Rule(id: "classic", resource: .maxproc, action: .deny, amount: 100),
                Rule(id: "www", resource: .openfiles, action: .deny, amount: 1024),
            ])
        #expect(try RulesFile.parse("", path: "/etc/rctl.conf").isEmpty)
        #expect(try RulesFile.parse("\n\n# nothing\n", path: "/etc/rctl.conf").isEmpty)
    }

    @Test func windowsLineEndingsCountAsOneLine() throws {
        let text = "jail:a:maxproc:deny=1\r\n\r\njail:b:maxproc:deny=2\r\njail:c:memuse:deny=1\r\n"
        #expect(
            failure { _ = try RulesFile.parse(text, path: "r.conf") }?.description
                == #"r.conf:4: unknown resource "memuse"; did you mean "memoryuse"?"#)
        #expect(try RulesFile.parse("jail:a:maxproc:deny=1\r\n", path: "r.conf").count == 1)
    }

    @Test func errorsNameFileAndLine() {
        let text = """
            # limits
            jail:www:memoryuse:deny=1g

            jail:www:maxproc:deny=ten
            """
        let error = failure { _ = try RulesFile.parse(text, path: "/etc/rctl.conf") }
        #expect(
            error?.description
                == #"/etc/rctl.conf:4: invalid numeric value "ten"; use a number with an optional k, m, g, t, p or e suffix"#
        )
        #expect(error?.file == "/etc/rctl.conf")
        #expect(error?.line == 4)
        #expect(error?.kind == .invalidAmount)
        #expect(
            failure { _ = try RulesFile.parse("jail:www", path: "/etc/rctl.conf") }?.description
                == #"/etc/rctl.conf:1: malformed rule "jail:www": missing resource; rules are subject:subject-id:resource:action=amount[/per]"#
        )
        // A rule with a "#" inside is not a comment: rctl -a gets it whole and refuses it.
        #expect(
            failure { _ = try RulesFile.parse("jail:www:maxproc:deny=10#max", path: "f") }?.description
                == #"f:1: invalid numeric value "10#max"; use a number with an optional k, m, g, t, p or e suffix"#)
    }
}
