/// Amounts as rctl(8) reads and prints them.
public enum Amount {
    /// An amount as `rctl -a` takes it: expand_number(3) (the unsigned form FreeBSD's
    /// libutil calls expand_unsigned), then the kernel's range for `unit`.
    ///
    /// expand_number, as FreeBSD main has it (lib/libutil/expand_number.c, 2025):
    /// - leading white space and one `+` or `-` are skipped; a digit must follow;
    /// - the number is read by strtoumax with base 0: `0x1f` is hexadecimal and a leading `0`
    ///   makes it octal (`010` is 8), as on FreeBSD;
    /// - then one optional unit, any case: `k` `m` `g` `t` `p` `e`, binary multiples (2^10 …
    ///   2^60); then one optional `b` (`1kb` is 1024, `512b` is 512); nothing may follow;
    /// - a result above 2^64 - 1 is an error, so is a negative number other than `-0`.
    ///
    /// rctl(8) expands every amount this way, whatever the resource, so `maxproc:deny=1k` is
    /// 1024. The kernel then keeps amounts as `int64_t`, seconds and percents in millionths,
    /// so an amount above `unit.maximumAmount` is refused (ERANGE in rctl_string_to_rule).
    public static func parse(_ text: some StringProtocol, unit: ResourceUnit) throws(RctlError) -> UInt64 {
        let value: UInt64
        switch expandNumber(text) {
        case .success(let number):
            value = number
        case .failure(.invalid):
            throw RctlError(
                .invalidAmount,
                "invalid numeric value \(quoted(text)); use a number with an optional k, m, g, t, p or e suffix")
        case .failure(.negative):
            throw RctlError(.invalidAmount, "numeric value \(quoted(text)) is negative")
        case .failure(.tooLarge):
            throw outOfRange(text, unit: unit)
        }
        guard value <= unit.maximumAmount else {
            throw outOfRange(text, unit: unit)
        }
        return value
    }

    private static func outOfRange(_ text: some StringProtocol, unit: ResourceUnit) -> RctlError {
        RctlError(.invalidAmount, "numeric value \(quoted(text)) is out of range; at most \(unit.maximumAmount)")
    }
}

enum ExpandFailure: Error, Equatable {
    case invalid, negative, tooLarge
}

/// expand_number(3) as `expand_unsigned`: see `Amount.parse`.
func expandNumber(_ text: some StringProtocol) -> Result<UInt64, ExpandFailure> {
    var input = Substring(text).unicodeScalars[...]
    while let first = input.first, isCSpace(first) {
        input.removeFirst()
    }
    var negative = false
    if input.first == "-" {
        negative = true
        input.removeFirst()
    } else if input.first == "+" {
        input.removeFirst()
    }
    // strtoumax would skip more white space and a second sign; expand_number refuses them.
    guard let first = input.first, ("0"..."9").contains(first) else {
        return .failure(.invalid)
    }
    let number: UInt64
    switch readInteger(&input) {
    case .success(let value): number = value
    case .failure(let failure): return .failure(failure)
    }
    var shift: UInt64 = 0
    if let unit = input.first {
        switch unit {
        case "k", "K": shift = 10
        case "m", "M": shift = 20
        case "g", "G": shift = 30
        case "t", "T": shift = 40
        case "p", "P": shift = 50
        case "e", "E": shift = 60
        default: break
        }
        if shift != 0 {
            input.removeFirst()
        }
    }
    // A `b` may follow any unit, or stand for bytes alone.
    if let suffix = input.first, suffix == "b" || suffix == "B" {
        input.removeFirst()
    }
    guard input.isEmpty else {
        return .failure(.invalid)
    }
    guard (number << shift) >> shift == number else {
        return .failure(.tooLarge)
    }
    if negative && number != 0 {
        return .failure(.negative)
    }
    return .success(number << shift)
}

/// strtoumax(3) with base 0 from a digit: `0x`/`0X` and a hex digit start hexadecimal, any
/// other leading `0` octal, else decimal. Reads as many digits as the base has; a value
/// beyond 64 bits is ERANGE (strtoumax returns UINTMAX_MAX and still consumes the digits).
private func readInteger(_ input: inout Substring.UnicodeScalarView.SubSequence) -> Result<UInt64, ExpandFailure> {
    var radix: UInt64 = 10
    if input.first == "0" {
        let rest = input.dropFirst()
        if let x = rest.first, x == "x" || x == "X", let digit = rest.dropFirst().first,
            digitValue(digit, radix: 16) != nil
        {
            radix = 16
            input = rest.dropFirst()
        } else {
            radix = 8
        }
    }
    var value: UInt64 = 0
    var overflow = false
    while let scalar = input.first, let digit = digitValue(scalar, radix: radix) {
        let (shifted, o1) = value.multipliedReportingOverflow(by: radix)
        let (sum, o2) = shifted.addingReportingOverflow(digit)
        overflow = overflow || o1 || o2
        value = sum
        input.removeFirst()
    }
    return overflow ? .failure(.tooLarge) : .success(value)
}

private func digitValue(_ scalar: Unicode.Scalar, radix: UInt64) -> UInt64? {
    let value: UInt64
    switch scalar {
    case "0"..."9": value = UInt64(scalar.value - 48)
    case "a"..."z": value = UInt64(scalar.value - 97 + 10)
    case "A"..."Z": value = UInt64(scalar.value - 65 + 10)
    default: return nil
    }
    return value < radix ? value : nil
}

/// isspace(3) in the C locale.
private func isCSpace(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar {
    case " ", "\t", "\n", "\u{0B}", "\u{0C}", "\r": true
    default: false
    }
}
