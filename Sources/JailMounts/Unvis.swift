/// strunvis(3), as jail(8) applies it to the first two fields of a mount line, so that a
/// path can hold a blank: `/mnt/my\040disk`. FreeBSD's decoder (contrib/libc-vis/unvis.c)
/// with no flags takes:
///
/// - `\\` a backslash; `\0`..`\777` up to three octal digits, kept to the low eight bits;
/// - `\n \r \b \a \v \t \f`, `\s` (space), `\E` (escape);
/// - `\xH` or `\xHH` hexadecimal; `\^C` control characters, `\^?` delete;
/// - `\M-C` and `\M^C` for characters with the high bit set;
/// - `\` before a newline and `\$` for nothing.
///
/// Any other character after a backslash is an error. A sequence cut short by the end of the
/// field is dropped without error, as strnunvisx ignores what unvis says at the end.
enum Unvis {
    /// The decoded bytes, or nil when a backslash is followed by a character unvis refuses.
    static func decode(_ input: some Sequence<UInt8>) -> [UInt8]? {
        var output: [UInt8] = []
        var state = State.ground
        for byte in input {
            var pending: UInt8? = byte
            // A finished octal or hexadecimal number hands back the byte that ended it.
            while let current = pending {
                pending = nil
                switch state.step(current, into: &output) {
                case .consumed: break
                case .pushBack: pending = current
                case .bad: return nil
                }
            }
        }
        state.finish(into: &output)
        return output
    }

    private enum Step {
        case consumed, pushBack, bad
    }

    private enum State {
        case ground
        case start
        case octal(value: UInt8, digits: Int)
        case hex(value: UInt8, digits: Int)
        case meta
        case metaChar
        case control(high: UInt8)

        mutating func step(_ byte: UInt8, into output: inout [UInt8]) -> Step {
            switch self {
            case .ground:
                if byte == UInt8(ascii: "\\") {
                    self = .start
                } else {
                    output.append(byte)
                }
                return .consumed
            case .start:
                return escape(byte, into: &output)
            case .octal(let value, let digits):
                guard isOctal(byte) else {
                    output.append(value)
                    self = .ground
                    return .pushBack
                }
                let next = (value &<< 3) &+ (byte - UInt8(ascii: "0"))
                if digits == 2 {
                    output.append(next)
                    self = .ground
                } else {
                    self = .octal(value: next, digits: digits + 1)
                }
                return .consumed
            case .hex(let value, let digits):
                guard let digit = hexValue(byte) else {
                    if digits == 0 {
                        return .bad
                    }
                    output.append(value)
                    self = .ground
                    return .pushBack
                }
                let next = (value &<< 4) | digit
                if digits == 1 {
                    output.append(next)
                    self = .ground
                } else {
                    self = .hex(value: next, digits: 1)
                }
                return .consumed
            case .meta:
                switch byte {
                case UInt8(ascii: "-"): self = .metaChar
                case UInt8(ascii: "^"): self = .control(high: 0x80)
                default: return .bad
                }
                return .consumed
            case .metaChar:
                output.append(0x80 | byte)
                self = .ground
                return .consumed
            case .control(let high):
                output.append(high | (byte == UInt8(ascii: "?") ? 0x7f : byte & 0x1f))
                self = .ground
                return .consumed
            }
        }

        private mutating func escape(_ byte: UInt8, into output: inout [UInt8]) -> Step {
            if let decoded = singleCharacterEscapes[byte] {
                output.append(decoded)
                self = .ground
                return .consumed
            }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                self = .octal(value: byte - UInt8(ascii: "0"), digits: 1)
            case UInt8(ascii: "x"):
                self = .hex(value: 0, digits: 0)
            case UInt8(ascii: "M"):
                self = .meta
            case UInt8(ascii: "^"):
                self = .control(high: 0)
            case 0x0a, UInt8(ascii: "$"):
                // A hidden newline and vis's "hidden marker" stand for nothing.
                self = .ground
            default:
                return .bad
            }
            return .consumed
        }

        /// At the end of the field a number in progress is complete; any other unfinished
        /// sequence is dropped.
        func finish(into output: inout [UInt8]) {
            switch self {
            case .octal(let value, _):
                output.append(value)
            case .hex(let value, let digits) where digits > 0:
                output.append(value)
            default:
                break
            }
        }
    }
}

/// The escapes that stand for one fixed character.
private let singleCharacterEscapes: [UInt8: UInt8] = [
    UInt8(ascii: "\\"): UInt8(ascii: "\\"), UInt8(ascii: "n"): 0x0a, UInt8(ascii: "r"): 0x0d,
    UInt8(ascii: "b"): 0x08, UInt8(ascii: "a"): 0x07, UInt8(ascii: "v"): 0x0b,
    UInt8(ascii: "t"): 0x09, UInt8(ascii: "f"): 0x0c, UInt8(ascii: "s"): UInt8(ascii: " "),
    UInt8(ascii: "E"): 0x1b,
]

private func isOctal(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "7")
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}
