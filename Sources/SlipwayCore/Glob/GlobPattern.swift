/// Why a `paths` pattern cannot be used.
public enum GlobError: Error, Hashable, Sendable, CustomStringConvertible {
    case empty
    case onlyNegation
    case unclosedBracket
    case emptyBracket
    case trailingBackslash
    case posixClassUnsupported
    case relativeSegment(String)
    case emptySegment

    public var description: String {
        switch self {
        case .empty: return "a pattern cannot be empty"
        case .onlyNegation: return "'!' must be followed by a pattern"
        case .unclosedBracket: return "'[' opens a character class that is never closed with ']'"
        case .emptyBracket: return "a character class '[]' must list at least one character"
        case .trailingBackslash: return "a pattern cannot end with a lone '\\'"
        case .posixClassUnsupported: return "POSIX classes such as '[[:alpha:]]' are not supported; list the characters"
        case .relativeSegment(let segment):
            return "'\(segment)' segments are not allowed; patterns are relative to the repository root"
        case .emptySegment: return "a pattern cannot contain '//'"
        }
    }
}

/// One gitignore-style pattern, compiled for matching repository-relative file paths.
///
/// The rules are git's: a pattern with a slash before its end is anchored at the repository root,
/// one without matches at any depth; a trailing slash matches directories only; `*` and `?` never
/// cross `/`; `**` as a whole segment spans any number of directories; a pattern that matches a
/// directory matches every file below it. Matching is case-sensitive, dotfiles are not special,
/// and `?` and character classes match one Unicode scalar. A leading `!` negates (the caller,
/// `PatternList`, applies "the last matching pattern wins").
public struct GlobPattern: Hashable, Sendable, CustomStringConvertible {
    /// The pattern exactly as written, including any `!`.
    public let source: String
    /// Whether the pattern starts with `!` (it excludes what it matches).
    public let isNegated: Bool
    /// Whether the pattern is anchored at the repository root.
    public let isAnchored: Bool
    /// Whether the pattern ends with `/` and so matches directories (and their contents) only.
    public let isDirectoryOnly: Bool
    /// The pattern's segments after normalisation (an unanchored pattern starts with `anyDepth`).
    public let segments: [Segment]

    public var description: String { source }

    /// One `/`-separated part of a pattern.
    public enum Segment: Hashable, Sendable {
        /// `**`: any number of whole segments.
        case anyDepth
        /// A segment without wildcards, compared byte for byte.
        case literal([UInt8])
        /// A segment with `*`, `?` or `[...]`.
        case wildcard([Token])
    }

    /// One element of a wildcard segment.
    public enum Token: Hashable, Sendable {
        /// A literal byte of the pattern's UTF-8 text.
        case byte(UInt8)
        /// `?`: any one Unicode scalar except `/`.
        case anyScalar
        /// `*`: any run of scalars except `/`.
        case star
        /// `[...]`: one scalar in (or, negated, not in) the ranges.
        case scalarClass(ranges: [ClosedRange<UInt32>], negated: Bool)
    }

    /// Compiles `source`; throws when the pattern is malformed.
    public init(_ source: String) throws(GlobError) {
        self.source = source
        var body = Substring(source)
        if body.isEmpty { throw .empty }
        isNegated = body.hasPrefix("!")
        if isNegated { body = body.dropFirst() }
        if body.isEmpty { throw .onlyNegation }
        // `\!` and `\#` are escapes for a literal first character; segment parsing handles them.
        isDirectoryOnly = body.hasSuffix("/") && !body.hasSuffix("\\/")
        if isDirectoryOnly { body = body.dropLast() }
        if body.isEmpty { throw .empty }
        let leadingSlash = body.hasPrefix("/")
        if leadingSlash { body = body.dropFirst() }
        if body.isEmpty { throw .empty }
        let rawSegments = body.split(separator: "/", omittingEmptySubsequences: false)
        isAnchored = leadingSlash || rawSegments.count > 1
        var segments: [Segment] = isAnchored ? [] : [.anyDepth]
        for raw in rawSegments {
            if raw.isEmpty { throw .emptySegment }
            if raw == "." || raw == ".." { throw .relativeSegment(String(raw)) }
            if raw == "**" {
                // `a/**/**/b` is the same as `a/**/b`.
                if segments.last != .anyDepth { segments.append(.anyDepth) }
                continue
            }
            segments.append(try Self.parseSegment(raw))
        }
        self.segments = segments
    }

