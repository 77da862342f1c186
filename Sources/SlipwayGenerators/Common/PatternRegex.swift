import SlipwayCore

/// Translates gitignore-style patterns into POSIX extended regular expressions that match whole
/// lines of a change list (`grep -E -x`) exactly when `GlobPattern.matches` does.
///
/// The expressions assume GNU grep in a UTF-8 locale (`LC_ALL=C.UTF-8`), where `[^/]` is one
/// character and bracket ranges follow code points. A test runs them through grep against the
/// matcher on random patterns and paths.
public enum PatternRegex {
    /// The extended regular expression for `pattern`, ignoring its negation.
    public static func expression(for pattern: GlobPattern) -> String {
        var regex = ""
        var needsSlash = false
        let segments = pattern.segments
        for (index, segment) in segments.enumerated() {
            let isLast = index == segments.count - 1
            switch segment {
            case .anyDepth where isLast:
                // At least one more segment; a directory-only pattern needs one below that too.
                regex += needsSlash ? "/.+" : ".+"
                if pattern.isDirectoryOnly { regex += "/.+" }
                return regex
            case .anyDepth:
                regex += needsSlash ? "/(.*/)?" : "(.*/)?"
                needsSlash = false
            case .literal(let bytes):
                regex += (needsSlash ? "/" : "") + escape(String(decoding: bytes, as: UTF8.self))
                needsSlash = true
            case .wildcard(let tokens):
                regex += (needsSlash ? "/" : "") + expression(for: tokens)
                needsSlash = true
            }
        }
        // A pattern that matches a directory matches every path below it.
        return regex + (pattern.isDirectoryOnly ? "/.+" : "(/.+)?")
    }

    private static func expression(for tokens: [GlobPattern.Token]) -> String {
        GlobPiece.pieces(tokens).map { piece in
            switch piece {
            case .text(let text): escape(text)
            case .anyScalar: "[^/]"
            case .star: "[^/]*"
            case .scalarClass(let ranges, let negated): bracket(ranges: ranges, negated: negated)
            }
        }
        .joined()
    }

    /// A bracket expression; POSIX brackets have no escapes, so `]`, `[`, `^` and `-` go where
    /// they are literal: `]` first, `^` anywhere but first, `-` last.
    private static func bracket(ranges: [ClosedRange<UInt32>], negated: Bool) -> String {
        let specials: [UInt32] = [0x2D, 0x5B, 0x5D, 0x5E]  // - [ ] ^
        var plain = ""
        var present: Set<UInt32> = []
        for range in ranges {
            var start = range.lowerBound
            for special in specials where range.contains(special) && special >= start {
                if start < special { plain += rangeText(start, special - 1) }
                present.insert(special)
                start = special + 1
            }
            if start <= range.upperBound { plain += rangeText(start, range.upperBound) }
        }
        var body = (present.contains(0x5D) ? "]" : "") + plain + (present.contains(0x5B) ? "[" : "")
        if present.contains(0x5E) {
            if body.isEmpty && !negated {
                // A class of only `^` (and maybe `-`): `[-^]`, or a plain escaped caret.
                return present.contains(0x2D) ? "[-^]" : "\\^"
            }
            body += "^"
        }
        if present.contains(0x2D) { body += "-" }
        return negated ? "[^/" + body + "]" : "[" + body + "]"
    }

    private static func rangeText(_ lower: UInt32, _ upper: UInt32) -> String {
        // Surrogates are not scalars; no path can contain them.
        let low = lower >= 0xD800 && lower <= 0xDFFF ? 0xE000 : lower
        let high = upper >= 0xD800 && upper <= 0xDFFF ? 0xD7FF : upper
        guard low <= high, let first = Unicode.Scalar(low), let last = Unicode.Scalar(high) else { return "" }
        if low == high { return String(Character(first)) }
        return String(Character(first)) + (high == low + 1 ? "" : "-") + String(Character(last))
    }

    /// Escapes ERE metacharacters in literal text.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if ".[]{}()\\*+?^$|".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
