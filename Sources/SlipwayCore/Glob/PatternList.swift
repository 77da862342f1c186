import Foundation

/// A job's `paths`: gitignore-style patterns where the last matching pattern decides.
///
/// This is the one matcher behind the planner and every generator's proof of equivalence.
public struct PatternList: Sendable, Hashable {
    /// The compiled patterns, in the order written.
    public let patterns: [GlobPattern]

    /// Compiles every pattern; throws the first malformed one with its index.
    public init(_ sources: [String]) throws(PatternListError) {
        var patterns: [GlobPattern] = []
        for (index, source) in sources.enumerated() {
            do {
                patterns.append(try GlobPattern(source))
            } catch {
                throw PatternListError(index: index, pattern: source, error: error)
            }
        }
        self.patterns = patterns
    }

    /// Wraps already compiled patterns.
    public init(patterns: [GlobPattern]) {
        self.patterns = patterns
    }

    /// The pattern that decides `path`: the last one that matches it, if that one is not negated.
    public func selectingPattern(for path: PreparedPath) -> GlobPattern? {
        for pattern in patterns.reversed() where pattern.matches(path) {
            return pattern.isNegated ? nil : pattern
        }
        return nil
    }

    /// Whether `path` is selected: the last pattern that matches it is not negated.
    public func matches(_ path: String) -> Bool {
        selectingPattern(for: PreparedPath(path)) != nil
    }

    /// The first path of `paths` this list selects, with the pattern that selected it.
    ///
    /// Only candidates of a positive pattern are visited (narrowed by its literal prefix), and the
    /// patterns after it decide whether a later negation takes the path back out.
    public func firstMatch(in paths: PathSet) -> (path: String, pattern: GlobPattern)? {
        for (index, pattern) in patterns.enumerated() where !pattern.isNegated {
            let later = patterns[(index + 1)...]
            for candidate in paths.candidates(for: pattern) {
                let path = paths.paths[candidate]
                guard pattern.matches(path) else { continue }
                if let decider = later.last(where: { $0.matches(path) }) {
                    if decider.isNegated { continue }
                    return (path.path, decider)
                }
                return (path.path, pattern)
            }
        }
        return nil
    }
}

/// A malformed pattern in a list: which one, and why.
public struct PatternListError: Error, Hashable, Sendable {
    /// The pattern's position in the list.
    public var index: Int
    /// The pattern as written.
    public var pattern: String
    /// What is wrong with it.
    public var error: GlobError
}

/// A set of changed paths, indexed so each pattern visits only the paths that can match it.
///
/// Paths are sorted by their bytes, so an anchored pattern's literal prefix finds its candidates by
/// binary search; and every path segment, and every segment's extension, is indexed, so a pattern
/// such as `**/main.tf` or `*.md` visits only paths that contain that name or extension. Candidates
/// are always visited in sorted order, so "the first matching path" does not depend on the index.
public struct PathSet: Sendable {
    /// The prepared paths, sorted by their bytes.
    public let paths: [PreparedPath]
    /// Path indices by the hash of a segment; hash collisions only add candidates.
    private let segmentIndex: [UInt64: [Int32]]
    /// Path indices by the hash of the text after a segment's last `.`.
    private let extensionIndex: [UInt64: [Int32]]