    /// The leading literal segments of an anchored pattern, as bytes without a trailing `/`.
    ///
    /// Every path the pattern matches starts with them. Empty when the pattern starts with a wildcard.
    public var literalPrefix: [UInt8] {
        guard isAnchored else { return [] }
        var prefix: [UInt8] = []
        for segment in segments {
            guard case .literal(let bytes) = segment else { break }
            if !prefix.isEmpty { prefix.append(UInt8(ascii: "/")) }
            prefix += bytes
        }
        return prefix
    }

    /// Whether the pattern matches `path` (ignoring negation): the file itself or a directory above it.
    public func matches(_ path: String) -> Bool {
        matches(PreparedPath(path))
    }

    /// Whether the pattern matches a prepared path (ignoring negation).
    public func matches(_ path: PreparedPath) -> Bool {
        path.bytes.withUnsafeBufferPointer { bytes in
            matchSegments(0, 0, bytes, path.segmentStarts)
        }
    }

    private func matchSegments(_ p: Int, _ s: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ starts: [Int]) -> Bool {
        let segmentCount = starts.count - 1
        if p == segments.count {
            // The pattern matched path segments [0, s): the file itself, or a directory above it.
            return s > 0 && (s < segmentCount || !isDirectoryOnly)
        }
        if s == segmentCount {
            return false
        }
        switch segments[p] {
        case .anyDepth:
            if p == segments.count - 1 {
                // A trailing `**` matches at least one segment; a directory-only one must leave a
                // segment below the directories it matched.
                return isDirectoryOnly ? s + 1 < segmentCount : s < segmentCount
            }
            var next = s
            while next < segmentCount {
                if matchSegments(p + 1, next, bytes, starts) { return true }
                next += 1
            }
            return false
        case .literal(let literal):
            let start = starts[s]
            let end = starts[s + 1] - 1
            guard end - start == literal.count else { return false }
            for index in 0..<literal.count where bytes[start + index] != literal[index] { return false }
            return matchSegments(p + 1, s + 1, bytes, starts)
        case .wildcard(let tokens):
            let start = starts[s]
            let end = starts[s + 1] - 1
            guard Self.matchTokens(tokens, bytes, start, end) else { return false }
            return matchSegments(p + 1, s + 1, bytes, starts)
        }
    }

    /// Classic glob matching within one segment, backtracking on the last `*`.
    private static func matchTokens(_ tokens: [Token], _ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int)
        -> Bool
    {
        var t = 0
        var i = start
        var starToken = -1
        var starPosition = 0
        while i < end || t < tokens.count {
            if t < tokens.count {
                switch tokens[t] {
                case .star:
                    starToken = t
                    starPosition = i
                    t += 1
                    continue
                case .byte(let byte):
                    if i < end, bytes[i] == byte {
                        t += 1
                        i += 1
                        continue
                    }
                case .anyScalar:
                    if i < end, let length = scalarLength(bytes, i, end) {
                        t += 1
                        i += length
                        continue
                    }
                case .scalarClass(let ranges, let negated):
                    if i < end, let length = scalarLength(bytes, i, end) {
                        let value = decodeScalar(bytes, i, length)
                        if ranges.contains(where: { $0.contains(value) }) != negated {
                            t += 1
                            i += length
                            continue
                        }
                    }
                }
            }
            guard starToken >= 0, starPosition < end else { return false }
            starPosition += 1
            i = starPosition
            t = starToken + 1
        }
        return true
    }

