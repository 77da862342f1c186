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

/// A set of changed paths, sorted so a pattern's literal prefix finds its candidates by binary search.
public struct PathSet: Sendable {
    /// The prepared paths, sorted by their bytes.
    public let paths: [PreparedPath]

    /// Prepares and sorts `paths`; duplicates are dropped.
    public init<S: Sequence>(_ paths: S) where S.Element == String {
        var seen: Set<String> = []
        let unique = paths.filter { seen.insert($0).inserted }
        self.paths = unique.map(PreparedPath.init).sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
    }

    /// Whether there are no paths.
    public var isEmpty: Bool { paths.isEmpty }

    /// The indices of the paths that can match `pattern`: those starting with its literal prefix.
    public func candidates(for pattern: GlobPattern) -> Range<Int> {
        let prefix = pattern.literalPrefix
        if prefix.isEmpty { return paths.indices }
        let lower = lowerBound(prefix)
        var upperKey = prefix
        // Everything that starts with `prefix` sorts before `prefix` followed by 0xFF.
        upperKey.append(0xFF)
        let upper = lowerBound(upperKey)
        return lower..<upper
    }

    private func lowerBound(_ key: [UInt8]) -> Int {
        var low = 0
        var high = paths.count
        while low < high {
            let middle = (low + high) / 2
            if paths[middle].bytes.lexicographicallyPrecedes(key) { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
