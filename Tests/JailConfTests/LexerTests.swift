import Testing

@testable import JailConf

/// The lexer, rule by rule against jaillex.l (JL).
@Suite struct LexerTests {
    @Test func unquotedTokenClass() throws {
        // JL: [A-Za-z0-9_!%&()\-.:<>?@\[\]^`|~]+ is one token; `/` is a token of its own, and
        // touching tokens join into one string.
        #expect(try tokens("path = /var/jail/a-b_c.d:e@f[1]~^;") == ["path", "=", "/var/jail/a-b_c.d:e@f[1]~^", ";"])
        #expect(try tokens("ip4.addr=em0|10.0.0.1/24;") == ["ip4.addr", "=", "em0|10.0.0.1/24", ";"])
    }

    @Test func specialCharactersEndTokens() throws {
        // JL: whitespace, `;`, `,`, `=`, `{`, `}` and comments end a token.
        #expect(try tokens("a=b,c;d{e}") == ["a", "=", "b", ",", "c", ";", "d", "{", "e", "}"])
    }

    @Test func plusIsPartOfAStringUnlessFollowedByEquals() throws {
        // JL: `+=` (PLEQ) is a longer match than the one-character `+` token.
        #expect(try tokens("a+b += c+") == ["a+b", "+=", "c+"])
        #expect(try tokens("x+=1") == ["x", "+=", "1"])
    }

    @Test func starIsAToken() throws {
        // JL: `*` is a one-character string token, so `* {` opens a wildcard definition.
        #expect(try tokens("* { }") == ["*", "{", "}"])
        #expect(try tokens("foo.* { }") == ["foo.*", "{", "}"])
    }

    @Test func adjacentPiecesJoin() throws {
        // JL/JP: STR followed by STR1 pieces (no whitespace between) are one string.
        #expect(try tokens(#"exec.start = "/bin/sh "/etc/rc;"#) == ["exec.start", "=", "/bin/sh /etc/rc", ";"])
        #expect(try tokens(#"a = 'x'"y"z;"#) == ["a", "=", "xyz", ";"])
    }

    @Test func commentsOfThreeKinds() throws {
        // JC5 "Comments": C, C++ and shell comments wherever whitespace may be.
        let text = """
            /* This is a C style comment.
             * It may span multiple lines.
             */
            a = 1; // This is a C++ style comment.
            #  This is a shell style comment.
            b/* inline */= 2;
            """
        #expect(try tokens(text) == ["a", "=", "1", ";", "b", "=", "2", ";"])
    }

    @Test func commentsEndUnquotedTokens() throws {
        // JL: `#` is not in the token class and `//` is a comment, so both end a token:
        // an unquoted path with `//` is cut there (quote such values, as JC5 advises).
        #expect(try tokens("path = /a#comment\n;") == ["path", "=", "/a", ";"])
        #expect(try tokens("path = /a//b\n;") == ["path", "=", "/a", ";"])
    }

    @Test func singleQuotesDoNotSubstitute() throws {
        // JC5: "Variable substitution occurs in unquoted tokens or in double-quoted strings,
        // but not in single-quote strings."
        #expect(try tokens("a = '$x ${y}';") == ["a", "=", "$x ${y}", ";"])
        #expect(try tokens("a = \"$x ${y.z}\";") == ["a", "=", "${x} ${y.z}", ";"])
        #expect(try tokens("a = $x${y}z;") == ["a", "=", "${x}${y}z", ";"])
    }

    @Test func dollarWithoutANameIsLiteral() throws {
        // JL: `$` not followed by a name or `{` is the one-character `$` token.
        #expect(try tokens("a = \"cost $5\";") == ["a", "=", "cost $5", ";"])
        #expect(try tokens("a = $;") == ["a", "=", "$", ";"])
        #expect(try tokens("a = \"\\$x\";") == ["a", "=", "$x", ";"])
    }

    @Test func escapes() throws {
        // JL text2lval: \a \b \f \n \r \t \v, up to three octal digits, \x and up to two hex
        // digits, and any other character stands for itself.
        let text = #"a = "\a\b\f\n\r\t\v|\101\x41\x4a|\"\\\q\'";"#
        #expect(try tokens(text) == ["a", "=", "\u{7}\u{8}\u{C}\n\r\t\u{B}|AAJ|\"\\q'", ";"])
        // The same escapes work unquoted.
        #expect(try tokens(#"a = x\ y\101;"#) == ["a", "=", "x yA", ";"])
    }

