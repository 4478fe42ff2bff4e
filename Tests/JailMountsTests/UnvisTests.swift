import Testing

@testable import JailMounts

/// strunvis(3) with no flags (UNVIS), byte by byte.
@Suite struct UnvisTests {
    private func decode(_ text: String) -> [UInt8]? {
        Unvis.decode(Array(text.utf8))
    }

    private func bytes(_ text: String) -> [UInt8] {
        Array(text.utf8)
    }

    @Test func plainTextIsUnchanged() {
        #expect(decode("/usr/local/jails") == bytes("/usr/local/jails"))
        #expect(decode("") == [])
    }

    @Test func singleCharacterEscapes() {
        #expect(decode(#"a\\b"#) == bytes(#"a\b"#))
        #expect(decode(#"\n\r\b\a\v\t\f\s\E"#) == [0x0a, 0x0d, 0x08, 0x07, 0x0b, 0x09, 0x0c, 0x20, 0x1b])
    }

    @Test func octal() {
        #expect(decode(#"my\040disk"#) == bytes("my disk"))
        #expect(decode(#"\0"#) == [0])
        #expect(decode(#"\12x"#) == [0o12, UInt8(ascii: "x")])
        // At most three digits: the fourth is a character of its own.
        #expect(decode(#"\1234"#) == [0o123, UInt8(ascii: "4")])
        // A non-octal digit ends the number and is kept.
        #expect(decode(#"\19"#) == [1, UInt8(ascii: "9")])
        // Kept to eight bits, as unvis's char is.
        #expect(decode(#"\777"#) == [0xff])
        #expect(decode(#"\400"#) == [0])
    }

    @Test func hexadecimal() {
        #expect(decode(#"\x41"#) == bytes("A"))
        #expect(decode(#"\x4g"#) == [4, UInt8(ascii: "g")])
        #expect(decode(#"\x4"#) == [4])
        #expect(decode(#"\xg"#) == nil)
    }

    @Test func controlAndMeta() {
        #expect(decode(#"\^A"#) == [1])
        #expect(decode(#"\^?"#) == [0x7f])
        #expect(decode(#"\M-a"#) == [0x80 | UInt8(ascii: "a")])
        #expect(decode(#"\M^A"#) == [0x81])
        #expect(decode(#"\Mx"#) == nil)
    }

    @Test func hiddenCharacters() {
        #expect(decode("a\\\nb") == bytes("ab"))
        #expect(decode(#"a\$b"#) == bytes("ab"))
    }

    @Test func badAndUnfinishedSequences() {
        #expect(decode(#"\q"#) == nil)
        #expect(decode(#"\ "#) == nil)
        // strnunvisx ignores what unvis says at the end: an unfinished escape vanishes.
        #expect(decode(#"abc\"#) == bytes("abc"))
        #expect(decode(#"abc\M"#) == bytes("abc"))
        #expect(decode(#"abc\M-"#) == bytes("abc"))
        #expect(decode(#"abc\^"#) == bytes("abc"))
        #expect(decode(#"abc\x"#) == bytes("abc"))
    }
}
