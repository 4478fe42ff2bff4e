/// A size as FreeBSD's kernel reads tmpfs's `size` and `inodes` (vfs_getopt_size in
/// sys/kern/vfs_mount.c): strtoq with base 0, so `0x1000` is hexadecimal and `010` octal,
/// then at most one suffix `k`, `m`, `g` or `t` in either case, each a power of 1024.
/// tmpfs(5) also names `p`, but the kernel refuses it, and so do we. Negative numbers and
/// values that do not fit 64 bits are refused; FreeBSD would wrap the latter.
func kernelSize(_ text: String) -> UInt64? {
    var digits = Substring(text)
    var radix: UInt64 = 10
    if digits.hasPrefix("0x") || digits.hasPrefix("0X"),
        digits.dropFirst(2).first.map({ $0.isHexDigit }) == true
    {
        radix = 16
        digits = digits.dropFirst(2)
    } else if digits.hasPrefix("0") {
        radix = 8
    }
    var value: UInt64 = 0
    var consumed = 0
    for character in digits {
        guard let digit = character.hexDigitValue, UInt64(digit) < radix else {
            break
        }
        let (shifted, overflow) = value.multipliedReportingOverflow(by: radix)
        let (sum, carry) = shifted.addingReportingOverflow(UInt64(digit))
        guard !overflow, !carry else {
            return nil
        }
        value = sum
        consumed += 1
    }
    guard consumed > 0 else {
        return nil
    }
    let suffix = digits.dropFirst(consumed)
    let shifts: [Character: Int] = ["k": 1, "m": 2, "g": 3, "t": 4]
    guard let letter = suffix.first else {
        return value
    }
    guard suffix.count == 1, let count = shifts[Character(letter.lowercased())] else {
        return nil
    }
    for _ in 0..<count {
        let (scaled, overflow) = value.multipliedReportingOverflow(by: 1024)
        guard !overflow else {
            return nil
        }
        value = scaled
    }
    return value
}
