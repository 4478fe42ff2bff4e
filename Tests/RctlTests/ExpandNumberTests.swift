import Testing

@testable import Rctl

/// expand_number(3) as FreeBSD main has it (EN, expand_unsigned), then the kernel's ranges.
@Suite struct ExpandNumberTests {
    private func expand(_ text: String) -> UInt64? {
        try? expandNumber(text).get()
    }

    @Test func unitsAreBinaryMultiplesInAnyCase() {
        #expect(expand("0") == 0)
        #expect(expand("1") == 1)
        for (suffix, shift) in [("k", 10), ("m", 20), ("g", 30), ("t", 40), ("p", 50), ("e", 60)] as [(String, UInt64)]
        {
            #expect(expand("3" + suffix) == 3 << shift)
            #expect(expand("3" + suffix.uppercased()) == 3 << shift)
            // EN: "Treat 'b' as an ignored suffix for all unit except 'b'".
            #expect(expand("3" + suffix + "b") == 3 << shift)
            #expect(expand("3" + suffix.uppercased() + "B") == 3 << shift)
        }
        #expect(expand("512b") == 512)
        #expect(expand("512B") == 512)
        #expect(expand("512M") == 536_870_912)
    }

    @Test func baseZeroAsStrtoumaxReadsIt() {
        // strtoumax(buf, &end, 0): 0x is hexadecimal, a leading 0 octal.
        #expect(expand("0x10") == 16)
        #expect(expand("0X1f") == 31)
        #expect(expand("010") == 8)
        #expect(expand("010k") == 8 << 10)
        // b is a hex digit after 0x, a suffix otherwise.
        #expect(expand("0x1b") == 27)
        #expect(expand("0b") == 0)
        // 8 is not octal; "0x" without a hex digit leaves the x unread.
        #expect(expand("08") == nil)
        #expect(expand("0x") == nil)
        #expect(expand("0xg") == nil)
    }

    @Test func signsAndWhiteSpace() {
        // EN skips leading white space and one sign; a digit must follow.
        #expect(expand(" \t5") == 5)
        #expect(expand("+5") == 5)
        #expect(expand("-0") == 0)
        #expect(expandNumber("-1") == .failure(.negative))
        #expect(expandNumber("-1k") == .failure(.negative))
        #expect(expandNumber("- 5") == .failure(.invalid))
        #expect(expandNumber("+-5") == .failure(.invalid))
        #expect(expandNumber("5 ") == .failure(.invalid))
    }

    @Test func garbageIsAnError() {
        for text in ["", "k", "b", "1.5g", "1kk", "1bb", "1kib", "1x", "12q", "1 k", "½", "١"] {
            #expect(expandNumber(text) == .failure(.invalid), "\(text)")
        }
    }

    @Test func overflowIsAnError() {
        #expect(expand("18446744073709551615") == UInt64.max)
        #expect(expandNumber("18446744073709551616") == .failure(.tooLarge))
        #expect(expandNumber("99999999999999999999999") == .failure(.tooLarge))
        #expect(expand("0xffffffffffffffff") == UInt64.max)
        #expect(expandNumber("0x10000000000000000") == .failure(.tooLarge))
        #expect(expand("15e") == 15 << 60)
        #expect(expandNumber("16e") == .failure(.tooLarge))
        // 2^34 g is 2^64.
        #expect(expand("17179869183g") == 17_179_869_183 << 30)
        #expect(expandNumber("17179869184g") == .failure(.tooLarge))
    }

    @Test func theKernelRangeDependsOnTheUnit() throws {
        // KR rctl_string_to_rule: str2int64 refuses what does not fit int64_t; seconds and
        // percents are multiplied by 10^6 (RACCT_IN_MILLIONS in KRA for cputime, wallclock, pcpu).
        let int64Max = UInt64(Int64.max)
        for unit in [ResourceUnit.bytes, .count, .bytesPerSecond, .operationsPerSecond] {
            #expect(try Amount.parse("9223372036854775807", unit: unit) == int64Max)
            #expect(failure { _ = try Amount.parse("9223372036854775808", unit: unit) }?.kind == .invalidAmount)
        }
        for unit in [ResourceUnit.seconds, .percent] {
            #expect(try Amount.parse("9223372036854", unit: unit) == 9_223_372_036_854)
            #expect(
                failure { _ = try Amount.parse("9223372036855", unit: unit) }?.description
                    == #"numeric value "9223372036855" is out of range; at most 9223372036854"#)
        }
        // rctl(8) expands every amount, not only bytes: maxproc=1k is 1024.
        #expect(try Amount.parse("1k", unit: .count) == 1024)
        #expect(try rule("jail:www:maxproc:deny=1k").amount == 1024)
    }
}
