/// Where each node of the spec sits in the file, keyed by its path from the root.
///
/// Paths are written as the spec reads, e.g. `["jobs", "plan", "needs", "0"]`; the loader records
/// every mapping key, value and list item, so validation can point at the exact token.
public struct SourceMap: Sendable {
    /// The file name diagnostics use.
    public var file: String
    private var values: [[String]: SourceLocation] = [:]
    private var keys: [[String]: SourceLocation] = [:]

    /// Creates an empty map for `file`.
    public init(file: String) {
        self.file = file
    }

    /// Records where the value at `path` starts.
    public mutating func recordValue(_ path: [String], _ location: SourceLocation) {
        values[path] = location
    }

    /// Records where the key that introduces `path` starts.
    public mutating func recordKey(_ path: [String], _ location: SourceLocation) {
        keys[path] = location
    }

    /// The location of the value at `path`, falling back to its key, then to the nearest ancestor.
    public func value(_ path: [String]) -> SourceLocation? {
        var path = path
        while true {
            if let found = values[path] ?? keys[path] { return found }
            if path.isEmpty { return nil }
            path.removeLast()
        }
    }

    /// The location of the key that introduces `path`, falling back to its value.
    public func key(_ path: [String]) -> SourceLocation? {
        keys[path] ?? value(path)
    }
}