    @Test func octalAndHexTakeAtMostTheirDigits() throws {
        // JL: [0-7]{1,3} and x[0-9A-Fa-f]{1,2}.
        #expect(try tokens(#"a = "\1011\x414";"#) == ["a", "=", "A1A4", ";"])
    }

    @Test func backslashNewlineJoinsLines() throws {
        // JC5: "A backslash at the end of a line will ignore the subsequent newline and
        // continue the string at the start of the next line."
        #expect(try tokens("a = \"one \\\ntwo\";") == ["a", "=", "one two", ";"])
        #expect(try tokens("a = one\\\ntwo;") == ["a", "=", "onetwo", ";"])
        #expect(try tokens("a = 'one\\\ntwo';") == ["a", "=", "onetwo", ";"])
    }

    @Test func quotedStringsMaySpanLines() throws {
        // JL: the quoted-string patterns accept newlines inside the quotes.
        #expect(try tokens("a = \"one\ntwo\";") == ["a", "=", "one\ntwo", ";"])
    }

    @Test func bracedVariableNamesMayHaveDots() throws {
        // FJ §1.3: `${...}` may contain dots, as in `${host.hostname}`.
        #expect(try tokens("a = ${host.hostname}.example;") == ["a", "=", "${host.hostname}.example", ";"])
        // `$name` stops at the first character that is not [A-Za-z_0-9].
        #expect(try tokens("a = $name.example;") == ["a", "=", "${name}.example", ";"])
    }

    @Test func unterminatedString() {
        // JL: "unterminated string".
        let error = failure { _ = try tokens("a = \"abc;\nb = 1;") }
        #expect(error?.description == "t line 1 column 5: unterminated string")
        #expect(failure { _ = try tokens("a = 'abc") }?.message == "unterminated string")
        #expect(failure { _ = try tokens("a = \"abc\\") }?.message == "unterminated string")
    }

    @Test func unterminatedVariable() {
        // JL: "unterminated variable".
        #expect(failure { _ = try tokens("a = ${abc;\n") }?.description == "t line 1 column 5: unterminated variable")
        #expect(failure { _ = try tokens("a = \"${abc\";") }?.message == "unterminated variable")
        #expect(failure { _ = try tokens("a = ${a{b};") }?.message == "unterminated variable")
    }

    @Test func unterminatedComment() {
        // JL: "unterminated comment".
        #expect(
            failure { _ = try tokens("a = 1;\n  /* no end") }?.description == "t line 2 column 3: unterminated comment")
    }

    @Test func unexpectedCharacter() {
        // JL: any other character is returned as itself and is a syntax error.
        #expect(failure { _ = try tokens("a = \u{7};") }?.message == "unexpected character 0x07")
        // Columns count characters, not bytes.
        #expect(failure { _ = try tokens("x = \"é\" é;") }?.location?.column == 9)
    }

    @Test func nulAndInvalidUTF8AreRefused() {
        // A NUL would silently cut a C string short (JL text2lval writes it and strlen stops
        // there); refusing it keeps the value handed to the kernel the value written.
        #expect(throws: ConfError.self) { _ = try jail("j", in: #"j { path = "/a\0b"; persist; }"#) }
        #expect(throws: ConfError.self) { _ = try jail("j", in: #"j { path = "/a\xffb"; persist; }"#) }
        // `\x` without hex digits is a NUL in FreeBSD (text2lval), so it is refused too.
        #expect(throws: ConfError.self) { _ = try jail("j", in: #"j { path = "/a\xzb"; persist; }"#) }
    }

    @Test func locationsTrackLinesAndColumns() throws {
        var lexer = Lexer("a\n  bc = \"x\ny\" d;", file: "f")
        #expect(try lexer.next().location == SourceLocation(file: "f", line: 1, column: 1))
        #expect(try lexer.next().location == SourceLocation(file: "f", line: 2, column: 3))
        #expect(try lexer.next().location == SourceLocation(file: "f", line: 2, column: 6))
        #expect(try lexer.next().location == SourceLocation(file: "f", line: 2, column: 8))
        #expect(try lexer.next().location == SourceLocation(file: "f", line: 3, column: 4))
    }
}