    /// The byte length of the UTF-8 scalar starting at `i`, or `nil` in the middle of one.
    private static func scalarLength(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Int? {
        let lead = bytes[i]
        let length: Int
        switch lead {
        case 0..<0x80: return 1
        case 0xC0..<0xE0: length = 2
        case 0xE0..<0xF0: length = 3
        case 0xF0..<0xF8: length = 4
        default: return nil
        }
        return i + length <= end ? length : nil
    }

    private static func decodeScalar(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int, _ length: Int) -> UInt32 {
        if length == 1 { return UInt32(bytes[i]) }
        let leadMask: [UInt8] = [0, 0, 0x1F, 0x0F, 0x07]
        var value = UInt32(bytes[i] & leadMask[length])
        for offset in 1..<length { value = value << 6 | UInt32(bytes[i + offset] & 0x3F) }
        return value
    }

    private static func parseSegment(_ raw: Substring) throws(GlobError) -> Segment {
        var tokens: [Token] = []
        var scalars = Array(raw.unicodeScalars)[...]
        var isLiteral = true
        func appendLiteral(_ scalar: Unicode.Scalar) {
            tokens += String(scalar).utf8.map(Token.byte)
        }
        while let scalar = scalars.popFirst() {
            switch scalar {
            case "\\":
                guard let escaped = scalars.popFirst() else { throw .trailingBackslash }
                appendLiteral(escaped)
            case "*":
                isLiteral = false
                // Runs of `*` inside a segment mean the same as one.
                if tokens.last != .star { tokens.append(.star) }
            case "?":
                isLiteral = false
                tokens.append(.anyScalar)
            case "[":
                isLiteral = false
                tokens.append(try parseClass(&scalars))
            default:
                appendLiteral(scalar)
            }
        }
        if isLiteral {
            return .literal(
                tokens.map { token in
                    guard case .byte(let byte) = token else { return 0 }
                    return byte
                })
        }
        return .wildcard(tokens)
    }

    private static func parseClass(_ scalars: inout ArraySlice<Unicode.Scalar>) throws(GlobError) -> Token {
        var negated = false
        if let first = scalars.first, first == "!" || first == "^" {
            negated = true
            scalars.removeFirst()
        }
        var ranges: [ClosedRange<UInt32>] = []
        var first = true
        while true {
            guard var scalar = scalars.popFirst() else { throw .unclosedBracket }
            if scalar == "]" && !first { break }
            if scalar == "[", scalars.first == ":" { throw .posixClassUnsupported }
            if scalar == "\\" {
                guard let escaped = scalars.popFirst() else { throw .trailingBackslash }
                scalar = escaped
            }
            first = false
            var upper = scalar
            if scalars.count >= 2, scalars.first == "-", scalars[scalars.startIndex + 1] != "]" {
                scalars.removeFirst()
                var end = scalars.removeFirst()
                if end == "\\" {
                    guard let escaped = scalars.popFirst() else { throw .trailingBackslash }
                    end = escaped
                }
                upper = end
            }
            if scalar.value <= upper.value { ranges.append(scalar.value...upper.value) }
        }
        if ranges.isEmpty { throw .emptyBracket }
        return .scalarClass(ranges: ranges, negated: negated)
    }
}

/// A repository-relative path split into segments once, so that many patterns can test it cheaply.
public struct PreparedPath: Sendable, Hashable {
    /// The path as git prints it, without a leading `./` or `/`.
    public let path: String
    /// The path's UTF-8 bytes.
    public let bytes: [UInt8]
    /// The byte offset where each segment starts, plus `bytes.count + 1` at the end.
    let segmentStarts: [Int]

    /// Prepares `path` for matching.
    public init(_ path: String) {
        self.path = path
        let bytes = Array(path.utf8)
        self.bytes = bytes
        var starts = [0]
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "/") { starts.append(index + 1) }
        starts.append(bytes.count + 1)
        segmentStarts = starts
    }
}
