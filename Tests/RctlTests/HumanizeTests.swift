import Testing

@testable import Rctl

/// humanize_number(3) (HN), checked against FreeBSD's own test vectors (HNT), and the way
/// rctl -h calls it (RC: buffer of 6, HN_AUTOSCALE, HN_DECIMAL | HN_NOSPACE).
@Suite struct HumanizeTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var expected: String?
        var value: Int64
        var flags: Int
        var scale: Int
        var length: Int
        var testDescription: String { "\(value) flags \(flags) scale \(scale) → \(expected ?? "-1")" }
    }

    // HNT flag values: HN_DECIMAL 0x01, HN_NOSPACE 0x02, HN_DIVISOR_1000 0x08, HN_AUTOSCALE 0x20.
    static let autoscale = 0x20
    static let d1000 = 0x08
    static let decimal = 0x01
    static let p = Int64(1) << 50

    /// Rows of HNT's test_args, with the buffer length its loop uses: 4, then 6 from the first
    /// INT64_MAX row on. The expected text is `res`, nil where `retval` is -1. Left out: negative
    /// scales (not representable here), and the rows above half an exabyte that HNT skips
    /// because they fail, except four (1 E, 2 E, 8 E, …) that hold with the current code.
    static let vectors: [Vector] = {
        var rows: [Vector] = []
        func row(_ expected: String?, _ value: Int64, _ flags: Int, _ scale: Int, _ length: Int = 4) {
            rows.append(Vector(expected: expected, value: value, flags: flags, scale: scale, length: length))
        }
        // tests 0-13 and 14-27: 1000 and 1024 suffixes.
        row("0 ", 0, d1000, autoscale)
        row("1 k", 500, d1000, autoscale)
        row("1 M", 500 * 1000, d1000, autoscale)
        row("1 G", 500 * 1000 * 1000, d1000, autoscale)
        row("1 T", 500 * 1000 * 1000 * 1000, d1000, autoscale)
        row("1 P", 500 * 1000 * 1000 * 1000 * 1000, d1000, autoscale)
        row("1 ", 1, d1000, autoscale)
        row("2 k", 1500, d1000, autoscale)
        row("2 M", 1500 * 1000, d1000, autoscale)
        row("2 P", 1500 * 1000 * 1000 * 1000 * 1000, d1000, autoscale)
        row("0 ", 0, 0, autoscale)
        row("1 K", 512, 0, autoscale)
        row("1 M", 512 * 1024, 0, autoscale)
        row("1 G", 512 * 1024 * 1024, 0, autoscale)
        row("1 T", 512 * 1024 * 1024 * 1024, 0, autoscale)
        row("1 P", 512 * 1024 * 1024 * 1024 * 1024, 0, autoscale)
        row("1 E", 512 * p, 0, autoscale)
        row("1 ", 1, 0, autoscale)
        row("2 K", 1536, 0, autoscale)
        row("2 M", 1536 * 1024, 0, autoscale)
        row("2 E", 1536 * p, 0, autoscale)
        // tests 28-37: rounding.
        row("0 M", 500 * 1000 - 1, d1000, autoscale)
        row("1 M", 1000 * 1000 + 500 * 1000 - 1, d1000, autoscale)
        row("2 M", 1000 * 1000 + 500 * 1000, d1000, autoscale)
        row("0 K", 512 - 1, 0, autoscale)
        row("1 K", 512, 0, autoscale)
        row("0 M", 512 * 1024 - 1, 0, autoscale)
        row("1 M", 1024 * 1024 + 512 * 1024 - 1, 0, autoscale)
        row("2 M", 1024 * 1024 + 512 * 1024, 0, autoscale)
        // tests 38-85: fixed scales.
        row("0 k", 0, d1000, 1)
        row("0 M", 500, d1000, 2)
        row("1 G", 500 * 1000 * 1000, d1000, 3)
        row("0 T", 500 * 1000 * 1000, d1000, 4)
        row("2 k", 1500, d1000, 1)
        row("0 K", 0, 0, 1)
        row("1 K", 512, 0, 1)
        row("0 M", 512, 0, 2)
        row("1 M", 512 * 1024, 0, 2)
        row("1 P", 512 * 1024 * 1024 * 1024 * 1024, 0, 5)
        row("0 E", 512 * 1024 * 1024 * 1024 * 1024, 0, 6)
        row("2 T", 1536 * 1024 * 1024 * 1024, 0, 4)
        // tests 86-93: scales out of range.
        row(nil, 1, 0, 7)
        row(nil, 1, d1000, 7)
        row(nil, 1, 0, 1000)
        // tests 100-126: scale 0 prints the first digits (snprintf truncates); the rows that
        // pass HN_NOSPACE as the scale divide twice.
        row("0 ", 0, d1000, 0)
        row("10 ", 10, d1000, 0)
        row("0 M", 150, d1000, 2)
        row("0 M", 999, d1000, 2)
        row("150", 150, d1000, 0)
        row("100", 1000, d1000, 0)
        row("500", 500 * 1000 * 1000, 0, 0)
        // From here HNT's loop uses a buffer of 6.
        row("8 E", Int64.max, 0, 6, 6)
        row("-8 E", -Int64.max, 0, 6, 6)
        row("0 E", 92 * p, 0, 6, 6)
        row("0 E", -92 * p, 0, 6, 6)
        row("92 P", 92 * p, 0, 5, 6)
        row("-81 P", -81 * p, 0, 5, 6)
        row("0 E", -82 * p, d1000, 6, 6)
        row("-92 P", -82 * p, d1000, 5, 6)
        row("-91 P", -81 * p, d1000, 5, 6)
        row("-8 E", -Int64.max, 0, autoscale, 6)
        row("-92 P", -92 * p, 0, autoscale, 6)
        row("-81 P", -81 * p, 0, autoscale, 6)
        row("-9 E", -Int64.max, d1000, autoscale, 6)
        row("-92 P", -82 * p, d1000, autoscale, 6)
        row("-9223", -Int64.max, 0, 0, 6)
        row("10358", 92 * p, 0, 0, 6)
        row("-1035", -92 * p, 0, 0, 6)
        row("91197", 81 * p, d1000, 0, 6)
        // HN_DECIMAL.
        row("500 k", 500 * 1000, decimal | d1000, autoscale, 6)
        row("995 k", 995 * 1000, decimal | d1000, autoscale, 6)
        row("1.0 M", 1000 * 1000, decimal | d1000, autoscale, 6)
        row("1.5 M", 1500 * 1000, decimal | d1000, autoscale, 6)
        row("1.9 M", 1949 * 1000, decimal | d1000, autoscale, 6)
        row("2.0 M", 1950 * 1000, decimal | d1000, autoscale, 6)
        row("9.9 M", 9949 * 1000, decimal | d1000, autoscale, 6)
        row("10 M", 9950 * 1000, decimal | d1000, autoscale, 6)
        row("999 M", 999 * 1000 * 1000, decimal | d1000, autoscale, 6)
        row("500 K", 500 * 1024, decimal, autoscale, 6)
        row("1.0 M", 1000 * 1024, decimal, autoscale, 6)
        row("1.0 M", 1019 * 1024, decimal, autoscale, 6)
        row("1.5 M", 1536 * 1024, decimal, autoscale, 6)
        row("1.9 M", 1996 * 1024, decimal, autoscale, 6)
        row("2.0 M", 1997 * 1024, decimal, autoscale, 6)
        row("2.0 M", 2099 * 1024, decimal, autoscale, 6)
        row("2.1 M", 2100 * 1024, decimal, autoscale, 6)
        row("9.9 M", 10188 * 1024, decimal, autoscale, 6)
        row("10 M", 10189 * 1024, decimal, autoscale, 6)
        row("1.0 G", 1023 * 1024 * 1024, decimal, autoscale, 6)
        row("-1.5 ", -1500 * 1000, decimal | d1000, autoscale, 6)
        row("-9.9 ", -9949 * 1000, decimal | d1000, autoscale, 6)
        row("-1.5 ", -1536 * 1024, decimal, autoscale, 6)
        row("-9.7 ", -9949 * 1024, decimal, autoscale, 6)
        row("-9.2 ", -Int64.max, decimal | d1000, autoscale, 6)
        row("-8.0 ", -Int64.max, decimal, autoscale, 6)
        row("-7.9 ", -Int64.max + 100 * p, decimal, autoscale, 6)
        row("0.5 M", 500 * 1000, decimal | d1000, 2, 6)
        row("0.9 M", 949 * 1000, decimal | d1000, 2, 6)
        row("1.0 M", 950 * 1000, decimal | d1000, 2, 6)
        row("10 M", 9950 * 1000, decimal | d1000, 2, 6)
        row("0.5 G", 500 * 1000 * 1000, decimal | d1000, 3, 6)
        row("512 K", 512 * 1024, decimal, 1, 6)
        row("0.5 M", 512 * 1024, decimal, 2, 6)
        return rows
    }()

    @Test(arguments: vectors)
    func freeBSDTestVectors(_ vector: Vector) {
        var flags: HumanizeFlags = []
        if vector.flags & Self.decimal != 0 { flags.insert(.decimal) }
        if vector.flags & Self.d1000 != 0 { flags.insert(.divisor1000) }
        let scale: HumanizeScale = vector.scale == Self.autoscale ? .auto : .fixed(vector.scale)
        let text = humanizeNumber(
            magnitude: vector.value.magnitude, negative: vector.value < 0, length: vector.length, scale: scale,
            flags: flags)
        #expect(text == vector.expected)
    }

    @Test func whatRctlPrints() {
        // humanize_number(buf, 6, n, "", HN_AUTOSCALE, HN_DECIMAL | HN_NOSPACE): four digits fit,
        // so nothing below 10000 is scaled.
        let cases: [(UInt64, String)] = [
            (0, "0"), (1, "1"), (1023, "1023"), (1024, "1024"), (9999, "9999"),
            (10000, "9.8K"), (10239, "10K"), (10240, "10K"), (36000, "35K"),
            (1_048_575, "1024K"), (100 << 20, "100M"), (512 << 20, "512M"),
            (1 << 30, "1024M"), (2 << 30, "2048M"), (1536 << 20, "1536M"), (10 << 30, "10G"),
            (12_345_678, "12M"),
            // 9999K and a half: rounding would reach 10000, so it divides once more.
            (9999 * 1024, "9999K"), (9999 * 1024 + 511, "9999K"), (9999 * 1024 + 512, "9.8M"),
            (UInt64(Int64.max), "8192P"), (UInt64.max, "16E"),
        ]
        for (value, text) in cases {
            #expect(Amount.humanized(value, unit: .bytes) == text, "\(value)")
        }
        // rctl.c does not look at the resource.
        for unit in ResourceUnit.allCases {
            #expect(Amount.humanized(36000, unit: unit) == "35K")
        }
    }
}
