import SlipwayCore

/// Translates gitignore-style patterns into the globs GitLab's `rules:changes` and Bitbucket's
/// `changesets` evaluate with Ruby-style `fnmatch` (`FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB`).
///
/// In that dialect `*` and `?` stay inside a segment, `**/` spans zero or more directories only
/// when a `/` follows it (`dir/**` alone is not recursive), a pattern is always anchored at the
/// root, and `{a,b}` is a brace alternative. So a pattern becomes one or two globs whose union
/// matches exactly what `GlobPattern.matches` matches: the path itself, and everything below a
/// matched directory. Negated patterns have no equivalent; callers refuse them.
public enum FnmatchGlob {
    /// The globs whose union matches what `pattern` matches, ignoring its negation.
    public static func globs(for pattern: GlobPattern) -> [String] {
        var parts: [String] = []
        let segments = pattern.segments
        for (index, segment) in segments.enumerated() {
            let isLast = index == segments.count - 1
            switch segment {
            case .anyDepth where isLast:
                // One or more segments below (two for a directory-only pattern): `*` then `**/*`.
                parts.append(pattern.isDirectoryOnly ? "*/**/*" : "**/*")
                return [parts.joined(separator: "/")]
            case .anyDepth:
                parts.append("**")
            case .literal(let bytes):
                parts.append(escape(String(decoding: bytes, as: UTF8.self)))
            case .wildcard(let tokens):
                parts.append(glob(for: tokens))
            }
        }
        let body = parts.joined(separator: "/")
        // The path itself (unless only directories match), and everything below it.
        return pattern.isDirectoryOnly ? [body + "/**/*"] : [body, body + "/**/*"]
    }

    private static func glob(for tokens: [GlobPattern.Token]) -> String {
        GlobPiece.pieces(tokens).map { piece in
            switch piece {
            case .text(let text): escape(text)
            case .anyScalar: "?"
            case .star: "*"
            case .scalarClass(let ranges, let negated):
                "[" + (negated ? "!" : "") + ranges.map(classRange).joined() + "]"
            }
        }
        .joined()
    }

    private static func classRange(_ range: ClosedRange<UInt32>) -> String {
        let first = classMember(range.lowerBound)
        return range.upperBound == range.lowerBound ? first : first + "-" + classMember(range.upperBound)
    }

    private static func classMember(_ value: UInt32) -> String {
        let character = Unicode.Scalar(value).map { String(Character($0)) } ?? ""
        return "]\\[!^-{}*?".contains(character) ? "\\" + character : character
    }

    /// Escapes the characters fnmatch treats specially in literal text.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "*?[]{}\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