    /// Prepares, sorts and indexes `paths`; duplicates are dropped.
    public init<S: Sequence>(_ paths: S) where S.Element == String {
        // Sort indices into one contiguous byte buffer: no reference counting in the comparisons,
        // which dominate for 100,000 paths.
        let strings = Array(paths)
        var storage: [UInt8] = []
        var bounds: [(start: Int, end: Int)] = []
        bounds.reserveCapacity(strings.count)
        for string in strings {
            let start = storage.count
            storage.append(contentsOf: string.utf8)
            bounds.append((start, storage.count))
        }
        var order = Array(strings.indices)
        storage.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            order.sort { a, b in
                let (left, right) = (bounds[a], bounds[b])
                let leftCount = left.end - left.start
                let rightCount = right.end - right.start
                let result = memcmp(base + left.start, base + right.start, min(leftCount, rightCount))
                return result != 0 ? result < 0 : leftCount < rightCount
            }
        }
        var sorted: [PreparedPath] = []
        sorted.reserveCapacity(order.count)
        for (position, index) in order.enumerated() {
            // Duplicates are adjacent once sorted.
            if position > 0, strings[order[position - 1]] == strings[index] { continue }
            sorted.append(PreparedPath(strings[index]))
        }
        var segments: [UInt64: [Int32]] = [:]
        var extensions: [UInt64: [Int32]] = [:]
        for (index, path) in sorted.enumerated() {
            let position = Int32(index)
            path.bytes.withUnsafeBufferPointer { bytes in
                for segment in 0..<(path.segmentStarts.count - 1) {
                    let start = path.segmentStarts[segment]
                    let end = path.segmentStarts[segment + 1] - 1
                    Self.append(position, to: &segments[Self.hash(bytes, start, end), default: []])
                    var dot = end - 1
                    while dot >= start, bytes[dot] != UInt8(ascii: ".") { dot -= 1 }
                    if dot >= start {
                        Self.append(position, to: &extensions[Self.hash(bytes, dot + 1, end), default: []])
                    }
                }
            }
        }
        self.paths = sorted
        self.segmentIndex = segments
        self.extensionIndex = extensions
    }

    /// Whether there are no paths.
    public var isEmpty: Bool { paths.isEmpty }

    /// The indices of the paths that can match `pattern`, ascending: a superset of its matches.
    public func candidates(for pattern: GlobPattern) -> [Int] {
        var best: [Int32]?
        func consider(_ list: [Int32]) {
            if best == nil || list.count < best!.count { best = list }
        }
        for segment in pattern.segments {
            switch segment {
            case .literal(let bytes):
                consider(bytes.withUnsafeBufferPointer { segmentIndex[Self.hash($0, 0, $0.count)] } ?? [])
            case .wildcard(let tokens):
                if let suffix = Self.extension(of: tokens) {
                    consider(suffix.withUnsafeBufferPointer { extensionIndex[Self.hash($0, 0, $0.count)] } ?? [])
                }
            case .anyDepth:
                break
            }
        }
        let range = prefixRange(pattern.literalPrefix)
        if let best, best.count < range.count {
            return best.map(Int.init)
        }
        return Array(range)
    }

    /// The paths that start with `prefix` (all of them for an empty prefix).
    private func prefixRange(_ prefix: [UInt8]) -> Range<Int> {
        if prefix.isEmpty { return paths.indices }
        var upperKey = prefix
        // Everything that starts with `prefix` sorts before `prefix` followed by 0xFF, which UTF-8 never uses.
        upperKey.append(0xFF)
        return lowerBound(prefix)..<lowerBound(upperKey)
    }

    private func lowerBound(_ key: [UInt8]) -> Int {
        var low = 0
        var high = paths.count
        while low < high {
            let middle = (low + high) / 2
            if Self.compare(paths[middle].bytes, key) < 0 { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The literal text after the last `.` of a segment pattern that ends in literal bytes
    /// containing a dot (`*.tf` gives `tf`); every segment it matches has that extension.
    private static func `extension`(of tokens: [GlobPattern.Token]) -> [UInt8]? {
        var suffix: [UInt8] = []
        for token in tokens.reversed() {
            guard case .byte(let byte) = token else { return nil }
            if byte == UInt8(ascii: ".") { return suffix.reversed() }
            suffix.append(byte)
        }
        return nil
    }

    private static func append(_ position: Int32, to list: inout [Int32]) {
        // A path with the same segment twice is listed once.
        if list.last != position { list.append(position) }
    }

    /// Byte-wise three-way comparison (the order `git` sorts paths in).
    private static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int32 {
        a.withUnsafeBufferPointer { left in
            b.withUnsafeBufferPointer { right in
                let common = min(left.count, right.count)
                if common > 0, let l = left.baseAddress, let r = right.baseAddress {
                    let result = memcmp(l, r, common)
                    if result != 0 { return result }
                }
                return left.count < right.count ? -1 : (left.count > right.count ? 1 : 0)
            }
        }
    }

    /// FNV-1a over `bytes[start..<end]`.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var index = start
        while index < end {
            hash = (hash ^ UInt64(bytes[index])) &* 0x0000_0100_0000_01B3
            index += 1
        }
        return hash
    }
}
