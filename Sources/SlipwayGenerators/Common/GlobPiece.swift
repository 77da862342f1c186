import SlipwayCore

/// One piece of a wildcard segment, with its literal bytes joined into text: what a translator
/// into another pattern syntax (POSIX regular expressions) works on.
enum GlobPiece: Equatable {
    /// Literal text, to escape in the target syntax.
    case text(String)
    /// `?`: any one scalar except `/`.
    case anyScalar
    /// `*`: any run of scalars except `/`.
    case star
    /// `[...]`: one scalar in (or, negated, not in) the ranges.
    case scalarClass(ranges: [ClosedRange<UInt32>], negated: Bool)

    /// The pieces of a wildcard segment's tokens.
    static func pieces(_ tokens: [GlobPattern.Token]) -> [GlobPiece] {
        var pieces: [GlobPiece] = []
        var literal: [UInt8] = []
        func flush() {
            if !literal.isEmpty { pieces.append(.text(String(decoding: literal, as: UTF8.self))) }
            literal.removeAll()
        }
        for token in tokens {
            if case .byte(let byte) = token {
                literal.append(byte)
                continue
            }
            flush()
            switch token {
            case .byte: break
            case .anyScalar: pieces.append(.anyScalar)
            case .star: pieces.append(.star)
            case .scalarClass(let ranges, let negated): pieces.append(.scalarClass(ranges: ranges, negated: negated))
            }
        }
        flush()
        return pieces
    }
}
