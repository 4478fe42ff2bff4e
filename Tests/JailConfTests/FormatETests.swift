import Testing

@testable import JailConf

/// `jail -e separator` (JC show_jails, print_jail, print_param, quoted_print).
@Suite struct FormatETests {
    @Test func quotedPrintRules() {
        // JC quoted_print: `""` for empty; double quotes around a value with a single quote;
        // single quotes around one with a double quote; double quotes around one with a space
        // or tab; a backslash and the chosen quote are escaped with a backslash.
        #expect(JailConfFile.quotedPrint("") == #""""#)
        #expect(JailConfFile.quotedPrint("plain") == "plain")
        #expect(JailConfFile.quotedPrint("two words") == #""two words""#)
        #expect(JailConfFile.quotedPrint("tab\there") == "\"tab\there\"")
        #expect(JailConfFile.quotedPrint("it's") == #""it's""#)
        #expect(JailConfFile.quotedPrint(#"say "hi""#) == #"'say "hi"'"#)
        #expect(JailConfFile.quotedPrint(#"both ' and ""#) == #""both ' and \"""#)
        #expect(JailConfFile.quotedPrint(#"C:\dir"#) == #"C:\\dir"#)
    }

    @Test func parametersWithoutValuesPrintAlone() throws {
        // JC print_param: the name, then `=` and values only if there are values; lists joined
        // by commas; `jid` omitted (print_jail skips it when not running).
        let text = "5 { name = five; persist; mount.nodevfs; ip4.addr = 10.0.0.1, 10.0.0.2; exec.start = 'a b', c; }"
        #expect(
            try exhibit(text, separator: " ")
                == "name=five persist mount.nodevfs ip4.addr=10.0.0.1,10.0.0.2 exec.start=\"a b\",c\n")
    }

    @Test func separatorIsAnyString() throws {
        #expect(try exhibit("a { persist; path = /; }", separator: "\t") == "name=a\tpersist\tpath=/\n")
        #expect(try exhibit("a { persist; path = /; }", separator: ", ") == "name=a, persist, path=/\n")
    }

    @Test func onlyNonWildcardJailsAndNoVariables() throws {
        // J8 -e: "Exhibit a list of all configured non-wildcard jails and their parameters";
        // CC frees variables once substituted, so they are not printed.
        let text = "$v = 1; * { persist; } a { exec.start = \"echo $v\"; } b.* { persist; }"
        #expect(try exhibit(text) == "name=a|persist|exec.start=\"echo 1\"\n")
    }

    @Test func exhibitDoesNotValidate() throws {
        // FreeBSD's -e only loads the file (JC: `load_config(); show_jails();`), so unknown and
        // refused parameters print as written; creating the jail would refuse them.
        let text = "a { alow.mount; allow.mount; securelevel = 3; }"
        #expect(try exhibit(text) == "name=a|alow.mount|allow.mount|securelevel=3\n")
        #expect(failure { _ = try jail("a", in: text) }?.kind == .unknownParameter)
    }

    @Test func exhibitStillReportsBrokenVariables() {
        #expect(failure { _ = try exhibit("a { path = $nope; }") }?.kind == .variable)
    }
}
