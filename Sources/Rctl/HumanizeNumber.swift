extension Amount {
    /// An amount as `rctl -h` prints it, in rules and in usage alike: rctl.c calls
    /// `humanize_number(buf, 6, amount, "", HN_AUTOSCALE, HN_DECIMAL | HN_NOSPACE)`.
    ///
    /// That is at most five characters, powers of 1024 with the prefixes K M G T P E, one
    /// decimal below 10 (`9.8K`), and no scaling below 10000 (`2048M` for 2g, `1024` for 1k).
    /// rctl(8) does not look at the resource: counts, seconds and percents are humanized the
    /// same way (`cputime=35K`), so `unit` changes nothing; it is taken so that callers need
    /// not special-case. FreeBSD's amounts stop at INT64_MAX; larger values are scaled the
    /// same way rather than printed negative.
    public static func humanized(_ value: UInt64, unit: ResourceUnit) -> String {
        humanizeNumber(magnitude: value, negative: false, length: 6, scale: .auto, flags: [.decimal, .noSpace])
            ?? String(value)
    }
}

/// The flags of humanize_number(3) this module implements. HN_B, HN_IEC_PREFIXES and
/// HN_GETSCALE are left out: rctl(8) uses none of them.
struct HumanizeFlags: OptionSet {
    let rawValue: Int
    static let decimal = HumanizeFlags(rawValue: 1)
    static let noSpace = HumanizeFlags(rawValue: 2)
    static let divisor1000 = HumanizeFlags(rawValue: 8)
}

enum HumanizeScale {
    /// HN_AUTOSCALE: divide until the number fits the buffer.
    case auto
    /// Divide exactly this many times (0 to 6).
    case fixed(Int)
}

/// humanize_number(3) of FreeBSD's libutil (lib/libutil/humanize_number.c), returning the
/// text it leaves in a buffer of `length` bytes (snprintf truncates), or nil where it
/// returns -1. The value is given as magnitude and sign so that every Int64, and UInt64
/// beyond it, can be formatted without overflow.
func humanizeNumber(
    magnitude: UInt64, negative: Bool, length: Int, suffix: String = "", scale: HumanizeScale,
    flags: HumanizeFlags
) -> String? {
    let maxScale = 6
    if case .fixed(let count) = scale, count < 0 || count > maxScale {
        return nil
    }
    let divisor: UInt64 = flags.contains(.divisor1000) ? 1000 : 1024
    // 95% of the divisor: from there a decimal would round up to 10.
    let decimalCut: UInt64 = flags.contains(.divisor1000) ? 950 : 973
    let prefixes =
        flags.contains(.divisor1000) ? ["", "k", "M", "G", "T", "P", "E"] : ["", "K", "M", "G", "T", "P", "E"]
    let separator = flags.contains(.noSpace) ? "" : " "
    // Room for the prefix, the sign and one digit, the separator and the suffix.
    let baseLength = 1 + (negative ? 2 : 1) + separator.utf8.count + suffix.utf8.count
    guard length >= baseLength + 1 else {
        return nil
    }

    var quotient = magnitude
    var remainder: UInt64 = 0
    var steps = 0
    switch scale {
    case .auto:
        // Numbers below 10^n fit the n spare columns; divide once more if rounding would
        // carry the last one past them.
        var max: UInt64 = 1
        for _ in 0..<min(length - baseLength, 19) {
            max *= 10
        }
        while quotient >= max || (quotient == max - 1 && (remainder >= decimalCut || remainder >= divisor / 2)),
            steps < maxScale
        {
            remainder = quotient % divisor
            quotient /= divisor
            steps += 1
        }
    case .fixed(let count):
        while steps < count {
            remainder = quotient % divisor
            quotient /= divisor
            steps += 1
        }
    }

    let text: String
    if (quotient == 9 && remainder < decimalCut || quotient < 9) && steps > 0 && flags.contains(.decimal) {
        let tenths = (remainder * 10 + divisor / 2) / divisor
        let whole = quotient + tenths / 10
        // C prints sign * whole, which loses the sign of a zero.
        text = (negative && whole != 0 ? "-" : "") + "\(whole).\(tenths % 10)" + separator + prefixes[steps] + suffix
    } else {
        let whole = quotient + (remainder + divisor / 2) / divisor
        text = (negative && whole != 0 ? "-" : "") + "\(whole)" + separator + prefixes[steps] + suffix
    }
    let bytes = Array(text.utf8)
    return bytes.count < length ? text : String(decoding: bytes[..<(length - 1)], as: UTF8.self)
}
