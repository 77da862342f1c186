/// How a string is written as a YAML scalar so every YAML parser reads it back unchanged: the one
/// place that knows YAML's escapes, for the generators' `YAMLWriter` and `slipway tools lock`'s
/// rewrite of `slipway.yml`.
public enum YAMLScalar {
    /// `value` in double quotes with YAML escapes: `\"`, `\\`, `\n`, `\t`, `\r`, and `\x`/`\u`
    /// for anything not printable or a line break a YAML 1.1 parser would fold.
    public static func quoted(_ value: String) -> String {
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if isPrintable(scalar) && !isLineBreak(scalar) {
                    result.unicodeScalars.append(scalar)
                } else {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    let (escape, width) = scalar.value <= 0xFF ? ("\\x", 2) : ("\\u", 4)
                    result += escape + String(repeating: "0", count: width - hex.count) + hex
                }
            }
        }
        return result + "\""
    }

    /// YAML's printable characters (tab included), which may appear unescaped in a document.
    public static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D, 0x20...0x7E, 0x85, 0xA0...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    /// Line breaks besides `\n` and `\r` that YAML 1.1 parsers fold or split on; the byte-order mark
    /// counts too, since a parser may drop it.
    public static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        [0x85, 0x2028, 0x2029, 0xFEFF].contains(scalar.value)
    }
}
