import Testing

@testable import JailMounts

/// fnmatch(pattern, name, FNM_PATHNAME), as FNM and KDR use it.
@Suite struct FnmatchTests {
    @Test func literals() {
        #expect(Fnmatch.matches("null", "null"))
        #expect(!Fnmatch.matches("null", "nul"))
        #expect(!Fnmatch.matches("null", "nulls"))
        #expect(Fnmatch.matches("", ""))
        #expect(!Fnmatch.matches("", "a"))
        #expect(Fnmatch.matches("pts/0", "pts/0"))
    }

    @Test func starStopsAtSlash() {
        #expect(Fnmatch.matches("pts/*", "pts/0"))
        #expect(Fnmatch.matches("pts/*", "pts/"))
        #expect(!Fnmatch.matches("pts/*", "pts"))
        #expect(!Fnmatch.matches("*", "pts/0"))
        #expect(Fnmatch.matches("*", "pts"))
        #expect(Fnmatch.matches("*", ""))
        #expect(Fnmatch.matches("tty*", "ttyS0"))
        #expect(!Fnmatch.matches("tty*", "pts/tty"))
        #expect(Fnmatch.matches("*/*", "dri/card0"))
        #expect(!Fnmatch.matches("*/*", "bus/usb/001"))
        #expect(Fnmatch.matches("*/*/*/*", "bus/usb/001/001"))
        #expect(Fnmatch.matches("da*s*", "da0s1"))
        #expect(Fnmatch.matches("da*s*", "das"))
        #expect(!Fnmatch.matches("da*s*", "da0p1"))
        #expect(Fnmatch.matches("*0", "loop0"))
        #expect(!Fnmatch.matches("*0", "dir/loop0"))
        #expect(Fnmatch.matches("**", "abc"))
        #expect(Fnmatch.matches("a**b", "axxb"))
        // A star before a slash takes the whole first component.
        #expect(Fnmatch.matches("*/card0", "dri/card0"))
        #expect(!Fnmatch.matches("*/card0", "dri/card1"))
        #expect(!Fnmatch.matches("*/card0", "card0"))
    }

    @Test func questionMark() {
        #expect(Fnmatch.matches("tty?", "tty0"))
        #expect(!Fnmatch.matches("tty?", "tty"))
        #expect(!Fnmatch.matches("tty?", "tty10"))
        #expect(!Fnmatch.matches("pts?0", "pts/0"))
    }

    @Test func brackets() {
        #expect(Fnmatch.matches("sd[a-c]", "sdb"))
        #expect(!Fnmatch.matches("sd[a-c]", "sdd"))
        #expect(Fnmatch.matches("sd[!a-c]", "sdd"))
        #expect(Fnmatch.matches("sd[^a-c]", "sdd"))
        #expect(!Fnmatch.matches("sd[^a-c]", "sda"))
        #expect(Fnmatch.matches("tty[0-9]", "tty5"))
        #expect(Fnmatch.matches("x[]]", "x]"))
        #expect(Fnmatch.matches("x[!]]", "xa"))
        #expect(!Fnmatch.matches("x[!]]", "x]"))
        #expect(Fnmatch.matches("x[a-]", "x-"))
        #expect(Fnmatch.matches(#"x[\]]"#, "x]"))
        #expect(Fnmatch.matches("x[ab]y", "xby"))
        // "/" never matches a bracket expression.
        #expect(!Fnmatch.matches("pts[/]0", "pts/0"))
        #expect(!Fnmatch.matches("pts[!a]0", "pts/0"))
        // A "[" with no "]" is literal.
        #expect(Fnmatch.matches("a[b", "a[b"))
        #expect(!Fnmatch.matches("a[b", "ab"))
        // No character classes in the kernel's fnmatch: "[[:digit:]]" is the list
        // "[", ":", "d", "i", "g", "t" followed by a literal "]".
        #expect(!Fnmatch.matches("tty[[:digit:]]", "tty1"))
        #expect(Fnmatch.matches("tty[[:digit:]]", "ttyd]"))
        #expect(!Fnmatch.matches("tty[[:digit:]]", "ttyd"))
    }

    @Test func backslash() {
        #expect(Fnmatch.matches(#"a\*"#, "a*"))
        #expect(!Fnmatch.matches(#"a\*"#, "ab"))
        #expect(Fnmatch.matches(#"a\?"#, "a?"))
        #expect(Fnmatch.matches(#"a\"#, #"a\"#))
        #expect(Fnmatch.matches(#"\a"#, "a"))
    }

    @Test func leadingDotsAreOrdinary() {
        #expect(Fnmatch.matches("*", ".hidden"))
        #expect(Fnmatch.matches("d/*", "d/.x"))
        #expect(Fnmatch.matches("?x", ".x"))
    }
}
