import Testing

@testable import JailConf

/// Every error is one line: file, line, column, jail, message (FreeBSD's `%s line %d: %s`,
/// with the column and jail added). The CLI prefixes `jail: `.
@Suite struct ErrorTests {
    @Test func syntaxErrors() {
        let cases: [(String, String)] = [
            (
                "a { persist }",
                #"/test/jail.conf line 1 column 13: expected "=", "+=", a value or ";" after "persist", found "}""#
            ),
            ("a { path = ; }", #"/test/jail.conf line 1 column 12: expected a value after "=", found ";""#),
            ("a { path = /a, ; }", #"/test/jail.conf line 1 column 16: expected a value, found ";""#),
            ("a { persist; ", #"/test/jail.conf line 1 column 14: unexpected end of file: missing "}""#),
            ("}", #"/test/jail.conf line 1 column 1: unexpected "}""#),
            ("= 1;", #"/test/jail.conf line 1 column 1: unexpected "=""#),
            ("a { b = 1 2; }", #"/test/jail.conf line 1 column 11: expected ";" or "," after a value, found "2""#),
            ("a\"b\" = 1;", "/test/jail.conf line 1 column 1: a parameter name must be a single word"),
            ("\"$x\" = 1;", "/test/jail.conf line 1 column 1: variables not permitted in a parameter name"),
            ("$x { }", "/test/jail.conf line 1 column 1: variables not permitted in a jail name"),
            ("'' { }", "/test/jail.conf line 1 column 1: empty jail name"),
            ("'' = 1;", "/test/jail.conf line 1 column 1: empty parameter name"),
            ("a { b = 1; } {", #"/test/jail.conf line 1 column 14: unexpected "{""#),
        ]
        for (text, message) in cases {
            let error = failure { _ = try conf(text) }
            #expect(error?.description == message, "\(text)")
            #expect(error?.kind == .syntax || error?.kind == .include, "\(text)")
        }
    }

    @Test func errorsCarryFileLineColumnAndJail() {
        let error = failure {
            _ = try jail("www", in: "# comment\n\nwww {\n\tpersist;\n\tchildren.max = many;\n}")
        }
        #expect(error?.location == SourceLocation(file: "/test/jail.conf", line: 5, column: 17))
        #expect(error?.jail == "www")
        #expect(error?.description == #"/test/jail.conf line 5 column 17: www: children.max: non-integer value "many""#)
    }

    @Test func errorsInWildcardsNameTheJail() {
        // A wildcard's statement is reported where it is written, for the jail it broke.
        let error = failure { _ = try jail("db", in: "* {\n  stop.timeout = soon;\n}\ndb { persist; }") }
        #expect(error?.description == #"/test/jail.conf line 2 column 18: db: stop.timeout: non-integer value "soon""#)
    }

    @Test func errorsInIncludedFilesNameThatFile() {
        let files = ["/test/web.conf": "web {\n  persist;\n  exec.start = \"oops;\n}"]
        let error = failure { _ = try conf(#".include "web.conf";"#, files: files) }
        #expect(error?.description == "/test/web.conf line 3 column 16: unterminated string")
    }

    @Test func theLastValueIsTheOneChecked() {
        // CC check_intparams looks at TAILQ_LAST: earlier values of a scalar do not matter,
        // and the error points at the value that counts.
        let error = failure { _ = try jail("j", in: "j { persist; stop.timeout = 1, bad; }") }
        #expect(error?.location?.column == 32)
        #expect(failure { _ = try jail("j", in: "j { persist; stop.timeout = bad, 1; }") } == nil)
    }

    @Test func everyKindIsReachable() {
        let kinds: [(ConfError.Kind, () throws -> Void)] = [
            (.syntax, { _ = try conf("a {") }),
            (.include, { _ = try conf(#".include "/missing.conf";"#) }),
            (.variable, { _ = try jail("a", in: "a { path = $x; }") }),
            (.unknownParameter, { _ = try jail("a", in: "a { persist; pesist; }") }),
            (.invalidValue, { _ = try jail("a", in: "a { persist = maybe; }") }),
            (.refused, { _ = try jail("a", in: "a { persist; allow.mount; }") }),
            (.dependency, { _ = try jail("a", in: "a { persist; depend = a; }") }),
            (.duplicateJail, { _ = try conf("a {} a {}") }),
            (.jailNotFound, { _ = try conf("a {}").resolve(["b"], overrides: [], forRemoval: false) }),
            (.unreadableFile, { _ = try JailConfFile(path: "/x", fs: InMemoryFileSystem([:])) }),
        ]
        for (kind, body) in kinds {
            #expect(failure(body)?.kind == kind, "\(kind)")
        }
    }

    @Test func messagesAreOneLine() {
        let error = failure { _ = try jail("j", in: "j { persist; host.hostname = \"a\nb\"; }") }
        #expect(error != nil)
        // Control characters in a quoted value are escaped, so the message stays one line.
        #expect(
            error?.description
                == #"/test/jail.conf line 1 column 30: j: host.hostname: "a\nb" is not a valid host name (letters, digits, "-", "." and "_", at most 64 bytes)"#
        )
    }
}
