/// A small deterministic random number generator (SplitMix64), so random scenarios repeat exactly.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator; the same seed gives the same sequence.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SeededGenerator {
    /// A random relative path of one to four of `names`, joined by `/`.
    public mutating func path(from names: [String]) -> String {
        (0..<Int.random(in: 1...4, using: &self)).map { _ in names.randomElement(using: &self)! }
            .joined(separator: "/")
    }

    /// A random glob of one to three of `pieces`, joined by `/`; one in five is anchored with a
    /// leading `/`, and one in six is directory-only with a trailing `/` unless `trailingSlash`
    /// refuses the pattern drawn so far.
    public mutating func glob(from pieces: [String], trailingSlash: (String) -> Bool = { _ in true }) -> String {
        var pattern = (0..<Int.random(in: 1...3, using: &self)).map { _ in pieces.randomElement(using: &self)! }
            .joined(separator: "/")
        if Int.random(in: 0..<5, using: &self) == 0 { pattern = "/" + pattern }
        if Int.random(in: 0..<6, using: &self) == 0, trailingSlash(pattern) { pattern += "/" }
        return pattern
    }
}
